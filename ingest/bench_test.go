package ingest

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// gridFile writes a grid operator's export of n quarter-hour rows: date
// cells (serials), text times, number values.
func gridFile(tb testing.TB, n int) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "grid.xlsx")
	f := excelize.NewFile()
	defer f.Close()
	sw, _ := f.NewStreamWriter("Sheet1")
	dateFmt := "dd.mm.yyyy"
	style, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	sw.SetRow("A1", []any{"Bayernwerk Netz GmbH"})
	sw.SetRow("A3", []any{"Ab-Datum", "Ab-Zeit", "Zählerstand", "Einheit"})
	clock := make([]string, 96)
	for q := range clock {
		clock[q] = time.Date(2000, 1, 1, q/4, q%4*15, 0, 0, time.UTC).Format("15:04")
	}
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		sw.SetRow(cell, []any{excelize.Cell{StyleID: style, Value: float64(45658 + i/96)}, clock[i%96], 10000 + float64(i)*0.25, "kWh"})
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(p); err != nil {
		tb.Fatal(err)
	}
	return p
}

// peakHeap samples the live heap while fn runs.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak
}

// BenchmarkParseGridXLSX100k parses a 100,000-row grid operator export.
// It reports the time per file, allocations and the peak live heap.
func BenchmarkParseGridXLSX100k(b *testing.B) {
	p := gridFile(b, 100_000)
	st, _ := os.Stat(p)
	var peak uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, _ := os.Open(p)
		var pf *ParsedFile
		var err error
		peak = max(peak, peakHeap(func() { pf, err = ParseFile(p, f, st.Size(), berlin, Options{}) }))
		f.Close()
		if err != nil || len(pf.Readings) != 100_000 {
			b.Fatalf("%v, %d readings", err, len(pf.Readings))
		}
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
