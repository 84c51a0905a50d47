package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// acceptingWriter takes every line, as a healthy InfluxDB does.
type acceptingWriter struct{ n int }

func (w *acceptingWriter) WriteLines(_ context.Context, _ string, lines []string) error {
	w.n += len(lines)
	return nil
}

// fileSize is the database with its write-ahead log.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	return total
}

// TestDeliveredOutboxGivesItsSpaceBack: a year of quarter-hour readings
// written with InfluxDB enabled queues a copy of each for delivery; once
// delivered and reclaimed (as the delivery job does), the database is at most 1.2 times the size of the same
// readings written without InfluxDB, instead of keeping the queue's pages.
func TestDeliveredOutboxGivesItsSpaceBack(t *testing.T) {
	ctx := context.Background()
	var rs []Reading
	start := at("2025-01-01T00:00:00Z")
	for i := range 35040 {
		rs = append(rs, Reading{Time: start.Add(time.Duration(i) * 15 * time.Minute), Value: 1000 + float64(i)*0.25})
	}
	write := func(outbox bool) (*DB, string) {
		path := filepath.Join(t.TempDir(), "meterd.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.WriteReadings(ctx, Batch{Meter: "strom", Unit: "kWh", Source: "excel", Outbox: outbox}, rs); err != nil {
			t.Fatal(err)
		}
		return db, path
	}
	plainDB, plain := write(false)
	plainDB.sql.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	db, queued := write(true)
	var mode int
	if db.sql.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); mode != 2 {
		t.Errorf("a new database has auto_vacuum %d; want incremental (2)", mode)
	}
	before := fileSize(t, queued)
	w := &acceptingWriter{}
	if n, err := db.DeliverOutbox(ctx, w, 5000); err != nil || n != len(rs) || w.n != len(rs) {
		t.Fatalf("delivered %d (writer saw %d): %v", n, w.n, err)
	}
	if err := db.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
	after, without := fileSize(t, queued), fileSize(t, plain)
	t.Logf("without InfluxDB %d bytes; with, queued %d, delivered %d", without, before, after)
	if before < without*3/2 {
		t.Fatalf("the queue took only %d bytes beyond %d: the test shows nothing", before-without, without)
	}
	if after*10 > without*12 {
		t.Errorf("after delivery the database is %d bytes, %.2f times the %d without InfluxDB", after, float64(after)/float64(without), without)
	}
}

// TestOldDatabaseIsConvertedOnce: a database made without incremental
// auto-vacuum (as meterd made them before) is converted after the first
// delivery that leaves a quarter of it free, and shrinks.
func TestOldDatabaseIsConvertedOnce(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// Make it as an old meterd did: no auto-vacuum.
	if _, err := db.sql.ExecContext(ctx, `PRAGMA auto_vacuum = NONE`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM`); err != nil {
		t.Fatal(err)
	}
	var mode int
	db.sql.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode)
	if mode != 0 {
		t.Fatalf("auto_vacuum %d; the test needs an old database", mode)
	}
	var rs []Reading
	for i := range 20000 {
		rs = append(rs, Reading{Time: at("2025-01-01T00:00:00Z").Add(time.Duration(i) * time.Hour), Value: float64(i)})
	}
	if _, err := db.WriteReadings(ctx, Batch{Meter: "strom", Unit: "kWh", Source: "excel", Outbox: true}, rs); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeliverOutbox(ctx, &acceptingWriter{}, 5000); err != nil {
		t.Fatal(err)
	}
	if err := db.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
	var free int
	db.sql.QueryRowContext(ctx, `SELECT * FROM pragma_auto_vacuum, pragma_freelist_count`).Scan(&mode, &free)
	if mode != 2 || free != 0 {
		t.Errorf("after delivery auto_vacuum %d with %d free pages; want incremental (2) and none free", mode, free)
	}
}
