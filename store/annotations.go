package store

import (
	"context"
	"database/sql"
	"time"
)

// Annotation is a person's note on a meter (or the household, Meter
// empty) at an instant or over an interval [Start, End].
type Annotation struct {
	ID      int64
	Meter   string
	Start   time.Time
	End     *time.Time
	Text    string
	Created time.Time
}

// AddAnnotation stores a and returns it with its id and creation time;
// with outbox, its point for Grafana (AnnotationLine) is queued in the same
// transaction.
func (db *DB) AddAnnotation(ctx context.Context, a Annotation, outbox bool) (_ Annotation, err error) {
	defer wrap(&err, "save an annotation")
	a.Created = db.Now().Truncate(time.Second).UTC()
	var end sql.NullInt64
	if a.End != nil {
		end = sql.NullInt64{Int64: a.End.Unix(), Valid: true}
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO annotations (meter, start_ts, end_ts, text, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.Meter, a.Start.Unix(), end, a.Text, a.Created.Unix())
		if err != nil {
			return err
		}
		if a.ID, err = r.LastInsertId(); err != nil || !outbox {
			return err
		}
		return enqueue(ctx, tx, BucketProcessed, []string{AnnotationLine(a)}, a.Created.Unix())
	})
	return a, err
}

// Annotations lists the notes that touch [from, to) (a zero bound is
// open), oldest first. A meter filter also returns the household's notes:
// a note on the whole house (a holiday, a new tenant) explains every
// meter's curve.
func (db *DB) Annotations(ctx context.Context, meter string, from, to time.Time) (_ []Annotation, err error) {
	defer wrap(&err, "read annotations")
	lo, hi := unixBounds(from, to)
	rows, err := db.sql.QueryContext(ctx, `SELECT id, meter, start_ts, end_ts, text, created_at FROM annotations
		WHERE (? = '' OR meter = ? OR meter = '') AND start_ts < ? AND COALESCE(end_ts, start_ts) >= ?
		ORDER BY start_ts, id`, meter, meter, hi, lo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Annotation
	for rows.Next() {
		var a Annotation
		var start, created int64
		var end sql.NullInt64
		if err := rows.Scan(&a.ID, &a.Meter, &start, &end, &a.Text, &created); err != nil {
			return nil, err
		}
		a.Start, a.End, a.Created = fromUnix(start), optTime(end), fromUnix(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// DeleteAnnotation removes a note; false if there was none with that id.
// With outbox, its point leaves InfluxDB too.
func (db *DB) DeleteAnnotation(ctx context.Context, id int64, outbox bool) (_ bool, err error) {
	defer wrap(&err, "delete annotation %d", id)
	var n int64
	err = db.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM annotations WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err = r.RowsAffected(); err != nil || n == 0 || !outbox {
			return err
		}
		return enqueueOp(ctx, tx, BucketProcessed, opDelete, annotationDelete(id), db.Now().Unix())
	})
	return n > 0, err
}
