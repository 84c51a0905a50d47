package store

import (
	"context"
	"testing"
	"time"

	"github.com/meterd/meterd/store/influxtest"
)

func TestInfluxDeliveryRealServer(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ix := NewInflux(InfluxOptions{URL: srv.URL, RawBucket: "meters", ProcessedBucket: "meters_processed", Timeout: 5 * time.Second})
	defer ix.Close()
	ctx := context.Background()
	if err := ix.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	db := openTest(t)
	b := Batch{Meter: "gas_zahler", Unit: "m³", Source: "excel", Outbox: true}
	if _, err := db.WriteReadings(ctx, b, []Reading{
		{Time: at("2025-11-04T07:30:00+01:00"), Value: 4321.09},
		{Time: at("2025-11-05T07:30:00+01:00"), Value: 4323.5},
	}); err != nil {
		t.Fatal(err)
	}
	// A corrected value for the first instant must overwrite, not add.
	if _, err := db.WriteReadings(ctx, b, []Reading{{Time: at("2025-11-04T07:30:00+01:00"), Value: 4321.9}}); err != nil {
		t.Fatal(err)
	}
	n, err := db.DeliverOutbox(ctx, ix, 1000)
	if err != nil || n != 3 {
		t.Fatalf("delivered %d, %v; want 3", n, err)
	}
	rows := srv.Select("meters", `SELECT "value", "source", "domain", "entity_id" FROM "m³" ORDER BY time`)
	if len(rows) != 2 {
		t.Fatalf("InfluxDB holds %d points; want 2: %v", len(rows), rows)
	}
	want := []struct {
		ts    float64
		value float64
	}{{1762237800, 4321.9}, {1762237800 + 86400, 4323.5}}
	for i, r := range rows {
		if r["time"] != want[i].ts || r["value"] != want[i].value || r["source"] != "excel" || r["domain"] != "meterd" || r["entity_id"] != "gas_zahler" {
			t.Errorf("point %d = %v; want time %v value %v source excel domain meterd entity gas_zahler", i, r, want[i].ts, want[i].value)
		}
	}

	srv.Stop()
	if err := ix.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded with InfluxDB stopped")
	}
	db.WriteReadings(ctx, b, []Reading{{Time: at("2025-11-06T07:30:00+01:00"), Value: 4330}})
	if n, err := db.DeliverOutbox(ctx, ix, 1000); err == nil || n != 0 {
		t.Fatalf("delivery to a stopped InfluxDB: %d, %v; want 0 and an error", n, err)
	}
	if left, _ := db.OutboxCount(ctx); left != 1 {
		t.Fatalf("outbox %d after failed delivery; want 1", left)
	}
	srv.Restart()
	if n, err := db.DeliverOutbox(ctx, ix, 1000); err != nil || n != 1 {
		t.Fatalf("delivery after restart: %d, %v", n, err)
	}
	if rows := srv.Select("meters", `SELECT "value" FROM "m³"`); len(rows) != 3 {
		t.Fatalf("after restart InfluxDB holds %d points; want 3", len(rows))
	}
}
