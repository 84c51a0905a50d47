package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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

// Enqueue queues lines for a bucket on their own (not tied to a reading),
// e.g. processed series.
func (db *DB) Enqueue(ctx context.Context, bucket string, lines []string) (err error) {
	defer wrap(&err, "queue %d points for %s", len(lines), bucket)
	return db.tx(ctx, func(tx *sql.Tx) error { return enqueue(ctx, tx, bucket, lines, db.Now().Unix()) })
}

func enqueue(ctx context.Context, tx *sql.Tx, bucket string, lines []string, now int64) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO outbox (bucket, line, created_at) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, l := range lines {
		if _, err := st.ExecContext(ctx, bucket, l, now); err != nil {
			return err
		}
	}
	return nil
}

// OutboxCount is the number of points not yet delivered.
func (db *DB) OutboxCount(ctx context.Context) (_ int64, err error) {
	defer wrap(&err, "count the outbox")
	var n int64
	err = db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, err
}

// DeliverOutbox sends queued points in batches of up to batchSize, oldest
// first, deleting each batch only after w accepted it. It stops at the first
// failure, leaving that batch and everything after it queued: delivery is at
// least once, and since a point with the same series and timestamp
// overwrites itself in InfluxDB, a batch sent twice still leaves one point.
func (db *DB) DeliverOutbox(ctx context.Context, w LineWriter, batchSize int) (delivered int, err error) {
	defer wrap(&err, "deliver the outbox")
	for {
		n, err := db.deliverBatch(ctx, w, batchSize)
		delivered += n
		if err != nil || n == 0 {
			return delivered, err
		}
	}
}

func (db *DB) deliverBatch(ctx context.Context, w LineWriter, batchSize int) (int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, bucket, line FROM outbox ORDER BY id LIMIT ?`, batchSize)
	if err != nil {
		return 0, err
	}
	type group struct {
		ids   []int64
		lines []string
	}
	groups := map[string]*group{}
	var order []string
	for rows.Next() {
		var id int64
		var bucket, line string
		if err := rows.Scan(&id, &bucket, &line); err != nil {
			rows.Close()
			return 0, err
		}
		g, ok := groups[bucket]
		if !ok {
			g = &group{}
			groups[bucket] = g
			order = append(order, bucket)
		}
		g.ids = append(g.ids, id)
		g.lines = append(g.lines, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, bucket := range order {
		g := groups[bucket]
		if err := w.WriteLines(ctx, bucket, g.lines); err != nil {
			return n, err
		}
		if err := db.deleteOutbox(ctx, g.ids); err != nil {
			return n, fmt.Errorf("outbox: delivered %d points but could not mark them (they will be sent again, harmlessly): %w", len(g.ids), err)
		}
		n += len(g.ids)
	}
	return n, nil
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
