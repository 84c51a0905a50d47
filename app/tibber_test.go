package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/ingest/tibber"
	"github.com/meterd/meterd/ingest/tibber/tibbertest"
	"github.com/meterd/meterd/store/influxtest"
)

// hourValue is the fake's consumption of the i-th hour: distinct per hour,
// so a shifted or duplicated hour cannot pass.
func hourValue(i int) float64 { return 0.25 + float64(i)/1000 }

// tibberSetup serves 1 Oct 2025 00:00 to 30 Nov 2025 00:00 (Berlin): 60
// days across the autumn DST change, 1441 hours. meterd's clock and the
// fake's stand at 30 Nov 10:00.
func tibberSetup(t *testing.T, extraYAML string, env ...string) (*testApp, *tibbertest.Fake, []time.Time) {
	return tibberSetupWith(t, extraYAML, nil, env...)
}

// tibberSetupWith is tibberSetup with a further change to the client's
// options.
func tibberSetupWith(t *testing.T, extraYAML string, adjust func(*tibber.Options), env ...string) (*testApp, *tibbertest.Fake, []time.Time) {
	t.Helper()
	loc := berlin(t)
	now := time.Date(2025, 11, 30, 10, 0, 0, 0, loc)
	clock := func() time.Time { return now }
	fake := tibbertest.New(t, "tibber-secret-token", "home-a", clock)
	var hours []time.Time
	for h := time.Date(2025, 10, 1, 0, 0, 0, 0, loc); h.Before(time.Date(2025, 11, 30, 0, 0, 0, 0, loc)); h = h.Add(time.Hour) {
		fake.Set(h, tibbertest.F(hourValue(len(hours))), 0.30)
		hours = append(hours, h)
	}
	ta := startAppOpts(t, Options{Now: clock, Tibber: func(o *tibber.Options) {
		o.BaseDelay = time.Millisecond
		o.MaxDelay = 5 * time.Millisecond
		if adjust != nil {
			adjust(o)
		}
	}}, `
tibber:
  url: `+fake.URL()+`
schedule: {tibber_poll: ""}
meters:
  - {id: strom_tibber, utility: electricity, unit: kWh, reading: interval, source: tibber}
`+extraYAML, append([]string{"METERD_TIBBER_TOKEN=tibber-secret-token"}, env...)...)
	return ta, fake, hours
}

