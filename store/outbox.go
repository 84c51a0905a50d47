package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Logical bucket names of the outbox; the configuration maps them to real
// InfluxDB buckets at delivery time.
const (
	BucketRaw       = "raw"
	BucketProcessed = "processed"
)

// LineWriter writes line-protocol points to a logical bucket and returns nil
// only when InfluxDB accepted them (2xx).
type LineWriter interface {
	WriteLines(ctx context.Context, bucket string, lines []string) error
}

// PointDeleter removes points from a logical bucket with InfluxQL DELETE
// statements (an undone import, a deleted reading).
type PointDeleter interface {
	DeletePoints(ctx context.Context, bucket string, statements []string) error
}

// Enqueue queues lines for a bucket on their own (not tied to a reading),
// e.g. processed series.
func (db *DB) Enqueue(ctx context.Context, bucket string, lines []string) (err error) {
	defer wrap(&err, "queue %d points for %s", len(lines), bucket)
	return db.tx(ctx, func(tx *sql.Tx) error { return enqueue(ctx, tx, bucket, lines, db.Now().Unix()) })
}

func enqueue(ctx context.Context, tx *sql.Tx, bucket string, lines []string, now int64) error {
	return insertMany(ctx, tx, "outbox", []string{"bucket", "created_at", "line"}, []any{bucket, now}, "", len(lines),
		func(i int, dst []any) []any { return append(dst, lines[i]) })
}

// OutboxCount is the number of points not yet delivered.
func (db *DB) OutboxCount(ctx context.Context) (_ int64, err error) {
	defer wrap(&err, "count the outbox")
	var n int64
	err = db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, err
}

// DeliverOutbox sends queued points in batches of up to batchSize, oldest
// first, deleting each batch only after w accepted it. A failure that
// retrying can fix (InfluxDB away, a timeout, a wrong token, a rate limit)
// stops delivery, leaving that batch and everything after it queued:
// delivery is at least once, and since a point with the same series and
// timestamp overwrites itself in InfluxDB, a batch sent twice still leaves
// one point. A batch InfluxDB refuses for what is in it (a *RefusedError)
// is split until the refused points are found; those are set aside in
// outbox_dead with InfluxDB's reason, and the rest is delivered in order.
// DeadPoints says how many there are.
func (db *DB) DeliverOutbox(ctx context.Context, w LineWriter, batchSize int) (delivered int, err error) {
	defer wrap(&err, "deliver the outbox")
	for {
		n, d, err := db.deliverBatch(ctx, w, batchSize)
		delivered += n
		if err != nil || n+d == 0 {
			return delivered, err
		}
	}
}

// Reclaim gives the pages that delivered outbox rows left free back to the
// file system, and shrinks the write-ahead log; run it after a delivery
// that sent points: a queue of a year's
// readings would otherwise leave the database file twice the size of its
// data for good. A database made before meterd set incremental
// auto-vacuum is converted once, by a full VACUUM, when a quarter of it
// is free.
func (db *DB) Reclaim(ctx context.Context) (err error) {
	defer wrap(&err, "give free pages back")
	var mode, free, pages int64
	if err := db.sql.QueryRowContext(ctx, `SELECT * FROM pragma_auto_vacuum, pragma_freelist_count, pragma_page_count`).Scan(&mode, &free, &pages); err != nil {
		return err
	}
	switch {
	case mode == 2: // incremental
		if _, err := db.sql.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
			return err
		}
	case free*4 >= pages:
		conn, err := db.sql.Conn(ctx) // the pragma holds for its connection only
		if err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`)
		if err == nil {
			_, err = conn.ExecContext(ctx, `VACUUM`)
		}
		if err := errors.Join(err, conn.Close()); err != nil {
			return err
		}
	}
	// A reader may keep the log from being truncated; the next
	// delivery tries again, so the result does not matter.
	_, err = db.sql.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// DeadPoints counts the points set aside, and those set aside since since;
// reason is the newest one's.
func (db *DB) DeadPoints(ctx context.Context, since time.Time) (total, recent int64, reason string, err error) {
	defer wrap(&err, "count refused points")
	err = db.sql.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE dead_at >= ?), COALESCE((SELECT reason FROM outbox_dead ORDER BY id DESC LIMIT 1), '') FROM outbox_dead`,
		since.Unix()).Scan(&total, &recent, &reason)
	return total, recent, reason, err
}

