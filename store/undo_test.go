package store

import (
	"context"
	"database/sql"
	"errors"
	"math/rand"
	"testing"
	"time"

	"github.com/meterd/meterd/fault"
)

// changedLater is what refusing an undo means, read the long way from the
// records: the imports after id, not undone, that changed one of the
// instants id changed.
func changedLater(t *testing.T, db *DB, id int64) map[int64]bool {
	t.Helper()
	rows, err := db.sql.Query(`SELECT DISTINCT l.batch_id FROM import_changes c
		JOIN import_changes l ON l.meter = c.meter AND l.ts = c.ts AND l.batch_id > c.batch_id
		JOIN import_batches b ON b.id = l.batch_id AND b.undone_at IS NULL
		WHERE c.batch_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var b int64
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out[b] = true
	}
	return out
}

// TestUndoRefusedExactlyWhenALaterImportChangedIt: the readings say which
// later import changed one of an import's readings, without an index over
// every change. On random histories of two meters (imports, into few
// instants so that they overlap; Tibber hours; deletions; undos) every
// import not undone can be undone exactly when no later import, not
// undone, changed one of its instants, and a refusal names such an import.
func TestUndoRefusedExactlyWhenALaterImportChangedIt(t *testing.T) {
	ctx := context.Background()
	units := map[string]string{"strom": "kWh", "gas": "m³"}
	for seed := int64(1); seed <= 4; seed++ {
		db := openTest(t)
		rng := rand.New(rand.NewSource(seed))
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		instant := func() time.Time { return base.Add(time.Duration(rng.Intn(25)) * time.Hour) }
		var batches []int64
		for step := 0; step < 150; step++ {
			m := []string{"strom", "gas"}[rng.Intn(2)]
			switch op := rng.Intn(10); {
			case op < 5:
				var rs []Reading
				for i := rng.Intn(6) + 1; i > 0; i-- {
					rs = append(rs, Reading{Meter: m, Time: instant(), Value: float64(rng.Intn(5)), Source: "api"})
				}
				res, err := db.WriteReadings(ctx, Batch{Meter: m, Unit: units[m], Source: "api", Via: "api"}, dedupe(rs))
				if err != nil {
					t.Fatal(err)
				}
				if res.BatchID != 0 {
					batches = append(batches, res.BatchID)
				}
			case op < 6:
				hours := []TibberHour{{Time: instant(), Consumption: float64(rng.Intn(5))}}
				if _, _, err := db.WriteTibberHours(ctx, "strom", "home", hours, false); err != nil {
					t.Fatal(err)
				}
			case op < 8:
				_, id, ok, err := db.DeleteReading(ctx, m, units[m], instant(), false)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					batches = append(batches, id)
				}
			default:
				if len(batches) > 0 {
					db.Undo(ctx, batches[rng.Intn(len(batches))], units, false, false)
				}
			}
			var all []int64
			rows, err := db.sql.Query(`SELECT id FROM import_batches WHERE undone_at IS NULL`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				all = append(all, id)
			}
			rows.Close()
			for _, id := range all {
				want := changedLater(t, db, id)
				_, err := db.Undo(ctx, id, units, false, true)
				var named int64
				if fault.KindOf(err) == fault.Conflict { // the refusal is the answer
					err, named = nil, laterNamed(t, db, id)
				}
				if err != nil {
					t.Fatalf("seed %d step %d: undo of %d: %v", seed, step, id, err)
				}
				switch {
				case len(want) == 0 && named != 0:
					t.Fatalf("seed %d step %d: undo of %d refused, naming %d; no later import changed its readings", seed, step, id, named)
				case len(want) > 0 && named == 0:
					t.Fatalf("seed %d step %d: undo of %d allowed; imports %v changed its readings later", seed, step, id, want)
				case named != 0 && !want[named]:
					t.Fatalf("seed %d step %d: undo of %d refused naming %d; the later changes are %v", seed, step, id, named, want)
				}
			}
		}
	}
}

// laterNamed is the import a refused undo of id names.
func laterNamed(t *testing.T, db *DB, id int64) int64 {
	t.Helper()
	var later int64
	err := db.tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		later, err = laterChange(context.Background(), tx, id)
		return err
	})
	if err != nil && !errors.Is(err, errDryRun) {
		t.Fatal(err)
	}
	return later
}
