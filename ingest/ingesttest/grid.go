// Package ingesttest writes the files the benchmarks import: a grid
// operator's quarter-hour export, as large as a benchmark asks.
package ingesttest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// GridXLSX writes a grid operator's export of n quarter-hour rows from
// the local midnight of first on, in the shape such exports have: a
// title row, a header in row 3, date cells (serial numbers with a date
// format), text times and number values, 0.25 kWh a quarter hour from
// 10,000 kWh on. It returns the file's path in a test's temporary folder.
func GridXLSX(tb testing.TB, n int, first time.Time) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "grid.xlsx")
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	dateFmt := "dd.mm.yyyy"
	style, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	sw.SetRow("A1", []any{"Bayernwerk Netz GmbH"})
	sw.SetRow("A3", []any{"Ab-Datum", "Ab-Zeit", "Zählerstand", "Einheit"})
	clock := make([]string, 96)
	for q := range clock {
		clock[q] = time.Date(2000, 1, 1, q/4, q%4*15, 0, 0, time.UTC).Format("15:04")
	}
	// Spreadsheet day serials count from 30 December 1899.
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	serial := float64(time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC).Sub(epoch) / (24 * time.Hour))
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		sw.SetRow(cell, []any{excelize.Cell{StyleID: style, Value: serial + float64(i/96)}, clock[i%96], 10000 + float64(i)*0.25, "kWh"})
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(p); err != nil {
		tb.Fatal(err)
	}
	return p
}
