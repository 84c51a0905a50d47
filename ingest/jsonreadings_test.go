package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestDecodeJSONReadings(t *testing.T) {
	rs, rej, err := DecodeJSONReadings(strings.NewReader(`[
		{"time": "2025-11-04T07:30:00+01:00", "value": 12345.6},
		{"time": "2025-11-04T09:00:12.345678+00:00", "value": "4321.09"},
		{"time": "2025-10-26T02:30", "value": 1},
		{"time": "2025-11-04", "value": 2},
		{"time": "04.11.2025", "value": 3},
		{"time": "2025-11-04T10:00:00Z"},
		{"value": 5},
		{"time": "2025-11-04T10:00:00Z", "value": "zwölf"},
		{"time": "2025-11-04T10:00:00Z", "value": true}
	]`), berlin, msg.EN)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		row int
		utc string
		v   float64
	}{
		{1, "2025-11-04T06:30:00Z", 12345.6},
		{2, "2025-11-04T09:00:12Z", 4321.09}, // sub-second truncated
		{3, "2025-10-26T01:30:00Z", 1},
		{4, "2025-11-03T23:00:00Z", 2}, // a date alone is local midnight
	}
	if len(rs) != len(want) {
		t.Fatalf("readings %v", rs)
	}
	for i, w := range want {
		if rs[i].Row != w.row || rs[i].Time.UTC().Format(time.RFC3339) != w.utc || rs[i].Value != w.v {
			t.Errorf("reading %d = %+v; want %+v", i, rs[i], w)
		}
	}
	wantRej := map[int]string{5: "neither RFC 3339", 6: "value is missing", 7: "time is missing", 8: `"zwölf" is not a number`, 9: "true is not a number"}
	if len(rej) != len(wantRej) {
		t.Fatalf("rejections %v", rej)
	}
	for _, r := range rej {
		if !strings.Contains(r.Error, wantRej[r.Row]) {
			t.Errorf("row %d: %q; want it to mention %q", r.Row, r.Error, wantRej[r.Row])
		}
	}
}

func TestDecodeJSONReadingsWholeBodyErrors(t *testing.T) {
	for _, body := range []string{"", "null", "42", "[]", "{", `[{"time": 1}`} {
		_, _, err := DecodeJSONReadings(strings.NewReader(body), berlin, msg.EN)
		if fault.KindOf(err) != fault.Invalid {
			t.Errorf("%q: %v; want an Invalid fault", body, err)
		}
	}
}

func FuzzDecodeJSONReadings(f *testing.F) {
	for _, s := range []string{
		`{"time": "2025-11-04T07:30:00+01:00", "value": 12345.6}`,
		`[{"time": "2025-10-26T02:30", "value": "1"}, {"time": "x"}]`,
		`[]`, `{"value": 1e400}`, `[{"time": "2025-11-04", "value": -0}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rs, rej, err := DecodeJSONReadings(strings.NewReader(body), berlin, msg.EN)
		if err != nil {
			if fault.KindOf(err) != fault.Invalid || rs != nil || rej != nil {
				t.Fatalf("error %v with results %v %v", err, rs, rej)
			}
			return
		}
		seen := map[int]bool{}
		for _, r := range rs {
			if r.Time.Nanosecond() != 0 || seen[r.Row] || r.Row < 1 {
				t.Fatalf("bad reading %+v", r)
			}
			seen[r.Row] = true
		}
		for _, r := range rej {
			if seen[r.Row] || r.Error == "" {
				t.Fatalf("bad rejection %+v", r)
			}
			seen[r.Row] = true
		}
	})
}

// TestJSONReadingsAreBounded: a body of more than MaxJSONReadings entries is
// refused as a whole, not decoded into memory first.
func TestJSONReadingsAreBounded(t *testing.T) {
	nulls := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat("null,", n), ",") + "]" }
	if _, _, err := DecodeJSONReadings(strings.NewReader(nulls(MaxJSONReadings+1)), berlin, msg.EN); err == nil || !strings.Contains(err.Error(), "more than 100000 readings") {
		t.Errorf("%d entries: %v", MaxJSONReadings+1, err)
	}
	rs, rej, err := DecodeJSONReadings(strings.NewReader(nulls(MaxJSONReadings)), berlin, msg.EN)
	if err != nil || len(rs) != 0 || len(rej) != MaxJSONReadings || rej[0].Error != "time is missing" {
		t.Errorf("%d nulls: %d readings, %d rejected, %v", MaxJSONReadings, len(rs), len(rej), err)
	}
	if _, _, err := DecodeJSONReadings(strings.NewReader(`[{"time":"2025-01-01T00:00","value":1}] [2]`), berlin, msg.EN); err == nil {
		t.Error("trailing data after the list was accepted")
	}
}
