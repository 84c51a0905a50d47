package store

import (
	"context"
	"fmt"
	"strings"
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

// recordingWriter passes writes on and remembers the order of the lines
// InfluxDB accepted.
type recordingWriter struct {
	LineWriter
	accepted []string
}

func (w *recordingWriter) WriteLines(ctx context.Context, bucket string, lines []string) error {
	err := w.LineWriter.WriteLines(ctx, bucket, lines)
	if err == nil {
		w.accepted = append(w.accepted, lines...)
	}
	return err
}

// TestRefusedPointIsSetAside: 10,000 queued points with one InfluxDB
// refuses in the middle (a value that is no number, as an older meterd
// could queue): the 9,999 others arrive in their order, the refused one is
// set aside with InfluxDB's reason, and the outbox is empty.
func TestRefusedPointIsSetAside(t *testing.T) {
	for _, bad := range []struct{ name, line string }{
		{"a value that is no number", `m³,domain=meterd,entity_id=poison source="api",value=+Inf 1740787200`},
		{"a time out of InfluxDB's range", `m³,domain=meterd,entity_id=poison source="api",value=1 253402214400`},
	} {
		t.Run(bad.name, func(t *testing.T) {
			srv := influxtest.Start(t)
			srv.CreateDatabase("meters")
			srv.CreateDatabase("meters_processed")
			ix := NewInflux(InfluxOptions{URL: srv.URL, RawBucket: "meters", ProcessedBucket: "meters_processed", Timeout: 10 * time.Second})
			defer ix.Close()
			ctx := context.Background()
			db := openTest(t)
			var lines []string
			for i := range 10_000 {
				if i == 5_000 {
					lines = append(lines, bad.line)
				}
				lines = append(lines, fmt.Sprintf(`m³,domain=meterd,entity_id=wasser source="api",value=%d %d`, i, 1735689600+i*60))
			}
			// Queued as one batch would be, then delivered in batches of 5000.
			if err := db.Enqueue(ctx, BucketRaw, lines); err != nil {
				t.Fatal(err)
			}
			w := &recordingWriter{LineWriter: ix}
			n, err := db.DeliverOutbox(ctx, w, 5000)
			if err != nil || n != 10_000 {
				t.Fatalf("delivered %d, %v; want 10,000", n, err)
			}
			if left, _ := db.OutboxCount(ctx); left != 0 {
				t.Errorf("%d points left in the outbox", left)
			}
			total, recent, reason, err := db.DeadPoints(ctx, time.Now().Add(-time.Hour))
			if err != nil || total != 1 || recent != 1 || reason == "" {
				t.Errorf("set aside: %d (%d recent), reason %q, %v; want 1 with InfluxDB's reason", total, recent, reason, err)
			}
			t.Logf("InfluxDB's reason: %s", reason)
			rows := srv.Select("meters", `SELECT count("value") FROM "m³" WHERE entity_id = 'wasser'`)
			if len(rows) != 1 || rows[0]["count"] != 10_000.0 {
				t.Errorf("InfluxDB holds %v; want 10,000 points of wasser", rows)
			}
			// In order: the accepted lines, first occurrences, ascend.
			last, seen := -1, map[string]bool{}
			for _, l := range w.accepted {
				if seen[l] || strings.Contains(l, "poison") {
					continue
				}
				seen[l] = true
				var v, ts int
				fmt.Sscanf(l[strings.Index(l, "value=")+6:], "%d %d", &v, &ts)
				if v <= last {
					t.Fatalf("point %d delivered after %d", v, last)
				}
				last = v
			}
		})
	}
}
