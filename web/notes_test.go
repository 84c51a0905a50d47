package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/msg"
)

func TestAnnotationInput(t *testing.T) {
	ts, fb, _ := newTestServer(t, "")
	url := ts.URL + "/api/v1/annotations"
	for _, c := range []struct {
		body, want string
	}{
		{`{"text": "Zählertausch"}`, "time is missing"},
		{`{"time": "12.11.2025", "text": "x"}`, "time: "},
		{`{"time": "2025-11-12T10:00", "end": "2025-11-12T09:00", "text": "x"}`, "before time"},
		{`{"time": "2025-11-12T10:00", "text": "   "}`, "text is empty"},
		{`{"time": "2025-11-12T10:00", "text": "x", "note": "y"}`, `unknown field \"note\"`},
		{`{"time": "2025-11-12T10:00", "text": "` + strings.Repeat("ä", api.MaxAnnotationText+1) + `"}`, "at most 2000"},
	} {
		resp, body := request(t, http.MethodPost, url, c.body, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, c.want) {
			t.Errorf("%.60s: %d %s; want 400 with %q", c.body, resp.StatusCode, body, c.want)
		}
	}
	if len(fb.notes) != 0 {
		t.Fatalf("a refused note reached the backend: %+v", fb.notes)
	}

	// Local times in the zone (UTC in this server); an instant keeps its
	// offset; the text is trimmed.
	resp, body := request(t, http.MethodPost, url, `{"meter": "gas", "time": "2025-11-12T10:00", "end": "2025-11-12T13:00:00+02:00", "text": " Zählertausch "}`, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("valid note: %d %s", resp.StatusCode, body)
	}
	got := fb.notes[0]
	if got.Meter != "gas" || got.Text != "Zählertausch" || !got.Start.Equal(time.Date(2025, 11, 12, 10, 0, 0, 0, time.UTC)) ||
		got.End == nil || !got.End.Equal(time.Date(2025, 11, 12, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("note passed on as %+v", got)
	}

	resp, _ = request(t, http.MethodDelete, url+"/abc", "", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete of a non-number id: %d", resp.StatusCode)
	}
	resp, body = request(t, http.MethodGet, ts.URL+"/api/v1/anomalies?status=closed", "", nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "open or resolved") {
		t.Errorf("bad status filter: %d %s", resp.StatusCode, body)
	}
	resp, body = request(t, http.MethodGet, ts.URL+"/api/v1/anomalies?status=open", "", nil)
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != `{"anomalies":[]}` {
		t.Errorf("no anomalies: %d %s", resp.StatusCode, body)
	}
}

func TestNumbersAndTimesInBothLanguages(t *testing.T) {
	for v, want := range map[float64][2]string{
		0: {"0", "0"}, 12: {"12", "12"}, 999: {"999", "999"}, 1000: {"1.000", "1,000"}, 12345.6: {"12.345,6", "12,345.6"},
		-1234567.25: {"-1.234.567,25", "-1,234,567.25"}, 0.001: {"0,001", "0.001"}, 100000: {"100.000", "100,000"},
	} {
		if got := formatNumber(v, -1, msg.DE); got != want[0] {
			t.Errorf("de %v = %q; want %q", v, got, want[0])
		}
		if got := formatNumber(v, -1, msg.EN); got != want[1] {
			t.Errorf("en %v = %q; want %q", v, got, want[1])
		}
	}
	if got := formatNumber(1234.5678, 3, msg.DE); got != "1.234,568" {
		t.Errorf("3 decimals: %q", got)
	}
	if got := formatTime("2025-10-26T02:30:00+01:00", msg.DE); got != "26.10.2025 02:30 (+01:00)" {
		t.Errorf("de time = %q", got)
	}
	if got := formatTime("2025-10-26T02:30:00+01:00", msg.EN); got != "2025-10-26 02:30 (+01:00)" {
		t.Errorf("en time = %q", got)
	}
}
