package ingest

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/fault"
)

// checkParsed asserts what must hold for any input: either one clear
// file-level error, or readings and rejections with distinct valid rows.
func checkParsed(t *testing.T, p *ParsedFile, err error) {
	t.Helper()
	if err != nil {
		if fault.KindOf(err) != fault.Invalid || err.Error() == "" {
			t.Fatalf("not an Invalid fault: %v", err)
		}
		return
	}
	seen := map[int]bool{}
	for _, r := range p.Readings {
		if r.Row < 1 || seen[r.Row] || r.Time.Nanosecond() != 0 {
			t.Fatalf("bad reading %+v", r)
		}
		seen[r.Row] = true
	}
	for _, r := range p.Rejected {
		if r.Row < 1 || seen[r.Row] || r.Error == "" {
			t.Fatalf("bad rejection %+v", r)
		}
		seen[r.Row] = true
	}
	if len(seen) == 0 {
		t.Fatal("no error and nothing parsed")
	}
}

func fuzzFile(t *testing.T, name string, data []byte) {
	r := bytes.NewReader(data)
	p, err := ParseFile(name, r, int64(len(data)), berlin, Options{MaxRows: 1000})
	checkParsed(t, p, err)
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"\ufeffDatum;Uhrzeit;Zählerstand\r\n04.11.2025;07:30;12.345,6\r\n",
		"Zaehlerstand,Datum\n12345.6,2025-11-04\n",
		"Titel\nZeitpunkt;Wert\n\"04.11.2025 07:30\";\"1.234,5\"\n26.10.2025 02:30;1\n",
		"Datum;Stand\n31.02.2025;1\n;;\n",
		"Ab-Datum;Ab-Zeit;Zählerstand\n04.11.25;24:00;1,5\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFile(t, "f.csv", data) })
}

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"04.11.2025", "2025-11-04T07:30", "04.11.25 7:30:15", "2025-11-07T06:00:00+01:00", "12.345,6", "-1.5", "24:00", "31.02.2025"} {
		f.Add(s, 45965.3125)
	}
	f.Fuzz(func(t *testing.T, s string, serial float64) {
		if w, inst, err := ParseDateText(s); err == nil {
			if inst.IsZero() && !validDate(w.year, int(w.month), w.day) {
				t.Fatalf("%q parsed to an impossible date %+v", s, w)
			}
		}
		if h, m, sec, err := ParseTimeText(s); err == nil && (h > 24 || m > 59 || sec > 59) {
			t.Fatalf("%q parsed to %d:%d:%d", s, h, m, sec)
		}
		for _, comma := range []bool{false, true} {
			if v, err := ParseNumber(s, comma); err == nil && (v != v || v > 1e308 || v < -1e308) {
				t.Fatalf("%q parsed to %v", s, v)
			}
		}
		if w, err := SerialToWall(serial, false); err == nil {
			if w.year < 1900 || w.hour > 23 || w.min > 59 || w.sec > 59 {
				t.Fatalf("serial %v gave %+v", serial, w)
			}
		}
		if h, m, sec, err := FractionToClock(serial); err == nil && (h > 24 || m > 59 || sec > 59) {
			t.Fatalf("fraction %v gave %d:%d:%d", serial, h, m, sec)
		}
	})
}

// seedWorkbook is a small grid-operator workbook: date cell and text date,
// text time and day fraction, number and German text values.
func seedWorkbook(tb testing.TB) []byte {
	tb.Helper()
	p := writeXLSX(tb, [][]any{
		{"Ab-Datum", "Ab-Zeit", "Zählerstand"},
		{excelDate(serialNov4), "07:30", 12345.6},
		{"05.11.2025", 0.3125, "12.346,5"},
	}, xlsxOpts{})
	seed, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return seed
}

func FuzzXLSX(f *testing.F) {
	seed := seedWorkbook(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFile(t, "f.xlsx", data) })
}

