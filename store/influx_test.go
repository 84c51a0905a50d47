package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/store/influxtest"
)

// startInflux starts a real influxd with meterd's two databases and a
// client for it, closed with the test.
func startInflux(t *testing.T) (*influxtest.Server, *Influx) {
	t.Helper()
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ix := NewInflux(InfluxOptions{URL: srv.URL, RawBucket: "meters", ProcessedBucket: "meters_processed", Timeout: 10 * time.Second})
	t.Cleanup(func() { ix.Close() })
	return srv, ix
}

func TestInfluxDeliveryRealServer(t *testing.T) {
	srv, ix := startInflux(t)
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
			srv, ix := startInflux(t)
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

// TestUndoAndDeleteReachInfluxDB: an import undone and a reading deleted
// are undone in SQLite at once and in InfluxDB's raw bucket at the next
// delivery; undoing the deletion brings the reading back in both; an
// import whose readings a later import changed cannot be undone first.
func TestUndoAndDeleteReachInfluxDB(t *testing.T) {
	srv, ix := startInflux(t)
	ctx := context.Background()
	db := openTest(t)
	units := map[string]string{"wasser": "m³"}
	b := Batch{Meter: "wasser", Unit: "m³", Source: "csv", Outbox: true}
	jan, feb, mar := at("2025-01-01T00:00:00+01:00"), at("2025-02-01T00:00:00+01:00"), at("2025-03-01T00:00:00+01:00")
	first, err := db.WriteReadings(ctx, b, []Reading{{Time: jan, Value: 100}, {Time: feb, Value: 131}})
	if err != nil {
		t.Fatal(err)
	}
	// The second import corrects February and adds March.
	second, err := db.WriteReadings(ctx, b, []Reading{{Time: feb, Value: 130}, {Time: mar, Value: 160}})
	if err != nil {
		t.Fatal(err)
	}
	points := func() map[float64]float64 {
		t.Helper()
		if _, err := db.DeliverOutbox(ctx, ix, 100); err != nil {
			t.Fatal(err)
		}
		out := map[float64]float64{}
		for _, r := range srv.Select("meters", `SELECT "value" FROM "m³"`) {
			out[r["time"].(float64)] = r["value"].(float64)
		}
		return out
	}
	if got := points(); len(got) != 3 || got[float64(feb.Unix())] != 130 {
		t.Fatalf("InfluxDB before the undo: %v", got)
	}
	// The first import cannot be undone while the second changed February.
	if _, err := db.Undo(ctx, first.BatchID, units, true, false); fault.KindOf(err) != fault.Conflict || !strings.Contains(err.Error(), fmt.Sprintf("import %d", second.BatchID)) {
		t.Fatalf("undo of the first import: %v; want a conflict naming import %d", err, second.BatchID)
	}
	// A dry run says what would change and changes nothing.
	dry, err := db.Undo(ctx, second.BatchID, units, true, true)
	if err != nil || len(dry.Removed) != 1 || len(dry.Restored) != 1 || dry.Restored[0].Value != 131 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if rs, _ := db.Readings(ctx, "wasser", time.Time{}, time.Time{}); len(rs) != 3 {
		t.Fatalf("the dry run changed the readings: %v", rs)
	}
	if _, err := db.Undo(ctx, second.BatchID, units, true, false); err != nil {
		t.Fatal(err)
	}
	rs, _ := db.Readings(ctx, "wasser", time.Time{}, time.Time{})
	if len(rs) != 2 || rs[1].Value != 131 {
		t.Fatalf("after the undo: %v; want January 100 and February 131 again", rs)
	}
	if got := points(); len(got) != 2 || got[float64(feb.Unix())] != 131 || got[float64(mar.Unix())] != 0 {
		t.Fatalf("InfluxDB after the undo: %v; want March gone and February 131", got)
	}
	if _, err := db.Undo(ctx, second.BatchID, units, true, false); fault.KindOf(err) != fault.Conflict {
		t.Errorf("a second undo: %v; want a conflict", err)
	}
	// Delete January; then undo the deletion.
	r, del, ok, err := db.DeleteReading(ctx, "wasser", "m³", jan, true)
	if err != nil || !ok || r.Value != 100 {
		t.Fatalf("delete: %+v %v %v", r, ok, err)
	}
	if got := points(); len(got) != 1 {
		t.Fatalf("InfluxDB after the deletion: %v", got)
	}
	if _, err := db.Undo(ctx, del, units, true, false); err != nil {
		t.Fatal(err)
	}
	if got := points(); len(got) != 2 || got[float64(jan.Unix())] != 100 {
		t.Fatalf("InfluxDB after undoing the deletion: %v", got)
	}
	if _, _, ok, err := db.DeleteReading(ctx, "wasser", "m³", at("2025-04-01T00:00:00+02:00"), true); ok || err != nil {
		t.Errorf("deleting a reading that is not there: %v %v", ok, err)
	}
}
