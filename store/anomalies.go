package store

import (
	"context"
	"database/sql"
	"errors"
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

// AnomalyEffects is what an anomaly event sets off, written in the same
// transaction as the event itself so that neither is lost without the other.
type AnomalyEffects struct {
	// AlertTargets are the keys of the webhooks that must hear of it.
	AlertTargets []string
	// Lines go to the processed bucket through the outbox (the
	// meter_anomaly series); nil without InfluxDB.
	Lines []string
}

// OpenAnomaly opens an anomaly for a.Meter and a.Rule unless one is open
// (an episode alerts once) and reports whether it opened one. Only a new
// episode sets off fx.
func (db *DB) OpenAnomaly(ctx context.Context, a Anomaly, fx AnomalyEffects) (opened bool, err error) {
	defer wrap(&err, "open the %s anomaly of %s", a.Rule, a.Meter)
	err = db.tx(ctx, func(tx *sql.Tx) error {
		now := db.Now().Unix()
		var end sql.NullInt64
		if a.End != nil {
			end = sql.NullInt64{Int64: a.End.Unix(), Valid: true}
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO anomalies (meter, rule, status, start_ts, end_ts, observed, expected, message, opened_at)
			VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			a.Meter, a.Rule, a.Start.Unix(), end, a.Observed, a.Expected, a.Message, now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // already open: the same episode
		}
		if err != nil {
			return err
		}
		opened = true
		if err := addAlerts(ctx, tx, id, "opened", fx.AlertTargets, now); err != nil {
			return err
		}
		return enqueue(ctx, tx, BucketProcessed, fx.Lines, now)
	})
	return opened, err
}

// ResolveAnomaly closes the open anomaly of meter and rule, if any, and
// queues its "resolved" alert for targets.
func (db *DB) ResolveAnomaly(ctx context.Context, meter, rule string, at time.Time, targets []string) (resolved bool, err error) {
	defer wrap(&err, "resolve the %s anomaly of %s", rule, meter)
	err = db.tx(ctx, func(tx *sql.Tx) error {
		now := db.Now().Unix()
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE anomalies SET status = 'resolved', end_ts = MAX(COALESCE(end_ts, start_ts), ?), resolved_at = ?
			WHERE meter = ? AND rule = ? AND status = 'open' RETURNING id`, at.Unix(), now, meter, rule).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		resolved = true
		return addAlerts(ctx, tx, id, "resolved", targets, now)
	})
	return resolved, err
}

func addAlerts(ctx context.Context, tx *sql.Tx, anomaly int64, event string, targets []string, now int64) error {
	for _, t := range targets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (anomaly_id, event, target, created_at) VALUES (?, ?, ?, ?)`, anomaly, event, t, now); err != nil {
			return err
		}
	}
	return nil
}

// PendingAlert is an alert not yet accepted by its webhook.
type PendingAlert struct {
	ID       int64
	Event    string // opened, resolved
	Target   string
	Created  time.Time
	Attempts int
	Anomaly  Anomaly
}

// PendingAlerts lists the alerts waiting to go out, oldest first.
func (db *DB) PendingAlerts(ctx context.Context) (_ []PendingAlert, err error) {
	defer wrap(&err, "read queued alerts")
	rows, err := db.sql.QueryContext(ctx, `SELECT al.id, al.event, al.target, al.created_at, al.attempts,
		a.id, a.meter, a.rule, a.status, a.start_ts, a.end_ts, a.observed, a.expected, a.message, a.opened_at, a.resolved_at
		FROM alerts al JOIN anomalies a ON a.id = al.anomaly_id ORDER BY al.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PendingAlert
	for rows.Next() {
		var p PendingAlert
		var created int64
		var a anomalyRow
		if err := rows.Scan(append([]any{&p.ID, &p.Event, &p.Target, &created, &p.Attempts}, a.dest()...)...); err != nil {
			return nil, err
		}
		p.Created, p.Anomaly = fromUnix(created), a.anomaly()
		out = append(out, p)
	}
	return out, rows.Err()
}

// AlertDelivered forgets an alert its webhook accepted.
func (db *DB) AlertDelivered(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "mark alert %d delivered", id)
	_, err = db.sql.ExecContext(ctx, `DELETE FROM alerts WHERE id = ?`, id)
	return err
}

// AlertFailed counts a failed attempt; the alert stays queued.
func (db *DB) AlertFailed(ctx context.Context, id int64, msg string) (err error) {
	defer wrap(&err, "record a failed try of alert %d", id)
	_, err = db.sql.ExecContext(ctx, `UPDATE alerts SET attempts = attempts + 1, last_error = ? WHERE id = ?`, msg, id)
	return err
}

// OpenAnomalyCounts counts open anomalies by rule.
func (db *DB) OpenAnomalyCounts(ctx context.Context) (_ map[string]int, err error) {
	defer wrap(&err, "count open anomalies")
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
func (db *DB) Anomalies(ctx context.Context, status, meter string, limit int) (_ []Anomaly, err error) {
	defer wrap(&err, "read anomalies")
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
		var a anomalyRow
		if err := rows.Scan(a.dest()...); err != nil {
			return nil, err
		}
		out = append(out, a.anomaly())
	}
	return out, rows.Err()
}

// anomalyRow scans the columns id, meter, rule, status, start_ts, end_ts,
// observed, expected, message, opened_at, resolved_at.
type anomalyRow struct {
	a                  Anomaly
	start, opened      int64
	end, resolved      sql.NullInt64
	observed, expected sql.NullFloat64
}

func (r *anomalyRow) dest() []any {
	return []any{&r.a.ID, &r.a.Meter, &r.a.Rule, &r.a.Status, &r.start, &r.end, &r.observed, &r.expected, &r.a.Message, &r.opened, &r.resolved}
}

func (r *anomalyRow) anomaly() Anomaly {
	a := r.a
	a.Start, a.Opened = fromUnix(r.start), fromUnix(r.opened)
	a.End, a.Resolved = optTime(r.end), optTime(r.resolved)
	a.Observed, a.Expected = optFloat(r.observed), optFloat(r.expected)
	return a
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
