package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/grafana/grafanatest"

	"github.com/meterd/meterd/grafana"
	"github.com/meterd/meterd/store"
	"github.com/meterd/meterd/store/influxtest"
)

// TestDashboardQueriesFindMeterdsData runs every query of the shipped
// dashboards, as Grafana would send it, against a real influxd that meterd
// filled: a panel that reads a wrong measurement, field or tag shows up
// here as an empty answer or an InfluxQL error.
func TestDashboardQueriesFindMeterdsData(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ta, _, hours := tibberSetup(t, "  - {id: wasser, utility: water, unit: m³}\ninflux:\n  url: "+srv.URL+"\n  flush_interval: 1s\n")
	ctx := context.Background()
	if _, err := ta.TibberSync(ctx, hours[0]); err != nil {
		t.Fatal(err)
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", []apiReading{{"2024-10-01T00:00", 50}, {"2024-11-01T00:00", 70}, {"2025-10-01T00:00", 100}, {"2025-11-01T00:00", 131}}); code != 200 {
		t.Fatal(code, string(body))
	}
	if _, _, err := ta.DailyAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	obs, exp := 25.0, 10.0
	ta.openAnomaly(ctx, store.Anomaly{Meter: "wasser", Rule: "spike", Start: time.Date(2025, 10, 20, 0, 0, 0, 0, ta.cfg.Location), Observed: &obs, Expected: &exp, Message: "spike"})
	eventually(t, 30*time.Second, "delivery", func() bool { return ta.metric(t, "meterd_outbox_points") == "0" })

	dbs := map[string]string{grafana.RawUID: "meters", grafana.ProcessedUID: "meters_processed"}
	// Grafana's expansion of the macros: the whole time range, every meter.
	expand := strings.NewReplacer("$timeFilter", "time >= '2025-01-01T00:00:00Z' AND time < '2026-01-01T00:00:00Z'", "$meter", ".*")
	ds, _ := grafana.Dashboards()
	for name, b := range ds {
		var d grafanatest.Dashboard
		json.Unmarshal(b, &d)
		for _, q := range d.Queries() {
			rows := srv.Select(dbs[q.UID], expand.Replace(q.Query))
			if len(rows) == 0 {
				t.Errorf("%s: %s finds nothing: %s", name, q.Where, q.Query)
			}
			if q.Where == "variable meter" {
				var ids []string
				for _, r := range rows {
					ids = append(ids, r["value"].(string))
				}
				if strings.Join(ids, ",") != "strom_tibber,wasser" {
					t.Errorf("the meter variable offers %v", ids)
				}
			}
		}
	}
}
