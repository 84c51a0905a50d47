package ingest

import (
	"testing"
	"time"
)

// TestDocsCSVExample is the example of docs/import.md#files, with the
// figures the page gives.
func TestDocsCSVExample(t *testing.T) {
	pf, err := parse(t, writeFile(t, "z.csv", []byte("Datum;Uhrzeit;Zählerstand\n01.11.2025;07:30;12.345,6\n26.10.2025;02:30;12.300\n31.04.2025;;1\n")))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		row   int
		at    string
		value float64
	}{{2, "2025-11-01T07:30:00+01:00", 12345.6}, {3, "2025-10-26T02:30:00+01:00", 12300}}
	if len(pf.Readings) != len(want) {
		t.Fatalf("%d readings %+v; want %d", len(pf.Readings), pf.Readings, len(want))
	}
	for i, w := range want {
		r := pf.Readings[i]
		if r.Row != w.row || r.Time.In(berlin).Format(time.RFC3339) != w.at || r.Value != w.value {
			t.Errorf("reading %d: row %d %s %v; want row %d %s %v", i, r.Row, r.Time.In(berlin).Format(time.RFC3339), r.Value, w.row, w.at, w.value)
		}
	}
	if len(pf.Rejected) != 1 || pf.Rejected[0].Row != 4 || pf.Rejected[0].Error != `Datum "31.04.2025" is not a date of the calendar` {
		t.Errorf("rejected %+v; want row 4: Datum \"31.04.2025\" is not a date of the calendar", pf.Rejected)
	}
}
