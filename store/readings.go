package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
)

// Reading is one stored meter value at a whole-second UTC instant.
type Reading struct {
	Meter  string
	Time   time.Time
	Value  float64
	Source string
}

// Batch describes one import: its readings all belong to Meter.
type Batch struct {
	Meter  string
	Unit   string // the meter's unit: the InfluxDB measurement
	Source string // excel, csv, api, homeassistant, tibber
	// Via is how the import came: upload, api, cli, homeassistant.
	Via      string
	FileName string
	SHA256   string
	// DryRun computes the outcome and writes nothing.
	DryRun bool
	// Outbox queues every new or changed reading for InfluxDB.
	Outbox bool
	// Rejected and Warnings are recorded with the batch.
	Rejected, Warnings int
}

// WriteResult is what a batch did.
type WriteResult struct {
	BatchID    int64
	Written    int // new instants
	Updated    int // existing instants with another value
	Duplicates int // existing instants with the same value
}

// WriteReadings stores rs in one transaction. Of several readings at one
// instant the later one wins, and only it is written: the earlier ones
// count as duplicates, so a file with two rows for one instant (both sides
// of a spring gap) is all duplicates when imported again. A reading at an
// instant that already holds the same value is a duplicate and changes
// nothing, which makes re-imports idempotent.
func (db *DB) WriteReadings(ctx context.Context, b Batch, rs []Reading) (WriteResult, error) {
	res, err := db.WriteBatches(ctx, []BatchReadings{{Batch: b, Readings: rs}})
	if err != nil {
		return WriteResult{}, err
	}
	return res[0], nil
}

// BatchReadings is one meter's part of an import.
type BatchReadings struct {
	Batch
	Readings []Reading
}

