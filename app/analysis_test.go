package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/store/influxtest"
)

// writeLines writes line protocol straight to influxd, as Home Assistant's
// InfluxDB integration does.
func writeLines(t *testing.T, url, db, body string) {
	t.Helper()
	resp, err := http.Post(url+"/write?db="+db+"&precision=ns", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("write: %s", resp.Status)
	}
}

// TestInfluxSourceAndProcessedSeries: a meter Home Assistant writes to
// InfluxDB is analysed, and the daily job's series can be read back with
// Flux.
func TestInfluxSourceAndProcessedSeries(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ta := startAppAt(t, func() time.Time { return time.Date(2025, 3, 2, 2, 0, 0, 0, time.UTC) }, `
influx:
  url: `+srv.URL+`
  flush_interval: 1s
schedule:
  daily_analysis: ""
meters:
  - id: strom
    utility: electricity
    unit: kWh
    source: influx
    influx: {measurement: kWh, entity_id: stromzaehler_total}
  - {id: wasser, utility: water, unit: m³}
`)
	// Home Assistant's shape (docs/influxdb.md#series-read-from-influxdb): measurement = unit, tags domain
	// and entity_id, field value, attribute fields beside it. 1 Jan 00:00
	// CET = 2024-12-31T23:00Z: 12000; 1 Feb 00:00 CET: 12310 (310 kWh in
	// January, 10 a day); 1 Mar 00:00 CET: 12590 (280 in February).
	var lp strings.Builder
	for _, p := range []struct {
		t time.Time
		v float64
	}{
		{time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC), 12000},
		{time.Date(2025, 1, 31, 23, 0, 0, 0, time.UTC), 12310},
		{time.Date(2025, 2, 28, 23, 0, 0, 0, time.UTC), 12590},
	} {
		fmt.Fprintf(&lp, "kWh,domain=sensor,entity_id=stromzaehler_total device_class_str=\"energy\",friendly_name_str=\"Stromzähler Total\",state_class_str=\"total_increasing\",value=%g %d\n", p.v, p.t.UnixNano())
	}
	// Another entity in the same measurement must not be mixed in.
	fmt.Fprintf(&lp, "kWh,domain=sensor,entity_id=pv_ertrag value=5 %d\n", time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC).UnixNano())
	writeLines(t, srv.URL, "meters", lp.String())

	code, body := ta.do(t, http.MethodPost, "/api/v1/analyze", map[string]any{"from": "2025-01-01", "to": "2025-03-01", "meters": []string{"strom"}})
	if code != 200 {
		t.Fatalf("analyze: %d %s", code, body)
	}
	var res struct {
		Meters []struct {
			Total   map[string]any
			Monthly []map[string]any
		}
	}
	json.Unmarshal(body, &res)
	if len(res.Meters) != 1 || res.Meters[0].Total["consumption"] != 590.0 || res.Meters[0].Total["kwh"] != 590.0 || res.Meters[0].Total["complete"] != true {
		t.Fatalf("analysis %s", body)
	}
	if m := res.Meters[0].Monthly; m[0]["consumption"] != 310.0 || m[1]["consumption"] != 280.0 {
		t.Errorf("months %v; want 310 and 280", m)
	}

	// The daily job: processed series into the outbox, then InfluxDB.
	if _, _, err := ta.DailyAnalysis(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "delivery", func() bool { return ta.metric(t, "meterd_outbox_points") == "0" })
	flux := `from(bucket: "meters_processed")
  |> range(start: 2024-12-31T00:00:00Z, stop: 2025-03-02T00:00:00Z)
  |> filter(fn: (r) => r._measurement == "meter_consumption_monthly" and r.meter_id == "strom")
  |> sort(columns: ["_time"])`
	recs := srv.QueryFlux(t, flux)
	got := map[string]any{}
	for _, r := range recs {
		got[fmt.Sprintf("%s %s", r["_time"].(time.Time).Format(time.RFC3339), r["_field"])] = r["_value"]
	}
	// February starts 2025-01-31T23:00Z; its monthly row says 280 kWh,
	// complete; January (310) too.
	want := map[string]any{
		"2024-12-31T23:00:00Z value": 310.0, "2024-12-31T23:00:00Z kwh": 310.0, "2024-12-31T23:00:00Z complete": true,
		"2025-01-31T23:00:00Z value": 280.0, "2025-01-31T23:00:00Z complete": true,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v; want %v (all: %v)", k, got[k], v, got)
		}
	}
	daily := srv.QueryFlux(t, `from(bucket: "meters_processed")
  |> range(start: 2024-12-31T00:00:00Z, stop: 2025-03-02T00:00:00Z)
  |> filter(fn: (r) => r._measurement == "meter_consumption_daily" and r.meter_id == "strom" and r._field == "value")`)
	// 31 + 28 days of 10 kWh; the tags name meter, utility, unit, type.
	if len(daily) != 59 || daily[0]["_value"] != 10.0 || daily[0]["utility"] != "electricity" || daily[0]["unit"] != "kWh" || daily[0]["type"] != "physical" {
		t.Errorf("%d daily rows; first %v", len(daily), daily[0])
	}
	// Running it again changes nothing.
	before := srv.Select("meters_processed", `SELECT count("value") FROM "meter_consumption_daily"`)
	if _, _, err := ta.DailyAnalysis(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "delivery", func() bool { return ta.metric(t, "meterd_outbox_points") == "0" })
	after := srv.Select("meters_processed", `SELECT count("value") FROM "meter_consumption_daily"`)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a re-run changed the series: %v → %v", before, after)
	}
}

