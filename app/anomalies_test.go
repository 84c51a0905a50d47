package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/store"
	"github.com/meterd/meterd/store/influxtest"
)

// webhook is a stand-in for ntfy or Home Assistant: it records what it is
// sent and fails while told to.
type webhook struct {
	*httptest.Server
	mu      sync.Mutex
	got     []map[string]any
	headers []http.Header
	bodies  []string
	failing atomic.Bool
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w.failing.Load() {
			http.Error(rw, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		w.mu.Lock()
		w.got, w.headers, w.bodies = append(w.got, m), append(w.headers, r.Header.Clone()), append(w.bodies, string(b))
		w.mu.Unlock()
	}))
	t.Cleanup(w.Close)
	return w
}

// events lists "meter rule event" of what arrived, in order.
func (w *webhook) events() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, m := range w.got {
		out = append(out, m["meter"].(string)+" "+m["rule"].(string)+" "+m["event"].(string))
	}
	return out
}

const anomalyConfig = `
alerts: {format: json}
meters:
  - {id: strom, utility: electricity, unit: kWh, source: homeassistant, homeassistant: {entity_id: sensor.strom}}
  - {id: wasser, utility: water, unit: m³}
  - {id: haus, utility: electricity, unit: kWh}
  - {id: wohnung, utility: electricity, unit: kWh}
  - {id: allgemein, type: virtual, utility: electricity, unit: kWh, base: haus, subtract: [wohnung]}
`

