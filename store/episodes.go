package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// EpisodeOp is one change to a rule's episodes that judging periods found.
type EpisodeOp struct {
	Kind EpisodeKind
	// Anomaly is the new episode (Open). With Over set it has ended within
	// the judged periods already: it is stored resolved, its End the end
	// of its last firing period, with one alert that says so.
	Anomaly Anomaly
	Over    bool
	// At is when the open episode's condition ended (Resolve) or its new
	// end (Extend).
	At time.Time
}

// EpisodeKind says what an EpisodeOp does.
type EpisodeKind int

// The changes judging can make to a rule's episodes.
const (
	EpisodeOpen    EpisodeKind = iota // a new episode
	EpisodeResolve                    // the open episode ended
	EpisodeExtend                     // the open episode goes on
)

// EventOpenedResolved is the alert of an episode found already over.
const EventOpenedResolved = "opened_resolved"

// OpenAnomalyOf returns meter's open anomaly of rule, if there is one.
func (db *DB) OpenAnomalyOf(ctx context.Context, meter, rule string) (a Anomaly, ok bool, err error) {
	defer wrap(&err, "read the open %s anomaly of %s", rule, meter)
	as, err := db.Anomalies(ctx, "open", meter, 1000)
	if err != nil {
		return Anomaly{}, false, err
	}
	for _, x := range as {
		if x.Rule == rule {
			return x, true, nil
		}
	}
	return Anomaly{}, false, nil
}

// Judged returns which of periods rule has judged for meter.
func (db *DB) Judged(ctx context.Context, meter, rule string, periods []string) (_ map[string]bool, err error) {
	defer wrap(&err, "read what %s judged for %s", rule, meter)
	out := map[string]bool{}
	if len(periods) == 0 {
		return out, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT period FROM judged WHERE meter = ? AND rule = ? AND period >= ? AND period <= ?`,
		meter, rule, periods[0], periods[len(periods)-1])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out[p] = true
	}
	return out, rows.Err()
}

// JudgeEpisodes records, in one transaction, that rule judged periods for
// meter and the changes to its episodes that came of it, with their alerts
// for targets and, for new episodes, lines (the meter_anomaly points) for
// the processed bucket. It returns how many episodes opened and resolved.
func (db *DB) JudgeEpisodes(ctx context.Context, meter, rule string, periods []string, ops []EpisodeOp, targets []string, lines func(Anomaly) []string) (opened, resolved int, err error) {
	defer wrap(&err, "record what %s judged for %s", rule, meter)
	err = db.tx(ctx, func(tx *sql.Tx) error {
		opened, resolved = 0, 0
		now := db.Now().Unix()
		for _, op := range ops {
			switch op.Kind {
			case EpisodeOpen:
				an := op.Anomaly
				var end sql.NullInt64
				if an.End != nil {
					end = sql.NullInt64{Int64: an.End.Unix(), Valid: true}
				}
				status, resolvedAt, event := "open", sql.NullInt64{}, "opened"
				if op.Over {
					status, resolvedAt, event = "resolved", sql.NullInt64{Int64: now, Valid: true}, EventOpenedResolved
				}
				var id int64
				err := tx.QueryRowContext(ctx, `INSERT INTO anomalies (meter, rule, status, start_ts, end_ts, observed, expected, message, opened_at, resolved_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
					meter, rule, status, an.Start.Unix(), end, an.Observed, an.Expected, an.Message, now, resolvedAt).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					continue // one is open already: the same episode
				}
				if err != nil {
					return err
				}
				opened++
				if op.Over {
					resolved++
				}
				if err := addAlerts(ctx, tx, id, event, targets, now); err != nil {
					return err
				}
				if lines != nil {
					if err := enqueue(ctx, tx, BucketProcessed, lines(an), now); err != nil {
						return err
					}
				}
			case EpisodeResolve:
				var id int64
				err := tx.QueryRowContext(ctx, `UPDATE anomalies SET status = 'resolved', end_ts = MAX(COALESCE(end_ts, start_ts), ?), resolved_at = ?
					WHERE meter = ? AND rule = ? AND status = 'open' RETURNING id`, op.At.Unix(), now, meter, rule).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
				if err != nil {
					return err
				}
				resolved++
				if err := addAlerts(ctx, tx, id, "resolved", targets, now); err != nil {
					return err
				}
			case EpisodeExtend:
				if _, err := tx.ExecContext(ctx, `UPDATE anomalies SET end_ts = MAX(COALESCE(end_ts, start_ts), ?) WHERE meter = ? AND rule = ? AND status = 'open'`,
					op.At.Unix(), meter, rule); err != nil {
					return err
				}
			}
		}
		for _, p := range periods {
			if _, err := tx.ExecContext(ctx, `INSERT INTO judged (meter, rule, period, judged_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, meter, rule, p, now); err != nil {
				return err
			}
		}
		return nil
	})
	return opened, resolved, err
}
