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
func (db *DB) StartRun(ctx context.Context, job string, t time.Time) (_ int64, err error) {
	defer wrap(&err, "start a run of %s", job)
	r, err := db.sql.ExecContext(ctx, `INSERT INTO job_runs (job, started_at, status) VALUES (?, ?, 'running')`, job, t.Unix())
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// FinishRun records a run's outcome; details is stored as JSON.
func (db *DB) FinishRun(ctx context.Context, id int64, t time.Time, runErr error, details any) (err error) {
	defer wrap(&err, "finish run %d", id)
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
func (db *DB) Runs(ctx context.Context, job string, limit int) (_ []Run, err error) {
	defer wrap(&err, "read runs")
	if limit <= 0 {
		limit = 50
	}
	return db.runs(ctx, `WHERE (? = '' OR job = ?) ORDER BY id DESC LIMIT ?`, job, job, limit)
}

// LastFailedRun is job's latest failed run; ok is false if none failed.
func (db *DB) LastFailedRun(ctx context.Context, job string) (r Run, ok bool, err error) {
	defer wrap(&err, "read the last failed run of %s", job)
	runs, err := db.runs(ctx, `WHERE job = ? AND status = 'failed' ORDER BY id DESC LIMIT 1`, job)
	if err != nil || len(runs) == 0 {
		return Run{}, false, err
	}
	return runs[0], true, nil
}

func (db *DB) runs(ctx context.Context, where string, args ...any) ([]Run, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, job, started_at, finished_at, status, error, details FROM job_runs `+where, args...)
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
		r.Started, r.Finished = fromUnix(started), optTime(finished)
		r.Details = json.RawMessage(details)
		out = append(out, r)
	}
	return out, rows.Err()
}

// FailInterruptedRuns marks runs left "running" by a process that died as
// failed, so the history never shows a run that will not finish.
func (db *DB) FailInterruptedRuns(ctx context.Context, t time.Time) (err error) {
	defer wrap(&err, "mark interrupted runs failed")
	_, err = db.sql.ExecContext(ctx, `UPDATE job_runs SET status = 'failed', finished_at = ?, error = 'interrupted: meterd stopped during the run' WHERE status = 'running'`, t.Unix())
	return err
}

// LastSuccess is when job last started a run that ended ok; zero if never.
func (db *DB) LastSuccess(ctx context.Context, job string) (_ time.Time, err error) {
	defer wrap(&err, "read the last success of %s", job)
	var ts sql.NullInt64
	err = db.sql.QueryRowContext(ctx, `SELECT MAX(started_at) FROM job_runs WHERE job = ? AND status = 'ok'`, job).Scan(&ts)
	if err != nil || !ts.Valid {
		return time.Time{}, err
	}
	return fromUnix(ts.Int64), nil
}

// SaveMonthlyReport stores (replacing) one meter's report for a month.
func (db *DB) SaveMonthlyReport(ctx context.Context, month, meter string, data []byte) (err error) {
	defer wrap(&err, "save the %s report of %s", month, meter)
	_, err = db.sql.ExecContext(ctx, `INSERT INTO monthly_reports (month, meter, data, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (month, meter) DO UPDATE SET data = excluded.data, created_at = excluded.created_at`, month, meter, string(data), db.Now().Unix())
	return err
}

// MonthlyReport returns the stored reports of a month, by meter, and when
// they were made; empty if none.
func (db *DB) MonthlyReport(ctx context.Context, month string) (_ map[string]json.RawMessage, _ time.Time, err error) {
	defer wrap(&err, "read the %s report", month)
	rows, err := db.sql.QueryContext(ctx, `SELECT meter, data, created_at FROM monthly_reports WHERE month = ?`, month)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	out := map[string]json.RawMessage{}
	var created int64
	for rows.Next() {
		var meter, data string
		if err := rows.Scan(&meter, &data, &created); err != nil {
			return nil, time.Time{}, err
		}
		out[meter] = json.RawMessage(data)
	}
	return out, fromUnix(created), rows.Err()
}
