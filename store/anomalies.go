package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Anomaly is one episode of a rule firing for a meter.
type Anomaly struct {
	ID       int64
	Meter    string
	Rule     string
	Status   string // open, resolved
	Start    time.Time
	End      *time.Time
	Observed *float64
	Expected *float64
	Message  string
	Opened   time.Time
	Resolved *time.Time
}

// OpenAnomaly opens an anomaly for meter and rule unless one is open; it
// reports whether it opened one (an episode alerts once).
func (db *DB) OpenAnomaly(ctx context.Context, meter, rule, message string, at time.Time) (bool, error) {
	r, err := db.sql.ExecContext(ctx, `INSERT INTO anomalies (meter, rule, status, start_ts, message, opened_at) VALUES (?, ?, 'open', ?, ?, ?)
		ON CONFLICT DO NOTHING`, meter, rule, at.Unix(), message, db.Now().Unix())
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// ResolveAnomaly closes the open anomaly of meter and rule, if any.
func (db *DB) ResolveAnomaly(ctx context.Context, meter, rule string, at time.Time) (bool, error) {
	r, err := db.sql.ExecContext(ctx, `UPDATE anomalies SET status = 'resolved', end_ts = ?, resolved_at = ? WHERE meter = ? AND rule = ? AND status = 'open'`,
		at.Unix(), db.Now().Unix(), meter, rule)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// OpenAnomalyCounts counts open anomalies by rule.
func (db *DB) OpenAnomalyCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT rule, COUNT(*) FROM anomalies WHERE status = 'open' GROUP BY rule`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var rule string
		var n int
		if err := rows.Scan(&rule, &n); err != nil {
			return nil, err
		}
		out[rule] = n
	}
	return out, rows.Err()
}

// Anomalies lists anomalies, newest first: those with status (open,
// resolved; all if empty) and of meter (all if empty), at most limit.
func (db *DB) Anomalies(ctx context.Context, status, meter string, limit int) ([]Anomaly, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, meter, rule, status, start_ts, end_ts, observed, expected, message, opened_at, resolved_at
		FROM anomalies WHERE (? = '' OR status = ?) AND (? = '' OR meter = ?) ORDER BY opened_at DESC, id DESC LIMIT ?`,
		status, status, meter, meter, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Anomaly
	for rows.Next() {
		var a Anomaly
		var start, opened int64
		var end, resolved sql.NullInt64
		var observed, expected sql.NullFloat64
		if err := rows.Scan(&a.ID, &a.Meter, &a.Rule, &a.Status, &start, &end, &observed, &expected, &a.Message, &opened, &resolved); err != nil {
			return nil, fmt.Errorf("read anomalies: %w", err)
		}
		a.Start, a.Opened = fromUnix(start), fromUnix(opened)
		a.End, a.Resolved = optTime(end), optTime(resolved)
		a.Observed, a.Expected = optFloat(observed), optFloat(expected)
		out = append(out, a)
	}
	return out, rows.Err()
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromUnix(v.Int64)
	return &t
}

func optFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}