func TestAnomalyCheck(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	var clock atomic.Int64
	setClock := func(s string) {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, loc)
		clock.Store(tm.Unix())
	}
	setClock("2025-11-10 10:15")
	okHook, badHook := newWebhook(t), newWebhook(t)
	badHook.failing.Store(true)
	var logs bytes.Buffer
	var logMu sync.Mutex
	ta := startAppOpts(t, Options{
		Now:    func() time.Time { return time.Unix(clock.Load(), 0) },
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &logMu}, nil)),
	}, anomalyConfig, "METERD_API_TOKEN=anomaly-token", "METERD_ALERT_WEBHOOKS="+okHook.URL+"/hook?key=s3cret-hook,"+badHook.URL+"/hook")

	open := func() map[string]api.AnomalyOut {
		t.Helper()
		_, body := ta.do(t, http.MethodGet, "/api/v1/anomalies?status=open", nil)
		var out struct{ Anomalies []api.AnomalyOut }
		json.Unmarshal(body, &out)
		m := map[string]api.AnomalyOut{}
		for _, a := range out.Anomalies {
			m[a.Meter+" "+a.Rule] = a
		}
		return m
	}
	post := func(meter string, rs []apiReading) {
		t.Helper()
		if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/"+meter+"/readings", rs); code != 200 {
			t.Fatal(code, string(body))
		}
	}
	// strom: a counter read at midnight, 10 kWh a day from 20 Sep; on 8 Nov
	// 25 kWh. The last reading is 9 Nov 00:00.
	var strom []apiReading
	v := 1000.0
	for d := time.Date(2025, 9, 20, 0, 0, 0, 0, loc); !d.After(time.Date(2025, 11, 9, 0, 0, 0, 0, loc)); d = d.AddDate(0, 0, 1) {
		strom = append(strom, apiReading{d.Format("2006-01-02T15:04"), v})
		if d.Format("01-02") == "11-08" {
			v += 25
		} else {
			v += 10
		}
	}
	post("strom", strom)
	// wasser: 11 on 3 Nov is a too-low typo. The import itself opens the
	// decrease anomaly, before any check runs.
	post("wasser", []apiReading{{"2025-11-01T08:00", 100}, {"2025-11-02T08:00", 110}, {"2025-11-03T08:00", 11}, {"2025-11-04T08:00", 120}})
	if got := open(); len(got) != 1 || got["wasser decrease"].ID == 0 {
		t.Errorf("after the import: %v", got)
	}
	// 2024: the house used 1000 kWh, the flat 1200: the shared part is
	// −200, below −10 % of 1000.
	post("haus", []apiReading{{"2024-01-01T00:00", 0}, {"2025-01-01T00:00", 1000}})
	post("wohnung", []apiReading{{"2024-01-01T00:00", 0}, {"2025-01-01T00:00", 1200}})

	// By name through the API, as the scheduler would run it.
	code, body := ta.do(t, http.MethodPost, "/api/v1/jobs/anomaly_check/run", nil)
	if code != http.StatusAccepted {
		t.Fatalf("run: %d %s", code, body)
	}
	eventually(t, 10*time.Second, "the anomaly check", func() bool {
		runs, _ := ta.db.Runs(context.Background(), JobAnomalyCheck, 1)
		return len(runs) == 1 && runs[0].Status != "running"
	})

	got := open()
	if len(got) != 3 {
		t.Fatalf("open anomalies %v; want strom spike, wasser decrease, allgemein negative", got)
	}
	// 8 Nov: 25 against the mean 10 of the 30 days before.
	if s := got["strom spike"]; *s.Observed != 25 || *s.Expected != 10 || s.From != "2025-11-08T00:00:00+01:00" || s.To != "2025-11-09T00:00:00+01:00" {
		t.Errorf("spike %+v", s)
	}
	if d := got["wasser decrease"]; *d.Observed != 11 || *d.Expected != 110 || !strings.Contains(d.Message, "11 at 2025-11-03 08:00") {
		t.Errorf("decrease %+v", d)
	}
	// The billing year 2024 (the last one ended): −200 against a limit of −100.
	if n := got["allgemein negative"]; *n.Observed != -200 || *n.Expected != -100 || n.From != "2024-01-01T00:00:00+01:00" || n.To != "2025-01-01T00:00:00+01:00" {
		t.Errorf("negative %+v", n)
	}
	// strom's last reading is 34 hours old: not silent.
	if _, ok := got["strom silence"]; ok {
		t.Error("strom silent after 34 hours")
	}
	want := []string{"wasser decrease opened", "allgemein negative opened", "strom spike opened"}
	if ev := okHook.events(); !sameSet(ev, want) {
		t.Errorf("alerts %v; want %v", ev, want)
	}
	if v := ta.metric(t, `meterd_anomalies_open{rule="spike"}`); v != "1" {
		t.Errorf("spike gauge %q", v)
	}

	// The same conditions an hour later: the same episodes, no new alert.
	// The failing webhook is back and gets what it missed, once.
	setClock("2025-11-10 11:15")
	badHook.failing.Store(false)
	if _, _, err := ta.AnomalyCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(okHook.events()); n != 3 {
		t.Errorf("%d alerts at the working webhook after a second check; want still 3", n)
	}
	if ev := badHook.events(); !sameSet(ev, want) {
		t.Errorf("the recovered webhook got %v; want %v", ev, want)
	}

	// Two days later: the typo is corrected; strom has sent nothing.
	setClock("2025-11-12 10:15")
	post("wasser", []apiReading{{"2025-11-03T08:00", 115}})
	ta.AnomalyCheck(context.Background())
	got = open()
	if _, ok := got["wasser decrease"]; ok {
		t.Error("the decrease stays open after the correction")
	}
	// 9 Nov 00:00 to 12 Nov 10:15 is 82h15m: over 48h.
	if s, ok := got["strom silence"]; !ok || *s.Observed != 82.25 || *s.Expected != 48 || s.From != "2025-11-09T00:00:00+01:00" {
		t.Errorf("silence %+v", got["strom silence"])
	}
	// strom reports again, ordinary days: silence and spike end.
	post("strom", []apiReading{{"2025-11-10T00:00", v + 10}, {"2025-11-11T00:00", v + 20}, {"2025-11-12T00:00", v + 30}})
	ta.AnomalyCheck(context.Background())
	got = open()
	if len(got) != 1 || got["allgemein negative"].ID == 0 {
		t.Errorf("open after strom is back: %v", got)
	}
	want = append(want, "wasser decrease resolved", "strom silence opened", "strom silence resolved", "strom spike resolved")
	if ev := okHook.events(); !sameSet(ev[3:5], want[3:5]) || !sameSet(ev[5:], want[5:]) || len(ev) != 7 {
		t.Errorf("alerts %v; want %v", ev, want)
	}
	if first := okHook.got[0]; first["status"] != "open" || first["message"] == "" || first["opened"] == "" {
		t.Errorf("json alert %v", first)
	}

	// The webhook's token is a secret: in no log line, run record or error.
	runs, _ := ta.db.Runs(context.Background(), JobAnomalyCheck, 10)
	logMu.Lock()
	defer logMu.Unlock()
	if strings.Contains(logs.String(), "s3cret-hook") || strings.Contains(fmt.Sprint(runs), "s3cret-hook") {
		t.Error("the webhook URL leaked")
	}
	if !strings.Contains(logs.String(), "webhook 2: answered HTTP 502") {
		t.Errorf("the failed delivery is not logged by number: %s", logs.String())
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestAlertFormats(t *testing.T) {
	for _, format := range []string{"ntfy", "homeassistant"} {
		t.Run(format, func(t *testing.T) {
			hook := newWebhook(t)
			ta := startApp(t, "alerts: {format: "+format+"}\nmeters:\n  - {id: wasser, utility: water, unit: m³}\n", "METERD_ALERT_WEBHOOKS="+hook.URL)
			ctx := context.Background()
			obs, exp := 62.0, 31.0
			start := time.Date(2025, 10, 1, 0, 0, 0, 0, ta.cfg.Location)
			ta.openAnomaly(ctx, store.Anomaly{Meter: "wasser", Rule: "year_over_year", Start: start, Observed: &obs, Expected: &exp, Message: "2025-10 used 62.000"})
			ta.resolveAnomaly(ctx, "wasser", "year_over_year")
			ta.deliverAlerts(ctx)
			hook.mu.Lock()
			defer hook.mu.Unlock()
			if len(hook.bodies) != 2 {
				t.Fatalf("%d alerts; want opened and resolved", len(hook.bodies))
			}
			switch format {
			case "ntfy":
				// ntfy: the message is the body, the title a header.
				if hook.bodies[0] != "2025-10 used 62.000" || hook.headers[0].Get("Title") != "meterd: wasser year_over_year opened" ||
					hook.headers[0].Get("Priority") != "high" || hook.bodies[1] != "resolved: 2025-10 used 62.000" {
					t.Errorf("ntfy: %q %v; %q", hook.bodies[0], hook.headers[0], hook.bodies[1])
				}
			case "homeassistant":
				m := hook.got[0]
				if m["title"] != "meterd: wasser year_over_year opened" || m["message"] != "2025-10 used 62.000" || m["observed"] != 62.0 ||
					m["from"] != "2025-10-01T00:00:00+02:00" || hook.got[1]["event"] != "resolved" {
					t.Errorf("homeassistant: %v, %v", m, hook.got[1])
				}
			}
		})
	}
}

func TestAnomalyReachesInfluxDB(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ta := startApp(t, "influx:\n  url: "+srv.URL+"\n  flush_interval: 1s\nmeters:\n  - {id: strom, utility: electricity, unit: kWh}\n")
	obs, exp := 25.0, 10.0
	day := time.Date(2025, 11, 8, 0, 0, 0, 0, ta.cfg.Location)
	end := day.AddDate(0, 0, 1)
	msg := `consumption on 2025-11-08 was 25.000, "2.5" times the mean`
	if opened, err := ta.openAnomaly(context.Background(), store.Anomaly{Meter: "strom", Rule: "spike", Start: day, End: &end, Observed: &obs, Expected: &exp, Message: msg}); !opened || err != nil {
		t.Fatal(opened, err)
	}
	eventually(t, 30*time.Second, "delivery", func() bool { return ta.metric(t, "meterd_outbox_points") == "0" })
	rows := srv.Select("meters_processed", `SELECT "observed", "expected", "message" FROM "meter_anomaly" WHERE "meter_id" = 'strom' AND "rule" = 'spike'`)
	if len(rows) != 1 || rows[0]["time"] != float64(day.Unix()) || rows[0]["observed"] != 25.0 || rows[0]["expected"] != 10.0 || rows[0]["message"] != msg {
		t.Errorf("meter_anomaly points %v", rows)
	}
}

// TestSpikeFoundLate: 46 days of 10 kWh with one day of 50 kWh six days ago
// and ordinary days since. The first check judges every complete day: one
// spike, stored opened and resolved (4 to 5 November), one alert that says
// it is over already. A second check has no new day to judge and sends
// nothing.
func TestSpikeFoundLate(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2025, 11, 10, 10, 15, 0, 0, loc)
	hook := newWebhook(t)
	ta := startAppOpts(t, Options{Now: func() time.Time { return now }}, anomalyConfig, "METERD_ALERT_WEBHOOKS="+hook.URL+"/hook")
	var rs []apiReading
	v := 1000.0
	for d := time.Date(2025, 9, 25, 0, 0, 0, 0, loc); !d.After(time.Date(2025, 11, 10, 0, 0, 0, 0, loc)); d = d.AddDate(0, 0, 1) {
		rs = append(rs, apiReading{d.Format("2006-01-02T15:04"), v})
		if d.Format("01-02") == "11-04" {
			v += 50
		} else {
			v += 10
		}
	}
	if len(rs) != 47 {
		t.Fatalf("%d readings; want 47 (46 days)", len(rs))
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/strom/readings", rs); code != 200 {
		t.Fatal(code, string(body))
	}
	if _, _, err := ta.AnomalyCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, body := ta.do(t, http.MethodGet, "/api/v1/anomalies?meter=strom", nil)
	var out struct{ Anomalies []api.AnomalyOut }
	json.Unmarshal(body, &out)
	if code != 200 || len(out.Anomalies) != 1 {
		t.Fatalf("anomalies of strom: %d %s; want one", code, body)
	}
	s := out.Anomalies[0]
	if s.Rule != "spike" || s.Status != "resolved" || s.From != "2025-11-04T00:00:00+01:00" || s.To != "2025-11-05T00:00:00+01:00" || *s.Observed != 50 || *s.Expected != 10 {
		t.Errorf("spike %+v; want 4 November, 50 against 10, resolved", s)
	}
	if ev := hook.events(); len(ev) != 1 || ev[0] != "strom spike opened_resolved" {
		t.Errorf("alerts %v; want one: strom spike opened_resolved", ev)
	}
	now = now.Add(time.Hour)
	ta.AnomalyCheck(context.Background())
	if ev := hook.events(); len(ev) != 1 {
		t.Errorf("alerts after a second check %v; want still the one", ev)
	}
}

