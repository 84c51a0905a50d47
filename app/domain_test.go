package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/ingest"
)

// TestReadingDomainOnEveryPath: a time before storage.earliest or after
// now plus the tolerance, and a value that is no finite number, are rejected
// rows naming the row, the cell and the reason, on the JSON, file and Home
// Assistant paths alike; nothing of them is stored, and every reply that
// lists readings stays valid JSON.
func TestReadingDomainOnEveryPath(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	ta := startAppAt(t, func() time.Time { return now }, importConfig)

	code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", []map[string]any{
		{"time": "0000-01-01T00:00:00Z", "value": 1},
		{"time": "9999-12-31T00:00:00Z", "value": 2},
		{"time": "2026-11-29T09:30:00+01:00", "value": 3}, // 08:30Z: 30 min ahead
		{"time": "2026-11-29T09:05:00+01:00", "value": 4}, // 5 min ahead: within the tolerance
		{"time": "2025-01-01T00:00:00+01:00", "value": "Inf"},
		{"time": "2025-01-02T00:00:00+01:00", "value": 5},
	})
	var sum ingest.Summary
	if err := json.Unmarshal(body, &sum); err != nil || code != 200 {
		t.Fatalf("JSON: %d %s", code, body)
	}
	if sum.Written != 2 || len(sum.Rejected) != 4 {
		t.Fatalf("JSON: %s; want 2 written, 4 rejected", body)
	}
	for row, want := range map[int]string{1: `time "0000-01-01T00:00:00Z" is before 01.01.2000`, 2: `time "9999-12-31T00:00:00Z" is in the future`, 3: `time "2026-11-29T09:30:00+01:00" is in the future`, 5: `value "Inf" is not a number`} {
		if !hasRejection(sum.Rejected, row, want) {
			t.Errorf("JSON row %d: want %q in %+v", row, want, sum.Rejected)
		}
	}

	csv := "Datum;Zählerstand\n15.01.2031;10\n03.02.1925;11\n9999-12-31T00:00:00Z;12\n01.03.2025;13\n"
	code, sum, raw := ta.upload(t, "wasser", "z.csv", []byte(csv), nil)
	if code != 200 || sum.Written != 1 || len(sum.Rejected) != 3 {
		t.Fatalf("file: %d %s; want 1 written, 3 rejected", code, raw)
	}
	for row, want := range map[int]string{2: `Datum "15.01.2031" is in the future (later than 29.11.2026 09:10)`, 3: `Datum "03.02.1925" is before 01.01.2000`, 4: `Datum "9999-12-31T00:00:00Z" is in the future`} {
		if !hasRejection(sum.Rejected, row, want) {
			t.Errorf("file row %d: want %q in %+v", row, want, sum.Rejected)
		}
	}
	// strict refuses the whole file for one such row.
	if code, _, raw := ta.upload(t, "wasser", "s.csv", []byte("Datum;Stand\n01.04.2025;20\n15.01.2031;21\n"), map[string]string{"strict": "true"}); code != 400 || !strings.Contains(raw, "in the future") {
		t.Errorf("strict: %d %s", code, raw)
	}

	code, body = ta.do(t, http.MethodPost, "/api/v1/homeassistant/state", map[string]any{
		"entity_id": "sensor.stromzaehler_total", "state": "100", "last_changed": "2031-01-15T10:00:00+00:00"})
	if code != 200 || !strings.Contains(string(body), "in the future") || !strings.Contains(string(body), `"written":0`) {
		t.Errorf("Home Assistant from the future: %d %s", code, body)
	}

	code, body = ta.do(t, http.MethodGet, "/api/v1/meters/wasser/readings", nil)
	var got struct{ Readings []struct{ Value float64 } }
	if err := json.Unmarshal(body, &got); err != nil || code != 200 || len(got.Readings) != 3 {
		t.Errorf("stored readings: %d %s; want the 3 inside the domain", code, body)
	}
	if code, body := ta.do(t, http.MethodGet, "/api/v1/meters", nil); code != 200 || !json.Valid(body) {
		t.Errorf("meters: %d %s", code, body)
	}
}

func hasRejection(rs []ingest.Rejection, row int, fragment string) bool {
	for _, r := range rs {
		if r.Row == row && strings.Contains(r.Error, fragment) {
			return true
		}
	}
	return false
}

func TestDomainConfiguration(t *testing.T) {
	cfg, err := Load(writeConfig(t, "storage: {earliest: 2015-06-01, future_tolerance: 1h}\n"), envOf())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Earliest.Format(time.RFC3339) != "2015-05-31T22:00:00Z" || cfg.Storage.FutureTolerance != time.Hour {
		t.Errorf("earliest %v, tolerance %v", cfg.Earliest, cfg.Storage.FutureTolerance)
	}
	_, err = Load(writeConfig(t, "storage: {earliest: gestern, future_tolerance: -1m}\n"), envOf())
	probs := problemsOf(t, err)
	wantProblem(t, probs, "storage.earliest", "gestern")
	wantProblem(t, probs, "storage.future_tolerance", "between 0s and 24h")
}
