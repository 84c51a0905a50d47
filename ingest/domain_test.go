package ingest

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/msg"
)

func TestDomainCheck(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, berlin)
	d := Domain{Earliest: time.Date(2000, 1, 1, 0, 0, 0, 0, berlin), Latest: now.Add(10 * time.Minute), Location: berlin}
	for _, c := range []struct {
		r    Reading
		cell string // the date cell as the file wrote it, if from a file
		want string // "" inside the domain
	}{
		{Reading{Time: now, Value: 1}, "", ""},
		{Reading{Time: now.Add(10 * time.Minute), Value: 1}, "", ""},
		{Reading{Time: time.Date(2000, 1, 1, 0, 0, 0, 0, berlin), Value: 1}, "", ""},
		{Reading{Time: now.Add(11 * time.Minute), Value: 1}, `Datum "29.11.2026 08:11"`, `Datum "29.11.2026 08:11" is in the future (later than 29.11.2026 08:10)`},
		{Reading{Time: time.Date(2031, 1, 15, 0, 0, 0, 0, berlin), Value: 1}, `Datum "15.01.2031"`, `Datum "15.01.2031" is in the future`},
		{Reading{Time: time.Date(1925, 2, 3, 0, 0, 0, 0, berlin), Value: 1}, `Datum "03.02.1925"`, `Datum "03.02.1925" is before 01.01.2000`},
		{Reading{Time: time.Date(1999, 12, 31, 23, 59, 59, 0, berlin), Value: 1}, "", "1999-12-31 23:59 is before 01.01.2000"},
		{Reading{Time: now, Value: math.Inf(1)}, "", "value +Inf is not a finite number"},
		{Reading{Time: now, Value: math.NaN()}, "", "value NaN is not a finite number"},
	} {
		why := d.CheckCell(c.r, c.cell)
		got := ""
		if !why.IsZero() {
			got = why.String()
		}
		if (c.want == "") != (got == "") || !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: %q; want %q", c.r, got, c.want)
		}
	}
}

func TestNumbersAreDecimal(t *testing.T) {
	for _, s := range []string{"12", "-1.5", "+3", ".5", "5.", "1e3", "1.5E-2"} {
		if _, ok := parseDecimal(s); !ok {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{"Inf", "+Inf", "-inf", "NaN", "infinity", "0x1p3", "0x10", "1e400", "1_000", "", "1,5"} {
		if v, ok := parseDecimal(s); ok {
			t.Errorf("%q read as %v", s, v)
		}
	}
}

// patchXLSX rewrites the first worksheet's XML of an xlsx file, as another
// program might have written it.
func patchXLSX(t *testing.T, path, old, new string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "xl/worksheets/sheet1.xml" {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s not in the sheet: %s", old, b)
			}
			b = bytes.ReplaceAll(b, []byte(old), []byte(new))
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	p := path + ".patched.xlsx"
	if err := os.WriteFile(p, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNonFiniteAndHexCellsAreRefused: a number cell holding Inf, NaN or a
// hex float (which Go's float parser takes) never becomes a reading.
func TestNonFiniteAndHexCellsAreRefused(t *testing.T) {
	base := writeXLSX(t, [][]any{{"Datum", "Stand"}, {"01.01.2025", 1.25}, {"02.01.2025", 2.5}, {"03.01.2025", 3.75}}, xlsxOpts{})
	p := patchXLSX(t, base, "<v>1.25</v>", "<v>Inf</v>")
	p = patchXLSX(t, p, "<v>2.5</v>", "<v>NaN</v>")
	p = patchXLSX(t, p, "<v>3.75</v>", "<v>0x1p3</v>")
	pf, err := parse(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Readings) != 0 || len(pf.Rejected) != 3 {
		t.Fatalf("readings %+v, rejected %+v; want three rejections", pf.Readings, pf.Rejected)
	}
	for _, r := range pf.Rejected {
		if !strings.Contains(r.Error, "is not a number") {
			t.Errorf("row %d: %s", r.Row, r.Error)
		}
	}
}

func TestJSONValuesAreFiniteDecimals(t *testing.T) {
	body := `[{"time":"2025-01-01T00:00","value":"Inf"},{"time":"2025-01-02T00:00","value":"0x1p3"},
		{"time":"2025-01-03T00:00","value":1e400},{"time":"2025-01-04T00:00","value":"NaN"},{"time":"2025-01-05T00:00","value":"7.5"}]`
	rs, rej, err := DecodeJSONReadings(strings.NewReader(body), berlin, msg.EN)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Value != 7.5 || len(rej) != 4 {
		t.Errorf("readings %+v, rejected %+v; want only 7.5", rs, rej)
	}
}

// TestOversizedCellRefused: a cell text beyond what Excel holds is refused
// before the workbook is read; one within it is read, and its rejection
// repeats at most MaxEchoedText characters of it.
func TestOversizedCellRefused(t *testing.T) {
	base := writeXLSX(t, [][]any{{"Datum", "Stand"}, {"01.01.2025", 1.0}, {"BIGCELL", 2.0}}, xlsxOpts{})
	huge := patchXLSX(t, base, "BIGCELL", strings.Repeat("x", 300<<10))
	if _, err := parse(t, huge); err == nil || !strings.Contains(err.Error(), "32,767 characters") {
		t.Errorf("a 300 KiB cell: %v", err)
	}
	long := patchXLSX(t, base, "BIGCELL", strings.Repeat("y", 30000))
	pf, err := parse(t, long)
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Rejected) != 1 || len(pf.Rejected[0].Error) > 200 || !strings.Contains(pf.Rejected[0].Error, strings.Repeat("y", MaxEchoedText)+"…") {
		t.Errorf("a 30,000-character date cell: %+v", pf.Rejected)
	}
}

// FuzzParseDecimal holds parseDecimal to the grammar it promises: an
// optional sign, digits with at most one point (at least one digit), an
// optional exponent, and a finite float64.
func FuzzParseDecimal(f *testing.F) {
	grammar := regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)
	for _, s := range []string{"12", "-1.5", ".5", "5.", "1e3", "1e400", "+-1", "1e", "e1", ".", "1..2", "0x1p3", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseDecimal(s)
		ref, err := strconv.ParseFloat(s, 64)
		want := grammar.MatchString(s) && err == nil && !math.IsInf(ref, 0)
		if ok != want || (ok && v != ref) {
			t.Errorf("%q: %v %v; want %v %v", s, v, ok, ref, want)
		}
	})
}