// queued is a run of outbox entries of one bucket and operation, in id
// order.
type queued struct {
	bucket, op string
	ids        []int64
	lines      []string
	added      []int64 // created_at
}

// deliverBatch sends the oldest batchSize entries as runs of one bucket and
// operation each, in order: a point written, deleted and written again ends
// as the last write.
func (db *DB) deliverBatch(ctx context.Context, w LineWriter, batchSize int) (delivered, dead int, err error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, bucket, op, line, created_at FROM outbox ORDER BY id LIMIT ?`, batchSize)
	if err != nil {
		return 0, 0, err
	}
	var runs []*queued
	for rows.Next() {
		var id, added int64
		var bucket, op, line string
		if err := rows.Scan(&id, &bucket, &op, &line, &added); err != nil {
			rows.Close()
			return 0, 0, err
		}
		if len(runs) == 0 || runs[len(runs)-1].bucket != bucket || runs[len(runs)-1].op != op {
			runs = append(runs, &queued{bucket: bucket, op: op})
		}
		g := runs[len(runs)-1]
		g.ids = append(g.ids, id)
		g.lines = append(g.lines, line)
		g.added = append(g.added, added)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	for _, run := range runs {
		n, d, err := db.deliver(ctx, w, *run)
		delivered, dead = delivered+n, dead+d
		if err != nil {
			return delivered, dead, err
		}
	}
	return delivered, dead, nil
}

// send performs one run: writes, or deletes where w can delete.
func send(ctx context.Context, w LineWriter, q queued) error {
	if q.op != opDelete {
		return w.WriteLines(ctx, q.bucket, q.lines)
	}
	d, ok := w.(PointDeleter)
	if !ok {
		return errors.New("outbox: this InfluxDB client cannot delete points")
	}
	return d.DeletePoints(ctx, q.bucket, q.lines)
}

// deliver writes q; when InfluxDB refuses it for what is in it, each half
// is tried in order, down to the single points to set aside.
func (db *DB) deliver(ctx context.Context, w LineWriter, q queued) (delivered, dead int, err error) {
	err = send(ctx, w, q)
	var refused *RefusedError
	switch {
	case err == nil:
		if err := db.deleteOutbox(ctx, q.ids); err != nil {
			return 0, 0, fmt.Errorf("outbox: delivered %d points but could not mark them (they will be sent again, harmlessly): %w", len(q.ids), err)
		}
		return len(q.ids), 0, nil
	case !errors.As(err, &refused):
		return 0, 0, err
	case len(q.ids) == 1:
		if err := db.setAside(ctx, q, refused.Reason); err != nil {
			return 0, 0, err
		}
		return 0, 1, nil
	}
	half := len(q.ids) / 2
	for _, part := range []queued{
		{q.bucket, q.op, q.ids[:half], q.lines[:half], q.added[:half]},
		{q.bucket, q.op, q.ids[half:], q.lines[half:], q.added[half:]},
	} {
		n, d, err := db.deliver(ctx, w, part)
		delivered, dead = delivered+n, dead+d
		if err != nil {
			return delivered, dead, err
		}
	}
	return delivered, dead, nil
}

// setAside moves one refused point from the outbox to outbox_dead.
func (db *DB) setAside(ctx context.Context, q queued, reason string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_dead (bucket, op, line, reason, created_at, dead_at) VALUES (?, ?, ?, ?, ?, ?)`,
			q.bucket, q.op, q.lines[0], reason, q.added[0], db.Now().Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, q.ids[0])
		return err
	})
}

func (db *DB) deleteOutbox(ctx context.Context, ids []int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		// Chunks stay below SQLite's limit on bound parameters.
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			q := `DELETE FROM outbox WHERE id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
}
