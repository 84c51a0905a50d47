package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/ingest"
)

// TestAnalysisRequestsAreBounded: the 52-byte request for ten thousand
// years of daily rows is refused at once, as is any range over 20 years or
// daily rows beyond the bound; a billing year passes.
func TestAnalysisRequestsAreBounded(t *testing.T) {
	var cfg strings.Builder
	cfg.WriteString("meters:\n")
	for i := range 20 {
		fmt.Fprintf(&cfg, "  - {id: w%d, utility: water, unit: m³}\n", i)
	}
	ta := startApp(t, cfg.String())
	for _, c := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"from": "0001-01-01", "to": "9999-12-31", "daily": true}, "at most 20 years"},
		{map[string]any{"from": "2000-01-01", "to": "2020-01-02"}, "at most 20 years"},
		{map[string]any{"from": "2000-01-01", "to": "2020-01-01", "daily": true}, "more than 100000 rows"},
	} {
		code, body := ta.do(t, http.MethodPost, "/api/v1/analyze", c.body)
		if code != http.StatusBadRequest || !strings.Contains(string(body), c.want) {
			t.Errorf("%v: %d %.300s; want 400 with %q", c.body, code, body, c.want)
		}
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/analyze", map[string]any{"from": "2000-01-01", "to": "2020-01-01"}); code != 200 {
		t.Errorf("20 years without daily rows: %d %.300s", code, body)
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/analyze", map[string]any{"from": "2000-01-01", "to": "2020-01-01", "daily": true, "meters": []string{"w1", "w2"}}); code != 200 {
		t.Errorf("20 years of daily rows for 2 meters: %d %.300s", code, body)
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/analyze", map[string]any{"billing_year": 2025, "daily": true}); code != 200 {
		t.Errorf("a billing year: %d %.300s", code, body)
	}
}

// TestRepliesListAtMost1000: a file of 1,500 good and 1,200 bad rows is
// imported whole, and the reply lists 1,000 of each with the counts whole
// and the cut said.
func TestRepliesListAtMost1000(t *testing.T) {
	ta := startApp(t, importConfig)
	var csv strings.Builder
	csv.WriteString("Datum;Uhrzeit;Stand\n")
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1500 {
		fmt.Fprintf(&csv, "%s;%s;%d\n", start.Add(time.Duration(i)*time.Hour).Format("02.01.2006"), start.Add(time.Duration(i)*time.Hour).Format("15:04"), i)
	}
	for range 1200 {
		csv.WriteString("kein Datum;;1\n")
	}
	code, sum, raw := ta.upload(t, "wasser", "big.csv", []byte(csv.String()), map[string]string{"dry_run": "true"})
	if code != 200 {
		t.Fatalf("upload: %d %.300s", code, raw)
	}
	var flags struct {
		ReadingsTruncated bool `json:"readings_truncated"`
		RejectedTruncated bool `json:"rejected_truncated"`
	}
	json.Unmarshal([]byte(raw), &flags)
	if sum.Parsed != 1500 || sum.Written != 1500 || len(sum.Readings) != ingest.MaxListed || len(sum.Rejected) != ingest.MaxListed || !flags.ReadingsTruncated || !flags.RejectedTruncated {
		t.Errorf("parsed %d written %d, listed %d readings and %d rejections, flags %+v; want 1500, 1500, 1000, 1000, both cut",
			sum.Parsed, sum.Written, len(sum.Readings), len(sum.Rejected), flags)
	}
}

// TestOneImportAtATime: while an import holds the slot, another waits
// briefly and is then told to come back (503 with Retry-After).
func TestOneImportAtATime(t *testing.T) {
	ta := startApp(t, importConfig)
	ta.imports <- struct{}{} // an import is running
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, ta.URL+"/api/v1/meters/wasser/readings", strings.NewReader(`{"time":"2025-01-01T00:00","value":1}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || time.Since(start) < importWait {
		t.Errorf("second import: %d, Retry-After %q after %s; want 503 with Retry-After after %s", resp.StatusCode, resp.Header.Get("Retry-After"), time.Since(start), importWait)
	}
	<-ta.imports
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", map[string]any{"time": "2025-01-01T00:00", "value": 1}); code != 200 {
		t.Errorf("after the slot is free: %d %s", code, body)
	}
}

// TestImportCutOffByShutdownIs503: SIGTERM lets requests finish for the
// grace period; one still going then (here waiting for the import slot) is
// answered 503 with Retry-After, not 500, and writes nothing.
func TestImportCutOffByShutdownIs503(t *testing.T) {
	ta := startApp(t, importConfig)
	ta.imports <- struct{}{} // an import that never ends holds the slot
	type answer struct {
		code  int
		retry string
		body  string
	}
	got := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, ta.URL+"/api/v1/meters/wasser/readings", strings.NewReader(`{"time":"2025-01-01T00:00","value":1}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- answer{body: err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{resp.StatusCode, resp.Header.Get("Retry-After"), string(b)}
	}()
	time.Sleep(500 * time.Millisecond) // the request is waiting
	if err := ta.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	a := <-got
	if a.code != http.StatusServiceUnavailable || a.retry == "" || !strings.Contains(a.body, "nothing of this request was written") {
		t.Errorf("cut off by shutdown: %d, Retry-After %q, %s; want 503 with Retry-After", a.code, a.retry, a.body)
	}
}
