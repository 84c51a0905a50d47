package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/grafana"
	"github.com/meterd/meterd/grafana/grafanatest"
	"github.com/meterd/meterd/store"
	"github.com/meterd/meterd/store/influxtest"
)

// exampleHousehold is the meters part of config.example.yaml (billing,
// gas conversion and meters): the household the dashboards are tested on.
func exampleHousehold(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\nbilling:")
	if i < 0 {
		t.Fatal("config.example.yaml has no billing: section")
	}
	return s[i:]
}

// monthly posts a reading at each local 1st of the month from January
// 2024 to November 2025, start plus step for each month, then one on
// 16 November 2025 half a step on.
func monthly(t *testing.T, ta *testApp, meter string, start, step float64) {
	t.Helper()
	var rs []apiReading
	v := start
	for m := 0; m < 23; m++ {
		rs = append(rs, apiReading{time.Date(2024, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02T15:04"), v})
		v += step
	}
	rs = append(rs, apiReading{"2025-11-16T00:00", v - step + step/2})
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/"+meter+"/readings", rs); code != 200 {
		t.Fatal(meter, code, string(body))
	}
}

// grafanaRange is the [from, to] Grafana gives a panel: the dashboard's
// range, or the panel's own relative time (now/M this month so far,
// now-1M/M from the start of last month, now/y this year, now/d today).
func grafanaRange(t *testing.T, n time.Time, rel string) (time.Time, time.Time) {
	t.Helper()
	loc := n.Location()
	switch rel {
	case "now-1y":
		return n.AddDate(-1, 0, 0), n
	case "now-2y":
		return n.AddDate(-2, 0, 0), n
	case "now/M":
		return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc), n
	case "now-1M/M":
		return time.Date(n.Year(), n.Month()-1, 1, 0, 0, 0, 0, loc), n
	case "now/y":
		return time.Date(n.Year(), 1, 1, 0, 0, 0, 0, loc), n
	case "now/d":
		return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc), n
	}
	t.Fatalf("a relative time the test does not know: %q", rel)
	return n, n
}

// expand substitutes Grafana's macros as Grafana sends them to InfluxDB:
// $timeFilter and ${__from} for the range, each template variable as the
// regex of its values.
func expand(q string, from, to time.Time, vars map[string][]string) string {
	q = strings.ReplaceAll(q, "$timeFilter", fmt.Sprintf("time >= %dms and time <= %dms", from.UnixMilli(), to.UnixMilli()))
	q = strings.ReplaceAll(q, "${__from}", fmt.Sprint(from.UnixMilli()))
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, n := range names {
		vs := make([]string, len(vars[n]))
		for i, v := range vars[n] {
			vs[i] = regexp.QuoteMeta(v)
		}
		q = strings.ReplaceAll(q, "$"+n, "("+strings.Join(vs, "|")+")")
	}
	return q
}