// WriteBatches stores the batches of one import (a file with several
// meters) in one transaction, each as WriteReadings would: all of them or,
// on any error, none. A dry run (any batch's DryRun) works out the same
// result from what is stored and writes nothing: it takes no write lock
// and never makes a writer wait.
func (db *DB) WriteBatches(ctx context.Context, bs []BatchReadings) (_ []WriteResult, err error) {
	meters := make([]string, len(bs))
	dry := false
	for i, b := range bs {
		meters[i], dry = b.Meter, dry || b.DryRun
	}
	defer wrap(&err, "save readings of %s", strings.Join(meters, ", "))
	out := make([]WriteResult, len(bs))
	if dry {
		for i, b := range bs {
			stored, err := storedAt(ctx, db.sql, b.Meter, b.Readings)
			if err != nil {
				return nil, err
			}
			out[i], _ = plan(b.Readings, stored)
		}
		return out, nil
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for i, b := range bs {
			res, err := writeBatch(ctx, tx, b.Batch, b.Readings, db.Now().Unix())
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// storedReading is what an instant holds before an import.
type storedReading struct {
	value  float64
	source string
	batch  sql.NullInt64
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// storedAt reads what meter holds between the earliest and the latest
// instant of rs, in one range scan: a file of a year of quarter hours
// asks once, not a hundred thousand times.
func storedAt(ctx context.Context, q querier, meter string, rs []Reading) (map[int64]storedReading, error) {
	out := map[int64]storedReading{}
	if len(rs) == 0 {
		return out, nil
	}
	lo, hi := rs[0].Time.Unix(), rs[0].Time.Unix()
	for _, r := range rs {
		lo, hi = min(lo, r.Time.Unix()), max(hi, r.Time.Unix())
	}
	rows, err := q.QueryContext(ctx, `SELECT ts, value, source, batch_id FROM readings WHERE meter = ? AND ts >= ? AND ts <= ?`, meter, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Scanned into variables outside the loop: Scan's pointers would move
	// variables declared inside it to the heap once a row.
	var ts int64
	var r storedReading
	for rows.Next() {
		if err := rows.Scan(&ts, &r.value, &r.source, &r.batch); err != nil {
			return nil, err
		}
		out[ts] = r
	}
	return out, rows.Err()
}

// change is one instant an import writes: rs[i] of the batch, with what
// the instant held before (old is nil where it held nothing). An index,
// not a copy: a 400,000-row import plans without a second copy of it.
type change struct {
	i   int
	old *storedReading
}

// plan works out what writing rs over stored does: the counts, and the
// instants that change, in input order. Of several readings at one instant
// the later wins; the earlier ones, and readings equal to what is stored,
// are duplicates.
func plan(rs []Reading, stored map[int64]storedReading) (WriteResult, []change) {
	var res WriteResult
	last := make(map[int64]int, len(rs))
	for i, rd := range rs {
		last[rd.Time.Unix()] = i
	}
	changes := make([]change, 0, len(rs))
	for i, rd := range rs {
		ts := rd.Time.Unix()
		if last[ts] != i {
			res.Duplicates++ // a later row sets this instant
			continue
		}
		c := change{i: i}
		switch old, ok := stored[ts]; {
		case !ok:
			res.Written++
		case old.value == rd.Value:
			res.Duplicates++
			continue
		default:
			res.Updated++
			held := old // on the heap only for the instants it changes
			c.old = &held
		}
		changes = append(changes, c)
	}
	return res, changes
}

// written is the reading a change writes: rs[c.i] at a whole second, with
// the batch's source where it names none.
func (c change) written(b Batch, rs []Reading) Reading {
	rd := rs[c.i]
	r := Reading{Meter: b.Meter, Time: fromUnix(rd.Time.Unix()), Value: rd.Value, Source: rd.Source}
	if r.Source == "" {
		r.Source = b.Source
	}
	return r
}

// insertRows is how many rows one INSERT carries: per-statement overhead
// dominated a row at a time, and SQLite takes up to 32,766 parameters.
const insertRows = 256

// insertMany inserts n rows into table (cols): the first len(fixed)
// columns take the same values in every row, and args appends row i's
// values for the other perRow columns to dst. The fixed values are bound
// once a statement (INSERT … SELECT ?1, ?2, column1, … FROM (VALUES …)):
// database/sql converts and boxes every argument anew on every call, and
// six a row made most of a large import's garbage. tail follows.
func insertMany(ctx context.Context, tx *sql.Tx, table string, cols []string, fixed []any, tail string, n int, args func(i int, dst []any) []any) error {
	perRow := len(cols) - len(fixed)
	sel := make([]string, 0, len(cols))
	for k := range fixed {
		sel = append(sel, "?"+strconv.Itoa(k+1))
	}
	for k := range perRow {
		sel = append(sel, "column"+strconv.Itoa(k+1))
	}
	group := "(" + strings.TrimSuffix(strings.Repeat("?, ", perRow), ", ") + ")"
	query := func(rows int) string {
		// WHERE true: without it SQLite would read ON CONFLICT as part of
		// the SELECT's join.
		return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(sel, ", ") +
			" FROM (VALUES " + strings.TrimSuffix(strings.Repeat(group+", ", rows), ", ") + ") WHERE true" + tail
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	vals := make([]any, 0, len(fixed)+perRow*min(n, insertRows))
	for start := 0; start < n; start += insertRows {
		end := min(start+insertRows, n)
		vals = append(vals[:0], fixed...)
		for i := start; i < end; i++ {
			vals = args(i, vals)
		}
		if end-start == insertRows {
			if full == nil {
				var err error
				if full, err = tx.PrepareContext(ctx, query(insertRows)); err != nil {
					return err
				}
			}
			if _, err := full.ExecContext(ctx, vals...); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, query(end-start), vals...); err != nil {
			return err
		}
	}
	return nil
}

func writeBatch(ctx context.Context, tx *sql.Tx, b Batch, rs []Reading, now int64) (WriteResult, error) {
	stored, err := storedAt(ctx, tx, b.Meter, rs)
	if err != nil {
		return WriteResult{}, err
	}
	res, changes := plan(rs, stored)
	if len(changes) == 0 {
		// An import that changed nothing leaves no record: there is
		// nothing to trace back to it.
		return res, nil
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO import_batches (meter, source, via, file_name, sha256, created_at, parsed, written, updated, duplicates, rejected, warnings)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.Meter, b.Source, b.Via, b.FileName, b.SHA256, now, len(rs), res.Written, res.Updated, res.Duplicates, b.Rejected, b.Warnings)
	if err != nil {
		return res, err
	}
	if res.BatchID, err = r.LastInsertId(); err != nil {
		return res, err
	}
	// What each reading replaces, so that the import can be undone.
	err = insertMany(ctx, tx, "import_changes", []string{"batch_id", "meter", "ts", "old_value", "old_source", "old_batch"},
		[]any{res.BatchID, b.Meter}, "", len(changes), func(i int, dst []any) []any {
			c := changes[i]
			if c.old == nil {
				return append(dst, rs[c.i].Time.Unix(), nil, nil, nil)
			}
			return append(dst, rs[c.i].Time.Unix(), c.old.value, c.old.source, c.old.batch)
		})
	if err != nil {
		return res, err
	}
	// The batch's source, boxed once for every reading that has it.
	var source any = b.Source
	err = insertMany(ctx, tx, "readings", []string{"meter", "batch_id", "written_at", "ts", "value", "source"},
		[]any{b.Meter, res.BatchID, now},
		` ON CONFLICT (meter, ts) DO UPDATE SET value = excluded.value, source = excluded.source, batch_id = excluded.batch_id, written_at = excluded.written_at`,
		len(changes), func(i int, dst []any) []any {
			rd := rs[changes[i].i]
			if rd.Source == "" || rd.Source == b.Source {
				return append(dst, rd.Time.Unix(), rd.Value, source)
			}
			return append(dst, rd.Time.Unix(), rd.Value, rd.Source)
		})
	if err != nil {
		return res, err
	}
	if err := dropSeries(ctx, tx, b.Meter); err != nil {
		return res, err
	}
	if b.Outbox {
		err = insertMany(ctx, tx, "outbox", []string{"bucket", "created_at", "line"}, []any{"raw", now}, "", len(changes), func(i int, dst []any) []any {
			return append(dst, RawReadingLine(b.Unit, changes[i].written(b, rs)))
		})
	}
	return res, err
}

// dropSeries drops a meter's packed series in the transaction that
// inserted readings of it. Updates and deletes drop it by trigger; a
// trigger on insert ran once per row, a tenth of a large import's time
// (docs/architecture.md#the-packed-series).
func dropSeries(ctx context.Context, tx *sql.Tx, meter string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM series_cache WHERE meter = ?`, meter)
	return err
}

// Readings returns the stored readings of meter in [from, to), oldest
// first. A zero from or to is open.
func (db *DB) Readings(ctx context.Context, meter string, from, to time.Time) (_ []Reading, err error) {
	defer wrap(&err, "read readings of %s", meter)
	lo, hi := unixBounds(from, to)
	return db.queryReadings(ctx, meter, `SELECT ts, value, source FROM readings WHERE meter = ? AND ts >= ? AND ts < ? ORDER BY ts`, meter, lo, hi)
}

// queryReadings runs a query selecting ts, value, source of meter's rows.
func (db *DB) queryReadings(ctx context.Context, meter, q string, args ...any) ([]Reading, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reading
	var ts int64
	r := Reading{Meter: meter}
	for rows.Next() {
		if err := rows.Scan(&ts, &r.Value, &r.Source); err != nil {
			return nil, err
		}
		r.Time = fromUnix(ts)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Series returns all of meter's readings as the analysis takes them:
// instant and value, in time order, or with writeOrder in the order they
// were written (by import batch, then instant), which decides between two
// readings for one interval of an interval meter. It is the read path of
// every analysis, so it reads only the two columns it needs into a slice
// sized by a count first: no per-row strings, and no slice regrown and
// copied a dozen times for a meter read hourly for years.
func (db *DB) Series(ctx context.Context, meter string, writeOrder bool) (_ []analysis.Reading, err error) {
	defer wrap(&err, "read readings of %s", meter)
	// No transaction: this database's transactions take the write lock
	// (BEGIN IMMEDIATE), and the count only sizes the slice.
	return seriesRows(ctx, db.sql, meter, writeOrder)
}

// CachedSeries is Series in time order, read from the meter's packed blob
// in series_cache (docs/architecture.md#the-packed-series), or, when there
// is none, from its rows, then packed for the next time. The blob is built inside a write transaction, so no
// change can fall between reading the rows and storing them; every later
// change deletes it (the table's triggers). When the blob cannot be
// written (another writer holds the database too long, a full disk), the
// rows are returned as they are.
func (db *DB) CachedSeries(ctx context.Context, meter string) (_ []analysis.Reading, err error) {
	defer wrap(&err, "read readings of %s", meter)
	var blob []byte
	switch err := db.sql.QueryRowContext(ctx, `SELECT data FROM series_cache WHERE meter = ?`, meter).Scan(&blob); {
	case err == nil:
		return unpackSeries(blob)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	var out []analysis.Reading
	werr := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = seriesRows(ctx, tx, meter, false); err != nil || len(out) == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO series_cache (meter, data) VALUES (?, ?)`, meter, packSeries(out))
		return err
	})
	if werr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return seriesRows(ctx, db.sql, meter, false)
	}
	return out, nil
}

// A packed series is 16 bytes a reading: the instant's Unix seconds and
// the value's IEEE 754 bits, both little-endian.
const packedReading = 16

func packSeries(rs []analysis.Reading) []byte {
	b := make([]byte, len(rs)*packedReading)
	for i, r := range rs {
		binary.LittleEndian.PutUint64(b[i*packedReading:], uint64(r.Time.Unix()))
		binary.LittleEndian.PutUint64(b[i*packedReading+8:], math.Float64bits(r.Value))
	}
	return b
}

func unpackSeries(b []byte) ([]analysis.Reading, error) {
	if len(b)%packedReading != 0 {
		return nil, fmt.Errorf("a packed series of %d bytes is no whole number of readings", len(b))
	}
	out := make([]analysis.Reading, len(b)/packedReading)
	for i := range out {
		ts := int64(binary.LittleEndian.Uint64(b[i*packedReading:]))
		out[i] = analysis.Reading{Time: fromUnix(ts), Value: math.Float64frombits(binary.LittleEndian.Uint64(b[i*packedReading+8:]))}
	}
	return out, nil
}

func seriesRows(ctx context.Context, q querier, meter string, writeOrder bool) ([]analysis.Reading, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM readings WHERE meter = ?`, meter).Scan(&n); err != nil {
		return nil, err
	}
	order := "ts"
	if writeOrder {
		order = "batch_id, ts"
	}
	rows, err := q.QueryContext(ctx, `SELECT ts, value FROM readings WHERE meter = ? ORDER BY `+order, meter)
	if err != nil {
		return nil, err
	}
	return scanSeries(rows, n)
}

// ReadingsFrom returns meter's readings from the last one before from
// (the one an analysis starting at from interpolates from) on, oldest
// first, as an analysis takes them.
func (db *DB) ReadingsFrom(ctx context.Context, meter string, from time.Time) (_ []analysis.Reading, err error) {
	defer wrap(&err, "read the readings of %s since %s", meter, from.UTC().Format(time.RFC3339))
	rows, err := db.sql.QueryContext(ctx, `SELECT ts, value FROM readings WHERE meter = ?1
		AND ts >= COALESCE((SELECT MAX(ts) FROM readings WHERE meter = ?1 AND ts < ?2), ?2) ORDER BY ts`, meter, from.Unix())
	if err != nil {
		return nil, err
	}
	return scanSeries(rows, 0)
}

// scanSeries reads (ts, value) rows as an analysis takes them, and closes
// them; n is room for as many.
func scanSeries(rows *sql.Rows, n int) ([]analysis.Reading, error) {
	defer rows.Close()
	out := make([]analysis.Reading, 0, n)
	var ts int64
	var v float64
	for rows.Next() {
		if err := rows.Scan(&ts, &v); err != nil {
			return nil, err
		}
		out = append(out, analysis.Reading{Time: fromUnix(ts), Value: v})
	}
	return out, rows.Err()
}

// LastReadings returns each meter's latest reading.
func (db *DB) LastReadings(ctx context.Context) (_ map[string]Reading, err error) {
	defer wrap(&err, "read the last readings")
	rows, err := db.sql.QueryContext(ctx, `SELECT r.meter, r.ts, r.value, r.source FROM readings r
		JOIN (SELECT meter, MAX(ts) AS ts FROM readings GROUP BY meter) m ON m.meter = r.meter AND m.ts = r.ts`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Reading{}
	for rows.Next() {
		var r Reading
		var ts int64
		if err := rows.Scan(&r.Meter, &ts, &r.Value, &r.Source); err != nil {
			return nil, err
		}
		r.Time = fromUnix(ts)
		out[r.Meter] = r
	}
	return out, rows.Err()
}

// LastReading returns meter's latest reading; ok is false if it has none.
func (db *DB) LastReading(ctx context.Context, meter string) (r Reading, ok bool, err error) {
	defer wrap(&err, "read the last reading of %s", meter)
	var ts int64
	err = db.sql.QueryRowContext(ctx, `SELECT ts, value, source FROM readings WHERE meter = ? ORDER BY ts DESC LIMIT 1`, meter).Scan(&ts, &r.Value, &r.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return Reading{}, false, nil
	}
	if err != nil {
		return Reading{}, false, err
	}
	r.Meter, r.Time = meter, fromUnix(ts)
	return r, true, nil
}

// EarliestWrittenSince returns, per meter, the earliest instant among the
// readings written, changed, deleted or restored at or after since: what
// an analysis must recompute. A deleted reading leaves no row behind, so
// besides the readings' own write times it takes what each import made
// or undone since then changed (every change is recorded with its import).
func (db *DB) EarliestWrittenSince(ctx context.Context, since time.Time) (_ map[string]time.Time, err error) {
	defer wrap(&err, "find readings written since %s", since.UTC().Format(time.RFC3339))
	out := map[string]time.Time{}
	// Two queries, not one over their union: the readings are scanned in
	// key order and grouped as they come, where a union would be sorted
	// first (a third of a second on a household's 440,000 readings).
	for _, q := range []string{
		`SELECT meter, MIN(ts) FROM readings WHERE written_at >= ? GROUP BY meter`,
		`SELECT c.meter, MIN(c.ts) FROM import_batches b JOIN import_changes c ON c.batch_id = b.id
			WHERE b.created_at >= ?1 OR b.undone_at >= ?1 GROUP BY c.meter`,
	} {
		if err := db.earliestPerMeter(ctx, out, q, since.Unix()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// earliestPerMeter lowers out's instant of each meter the query (meter,
// MIN(ts)) returns.
func (db *DB) earliestPerMeter(ctx context.Context, out map[string]time.Time, q string, args ...any) error {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var ts int64
		if err := rows.Scan(&m, &ts); err != nil {
			return err
		}
		if t, ok := out[m]; !ok || fromUnix(ts).Before(t) {
			out[m] = fromUnix(ts)
		}
	}
	return rows.Err()
}

// Extent returns a meter's latest instant and highest value; ok is false if
// it has no readings.
func (db *DB) Extent(ctx context.Context, meter string) (last time.Time, maxValue float64, ok bool, err error) {
	defer wrap(&err, "read the extent of %s", meter)
	var ts sql.NullInt64
	var mv sql.NullFloat64
	err = db.sql.QueryRowContext(ctx, `SELECT MAX(ts), MAX(value) FROM readings WHERE meter = ?`, meter).Scan(&ts, &mv)
	if err != nil || !ts.Valid {
		return time.Time{}, 0, false, err
	}
	return fromUnix(ts.Int64), mv.Float64, true, nil
}
