package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/meterd/meterd/fault"
)

// Excel serials worked out by hand (1900 system: 1 Jan 2025 is 45658):
// 1 Nov 2025 = 45658 + 304 (Jan–Oct) = 45962, so 4 Nov = 45965;
// 1 Oct = 45658 + 273 = 45931, so 26 Oct = 45956; 30 Mar = 45658 + 59 + 29 = 45746.
// The 1904 system counts 1462 days fewer.
const (
	serialNov4  = 45965.0
	serialOct26 = 45956.0
	serialMar30 = 45746.0
)

type xlsxOpts struct {
	date1904 bool
}

// writeXLSX makes a workbook the way people's files look: values are set
// with their Go type (float64 → number cell, string → text cell).
func writeXLSX(t testing.TB, rows [][]any, o xlsxOpts) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if o.date1904 {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	dateFmt := "dd.mm.yyyy"
	dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			if d, ok := v.(excelDate); ok {
				cells[j] = excelize.Cell{StyleID: dateStyle, Value: float64(d)}
			} else {
				cells[j] = v
			}
		}
		name, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(name, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "readings.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// excelDate is a serial number in a date-formatted cell.
type excelDate float64

func parse(t *testing.T, path string) (*ParsedFile, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	return ParseFile(path, f, st.Size(), berlin, Options{})
}

func writeFile(t *testing.T, name string, body []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type want struct {
	row   int
	utc   string
	value float64
}

func check(t *testing.T, p *ParsedFile, readings []want, rejected map[int]string) {
	t.Helper()
	if len(p.Readings) != len(readings) {
		t.Errorf("%d readings; want %d: %+v", len(p.Readings), len(readings), p.Readings)
	}
	for i := 0; i < len(readings) && i < len(p.Readings); i++ {
		r, w := p.Readings[i], readings[i]
		if r.Row != w.row || r.Time.UTC().Format(time.RFC3339) != w.utc || r.Value != w.value {
			t.Errorf("reading %d = row %d %s %v; want row %d %s %v", i, r.Row, r.Time.UTC().Format(time.RFC3339), r.Value, w.row, w.utc, w.value)
		}
	}
	if len(p.Rejected) != len(rejected) {
		t.Errorf("rejections %+v; want rows %v", p.Rejected, rejected)
	}
	for _, r := range p.Rejected {
		if frag, ok := rejected[r.Row]; !ok || !strings.Contains(r.Error, frag) {
			t.Errorf("row %d rejected with %q; want %q", r.Row, r.Error, frag)
		}
	}
}

func TestGridOperatorXLSX(t *testing.T) {
	p := writeXLSX(t, [][]any{
		{"Bayernwerk Netz GmbH – Zählerstandsgang"},
		{"Zählpunkt", "DE0001234567890000000000000000001"},
		{},
		{"Ab-Datum", "Ab-Zeit", "Zählerstand", "Einheit", "Status"},
		{excelDate(serialNov4), "07:30", 12345.6, "kWh", "W"},
		{excelDate(serialNov4), "07:45:00", 12346.25, "kWh", "W"},
		{}, // an empty row: neither reading nor rejection
		// DST autumn night: 01:45 is still summer time; 02:30 happens
		// twice and is the second (standard time) one; 03:00 is winter.
		{excelDate(serialOct26), "01:45", 12000.0},
		{excelDate(serialOct26), "02:30", 12001.0},
		{excelDate(serialOct26), "03:00", 12002.0},
		// Spring: 02:15 does not exist and moves forward to 03:15+02:00.
		{excelDate(serialMar30), "02:15", 9000.0},
		{"31.02.2025", "08:00", 1.0},
		{excelDate(serialNov4), "25:00", 1.0},
		{excelDate(serialNov4), "08:00", ""},
		{"", "08:00", 5.0},
		{excelDate(serialNov4), "08:15", "zwölf"},
	}, xlsxOpts{})
	pf, err := parse(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Format != FormatXLSX || pf.Source() != "excel" || len(pf.SHA256) != 64 {
		t.Errorf("format %s source %s sha %q", pf.Format, pf.Source(), pf.SHA256)
	}
	check(t, pf, []want{
		{5, "2025-11-04T06:30:00Z", 12345.6},
		{6, "2025-11-04T06:45:00Z", 12346.25},
		{8, "2025-10-25T23:45:00Z", 12000},
		{9, "2025-10-26T01:30:00Z", 12001},
		{10, "2025-10-26T02:00:00Z", 12002},
		{11, "2025-03-30T01:15:00Z", 9000},
	}, map[int]string{
		12: `Ab-Datum "31.02.2025" is not a date of the calendar`,
		13: `Ab-Zeit "25:00" is not a time of day`,
		14: "Zählerstand is empty",
		15: "Ab-Datum is empty",
		16: `Zählerstand "zwölf" is not a number`,
	})
}

func TestPeoplesOwnXLSXVariants(t *testing.T) {
	// Header in any case and spacing; time as a day fraction (07:30 =
	// 0.3125); date and time in one serial; German text numbers with
	// thousands dots; a text date with two-digit year.
	p := writeXLSX(t, [][]any{
		{"Meine Zählerstände Gas"},
		{" DATUM ", "uhrzeit", "Zähler Stand"},
		{excelDate(serialNov4), 0.3125, "12.345,6"},
		{excelDate(serialNov4 + 0.5), "", "12.346"},     // 12:00 from the date cell; 12.346 = 12346 (comma file)
		{excelDate(serialNov4 + 0.5), 0.75, "12.347,5"}, // a non-empty time cell wins: 18:00
		{"05.11.25", "06:00", 12350.25},                 // a number cell stays 12350.25
		{"2025-11-06 06:00", "", "12.351,0"},            // date and time in one text cell
		{"2025-11-07T06:00:00+01:00", "", "12.352"},     // an instant with offset
	}, xlsxOpts{})
	pf, err := parse(t, p)
	if err != nil {
		t.Fatal(err)
	}
	check(t, pf, []want{
		{3, "2025-11-04T06:30:00Z", 12345.6},
		{4, "2025-11-04T11:00:00Z", 12346},
		{5, "2025-11-04T17:00:00Z", 12347.5},
		{6, "2025-11-05T05:00:00Z", 12350.25},
		{7, "2025-11-06T05:00:00Z", 12351},
		{8, "2025-11-07T05:00:00Z", 12352},
	}, nil)
}

func TestXLSX1904Workbook(t *testing.T) {
	p := writeXLSX(t, [][]any{
		{"Datum", "Zeit", "Wert"},
		{excelDate(serialNov4 - 1462), "07:30", 100.5},
		{excelDate(serialOct26 - 1462 + 0.25), "", 99.0}, // 06:00 in the serial
	}, xlsxOpts{date1904: true})
	pf, err := parse(t, p)
	if err != nil {
		t.Fatal(err)
	}
	check(t, pf, []want{
		{2, "2025-11-04T06:30:00Z", 100.5},
		{3, "2025-10-26T05:00:00Z", 99},
	}, nil)
}

func TestCSVVariants(t *testing.T) {
	cases := []struct {
		name string
		body []byte
		want []want
		rej  map[int]string
	}{
		{
			name: "semicolon, decimal comma, BOM",
			body: []byte("\ufeffDatum;Uhrzeit;Zählerstand\r\n04.11.2025;07:30;12.345,6\r\n\r\n;;\r\n05.11.2025;07:30;12346\r\n"),
			want: []want{{2, "2025-11-04T06:30:00Z", 12345.6}, {5, "2025-11-05T06:30:00Z", 12346}},
		},
		{
			name: "comma, decimal point",
			body: []byte("Zaehlerstand,Datum\n12345.6,2025-11-04\n12.5,2025-11-05\n"),
			want: []want{{2, "2025-11-03T23:00:00Z", 12345.6}, {3, "2025-11-04T23:00:00Z", 12.5}},
		},
		{
			name: "title line, date and time in one cell, quoted",
			body: []byte("Wasserzähler Keller\nZeitpunkt;Wert\n\"04.11.2025 07:30\";\"1.234,5\"\n04.11.2025 25:00;1\n"),
			want: []want{{3, "2025-11-04T06:30:00Z", 1234.5}},
			rej:  map[int]string{4: "Zeitpunkt"},
		},
		{
			name: "Windows-1252",
			body: func() []byte {
				b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("Datum;Zählerstand;Bemerkung\n04.11.2025;7,5;Ablesung März\n"))
				return b
			}(),
			want: []want{{2, "2025-11-03T23:00:00Z", 7.5}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pf, err := parse(t, writeFile(t, "zaehler.csv", c.body))
			if err != nil {
				t.Fatal(err)
			}
			if pf.Format != FormatCSV || pf.Source() != "csv" {
				t.Errorf("format %s", pf.Format)
			}
			check(t, pf, c.want, c.rej)
		})
	}
}

func TestFileLevelErrors(t *testing.T) {
	cases := map[string]struct {
		name string
		body []byte
		frag string
	}{
		"no header":           {"a.csv", []byte("foo;bar\n1;2\n"), "no header row in the first 20 rows"},
		"title only contains": {"a.csv", []byte("Datum der Ablesung: heute;Stand der Dinge\n1;2\n"), "no header row"},
		"header, no data":     {"a.csv", []byte("Datum;Stand\n;\n"), "no data rows"},
		"date but no value":   {"a.csv", []byte("Datum;Menge\n04.11.2025;1\n"), "row 1 has the column Datum but no value column"},
		"random bytes .xlsx":  {"a.xlsx", []byte("\x00\x01garbage\xff"), "not one"},
		"truncated xlsx":      {"a.xlsx", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), "not a readable .xlsx"},
		"broken xls":          {"a.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0xff}, 600)...), ".xls"},
		"empty":               {"a.csv", nil, "is empty"},
		"ods":                 {"a.ods", []byte("whatever"), "not read"},
	}
	for name, c := range cases {
		_, err := parse(t, writeFile(t, c.name, c.body))
		if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: %v; want an Invalid fault containing %q", name, err, c.frag)
		}
	}
}

func TestTooManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("Datum;Stand\n")
	for i := 0; i < 11; i++ {
		b.WriteString("04.11.2025;1\n")
	}
	f, _ := os.Open(writeFile(t, "big.csv", []byte(b.String())))
	defer f.Close()
	_, err := ParseFile("big.csv", f, int64(b.Len()), berlin, Options{MaxRows: 10})
	if err == nil || !strings.Contains(err.Error(), "more than 10 data rows") {
		t.Fatalf("err %v", err)
	}
}