// FuzzSheetWindow: a worksheet read through a window of any size gives
// the rows the whole worksheet in memory gives.
func FuzzSheetWindow(f *testing.F) {
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Datum &amp; Zeit</t></is></c><c r="B1"><v>1.5</v></c></row>`+
		`<!-- a comment > with -- in it --><row r="2"/><row><c t="str"><v>a<![CDATA[<b>]]>&#228;</v></c></row></sheetData></worksheet>`), uint8(3))
	f.Add([]byte(`<row><c><v>1</v></c><c t="inlineStr"><is><t>x</t><rPh><t>y</t></rPh></is></c></row><row><c r="C2"><v>2</v>`), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		rows := func(sc *sheetScanner) string {
			var b strings.Builder
			for i := 0; i < 10_000; i++ {
				no, cells, ok, err := sc.next()
				if err != nil || !ok {
					fmt.Fprintf(&b, "end %v", err)
					return b.String()
				}
				fmt.Fprintf(&b, "%d %+v\n", no, cells)
			}
			return b.String()
		}
		whole := rows(&sheetScanner{t: tokenizer{data: data}})
		windowed := rows(&sheetScanner{rd: bytes.NewReader(data), chunk: 1 + int(chunk%64)})
		if whole != windowed {
			t.Fatalf("whole:\n%s\nthrough a window of %d bytes:\n%s", whole, 1+chunk%64, windowed)
		}
	})
}

func FuzzXLS(f *testing.F) {
	f.Add(append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...))
	f.Add(append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0xff, 0x01}, 400)...))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFile(t, "f.xls", data) })
}

// TestXLSXSurvivesCorruption complements FuzzXLSX, which the coverage
// instrumentation of excelize makes very slow: thousands of randomly
// damaged workbooks (fixed seed) must each end in a reading or a clear
// error, quickly.
func TestXLSXSurvivesCorruption(t *testing.T) {
	seed := seedWorkbook(t)
	rng := rand.New(rand.NewSource(2))
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		d := append([]byte(nil), seed...)
		for k := 1 + rng.Intn(8); k > 0; k-- {
			j := rng.Intn(len(d))
			switch rng.Intn(3) {
			case 0:
				d[j] = byte(rng.Intn(256))
			case 1:
				d = append(d[:j], d[j+1:]...)
			default:
				d = append(d[:j], append([]byte{byte(rng.Intn(256))}, d[j:]...)...)
			}
		}
		done := make(chan struct{})
		var (
			pf   *ParsedFile
			perr error
		)
		go func() {
			defer close(done)
			pf, perr = ParseFile("f.xlsx", bytes.NewReader(d), int64(len(d)), berlin, Options{MaxRows: 1000})
		}()
		select {
		case <-done:
			checkParsed(t, pf, perr)
		case <-time.After(10 * time.Second):
			t.Fatalf("damaged workbook %d took more than 10s", i)
		}
	}
}

func FuzzHAState(f *testing.F) {
	for _, s := range []string{
		`{"entity_id": "sensor.gaszaehler", "state": "4321.09", "unit": "m³", "last_changed": "2025-11-04T09:00:12.345678+00:00"}`,
		`{"entity_id": "sensor.x", "state": 4321.09}`,
		`{"entity_id": "sensor.x", "state": "unavailable"}`,
		`{"state": "1"}`, `[]`, `{"entity_id": "a", "state": {}}`,
	} {
		f.Add(s)
	}
	now := time.Date(2025, 11, 4, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		s, err := DecodeHAState(strings.NewReader(body), now)
		if err != nil {
			if fault.KindOf(err) != fault.Invalid {
				t.Fatalf("not an Invalid fault: %v", err)
			}
			return
		}
		if s.EntityID == "" || (!s.Ignored && (s.Time.IsZero() || s.Time.Nanosecond() != 0)) {
			t.Fatalf("accepted %+v", s)
		}
	})
}