// TestYearOverYearJudgesMonthsCompletedLate: readings stop on 1 July 2025,
// so the October report cannot judge August or September. A file of the
// missing readings arrives; the next report judges them: August (150 m³
// against 30 a year before) fires, September (30 against 30) clears, so
// the episode is stored opened and resolved, with one alert.
func TestYearOverYearJudgesMonthsCompletedLate(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	hook := newWebhook(t)
	ta := startAppOpts(t, Options{Now: func() time.Time { return time.Date(2025, 11, 1, 3, 0, 0, 0, loc) }},
		"meters:\n  - {id: wasser, utility: water, unit: m³}\n", "METERD_ALERT_WEBHOOKS="+hook.URL+"/hook")
	var rs []apiReading
	v := 0.0
	for m := time.Date(2024, 1, 1, 0, 0, 0, 0, loc); !m.After(time.Date(2025, 7, 1, 0, 0, 0, 0, loc)); m = m.AddDate(0, 1, 0) {
		rs = append(rs, apiReading{m.Format("2006-01-02T15:04"), v})
		v += 30
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", rs); code != 200 {
		t.Fatal(code, string(body))
	}
	october := time.Date(2025, 10, 1, 0, 0, 0, 0, loc)
	if _, err := ta.BuildMonthlyReport(context.Background(), october); err != nil {
		t.Fatal(err)
	}
	if ev := hook.events(); len(ev) != 0 {
		t.Fatalf("alerts before the missing readings: %v", ev)
	}
	last := v - 30 // the reading of 1 July
	late := []apiReading{{"2025-08-01T00:00", last + 30}, {"2025-09-01T00:00", last + 180}, {"2025-10-01T00:00", last + 210}, {"2025-11-01T00:00", last + 240}}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", late); code != 200 {
		t.Fatal(code, string(body))
	}
	if _, err := ta.BuildMonthlyReport(context.Background(), october); err != nil {
		t.Fatal(err)
	}
	_, body := ta.do(t, http.MethodGet, "/api/v1/anomalies?meter=wasser", nil)
	var out struct{ Anomalies []api.AnomalyOut }
	json.Unmarshal(body, &out)
	if len(out.Anomalies) != 1 {
		t.Fatalf("anomalies %s; want one", body)
	}
	a := out.Anomalies[0]
	if a.Rule != "year_over_year" || a.Status != "resolved" || a.From != "2025-08-01T00:00:00+02:00" || *a.Observed != 150 || *a.Expected != 30 {
		t.Errorf("anomaly %+v; want August 2025, 150 against 30, resolved", a)
	}
	if ev := hook.events(); len(ev) != 1 || ev[0] != "wasser year_over_year opened_resolved" {
		t.Errorf("alerts %v; want one opened_resolved", ev)
	}
}