func TestSerialToWall(t *testing.T) {
	cases := []struct {
		serial float64
		is1904 bool
		want   string
	}{
		{45658, false, "2025-01-01 00:00:00"},
		{45658.3125, false, "2025-01-01 07:30:00"},
		{45658.99998, false, "2025-01-01 23:59:58"}, // 86398.27 s rounds to the second
		{1, false, "1900-01-01 00:00:00"},
		{59, false, "1900-02-28 00:00:00"},
		{61, false, "1900-03-01 00:00:00"},
		{0, true, ""}, // below 1: not a date
		{44196, true, "2025-01-01 00:00:00"},
	}
	for _, c := range cases {
		w, err := SerialToWall(c.serial, c.is1904)
		got := ""
		if err == nil {
			got = time.Date(w.year, w.month, w.day, w.hour, w.min, w.sec, 0, time.UTC).Format("2006-01-02 15:04:05")
		}
		if got != c.want {
			t.Errorf("SerialToWall(%v, %v) = %q (%v); want %q", c.serial, c.is1904, got, err, c.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in    string
		comma bool
		want  float64
		ok    bool
	}{
		{"12.345,6", true, 12345.6, true},
		{"12345,6", true, 12345.6, true},
		{"1.234.567", true, 1234567, true},
		{"12.34,5", true, 0, false}, // dots must group thousands
		{"12345.6", false, 12345.6, true},
		{" 1 234.5 ", false, 1234.5, true},
		{"-3", false, -3, true},
		{"1e5", false, 0, false},
		{"0x10", false, 0, false},
		{"NaN", false, 0, false},
		{"", true, 0, false},
	}
	for _, c := range cases {
		got, err := ParseNumber(c.in, c.comma)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseNumber(%q, %v) = %v, %v; want %v ok=%v", c.in, c.comma, got, err, c.want, c.ok)
		}
	}
}

// TestScannerAgreesWithExcelize reads the same workbooks through the fast
// sheet scanner and through excelize's own row iterator (used for sheets
// too large to hold in memory): both must give the same table.
func TestScannerAgreesWithExcelize(t *testing.T) {
	files := []string{
		writeXLSX(t, [][]any{
			{"Titel"},
			{" DATUM ", "uhrzeit", "Zähler Stand", "Notiz <&>"},
			{excelDate(serialNov4), 0.3125, "12.345,6", "a&b"},
			{excelDate(serialNov4 + 0.5), "", "12.346"},
			{},
			{"05.11.25", "06:00", 12350.25},
			{"31.02.2025", "06:00", 1.0},
		}, xlsxOpts{}),
		writeXLSX(t, [][]any{{"Datum", "Wert"}, {excelDate(serialOct26 - 1462), 5.5}}, xlsxOpts{date1904: true}),
		gridFile(t, 500),
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		wb, err := openWorkbook(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		xs, err := wb.rows(wb.sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		slow, err2 := readTable(xs, berlin, Options{})
		// The scanner reads the worksheet through a window: a tag, a text
		// or an entity cut by its edge reads as a whole one.
		for _, chunk := range []int{scanChunk, 1, 2, 3, 7, 100} {
			sc, ok := wb.scanner(0)
			if !ok {
				t.Fatalf("%s: the scanner found no sheet", p)
			}
			sc.chunk = chunk
			fast, err1 := readTable(sc, berlin, Options{})
			sc.close()
			if err1 != nil || err2 != nil {
				t.Fatalf("%v / %v", err1, err2)
			}
			sameTables(t, fmt.Sprintf("%s, read %d bytes at a time", p, chunk), fast, slow)
		}
		wb.Close()
	}
}

// sameTables fails unless the scanner's table is excelize's.
func sameTables(t *testing.T, what string, fast, slow *Table) {
	t.Helper()
	if len(fast.Readings) != len(slow.Readings) || len(fast.Rejected) != len(slow.Rejected) {
		t.Fatalf("%s: scanner %d readings %d rejected; excelize %d and %d", what, len(fast.Readings), len(fast.Rejected), len(slow.Readings), len(slow.Rejected))
	}
	for i := range fast.Readings {
		if fast.Readings[i] != slow.Readings[i] {
			t.Errorf("%s: reading %d: scanner %+v, excelize %+v", what, i, fast.Readings[i], slow.Readings[i])
		}
	}
	for i := range fast.Rejected {
		if fast.Rejected[i].Row != slow.Rejected[i].Row || fast.Rejected[i].Error != slow.Rejected[i].Error {
			t.Errorf("%s: rejection %d: scanner %+v, excelize %+v", what, i, fast.Rejected[i], slow.Rejected[i])
		}
	}
}

// Hostile files: each ends in a clear error or is read within bounds.
func TestHostileFiles(t *testing.T) {
	// A zip bomb: a worksheet that says it unpacks to 1 GiB. excelize's
	// UnzipSizeLimit refuses it before inflating anything.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, UncompressedSize64: 1 << 30, CompressedSize64: 2, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{0x03, 0x00})
	zw.Close()
	if _, err := parse(t, writeFile(t, "bomb.xlsx", bomb.Bytes())); err == nil || !strings.Contains(err.Error(), "size exceeds") {
		t.Errorf("zip bomb: %v", err)
	}

	// A formula without a cached value has no value to read; one with a
	// cached value is read like a number.
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Datum", "Stand"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"01.01.2025", 10.0})
	f.SetCellValue("Sheet1", "A3", "02.01.2025")
	f.SetCellFormula("Sheet1", "B3", "B2+1")
	var buf bytes.Buffer
	f.Write(&buf)
	f.Close()
	pf, err := parse(t, writeFile(t, "formula.xlsx", buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	check(t, pf, []want{{2, "2024-12-31T23:00:00Z", 10}}, map[int]string{3: "Stand is empty"})

	// A CSV line of a megabyte in an ignored column.
	line := "Datum;Stand;Notiz\n01.01.2025;7;" + strings.Repeat("x", 1<<20) + "\n"
	pf, err = parse(t, writeFile(t, "long.csv", []byte(line)))
	if err != nil {
		t.Fatal(err)
	}
	check(t, pf, []want{{2, "2024-12-31T23:00:00Z", 7}}, nil)

	// More rows than allowed, in a workbook: refused as a whole (the
	// default cap is 500,000 data rows).
	p := gridFile(t, 1200)
	fh, _ := os.Open(p)
	defer fh.Close()
	st, _ := fh.Stat()
	if _, err := ParseFile(p, fh, st.Size(), berlin, Options{MaxRows: 1000}); err == nil || !strings.Contains(err.Error(), "more than 1000 data rows") {
		t.Errorf("too many rows: %v", err)
	}
}

func TestHeaderNamesAndNotes(t *testing.T) {
	for in, want := range map[string][2]string{
		"Zählerstand (kWh)":         {"Zählerstand", "kWh"},
		"Zählerstand [kWh]":         {"Zählerstand", "kWh"},
		"Messwert in kWh":           {"Messwert", "kWh"},
		"Wert\n(m³)":                {"Wert", "m³"},
		"Wert_x000D_\n(m³)":         {"Wert", "m³"},
		"  Stand  ":                 {"Stand", ""},
		"Zählerstand (abgelesen)":   {"Zählerstand", "abgelesen"},
		"Ablesedatum":               {"Ablesedatum", ""},
		"Zählerstände im Überblick": {"Zählerstände im Überblick", ""},
	} {
		name, note := splitHeader(in)
		if name != want[0] || note != want[1] {
			t.Errorf("%q: %q, %q; want %q, %q", in, name, note, want[0], want[1])
		}
	}
	// A title that merely contains the word is no header.
	if _, ok := findColumns([]cell{{text: "Zählerstände im Überblick"}, {text: "Stand 2025"}}); ok {
		t.Error("a title row was taken for the header")
	}
}

func TestLatin1FromXLS(t *testing.T) {
	if got := latin1("Z\xe4hlerstand"); got != "Zählerstand" {
		t.Errorf("%q", got)
	}
	if got := latin1("Zählerstand"); got != "Zählerstand" {
		t.Errorf("UTF-8 text changed: %q", got)
	}
}

func TestUnrecognisedFileSaysWhatItSaw(t *testing.T) {
	_, err := parse(t, writeFile(t, "x.csv", []byte("Tag;Menge\n01.01.2025;1\n")))
	if err == nil || !strings.Contains(err.Error(), `its first row reads "Tag" | "Menge"`) {
		t.Errorf("%v", err)
	}
}

// TestCoverSheetIsPassedOver: the readings are on the second sheet, behind
// a cover sheet; the summary names it. A chosen sheet is read instead.
func TestCoverSheetIsPassedOver(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Deckblatt")
	f.SetSheetRow("Deckblatt", "A1", &[]any{"Zählerstände Haus 2025"})
	f.SetSheetRow("Deckblatt", "A2", &[]any{"Erstellt von der Hausverwaltung"})
	f.NewSheet("Werte")
	f.SetSheetRow("Werte", "A1", &[]any{"Datum", "Zählerstand (kWh)"})
	f.SetSheetRow("Werte", "A2", &[]any{"01.01.2025", 100.0})
	f.SetSheetRow("Werte", "A3", &[]any{"01.02.2025", 150.0})
	p := filepath.Join(t.TempDir(), "haus.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	pf, err := parse(t, p)
	if err != nil || pf.Sheet != "Werte" || len(pf.Readings) != 2 || pf.Unit != "kWh" {
		t.Fatalf("%+v %v; want 2 readings from sheet Werte", pf, err)
	}
	fh, _ := os.Open(p)
	defer fh.Close()
	st, _ := fh.Stat()
	_, err = ParseFile(p, fh, st.Size(), berlin, Options{Choice: Choice{Sheet: "Deckblatt"}})
	var nh *NoHeaderError
	if !errors.As(err, &nh) || len(nh.Sheets) != 2 || nh.Sheets[0].Name != "Deckblatt" || nh.Sheets[0].Rows[0][0] != "Zählerstände Haus 2025" {
		t.Errorf("the cover sheet chosen: %v %+v", err, nh)
	}
}

// TestChosenColumns: a file meterd cannot read by its header is refused
// with its first rows; with the header row and columns chosen it is read.
func TestChosenColumns(t *testing.T) {
	p := writeFile(t, "x.csv", []byte("Ablesung Wohnung 3\nTag;Uhr;Menge in m3;Bemerkung\n01.01.2025;08:00;12,5;\n01.02.2025;08:00;14,25;neu\n"))
	_, err := parse(t, p)
	var nh *NoHeaderError
	if !errors.As(err, &nh) || len(nh.Sheets) != 1 || len(nh.Sheets[0].Rows) != 4 || nh.Sheets[0].Rows[1][2] != "Menge in m3" {
		t.Fatalf("%v %+v", err, nh)
	}
	fh, _ := os.Open(p)
	defer fh.Close()
	st, _ := fh.Stat()
	pf, err := ParseFile(p, fh, st.Size(), berlin, Options{Choice: Choice{HeaderRow: 2, Date: 1, Time: 2, Value: 3}})
	if err != nil || len(pf.Readings) != 2 || pf.Readings[1].Value != 14.25 || pf.Unit != "m³" || strings.Join(pf.Columns, "|") != "Tag|Uhr|Menge in m3" {
		t.Fatalf("%+v %v", pf, err)
	}
	if got := pf.Readings[0].Time.In(berlin).Format(time.RFC3339); got != "2025-01-01T08:00:00+01:00" {
		t.Errorf("first reading at %s", got)
	}
	for _, bad := range []Choice{{HeaderRow: 2, Date: 1, Value: 1}, {HeaderRow: 2, Date: 0, Value: 3}, {HeaderRow: 21, Date: 1, Value: 3}} {
		fh.Seek(0, 0)
		if _, err := ParseFile(p, fh, st.Size(), berlin, Options{Choice: bad}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
