package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meterd/meterd/fault"
)

// Import is one recorded import (a file, an API request, a Home Assistant
// push, a deletion) and what it did.
type Import struct {
	ID       int64
	Time     time.Time
	Source   string // the readings' source: excel, csv, api, homeassistant, tibber
	Via      string // how it came: upload, api, cli, homeassistant, tibber, delete
	Meter    string
	File     string
	Written  int
	Updated  int
	Undone   *time.Time
	Readings int // readings it changed
}

// Imports lists imports, newest first: of meter (all if empty), at most
// limit.
func (db *DB) Imports(ctx context.Context, meter string, limit int) (_ []Import, err error) {
	defer wrap(&err, "read imports")
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, created_at, source, via, meter, file_name, written, updated, undone_at FROM import_batches
		WHERE (? = '' OR meter = ?) ORDER BY id DESC LIMIT ?`, meter, meter, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		var im Import
		var at int64
		var undone sql.NullInt64
		if err := rows.Scan(&im.ID, &at, &im.Source, &im.Via, &im.Meter, &im.File, &im.Written, &im.Updated, &undone); err != nil {
			return nil, err
		}
		im.Time = fromUnix(at)
		if undone.Valid {
			t := fromUnix(undone.Int64)
			im.Undone = &t
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// UndoResult is what undoing an import did (or, in a dry run, would do).
type UndoResult struct {
	Import   Import
	Removed  []Reading // readings the import had written, removed
	Restored []Reading // readings it had replaced, back as they were
}

// Undo removes what import id wrote and restores what it replaced, in one
// transaction, queuing the changes for InfluxDB (a delete, or the old value
// written again). It refuses, as a Conflict naming it, when a later import
// that is not undone changed one of the same readings: that one must be
// undone first. units gives each meter's unit, the measurement of its raw
// points. A dry run changes nothing.
func (db *DB) Undo(ctx context.Context, id int64, units map[string]string, outbox, dryRun bool) (_ UndoResult, err error) {
	defer wrap(&err, "undo import %d", id)
	var res UndoResult
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res = UndoResult{}
		var at int64
		var undone sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, created_at, source, via, meter, file_name, written, updated, undone_at FROM import_batches WHERE id = ?`, id).
			Scan(&res.Import.ID, &at, &res.Import.Source, &res.Import.Via, &res.Import.Meter, &res.Import.File, &res.Import.Written, &res.Import.Updated, &undone)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "undo.no_import", id)
		}
		if err != nil {
			return err
		}
		res.Import.Time = fromUnix(at)
		if undone.Valid {
			return fault.New(fault.Conflict, "undo.already", id, fromUnix(undone.Int64).Format(time.RFC3339))
		}
		later, err := laterChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if later != 0 {
			return fault.New(fault.Conflict, "undo.later_import", int(later), id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT meter, ts, old_value, old_source, old_batch FROM import_changes WHERE batch_id = ? ORDER BY meter, ts`, id)
		if err != nil {
			return err
		}
		type change struct {
			meter     string
			ts        int64
			old       sql.NullFloat64
			oldSource sql.NullString
			oldBatch  sql.NullInt64
		}
		var changes []change
		for rows.Next() {
			var c change
			if err := rows.Scan(&c.meter, &c.ts, &c.old, &c.oldSource, &c.oldBatch); err != nil {
				rows.Close()
				return err
			}
			changes = append(changes, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.Now().Unix()
		// A restored reading may be inserted anew (the import had deleted
		// it), which no trigger notices. An import is of one meter.
		if err := dropSeries(ctx, tx, res.Import.Meter); err != nil {
			return err
		}
		for _, c := range changes {
			r := Reading{Meter: c.meter, Time: fromUnix(c.ts)}
			if !c.old.Valid {
				if _, err := tx.ExecContext(ctx, `DELETE FROM readings WHERE meter = ? AND ts = ?`, c.meter, c.ts); err != nil {
					return err
				}
				res.Removed = append(res.Removed, r)
				if outbox {
					if err := enqueueOp(ctx, tx, BucketRaw, opDelete, deleteStatement(units[c.meter], r), now); err != nil {
						return err
					}
				}
				continue
			}
			r.Value, r.Source = c.old.Float64, c.oldSource.String
			if _, err := tx.ExecContext(ctx, `INSERT INTO readings (meter, ts, value, source, batch_id, written_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (meter, ts) DO UPDATE SET value = excluded.value, source = excluded.source, batch_id = excluded.batch_id, written_at = excluded.written_at`,
				c.meter, c.ts, r.Value, r.Source, c.oldBatch, now); err != nil {
				return err
			}
			res.Restored = append(res.Restored, r)
			if outbox {
				if err := enqueueOp(ctx, tx, BucketRaw, opWrite, RawReadingLine(units[c.meter], r), now); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET undone_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		t := fromUnix(now)
		res.Import.Undone = &t
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		res.Import.Undone = nil
		return res, nil
	}
	return res, err
}

// laterChange is the import, not undone, that must be undone before
// import id can be (0 if none): the latest that changed one of id's
// readings. Each reading carries the import that wrote its value last,
// and an undo puts back the import it replaced, so a reading id changed
// whose batch_id is later names that import. A reading id changed that is
// gone was deleted later (imports only ever write; an undo of a later
// import would have put back id's value), by a deletion that is its own
// import of source "delete".
func laterChange(ctx context.Context, tx *sql.Tx, id int64) (int64, error) {
	var later sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(r.batch_id) FROM import_changes c
		JOIN readings r ON r.meter = c.meter AND r.ts = c.ts
		WHERE c.batch_id = ? AND r.batch_id > ?`, id, id).Scan(&later); err != nil {
		return 0, err
	}
	var deletion sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(b.id) FROM import_batches b
		JOIN import_changes d ON d.batch_id = b.id
		JOIN import_changes c ON c.batch_id = ? AND c.meter = d.meter AND c.ts = d.ts
		WHERE b.id > ? AND b.source = 'delete' AND b.undone_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM readings r WHERE r.meter = d.meter AND r.ts = d.ts)`, id, id).Scan(&deletion); err != nil {
		return 0, err
	}
	return max(later.Int64, deletion.Int64), nil
}

// DeleteReading removes one stored reading as an import of its own (source
// "delete"), so that the deletion is listed, can be undone, and blocks the
// undo of an earlier import of the same reading. ok is false when there is
// no reading at that instant.
func (db *DB) DeleteReading(ctx context.Context, meter, unit string, at time.Time, outbox bool) (_ Reading, batch int64, ok bool, err error) {
	defer wrap(&err, "delete the reading of %s at %s", meter, at.UTC().Format(time.RFC3339))
	var r Reading
	err = db.tx(ctx, func(tx *sql.Tx) error {
		now := db.Now().Unix()
		var source string
		var oldBatch sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT value, source, batch_id FROM readings WHERE meter = ? AND ts = ?`, meter, at.Unix()).Scan(&r.Value, &source, &oldBatch)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		r.Meter, r.Time, r.Source = meter, fromUnix(at.Unix()), source
		res, err := tx.ExecContext(ctx, `INSERT INTO import_batches (meter, source, via, created_at, parsed, updated) VALUES (?, 'delete', 'delete', ?, 1, 1)`, meter, now)
		if err != nil {
			return err
		}
		if batch, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO import_changes (batch_id, meter, ts, old_value, old_source, old_batch) VALUES (?, ?, ?, ?, ?, ?)`,
			batch, meter, at.Unix(), r.Value, source, oldBatch); err != nil {
			return err
		}
		// The deletion's own change is a removal: undoing it writes the
		// old value back (see Undo), so the reading row is gone now.
		if _, err := tx.ExecContext(ctx, `DELETE FROM readings WHERE meter = ? AND ts = ?`, meter, at.Unix()); err != nil {
			return err
		}
		if outbox {
			return enqueueOp(ctx, tx, BucketRaw, opDelete, deleteStatement(unit, r), now)
		}
		return nil
	})
	return r, batch, ok, err
}

// Outbox operations: a point written, or deleted.
const (
	opWrite  = "write"
	opDelete = "delete"
)

func enqueueOp(ctx context.Context, tx *sql.Tx, bucket, op, line string, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (bucket, op, line, created_at) VALUES (?, ?, ?, ?)`, bucket, op, line, now)
	return err
}

