package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "meterd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.ReadDir(migrations, "migrations")
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != len(files) {
		t.Fatalf("schema version = %d, %v; want %d, the number of migrations", v, err, len(files))
	}
	if _, err := db.WriteReadings(ctx, Batch{Meter: "m", Source: "api"}, []Reading{{Time: at("2025-01-01T00:00:00Z"), Value: 1}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A second open must not re-run migration 1 (it would fail on
	// existing tables) and must keep the data.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Readings(ctx, "m", time.Time{}, time.Time{})
	if err != nil || len(rs) != 1 || rs[0].Value != 1 {
		t.Fatalf("after reopen: %v, %v", rs, err)
	}
	var mode string
	if err := db.sql.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := db.sql.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

func TestWriteReadingsCountsAndIsIdempotent(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	b := Batch{Meter: "gas", Unit: "m³", Source: "csv", FileName: "gas.csv", Outbox: true}
	first := []Reading{
		{Time: at("2025-01-01T00:00:00+01:00"), Value: 100},
		{Time: at("2025-02-01T00:00:00+01:00"), Value: 150},
	}
	res, err := db.WriteReadings(ctx, b, first)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 2 || res.Updated != 0 || res.Duplicates != 0 {
		t.Fatalf("first import: %+v; want 2 written", res)
	}
	// The same file again: every row a duplicate, nothing changes, nothing
	// new is queued for InfluxDB.
	before, _ := db.OutboxCount(ctx)
	res, err = db.WriteReadings(ctx, b, first)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 0 || res.Updated != 0 || res.Duplicates != 2 {
		t.Fatalf("re-import: %+v; want 2 duplicates", res)
	}
	after, _ := db.OutboxCount(ctx)
	if before != 2 || after != 2 {
		t.Fatalf("outbox %d then %d; want 2 and 2", before, after)
	}
	// A corrected value replaces the old one (updated), a new instant is
	// written, and within one batch the later row for an instant wins.
	res, err = db.WriteReadings(ctx, b, []Reading{
		{Time: at("2025-02-01T00:00:00+01:00"), Value: 151},
		{Time: at("2025-03-01T00:00:00+01:00"), Value: 190},
		{Time: at("2025-03-01T00:00:00+01:00"), Value: 195},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 1 || res.Updated != 1 || res.Duplicates != 1 {
		t.Fatalf("corrections: %+v; want 1 written (the later of two rows for one instant), 1 updated, 1 duplicate", res)
	}
	rs, _ := db.Readings(ctx, "gas", time.Time{}, time.Time{})
	want := []float64{100, 151, 195}
	if len(rs) != len(want) {
		t.Fatalf("readings %v", rs)
	}
	for i, r := range rs {
		if r.Value != want[i] || r.Source != "csv" {
			t.Errorf("reading %d = %v %s; want %v csv", i, r.Value, r.Source, want[i])
		}
	}
	var batches, parsed, updated int
	if err := db.sql.QueryRow(`SELECT COUNT(*), SUM(parsed), SUM(updated) FROM import_batches`).Scan(&batches, &parsed, &updated); err != nil {
		t.Fatal(err)
	}
	// The all-duplicates re-import left no batch.
	if batches != 2 || parsed != 5 || updated != 1 {
		t.Fatalf("batches=%d parsed=%d updated=%d; want 2, 5, 1", batches, parsed, updated)
	}
}

func TestWriteReadingsDryRunWritesNothing(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.WriteReadings(ctx, Batch{Meter: "w", Source: "api", Outbox: true}, []Reading{{Time: at("2025-01-01T00:00:00Z"), Value: 5}}); err != nil {
		t.Fatal(err)
	}
	res, err := db.WriteReadings(ctx, Batch{Meter: "w", Source: "api", Outbox: true, DryRun: true}, []Reading{
		{Time: at("2025-01-01T00:00:00Z"), Value: 5},
		{Time: at("2025-01-02T00:00:00Z"), Value: 6},
		{Time: at("2025-01-01T00:00:00Z"), Value: 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 1 || res.Duplicates != 1 || res.Updated != 1 || res.BatchID != 0 {
		t.Fatalf("dry run result %+v; want written 1, duplicates 1, updated 1, no batch", res)
	}
	rs, _ := db.Readings(ctx, "w", time.Time{}, time.Time{})
	n, _ := db.OutboxCount(ctx)
	var batches int
	db.sql.QueryRow(`SELECT COUNT(*) FROM import_batches`).Scan(&batches)
	if len(rs) != 1 || rs[0].Value != 5 || n != 1 || batches != 1 {
		t.Fatalf("dry run changed the database: readings %v, outbox %d, batches %d", rs, n, batches)
	}
}

// TestDryRunTakesNoWriteLock: a preview while another import holds the
// write lock answers at once, with what the import would do, instead of
// waiting its turn (or failing after the busy timeout).
func TestDryRunTakesNoWriteLock(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.WriteReadings(ctx, Batch{Meter: "w", Source: "api"}, []Reading{{Time: at("2025-01-01T00:00:00Z"), Value: 5}}); err != nil {
		t.Fatal(err)
	}
	writer, err := db.sql.BeginTx(ctx, nil) // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback()
	done := make(chan error, 1)
	go func() {
		res, err := db.WriteReadings(ctx, Batch{Meter: "w", Source: "api", DryRun: true}, []Reading{
			{Time: at("2025-01-01T00:00:00Z"), Value: 5}, {Time: at("2025-01-03T00:00:00Z"), Value: 9},
		})
		if err == nil && (res.Written != 1 || res.Duplicates != 1) {
			err = fmt.Errorf("dry run %+v; want 1 written, 1 duplicate", res)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second): // the busy timeout is 5 s
		t.Fatal("the dry run waited for the writer's lock")
	}
}

func TestRawReadingLineLayout(t *testing.T) {
	got := RawReadingLine("m³", Reading{Meter: "gas_zahler", Time: at("2025-11-04T07:30:00+01:00"), Value: 4321.09, Source: "excel"})
	// docs/influxdb.md: <unit>,domain=meterd,entity_id=<meter id> value=<reading>,source="<src>" at seconds precision.
	want := `m³,domain=meterd,entity_id=gas_zahler source="excel",value=4321.09 1762237800` + "\n"
	if got != want {
		t.Fatalf("line\n got %q\nwant %q", got, want)
	}
}

// failingWriter accepts the first n writes, then fails.
type failingWriter struct {
	mu     sync.Mutex
	accept int
	got    map[string][]string
}

func (w *failingWriter) WriteLines(_ context.Context, bucket string, lines []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.accept == 0 {
		return errors.New("connection refused")
	}
	w.accept--
	if w.got == nil {
		w.got = map[string][]string{}
	}
	w.got[bucket] = append(w.got[bucket], lines...)
	return nil
}

func TestDeliverOutboxKeepsWhatFailed(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var rs []Reading
	for i := range 7 {
		rs = append(rs, Reading{Time: at("2025-01-01T00:00:00Z").Add(time.Duration(i) * time.Hour), Value: float64(i)})
	}
	if _, err := db.WriteReadings(ctx, Batch{Meter: "e", Unit: "kWh", Source: "api", Outbox: true}, rs); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(ctx, BucketProcessed, []string{"p v=1 1"}); err != nil {
		t.Fatal(err)
	}
	// Batches of 3: raw 0-2 accepted, raw 3-5 refused.
	w := &failingWriter{accept: 1}
	n, err := db.DeliverOutbox(ctx, w, 3)
	if err == nil || n != 3 {
		t.Fatalf("delivered %d, err %v; want 3 and an error", n, err)
	}
	left, _ := db.OutboxCount(ctx)
	if left != 5 {
		t.Fatalf("outbox holds %d; want 5 (4 raw + 1 processed)", left)
	}
	w.accept = 100
	n, err = db.DeliverOutbox(ctx, w, 3)
	if err != nil || n != 5 {
		t.Fatalf("second delivery %d, %v; want 5", n, err)
	}
	if len(w.got[BucketRaw]) != 7 || len(w.got[BucketProcessed]) != 1 {
		t.Fatalf("writer got raw %d, processed %d; want 7 and 1", len(w.got[BucketRaw]), len(w.got[BucketProcessed]))
	}
	for i, l := range w.got[BucketRaw] {
		// Delivered in the order they were queued.
		if !strings.Contains(l, "entity_id=e ") || !strings.Contains(l, "value="+string(rune('0'+i))) {
			t.Errorf("raw line %d = %q", i, l)
		}
	}
	if left, _ := db.OutboxCount(ctx); left != 0 {
		t.Fatalf("outbox holds %d after delivery; want 0", left)
	}
}

func TestConcurrentWritersDoNotLock(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				_, err := db.WriteReadings(ctx, Batch{Meter: "m", Source: "api", Outbox: true},
					[]Reading{{Time: at("2025-01-01T00:00:00Z").Add(time.Duration(g*100+i) * time.Minute), Value: float64(i)}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rs, _ := db.Readings(ctx, "m", time.Time{}, time.Time{})
	if len(rs) != 160 {
		t.Fatalf("%d readings; want 160", len(rs))
	}
}

func TestRunHistory(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	t0 := at("2025-01-01T02:00:00Z")
	id, err := db.StartRun(ctx, "daily_analysis", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, id, t0.Add(time.Second), nil, map[string]int{"days": 3}); err != nil {
		t.Fatal(err)
	}
	id2, _ := db.StartRun(ctx, "outbox_delivery", t0)
	db.FinishRun(ctx, id2, t0, errors.New("boom"), nil)
	// A run left running by a crash is closed as failed on the next start.
	db.StartRun(ctx, "daily_analysis", t0.Add(time.Hour))
	if err := db.FailInterruptedRuns(ctx, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(ctx, "daily_analysis", 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	if runs[0].Status != "failed" || !strings.Contains(runs[0].Error, "interrupted") {
		t.Errorf("newest run %+v; want failed as interrupted", runs[0])
	}
	if runs[1].Status != "ok" || string(runs[1].Details) != `{"days":3}` || runs[1].Finished == nil {
		t.Errorf("older run %+v", runs[1])
	}
	all, _ := db.Runs(ctx, "", 10)
	if len(all) != 3 || all[1].Error != "boom" {
		t.Errorf("all runs %+v", all)
	}
	if f, ok, _ := db.LastFailedRun(ctx, "outbox_delivery"); !ok || f.ID != id2 || f.Error != "boom" {
		t.Errorf("last failed outbox run %+v, %v", f, ok)
	}
	if f, ok, _ := db.LastFailedRun(ctx, "monthly_report"); ok {
		t.Errorf("a job that never ran has a failed run %+v", f)
	}
}

// TestErrorsSayWhatWasBeingDone: an error that leaves the store names the
// package and the operation, with the driver's cause still inside it.
func TestErrorsSayWhatWasBeingDone(t *testing.T) {
	db := openTest(t)
	db.Close()
	_, err := db.WriteReadings(context.Background(), Batch{Meter: "gas_total", Unit: "m³", Source: "api"},
		[]Reading{{Meter: "gas_total", Time: at("2025-11-04T07:30:00+01:00"), Value: 1}})
	if err == nil || !strings.HasPrefix(err.Error(), "store: save readings of gas_total: ") || !strings.Contains(err.Error(), "closed") {
		t.Errorf("write to a closed database: %v", err)
	}
	_, err = db.Readings(context.Background(), "wasser", time.Time{}, time.Time{})
	if err == nil || !strings.HasPrefix(err.Error(), "store: read readings of wasser: ") {
		t.Errorf("read from a closed database: %v", err)
	}
}

// TestImportThatChangesNothingLeavesNoRecord: a re-import of the same
// readings is all duplicates and adds no import batch.
func TestImportThatChangesNothingLeavesNoRecord(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	b := Batch{Meter: "wasser", Unit: "m³", Source: "csv", FileName: "w.csv"}
	rs := []Reading{{Meter: "wasser", Time: at("2025-01-01T00:00:00+01:00"), Value: 1}, {Meter: "wasser", Time: at("2025-02-01T00:00:00+01:00"), Value: 2}}
	first, err := db.WriteReadings(ctx, b, rs)
	if err != nil || first.Written != 2 || first.BatchID == 0 {
		t.Fatalf("first import: %+v %v", first, err)
	}
	again, err := db.WriteReadings(ctx, b, rs)
	if err != nil || again.Duplicates != 2 || again.BatchID != 0 {
		t.Fatalf("re-import: %+v %v; want 2 duplicates and no batch", again, err)
	}
	var n int
	if err := db.sql.QueryRow(`SELECT count(*) FROM import_batches`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d import records (%v); want 1", n, err)
	}
}

// TestEarliestWrittenSinceSeesRemovals: what the daily analysis must
// recompute includes readings that were removed (an undone import, a
// deleted reading), which leave no row with a write time behind.
func TestEarliestWrittenSinceSeesRemovals(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	clock := at("2025-03-01T12:00:00Z")
	db.Now = func() time.Time { return clock }
	first, err := db.WriteReadings(ctx, Batch{Meter: "w", Source: "api"}, []Reading{
		{Time: at("2025-01-10T00:00:00Z"), Value: 1}, {Time: at("2025-02-10T00:00:00Z"), Value: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	earliest := func(since time.Time) string {
		t.Helper()
		got, err := db.EarliestWrittenSince(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := got["w"]; ok {
			return w.Format(time.DateOnly)
		}
		return "none"
	}
	clock = at("2025-03-02T12:00:00Z")
	if _, err := db.WriteReadings(ctx, Batch{Meter: "w", Source: "api"}, []Reading{{Time: at("2025-03-01T00:00:00Z"), Value: 3}}); err != nil {
		t.Fatal(err)
	}
	if got := earliest(clock); got != "2025-03-01" {
		t.Errorf("after a new reading: %s; want 2025-03-01", got)
	}
	clock = at("2025-03-03T12:00:00Z")
	if _, err := db.Undo(ctx, first.BatchID, map[string]string{"w": "m³"}, false, false); err != nil {
		t.Fatal(err)
	}
	if got := earliest(clock); got != "2025-01-10" {
		t.Errorf("after undoing January's import: %s; want 2025-01-10", got)
	}
	clock = at("2025-03-04T12:00:00Z")
	if _, _, ok, err := db.DeleteReading(ctx, "w", "m³", at("2025-03-01T00:00:00Z"), false); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got := earliest(clock); got != "2025-03-01" {
		t.Errorf("after deleting March's reading: %s; want 2025-03-01", got)
	}
	if got := earliest(at("2025-03-05T00:00:00Z")); got != "none" {
		t.Errorf("nothing changed since: %s", got)
	}
}