// TestDashboardPanelsOnTheExampleHousehold fills a real influxd by a real
// analysis of the example household, then runs every query of every
// shipped dashboard (panels, annotations, template variables) as Grafana
// would send it at 20 November 2025, noon, and checks the rows a hand
// check expects.
func TestDashboardPanelsOnTheExampleHousehold(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	// The instant the dashboards are looked at.
	now := time.Date(2025, 11, 20, 12, 0, 0, 0, berlin(t))
	ta := startAppAt(t, func() time.Time { return now }, exampleHousehold(t)+`
schedule: {tibber_poll: "", daily_analysis: "", anomaly_check: "", monthly_report: "", backup: ""}
influx:
  url: `+srv.URL+`
  flush_interval: 1s
`, "METERD_TIBBER_TOKEN=tibber-token-x")
	ctx := context.Background()
	loc := ta.cfg.Location

	// Water and heat rise by a fixed step a month; electricity: the main
	// meter 300 kWh a month, the flats 100, 80 and 50, so the shared part
	// (the virtual meter) is 70; gas: the boiler 500 kWh a month.
	monthly(t, ta, "wasser", 100, 10)
	monthly(t, ta, "waerme", 20, 1.5)
	monthly(t, ta, "strom_haupt", 5000, 300)
	monthly(t, ta, "whg1_strom", 1000, 100)
	monthly(t, ta, "whg2_strom", 2000, 80)
	monthly(t, ta, "whg3_strom", 3000, 50)
	monthly(t, ta, "gastherme", 10000, 500)
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/gas_zaehler_alt/readings", []apiReading{{"2024-01-01T00:00", 4000}, {"2024-11-12T10:00", 5100}}); code != 200 {
		t.Fatal(code, string(body))
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/gas_zaehler/readings", []apiReading{{"2024-11-12T10:00", 0}, {"2025-11-16T00:00", 1200}}); code != 200 {
		t.Fatal(code, string(body))
	}
	// Tibber: prices from yesterday to the day after tomorrow, of which
	// the price panel shows today's and tomorrow's 48.
	var prices []store.TibberPrice
	for h := -24; h < 72; h++ {
		prices = append(prices, store.TibberPrice{StartsAt: time.Date(2025, 11, 20, h, 0, 0, 0, loc), Total: 0.25 + float64(h)/1000, Level: "NORMAL", Currency: "EUR"})
	}
	if _, err := ta.db.WriteTibberPrices(ctx, "home", prices, true); err != nil {
		t.Fatal(err)
	}
	cost := 0.31
	if _, _, err := ta.db.WriteTibberHours(ctx, "strom_tibber", "home", []store.TibberHour{{Time: time.Date(2025, 11, 19, 7, 0, 0, 0, loc), Consumption: 1.2, Cost: &cost, Currency: "EUR"}}, true); err != nil {
		t.Fatal(err)
	}
	// A note and an anomaly: both become annotations.
	if code, body := ta.do(t, http.MethodPost, "/api/v1/annotations", map[string]string{"meter": "wasser", "time": "2025-10-10T10:00", "end": "2025-10-10T12:00", "text": "Wasserzähler geprüft"}); code != 201 {
		t.Fatal(code, string(body))
	}
	obs, exp := 25.0, 10.0
	ta.openAnomaly(ctx, store.Anomaly{Meter: "wasser", Rule: "spike", Start: time.Date(2025, 10, 20, 0, 0, 0, 0, loc), Observed: &obs, Expected: &exp, Message: "Spitze"})
	if _, _, err := ta.DailyAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "delivery", func() bool { return ta.metric(t, "meterd_outbox_points") == "0" })

	dbs := map[string]string{grafana.RawUID: "meters", grafana.ProcessedUID: "meters_processed"}
	ds, err := grafana.Dashboards()
	if err != nil || len(ds) != 6 {
		t.Fatalf("%d dashboards, %v; want Overview, Electricity, Gas, Water, Heat and Anomalies", len(ds), err)
	}
	results := map[string][]influxtest.Row{} // dashboard uid, then "panel title refId"
	for name, b := range ds {
		var d grafanatest.Dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(name, err)
		}
		// Template variables first: their values fill the panels' queries.
		vars := map[string][]string{}
		for _, v := range d.Templating.List {
			rows := srv.Select(dbs[v.Datasource.UID], v.Query)
			for _, r := range rows {
				vars[v.Name] = append(vars[v.Name], r["value"].(string))
			}
			results[d.UID+" variable "+v.Name] = rows
			if len(rows) == 0 {
				t.Errorf("%s: variable %s offers nothing: %s", name, v.Name, v.Query)
			}
		}
		if d.UID == "meterd-overview" {
			vars["utility"] = []string{"water"} // the water row of the repeated rows
		}
		dFrom, dTo := grafanaRange(t, now, d.Time.From)
		for _, q := range d.Queries() {
			if strings.HasPrefix(q.Where, "variable ") {
				continue
			}
			from, to := dFrom, dTo
			if q.TimeFrom != "" {
				from, to = grafanaRange(t, now, q.TimeFrom)
			}
			rows := srv.Select(dbs[q.UID], expand(q.Query, from, to, vars))
			results[d.UID+" "+q.Where] = rows
			if len(rows) == 0 {
				t.Errorf("%s: %s finds nothing: %s", name, q.Where, expand(q.Query, from, to, vars))
			}
		}
	}

	// The hand checks. Water rose 10 m³ each month and 5 m³ from 1 to 16
	// November 2025.
	value := func(key, meter, column string) float64 {
		t.Helper()
		for _, r := range results[key] {
			if r["meter_id"] == meter {
				if v, ok := r[column].(float64); ok {
					return v
				}
			}
		}
		t.Errorf("%s: no %s for %s in %v", key, column, meter, results[key])
		return math.NaN()
	}
	for key, want := range map[string]float64{
		"meterd-overview Dieser Monat A":              5,   // November so far
		"meterd-overview Letzter Monat A":             10,  // October
		"meterd-overview Derselbe Monat im Vorjahr A": 10,  // November 2024
		"meterd-overview Seit Jahresbeginn A":         105, // 10 months of 10, and 5
	} {
		col := map[bool]string{true: "sum", false: "last"}[strings.Contains(key, "Jahresbeginn")]
		if strings.Contains(key, "Letzter Monat") {
			col = "first"
		}
		if got := value(key, "wasser", col); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: wasser %v; want %v", key, got, want)
		}
	}
	// The shared electricity (main meter less the flats) was 70 kWh in
	// October, spread over its 745 hours (26 October had 25): 70 × 24/745
	// on an ordinary day.
	found := false
	for _, r := range results["meterd-electricity Verbrauch pro Tag A"] {
		if r["meter_id"] == "allgemein_strom" && int64(r["time"].(float64)) == time.Date(2025, 10, 15, 0, 0, 0, 0, loc).Unix() {
			found = true
			if v := r["value"].(float64); math.Abs(v-70.0*24/745) > 1e-9 {
				t.Errorf("shared electricity on 15 October: %v; want 70 × 24/745", v)
			}
		}
	}
	if !found {
		t.Error("no daily figure of the shared electricity meter on 15 October 2025")
	}
	if n := len(results["meterd-electricity Tibber: Strompreis heute und morgen A"]); n != 48 {
		t.Errorf("the price panel shows %d hours; want today's and tomorrow's 48", n)
	}
	for v, want := range map[string]string{"heating": "gastherme", "fireplace": "kamin"} {
		rows := results["meterd-gas variable "+v]
		if len(rows) != 1 || rows[0]["value"] != want {
			t.Errorf("variable %s offers %v; want %s", v, rows, want)
		}
	}
	// The boiler counted 500 kWh in October.
	for _, r := range results["meterd-gas Heizung und Kamin (kWh pro Monat) A"] {
		if int64(r["time"].(float64)) == time.Date(2025, 10, 1, 0, 0, 0, 0, loc).Unix() && r["Heizung"] != 500.0 {
			t.Errorf("heating in October: %v kWh; want 500", r["Heizung"])
		}
	}
	if rows := results["meterd-anomalies Auffälligkeiten A"]; len(rows) != 1 || rows[0]["Meldung"] != "Spitze" || rows[0]["Zähler"] != "wasser" {
		t.Errorf("anomaly table %v", rows)
	}
	notes := results["meterd-water annotation Notizen"]
	if len(notes) != 1 || notes[0]["text"] != "Wasserzähler geprüft" || notes[0]["end_ms"] != float64(time.Date(2025, 10, 10, 12, 0, 0, 0, loc).UnixMilli()) {
		t.Errorf("note annotation %v", notes)
	}
	// A deleted note leaves the dashboards too.
	var list struct {
		Annotations []struct{ ID int64 }
	}
	_, body := ta.do(t, http.MethodGet, "/api/v1/annotations", nil)
	json.Unmarshal(body, &list)
	if len(list.Annotations) == 0 {
		t.Fatalf("annotations: %s", body)
	}
	if code, _ := ta.do(t, http.MethodDelete, fmt.Sprintf("/api/v1/annotations/%d", list.Annotations[0].ID), nil); code != 204 && code != 200 {
		t.Fatalf("delete note: %d", code)
	}
	eventually(t, 30*time.Second, "the note's deletion", func() bool {
		return len(srv.Select("meters_processed", `SELECT "text" FROM "meter_annotation"`)) == 0
	})
}