// deleteStatement is the InfluxQL that removes a reading's raw point (the
// series of RawReadingLine at its instant).
func deleteStatement(unit string, r Reading) string {
	return fmt.Sprintf(`DELETE FROM %s WHERE "domain" = 'meterd' AND "entity_id" = %s AND time = %d`,
		quoteIdent(unit), quoteString(r.Meter), r.Time.UnixNano())
}

func quoteIdent(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func quoteString(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}

// MeterChanges is what the imports after some batch did to one meter's
// readings.
type MeterChanges struct {
	Earliest time.Time // the earliest instant written, changed or deleted
	// OnlyNew: every change wrote an instant that held nothing (no value
	// replaced, nothing deleted).
	OnlyNew bool
}

// ChangesSince returns, per meter, what the imports after batch `after`
// changed, and the latest batch. Undos are not among them: a caller
// compares UndoMark for those.
func (db *DB) ChangesSince(ctx context.Context, after int64) (_ map[string]MeterChanges, latest int64, err error) {
	defer wrap(&err, "read the changes since import %d", after)
	if latest, err = db.LatestImport(ctx); err != nil {
		return nil, 0, err
	}
	out := map[string]MeterChanges{}
	if latest <= after {
		return out, latest, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT c.meter, MIN(c.ts), MAX(c.old_value IS NOT NULL OR b.source = 'delete')
		FROM import_batches b JOIN import_changes c ON c.batch_id = b.id WHERE b.id > ? GROUP BY c.meter`, after)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var m string
	var ts, replaced int64
	for rows.Next() {
		if err := rows.Scan(&m, &ts, &replaced); err != nil {
			return nil, 0, err
		}
		out[m] = MeterChanges{Earliest: fromUnix(ts), OnlyNew: replaced == 0}
	}
	return out, latest, rows.Err()
}

// LatestImport is the id of the newest import (0: none yet). Every write,
// deletion and undo of readings is an import, or marks one undone, and
// imports are never removed: with UndoMark it says whether any meter's
// readings changed.
func (db *DB) LatestImport(ctx context.Context) (id int64, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM import_batches`).Scan(&id)
	return id, err
}

// UndoMark changes whenever an import is undone.
func (db *DB) UndoMark(ctx context.Context) (_ string, err error) {
	defer wrap(&err, "read the undo mark")
	var undone, lastUndo int64
	err = db.sql.QueryRowContext(ctx, `SELECT COUNT(undone_at), COALESCE(MAX(undone_at), 0) FROM import_batches`).Scan(&undone, &lastUndo)
	return fmt.Sprintf("%d/%d", undone, lastUndo), err
}