func checkHours(t *testing.T, ta *testApp, hours []time.Time) {
	t.Helper()
	rs, err := ta.db.Readings(context.Background(), "strom_tibber", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(hours) {
		t.Fatalf("%d hours stored; want %d", len(rs), len(hours))
	}
	for i, r := range rs {
		if !r.Time.Equal(hours[i]) || r.Value != hourValue(i) || r.Source != "tibber" {
			t.Fatalf("hour %d: %v %v %s; want %v %v", i, r.Time, r.Value, r.Source, hours[i].UTC(), hourValue(i))
		}
	}
}

func TestTibberBackfillAcrossDST(t *testing.T) {
	ta, fake, hours := tibberSetup(t, "")
	if len(hours) != 60*24+1 {
		t.Fatalf("the fake has %d hours; 60 days with the autumn DST change have 1441", len(hours))
	}
	res, err := ta.TibberSync(context.Background(), hours[0])
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 1441 || res.Updated != 0 || !strings.Contains(res.Backfill, "complete") {
		t.Errorf("result %+v", res)
	}
	checkHours(t, ta, hours)
	// The DST day has 25 hours of consumption.
	code, body := ta.do(t, http.MethodPost, "/api/v1/analyze", map[string]any{"from": "2025-10-26", "to": "2025-10-27", "meters": []string{"strom_tibber"}})
	var sum float64
	for i, h := range hours {
		if !h.Before(time.Date(2025, 10, 26, 0, 0, 0, 0, berlin(t))) && h.Before(time.Date(2025, 10, 27, 0, 0, 0, 0, berlin(t))) {
			sum += hourValue(i)
		}
	}
	if code != 200 || !strings.Contains(string(body), fmt.Sprintf(`"consumption":%v,"kwh":%v,"complete":true`, sum, sum)) {
		t.Errorf("26 Oct: %s; want %v over 25 hours", body, sum)
	}
	// Costs are kept beside the readings: read the file as another SQLite
	// client would.
	var cost float64
	raw, err := sql.Open("sqlite", ta.cfg.Storage.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	row := raw.QueryRow(`SELECT cost FROM tibber_hours WHERE meter = 'strom_tibber' AND ts = ?`, hours[0].Unix())
	if err := row.Scan(&cost); err != nil || cost != hourValue(0)*0.30 {
		t.Errorf("cost %v, %v", cost, err)
	}
	// A poll right after asks for the overlap window and changes nothing.
	before := fake.Requests()
	res, err = ta.TibberSync(context.Background(), time.Time{})
	if err != nil || res.New != 0 || res.Updated != 0 || fake.Requests()-before != 2 {
		t.Errorf("poll after backfill: %+v %v, %d requests", res, err, fake.Requests()-before)
	}
}

func TestTibberCorrectionsAndNullHours(t *testing.T) {
	ta, fake, hours := tibberSetup(t, "")
	n := len(hours)
	// The last 10 hours have not arrived yet (null), and never count.
	for _, h := range hours[n-10:] {
		fake.Set(h, nil, 0.30)
	}
	if _, err := ta.TibberSync(context.Background(), hours[0]); err != nil {
		t.Fatal(err)
	}
	res, err := ta.TibberSync(context.Background(), time.Time{})
	if err != nil || res.StillNull != 10 {
		t.Fatalf("poll: %+v %v; want 10 hours still null", res, err)
	}
	rs, _ := ta.db.Readings(context.Background(), "strom_tibber", time.Time{}, time.Time{})
	if len(rs) != n-10 {
		t.Fatalf("%d stored; null hours must not be stored", len(rs))
	}
	// The missing hours arrive, and Tibber corrects 5 hours of yesterday.
	for i := n - 10; i < n; i++ {
		fake.Set(hours[i], tibbertest.F(hourValue(i)), 0.30)
	}
	for i := n - 24; i < n-19; i++ {
		fake.Set(hours[i], tibbertest.F(hourValue(i)+1), 0.30)
	}
	res, err = ta.TibberSync(context.Background(), time.Time{})
	if err != nil || res.New != 10 || res.Updated != 5 || res.StillNull != 0 {
		t.Fatalf("poll after corrections: %+v %v; want 10 new, exactly 5 updated", res, err)
	}
	rs, _ = ta.db.Readings(context.Background(), "strom_tibber", time.Time{}, time.Time{})
	if rs[n-24].Value != hourValue(n-24)+1 || rs[n-25].Value != hourValue(n-25) || rs[n-1].Value != hourValue(n-1) {
		t.Errorf("corrected values not stored exactly")
	}
}

func TestTibberBackfillResumes(t *testing.T) {
	ta, fake, hours := tibberSetup(t, "")
	// Prices, the first page (744 hours), then the network breaks down.
	fake.FailFrom(2, tibbertest.HTML502)
	res, err := ta.TibberSync(context.Background(), hours[0])
	if err == nil || !strings.Contains(res.Backfill, "interrupted after 1 pages") {
		t.Fatalf("interrupted sync: %+v %v", res, err)
	}
	if h := ta.health(t); h.Checks["tibber"].Status != api.StatusDegraded {
		t.Errorf("health %+v", h.Checks["tibber"])
	}
	fake.FailFrom(-1, tibbertest.Response{})
	res, err = ta.TibberSync(context.Background(), time.Time{}) // resumes, no --since
	if err != nil || !strings.Contains(res.Backfill, "complete") {
		t.Fatalf("resumed sync: %+v %v", res, err)
	}
	checkHours(t, ta, hours) // no gap, no duplicate
}

func TestTibberRateLimitAndAuth(t *testing.T) {
	ta, fake, _ := tibberSetup(t, "")
	fake.Always(&tibbertest.TooMany)
	for i := 0; i < 5; i++ {
		if _, err := ta.TibberSync(context.Background(), time.Time{}); err == nil {
			t.Fatal("a 429 sync succeeded")
		}
	}
	// One request; the others waited for the 10-minute pause.
	if fake.Requests() != 1 {
		t.Errorf("%d requests during a 429 pause; want 1", fake.Requests())
	}
	h := ta.health(t)
	if h.Status != api.StatusDegraded || !strings.Contains(h.Checks["tibber"].Message, "rate limit") {
		t.Errorf("health %+v", h)
	}
	// The daemon keeps serving.
	if code, _ := ta.do(t, http.MethodGet, "/api/v1/meters", nil); code != 200 {
		t.Errorf("meters: %d", code)
	}
	if v := ta.metric(t, `meterd_tibber_requests_total{status="rate_limited"}`); v != "1" {
		t.Errorf("rate_limited metric %q", v)
	}

	ta2, fake2, _ := tibberSetup(t, "")
	fake2.Always(&tibbertest.Unauthenticated)
	_, err := ta2.TibberSync(context.Background(), time.Time{})
	if !tibber.IsAuth(err) || fake2.Requests() != 1 {
		t.Fatalf("auth: %v after %d requests; want 1 request", err, fake2.Requests())
	}
	h = ta2.health(t)
	if !strings.Contains(h.Checks["tibber"].Message, "Tibber token rejected") || strings.Contains(fmt.Sprint(h), "tibber-secret-token") {
		t.Errorf("health %+v", h)
	}
	if v := ta2.metric(t, `meterd_anomalies_open{rule="tibber_token"}`); v != "1" {
		t.Errorf("anomaly metric %q", v)
	}
	ta2.TibberSync(context.Background(), time.Time{}) // the same episode: still one anomaly
	anomalies := func(status string) []api.AnomalyOut {
		t.Helper()
		code, body := ta2.do(t, http.MethodGet, "/api/v1/anomalies?status="+status, nil)
		var out struct{ Anomalies []api.AnomalyOut }
		if err := json.Unmarshal(body, &out); code != 200 || err != nil {
			t.Fatalf("anomalies: %d %s", code, body)
		}
		return out.Anomalies
	}
	if open := anomalies("open"); len(open) != 1 || open[0].Rule != analysis.RuleTibberToken || !strings.Contains(open[0].Message, "METERD_TIBBER_TOKEN") {
		t.Errorf("open anomalies %+v", open)
	}
	fake2.Always(nil)
	if _, err := ta2.TibberSync(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if v := ta2.metric(t, `meterd_anomalies_open{rule="tibber_token"}`); v != "0" {
		t.Errorf("anomaly after a good token %q; want resolved", v)
	}
	if open, resolved := anomalies("open"), anomalies("resolved"); len(open) != 0 || len(resolved) != 1 || resolved[0].To == "" {
		t.Errorf("after a good token: open %+v, resolved %+v", open, resolved)
	}
}

func TestTibberToInfluxDB(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ta, _, hours := tibberSetup(t, "influx:\n  url: "+srv.URL+"\n  flush_interval: 1s\n")
	if _, err := ta.TibberSync(context.Background(), hours[0]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "delivery", func() bool { return ta.metric(t, "meterd_outbox_points") == "0" })
	rows := srv.Select("meters", `SELECT "consumption", "cost", "unit_price", "unit_price_vat" FROM "tibber_consumption" WHERE "home_id" = 'home-a' AND "meter_id" = 'strom_tibber' ORDER BY time`)
	if len(rows) != len(hours) {
		t.Fatalf("%d tibber_consumption points; want %d", len(rows), len(hours))
	}
	if r := rows[0]; r["time"] != float64(hours[0].Unix()) || r["consumption"] != hourValue(0) || r["cost"] != hourValue(0)*0.30 || r["unit_price"] != 0.30 {
		t.Errorf("first point %v", r)
	}
	prices := srv.Select("meters", `SELECT "total", "energy", "tax", "level" FROM "tibber_price" WHERE "home_id" = 'home-a'`)
	// 10:00 in Berlin: today's 24 prices, tomorrow's not yet published.
	if len(prices) != 24 || prices[0]["level"] != "NORMAL" {
		t.Errorf("%d prices: %v", len(prices), prices)
	}
}

// TestTenTriggersOneRun: a poll asked for while one is running (here
// waiting for the request budget) is refused with 409 naming the running
// one; it leaves no run row and no waiting goroutine, and /health says what
// the running poll waits for.
func TestTenTriggersOneRun(t *testing.T) {
	ta, _, _ := tibberSetupWith(t, "", func(o *tibber.Options) { o.RequestsPer5Min = 1 })
	code, body := ta.do(t, http.MethodPost, "/api/v1/jobs/tibber_poll/run", nil)
	var first struct {
		RunID int64 `json:"run_id"`
	}
	if json.Unmarshal(body, &first); code != http.StatusAccepted || first.RunID == 0 {
		t.Fatalf("first trigger: %d %s", code, body)
	}
	eventually(t, 10*time.Second, "the poll waits for the budget", func() bool {
		return strings.Contains(ta.health(t).Checks["tibber"].Message, "waiting for Tibber's request budget")
	})
	for i := range 9 {
		code, body := ta.do(t, http.MethodPost, "/api/v1/jobs/tibber_poll/run", nil)
		if code != http.StatusConflict || !strings.Contains(string(body), fmt.Sprintf("run %d", first.RunID)) {
			t.Errorf("trigger %d: %d %s; want 409 naming run %d", i+2, code, body, first.RunID)
		}
	}
	runs, _ := ta.db.Runs(context.Background(), JobTibberPoll, 20)
	if len(runs) != 1 || runs[0].Status != "running" {
		t.Errorf("runs %+v; want the one running", runs)
	}
	if err := ta.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// TestTibberPauseSurvivesARestart: after a 429 the pause is kept in
// SQLite; a restarted daemon sends nothing until it ends, says so on
// /health and counts each poll refused meanwhile as backoff.
func TestTibberPauseSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meterd.db")
	ta, fake, _ := tibberSetup(t, "", "METERD_STORAGE_PATH="+path)
	fake.Always(&tibbertest.TooMany)
	if _, err := ta.TibberSync(context.Background(), time.Time{}); err == nil {
		t.Fatal("a 429 sync succeeded")
	}
	ta.stop()
	ta2, fake2, _ := tibberSetup(t, "", "METERD_STORAGE_PATH="+path)
	if h := ta2.health(t); h.Status != api.StatusDegraded || !strings.Contains(h.Checks["tibber"].Message, "pausing until") {
		t.Errorf("health after the restart: %+v", h)
	}
	if _, err := ta2.TibberSync(context.Background(), time.Time{}); err == nil || fake2.Requests() != 0 {
		t.Errorf("poll during the kept pause: %v, %d requests; want none sent", err, fake2.Requests())
	}
	if v := ta2.metric(t, `meterd_tibber_requests_total{status="backoff"}`); v != "1" {
		t.Errorf("backoff counted %q; want 1", v)
	}
}

// TestTibberPollIsAnImport: a poll that changed readings is listed among
// the imports, as "tibber", and can be undone like any other.
func TestTibberPollIsAnImport(t *testing.T) {
	ta, _, hours := tibberSetup(t, "")
	if _, err := ta.TibberSync(context.Background(), hours[0]); err != nil {
		t.Fatal(err)
	}
	ims, err := ta.Imports(context.Background(), "strom_tibber", 10)
	if err != nil || len(ims) == 0 || ims[0].Source != "tibber" {
		t.Fatalf("imports %+v %v", ims, err)
	}
	total := 0
	for _, im := range ims {
		total += im.Written
	}
	if total != len(hours) {
		t.Errorf("the polls wrote %d hours; want %d", total, len(hours))
	}
	res, err := ta.Undo(context.Background(), ims[0].ID, false)
	if err != nil || len(res.Removed) != ims[0].Written {
		t.Fatalf("undo: %+v %v", res, err)
	}
}
