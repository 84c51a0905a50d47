package app

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/store"
	"github.com/meterd/meterd/store/influxtest"
)

// TestInfluxOutageLosesNothing takes InfluxDB away while readings keep
// arriving, brings it back, and checks that every point arrives exactly
// once with its latest value.
func TestInfluxOutageLosesNothing(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ta := startApp(t, `
influx:
  url: `+srv.URL+`
  flush_interval: 1s
meters:
  - {id: strom, utility: electricity, unit: kWh}
`, "METERD_API_TOKEN=outage-token")

	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	post := func(rs []apiReading) {
		t.Helper()
		if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/strom/readings", rs); code != http.StatusOK {
			t.Fatalf("post: %d %s", code, body)
		}
	}
	outboxEmpty := func() bool { return ta.metric(t, "meterd_outbox_points") == "0" }

	post(hourly(t0, 10, 1000))
	eventually(t, 20*time.Second, "first delivery", outboxEmpty)
	if h := ta.health(t); h.Status != api.StatusOK {
		t.Fatalf("health before outage: %+v", h)
	}

	srv.Stop()
	// Readings keep arriving: 10 new hours and a correction of hour 0.
	post(hourly(t0.Add(10*time.Hour), 10, 1015))
	post([]apiReading{{t0.Format(time.RFC3339), 999.5}})
	eventually(t, 20*time.Second, "health degraded", func() bool {
		h := ta.health(t)
		return h.Status == api.StatusDegraded && h.Checks["influxdb"].Status == api.StatusDegraded
	})
	h := ta.health(t)
	if msg := h.Checks["influxdb"].Message; !strings.Contains(msg, "11 points queued") {
		t.Errorf("degraded message %q; want the backlog", msg)
	}
	if v := ta.metric(t, "meterd_outbox_points"); v != "11" {
		t.Errorf("meterd_outbox_points = %q during the outage; want 11", v)
	}
	// The daemon keeps serving everything else.
	if code, _ := ta.do(t, http.MethodGet, "/api/v1/meters", nil); code != http.StatusOK {
		t.Errorf("meters during outage: %d", code)
	}

	srv.Restart()
	eventually(t, 30*time.Second, "delivery after the outage", outboxEmpty)
	eventually(t, 10*time.Second, "health ok", func() bool { return ta.health(t).Status == api.StatusOK })

	rows := srv.Select("meters", `SELECT "value", "source" FROM "kWh" WHERE "entity_id" = 'strom' ORDER BY time`)
	if len(rows) != 20 {
		t.Fatalf("InfluxDB holds %d points; want 20", len(rows))
	}
	for i, r := range rows {
		want := 1000 + float64(i)*1.5 // hours 0-9: 1000, 1001.5, …; 10-19: 1015, 1016.5, …
		if i == 0 {
			want = 999.5
		}
		if r["time"] != float64(t0.Add(time.Duration(i)*time.Hour).Unix()) || r["value"] != want || r["source"] != "api" {
			t.Errorf("point %d = %v; want value %v at hour %d", i, r, want, i)
		}
	}
	// The outage is one failed run in the history, not one per retry. The
	// run that emptied the outbox is recorded a moment after it did.
	var failed, delivered int
	history := func() bool {
		runs, _ := ta.db.Runs(t.Context(), JobOutbox, 100)
		failed, delivered = 0, 0
		for _, r := range runs {
			if r.Status == "failed" {
				failed++
			} else if r.Status != "running" {
				delivered++
			}
		}
		return failed == 1 && delivered >= 2
	}
	deadline := time.Now().Add(10 * time.Second)
	for !history() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !history() {
		t.Errorf("run history: %d failed, %d delivering runs; want 1 and at least 2", failed, delivered)
	}
}

// TestPoisonedOutboxHealsOnStart: a database whose outbox holds a point
// InfluxDB refuses (queued by an older meterd, which then retried it
// forever and blocked everything behind it) delivers the rest on start,
// sets the point aside, and says so on /health and in the metric.
func TestPoisonedOutboxHealsOnStart(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	path := filepath.Join(t.TempDir(), "meterd.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(context.Background(), store.BucketRaw, []string{
		`kWh,domain=meterd,entity_id=strom source="api",value=1 1735689600`,
		`kWh,domain=meterd,entity_id=strom source="api",value=2 253402214400`, // year 9999
		`kWh,domain=meterd,entity_id=strom source="api",value=3 1735693200`,
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ta := startApp(t, "influx:\n  url: "+srv.URL+"\n  flush_interval: 1s\nmeters:\n  - {id: strom, utility: electricity, unit: kWh}\n", "METERD_STORAGE_PATH="+path)
	eventually(t, 20*time.Second, "delivery", func() bool { return ta.metric(t, "meterd_outbox_points") == "0" })
	if v := ta.metric(t, "meterd_outbox_dead_points"); v != "1" {
		t.Errorf("meterd_outbox_dead_points = %q; want 1", v)
	}
	eventually(t, 10*time.Second, "health says so", func() bool {
		h := ta.health(t)
		return h.Status == api.StatusDegraded && strings.Contains(h.Checks["influxdb"].Message, "1 points refused by InfluxDB")
	})
	if rows := srv.Select("meters", `SELECT "value" FROM "kWh"`); len(rows) != 2 {
		t.Errorf("InfluxDB holds %v; want the 2 good points", rows)
	}
}
