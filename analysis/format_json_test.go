package analysis

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// writeJSON writes r through a JSONWriter, as the command line does.
func writeJSON(w io.Writer, r *Result) error {
	jw := NewJSONWriter(w, *r)
	for _, m := range r.Meters {
		jw.Meter(m)
	}
	return jw.Close()
}

// TestWriteJSONIsTheAPIsJSON: the streamed JSON of the command line is,
// compacted, byte for byte what json.Marshal gives for the same result:
// daily and monthly figures, incomplete ones with their covered interval,
// master and virtual meters, warnings, and an empty result.
func TestWriteJSONIsTheAPIsJSON(t *testing.T) {
	in := household(1)
	// The data ends on 1 January 2025: January is incomplete.
	from := time.Date(2024, 11, 1, 0, 0, 0, 0, berlin)
	res, err := Analyze(in, Request{From: from, To: from.AddDate(0, 3, 0), Daily: true})
	if err != nil {
		t.Fatal(err)
	}
	res.Meters[0].Warnings = []string{`a "quoted" warning – with ümlauts`}
	sawIncomplete := false
	for _, m := range res.Meters {
		for _, f := range m.Monthly {
			sawIncomplete = sawIncomplete || (!f.Complete && f.Consumption != nil)
		}
	}
	if !sawIncomplete {
		t.Fatal("the example has no incomplete month: it tests less than it says")
	}
	for name, r := range map[string]*Result{"household": res, "empty": {From: "2025-01-01", To: "2025-02-01", Timezone: "Europe/Berlin", Meters: []MeterResult{}},
		"no months": {Meters: []MeterResult{{ID: "x", Type: "physical"}}}} {
		var out bytes.Buffer
		if err := writeJSON(&out, r); err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := json.Compact(&got, out.Bytes()); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", name, err, out.Bytes()[:min(out.Len(), 2000)])
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: differs from json.Marshal:\n%s\nwant\n%s", name, got.Bytes()[:min(got.Len(), 600)], want[:min(len(want), 600)])
		}
	}
	// Laid out for people: a day per line.
	var out bytes.Buffer
	writeJSON(&out, res)
	if !strings.Contains(out.String(), "\n        {\"date\":\"2024-11-02\"") {
		t.Errorf("days are not one per line:\n%s", out.String()[:1500])
	}
}