func TestMonthlyReportJob(t *testing.T) {
	// 03:00 local on 1 Nov 2025: the report is for October.
	ta := startAppAt(t, func() time.Time { return time.Date(2025, 11, 1, 2, 0, 0, 0, time.UTC) },
		"billing: {start: '10-01'}\nmeters:\n  - {id: wasser, utility: water, unit: m³}\n", "METERD_API_TOKEN=report-token")
	// 1 m³ a day in October 2024, 2 a day in October 2025; readings on the
	// 1st of each month. Billing year from 1 Oct: to date = October.
	// January to September use 450 m³ in 2024 and 600 in 2025, 1.33 times
	// as much: below the year_over_year factor, so only October (twice)
	// fires now that every complete month is judged.
	var rs []apiReading
	for _, r := range []struct {
		t string
		v float64
	}{{"2024-01-01T00:00", 0}, {"2024-10-01T00:00", 450}, {"2024-11-01T00:00", 481}, {"2025-01-01T00:00", 550}, {"2025-10-01T00:00", 1150}, {"2025-11-01T00:00", 1212}} {
		rs = append(rs, apiReading{r.t, r.v})
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", rs); code != 200 {
		t.Fatal(code, string(body))
	}
	code, body := ta.do(t, http.MethodPost, "/api/v1/jobs/monthly_report/run", nil)
	if code != http.StatusAccepted || !strings.Contains(string(body), `"run_id"`) {
		t.Fatalf("run job: %d %s", code, body)
	}
	// The report is stored before the run is marked finished; wait for the
	// run itself, so both are checked in their final state.
	eventually(t, 10*time.Second, "the finished run", func() bool {
		runs, err := ta.db.Runs(context.Background(), JobMonthlyReport, 5)
		return err == nil && len(runs) == 1 && runs[0].Status != "running"
	})
	_, body = ta.do(t, http.MethodGet, "/api/v1/reports/monthly?month=2025-10", nil)
	var rep struct {
		Month  string
		Meters []MeterReport
	}
	json.Unmarshal(body, &rep)
	if rep.Month != "2025-10" || len(rep.Meters) != 1 {
		t.Fatalf("report %s", body)
	}
	m := rep.Meters[0]
	// October 2025: 62; October 2024: 31; change +31 = +100 %.
	// Year to date: 1 Jan (550) → 1 Nov (1212) = 662. Billing (from 1 Oct): 62.
	if *m.Month.Consumption != 62 || *m.PreviousYear.Consumption != 31 || *m.Change != 31 || *m.ChangePercent != 100 ||
		*m.YearToDate.Consumption != 662 || *m.BillingToDate.Consumption != 62 || !m.Month.Complete {
		t.Errorf("report %s", body)
	}
	runs, _ := ta.db.Runs(context.Background(), JobMonthlyReport, 5)
	if len(runs) != 1 || runs[0].Status != "ok" || !strings.Contains(string(runs[0].Details), `"month":"2025-10"`) {
		t.Errorf("runs %+v", runs)
	}
	// 62 is twice October 2024's 31, over the default factor 1.5.
	_, body = ta.do(t, http.MethodGet, "/api/v1/anomalies?status=open", nil)
	var an struct{ Anomalies []api.AnomalyOut }
	json.Unmarshal(body, &an)
	if len(an.Anomalies) != 1 || an.Anomalies[0].Rule != "year_over_year" || *an.Anomalies[0].Observed != 62 || *an.Anomalies[0].Expected != 31 ||
		an.Anomalies[0].From != "2025-10-01T00:00:00+02:00" {
		t.Errorf("anomalies %s", body)
	}
	if code, _ := ta.do(t, http.MethodGet, "/api/v1/reports/monthly?month=2025-09", nil); code != 404 {
		t.Errorf("a month without a report: %d", code)
	}
	if code, _ := ta.do(t, http.MethodPost, "/api/v1/jobs/nothing/run", nil); code != 404 {
		t.Errorf("unknown job: %d", code)
	}
}
