package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Fixtures written by LibreOffice (testdata/libreoffice/make.sh): a cover
// sheet, a header "Zählerstand" + line break + "(kWh)" in rich text, date
// and time cells (8:00 stored as 0.333333333333333), an error cell
// (#VALUE!), a mistyped 2031 and 1925, and a row of text cells.

func fixture(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "testdata", "libreoffice", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

type wantLocal struct {
	row   int
	at    string
	value float64
}

func checkReadings(t *testing.T, what string, pf *ParsedFile, ws []wantLocal) {
	t.Helper()
	if len(pf.Readings) != len(ws) {
		t.Fatalf("%s: %d readings %+v; want %d", what, len(pf.Readings), pf.Readings, len(ws))
	}
	for i, w := range ws {
		r := pf.Readings[i]
		if r.Row != w.row || r.Time.In(berlin).Format(time.RFC3339) != w.at || r.Value != w.value {
			t.Errorf("%s reading %d: row %d %s %v; want row %d %s %v", what, i, r.Row, r.Time.In(berlin).Format(time.RFC3339), r.Value, w.row, w.at, w.value)
		}
	}
}

var zaehlerReadings = []wantLocal{
	{2, "2025-01-01T08:00:00+01:00", 12345.6},
	{3, "2025-02-01T08:15:00+01:00", 12456.25},
	{5, "2031-01-15T08:00:00+01:00", 12600}, // the domain refuses it on import
	{6, "1925-04-01T08:00:00+01:00", 12650}, // likewise
	{7, "2025-05-01T07:45:00+02:00", 12789.5},
}

func TestLibreOfficeWorkbooks(t *testing.T) {
	for _, name := range []string{"zaehler.xlsx", "zaehler.xls"} {
		pf, err := parse(t, fixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if pf.Sheet != "Zählerstände" || pf.Unit != "kWh" || strings.Join(pf.Columns, "|") != "Ablesedatum|Ablesezeit|Zählerstand (kWh)" {
			t.Errorf("%s: sheet %q, unit %q, columns %q", name, pf.Sheet, pf.Unit, pf.Columns)
		}
		checkReadings(t, name, pf, zaehlerReadings)
		// The .xls reader cannot read formula cells at all: it hands the
		// error cell over as a blank.
		wantErr := "is not a number"
		if strings.HasSuffix(name, ".xls") {
			wantErr = "is empty"
		}
		if len(pf.Rejected) != 1 || pf.Rejected[0].Row != 4 || !strings.Contains(pf.Rejected[0].Error, wantErr) {
			t.Errorf("%s: rejected %+v; want row 4, the error cell", name, pf.Rejected)
		}
	}
	for _, name := range []string{"einfach.xlsx", "einfach.xls", "einfach-1252.csv"} {
		pf, err := parse(t, fixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if pf.Unit != "m³" || pf.Columns[1] != "Zählerstand [m³]" {
			t.Errorf("%s: unit %q, columns %q", name, pf.Unit, pf.Columns)
		}
		checkReadings(t, name, pf, []wantLocal{{2, "2025-01-01T00:00:00+01:00", 4321.09}, {3, "2025-02-01T00:00:00+01:00", 4410.5}})
	}
}

// TestScannerMatchesExcelizeOnLibreOfficeFiles: the fast worksheet scanner
// and excelize's own row reader read every sheet of every LibreOffice
// workbook alike.
func TestScannerMatchesExcelizeOnLibreOfficeFiles(t *testing.T) {
	for _, name := range []string{"zaehler.xlsx", "einfach.xlsx"} {
		data, err := os.ReadFile(fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		wb, err := openWorkbook(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for k, sheet := range wb.sheets {
			xs, err := wb.rows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			slow, err2 := readTable(xs, berlin, Options{})
			for _, chunk := range []int{scanChunk, 1, 5} {
				sc, ok := wb.scanner(k)
				if !ok {
					t.Fatalf("%s: the scanner cannot read sheet %s", name, sheet)
				}
				sc.chunk = chunk
				fast, err1 := readTable(sc, berlin, Options{})
				sc.close()
				if errors.Is(err1, errNoHeader) && errors.Is(err2, errNoHeader) {
					continue // the cover sheet, for both
				}
				if err1 != nil || err2 != nil {
					t.Fatalf("%s %s: %v / %v", name, sheet, err1, err2)
				}
				if strings.Join(fast.Columns, "|") != strings.Join(slow.Columns, "|") || fast.Unit != slow.Unit {
					t.Errorf("%s %s: columns %q %s, excelize %q %s", name, sheet, fast.Columns, fast.Unit, slow.Columns, slow.Unit)
				}
				sameTables(t, fmt.Sprintf("%s %s, %d bytes at a time", name, sheet, chunk), fast, slow)
			}
		}
		wb.Close()
	}
}

// TestScannerReadsWhatExcelWrites: Excel's _x000D_ escapes, an escaped
// underscore, text mixed with CDATA, and phonetic runs in an inline string
// are read as their text.
func TestScannerReadsWhatExcelWrites(t *testing.T) {
	base := writeXLSX(t, [][]any{{"Datum", "WERTHEADER"}, {"01.01.2025", 1.5}, {"INLINE", 2.5}}, xlsxOpts{})
	p := patchXLSX(t, base, `<c r="B1" t="inlineStr"><is><t>WERTHEADER</t></is></c>`,
		`<c r="B1" t="inlineStr"><is><t>Z&#228;hler<![CDATA[stand]]>_x000D_`+"\n"+`(kWh)</t><rPh sb="0" eb="1"><t>ジ</t></rPh></is></c>`)
	p = patchXLSX(t, p, `<c r="A3" t="inlineStr"><is><t>INLINE</t></is></c>`,
		`<c r="A3" t="inlineStr"><is><t>02.01.2025_x005F_x000D_</t></is></c>`)
	data, _ := os.ReadFile(p)
	wb, err := openWorkbook(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sc, ok := wb.scanner(0)
	if !ok {
		t.Fatal("the scanner cannot read the sheet")
	}
	tab, err := readTable(sc, berlin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Columns, "|") != "Datum|Zählerstand (kWh)" || tab.Unit != "kWh" {
		t.Errorf("columns %q unit %q; want the header Zählerstand, a CR-LF and (kWh)", tab.Columns, tab.Unit)
	}
	if len(tab.Readings) != 1 || len(tab.Rejected) != 1 || !strings.Contains(tab.Rejected[0].Error, `"02.01.2025_x000D_"`) {
		t.Errorf("readings %+v rejected %+v; want the escaped underscore kept literally", tab.Readings, tab.Rejected)
	}
}

// TestSpilledSharedStringsAreRead: shared strings larger than what excelize
// keeps in memory (spilled to a temporary file) are read, through
// excelize's own reader, not mistaken for a file without a header. Here
// 40 long remarks make about 90 KiB of shared strings against a limit of
// 20 KiB, while the sheet itself (about 5 KiB) stays in memory, so the
// scanner is asked first.
func TestSpilledSharedStringsAreRead(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Datum", "Zählerstand", "Bemerkung"})
	for i := range 40 {
		row := []any{time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC).Format("02.01.2006"), float64(100 + i), strings.Repeat(fmt.Sprintf("Bemerkung %03d ", i), 160)}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow("Sheet1", cell, &row)
	}
	p := filepath.Join(t.TempDir(), "bemerkungen.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	saved := unzipXMLSizeLimit
	unzipXMLSizeLimit = 20 << 10
	defer func() { unzipXMLSizeLimit = saved }()
	pf, err := parse(t, p)
	if err != nil {
		t.Fatalf("spilled shared strings: %v", err)
	}
	if len(pf.Readings) != 40 || pf.Readings[39].Value != 139 {
		t.Errorf("%d readings", len(pf.Readings))
	}
}
