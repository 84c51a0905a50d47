package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// Run is one recorded job run.
type Run struct {
	ID       int64           `json:"id"`
	Job      string          `json:"job"`
	Started  time.Time       `json:"started"`
	Finished *time.Time      `json:"finished,omitempty"`
	Status   string          `json:"status"` // running, ok, failed
	Error    string          `json:"error,omitempty"`
	Details  json.RawMessage `json:"details"`
}

// StartRun records that job started at t and returns the run's id.
func (db *DB) StartRun(ctx context.Context, job string, t time.Time) (int64, error) {
	r, err := db.sql.ExecContext(ctx, `INSERT INTO job_runs (job, started_at, status) VALUES (?, ?, 'running')`, job, t.Unix())
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// FinishRun records a run's outcome; details is stored as JSON.
func (db *DB) FinishRun(ctx context.Context, id int64, t time.Time, runErr error, details any) error {
	status, msg := "ok", ""
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	if details == nil {
		details = struct{}{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return err
	}
	_, err = db.sql.ExecContext(ctx, `UPDATE job_runs SET finished_at = ?, status = ?, error = ?, details = ? WHERE id = ?`, t.Unix(), status, msg, string(b), id)
	return err
}

// Runs lists the latest runs, newest first, of job (all jobs if empty).
func (db *DB) Runs(ctx context.Context, job string, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, job, started_at, finished_at, status, error, details FROM job_runs
		WHERE (? = '' OR job = ?) ORDER BY id DESC LIMIT ?`, job, job, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started int64
		var finished sql.NullInt64
		var details string
		if err := rows.Scan(&r.ID, &r.Job, &started, &finished, &r.Status, &r.Error, &details); err != nil {
			return nil, err
		}
		r.Started = fromUnix(started)
		if finished.Valid {
			f := fromUnix(finished.Int64)
			r.Finished = &f
		}
		r.Details = json.RawMessage(details)
		out = append(out, r)
	}
	return out, rows.Err()
}

// FailInterruptedRuns marks runs left "running" by a process that died as
// failed, so the history never shows a run that will not finish.
func (db *DB) FailInterruptedRuns(ctx context.Context, t time.Time) error {
	_, err := db.sql.ExecContext(ctx, `UPDATE job_runs SET status = 'failed', finished_at = ?, error = 'interrupted: meterd stopped during the run' WHERE status = 'running'`, t.Unix())
	return err
}
