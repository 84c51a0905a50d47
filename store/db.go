// Package store keeps meterd's durable record in SQLite and delivers it to
// InfluxDB through an outbox.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/meterd/meterd/fault"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is meterd's SQLite database.
type DB struct {
	sql *sql.DB
	// Now is the clock for bookkeeping timestamps; tests replace it.
	Now func() time.Time
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	// _txlock=immediate takes the write lock at BEGIN: without it two
	// read-then-write transactions deadlock into "database is locked"
	// despite busy_timeout.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	sdb.SetMaxOpenConns(4)
	// Each connection keeps its own page cache (up to 2 MB): one that an
	// analysis or an import opened is closed when idle, so a Raspberry Pi
	// gets that memory back after the work is done.
	sdb.SetConnMaxIdleTime(30 * time.Second)
	db := &DB{sql: sdb, Now: time.Now}
	if err := db.incrementalVacuum(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return db, nil
}

// incrementalVacuum makes a new database give the pages freed by delivered
// outbox rows back to the file system (see reclaim). The setting takes
// effect only before the first table exists, or through a VACUUM, which
// on an empty database costs nothing; an existing database is left alone
// here (setting the pragma on every connection would take the write lock
// each time), and converted by reclaim once it is worth it.
func (db *DB) incrementalVacuum(ctx context.Context) error {
	var version int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != 0 {
		return err
	}
	conn, err := db.sql.Conn(ctx) // the pragma holds for its connection only
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "VACUUM")
	return err
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer wrap(&err, "ping the database")
	var one int
	return db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// SchemaVersion is the number of the last migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (_ int, err error) {
	defer wrap(&err, "read the schema version")
	var v int
	err = db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func (db *DB) migrate(ctx context.Context) error {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return err
	}
	type mig struct {
		n    int
		name string
	}
	var all []mig
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		all = append(all, mig{n, e.Name()})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n < all[j].n })
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(all) > 0 && current > all[len(all)-1].n {
		return fmt.Errorf("schema version %d is newer than this meterd knows (%d): use a newer meterd", current, all[len(all)-1].n)
	}
	for _, m := range all {
		if m.n <= current {
			continue
		}
		body, err := migrations.ReadFile("migrations/" + m.name)
		if err != nil {
			return err
		}
		err = db.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			// PRAGMA takes no parameters; n is our own number.
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.n))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// tx runs fn in one transaction, rolled back if fn fails.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// unixBounds turns a range whose zero bounds mean "open" into seconds.
func unixBounds(from, to time.Time) (lo, hi int64) {
	lo, hi = -1<<62, 1<<62
	if !from.IsZero() {
		lo = from.Unix()
	}
	if !to.IsZero() {
		hi = to.Unix()
	}
	return lo, hi
}

// wrap prefixes an error that leaves the package with what was being done,
// so a log line says "store: save readings of gas_total: disk I/O error"
// rather than only the driver's words. Kinds (package fault) stay visible
// through the wrapping.
func wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	if diskFull(*errp) {
		// The transaction rolled back: say so, and what to do.
		*errp = fault.New(fault.NoSpace, "disk.full", fmt.Sprintf(format, args...), *errp)
		return
	}
	*errp = fmt.Errorf("store: "+format+": %w", append(args, *errp)...)
}

// diskFull reports SQLite's SQLITE_FULL (13), which it returns when the
// disk or the file system has no room left.
func diskFull(err error) bool {
	var se interface{ Code() int }
	if errors.As(err, &se) && se.Code()&0xff == 13 {
		return true
	}
	return errors.Is(err, syscall.ENOSPC)
}
