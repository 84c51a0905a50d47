package store

import (
	"context"
	"math/rand"
	"reflect"
	"testing"
	"time"
)

// TestCachedSeriesFollowsEveryChange drives two meters through random
// histories on a real database: imports of new readings (into the past
// too), imports that change stored values, Tibber hours, deletions and
// undos, each
// through the store's own paths. After every step, and with the blob
// read in between so that a stale one would be served, CachedSeries must
// equal the readings table read row by row.
func TestCachedSeriesFollowsEveryChange(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	rng := rand.New(rand.NewSource(7))
	meters := []string{"strom", "gas"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var imports []int64
	check := func(step int, what string) {
		t.Helper()
		for _, m := range meters {
			want, err := db.Series(ctx, m, false)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // built, then read from the blob
				got, err := db.CachedSeries(ctx, m)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 && len(got) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d (%s), %s: cached %d readings, the table %d", step, what, m, len(got), len(want))
				}
			}
		}
	}
	for step := 0; step < 200; step++ {
		m := meters[rng.Intn(len(meters))]
		switch op := rng.Intn(10); {
		case op < 5: // an import: new instants anywhere, some existing ones with new values
			var rs []Reading
			for i := rng.Intn(20) + 1; i > 0; i-- {
				at := base.Add(time.Duration(rng.Intn(24*90)) * time.Hour)
				rs = append(rs, Reading{Meter: m, Time: at, Value: float64(rng.Intn(100000)) / 10, Source: "api"})
			}
			res, err := db.WriteReadings(ctx, Batch{Meter: m, Unit: "kWh", Source: "api", Via: "api"}, dedupe(rs))
			if err != nil {
				t.Fatal(err)
			}
			if res.BatchID != 0 {
				imports = append(imports, res.BatchID)
			}
			check(step, "import")
		case op < 7: // delete one stored reading
			rs, _ := db.Series(ctx, m, false)
			if len(rs) == 0 {
				continue
			}
			if _, _, _, err := db.DeleteReading(ctx, m, "kWh", rs[rng.Intn(len(rs))].Time, false); err != nil {
				t.Fatal(err)
			}
			check(step, "delete")
		case op < 8: // a Tibber poll: an hour new or changed
			at := base.Add(time.Duration(rng.Intn(24*90)) * time.Hour)
			if _, _, err := db.WriteTibberHours(ctx, "strom", "home", []TibberHour{{Time: at, Consumption: float64(rng.Intn(30)) / 10}}, false); err != nil {
				t.Fatal(err)
			}
			check(step, "tibber")
		default: // undo the newest import that a later one does not block
			for i := len(imports) - 1; i >= 0; i-- {
				if _, err := db.Undo(ctx, imports[i], map[string]string{"strom": "kWh", "gas": "kWh"}, false, false); err == nil {
					imports = append(imports[:i], imports[i+1:]...)
					break
				}
			}
			check(step, "undo")
		}
	}
	// The cache answers without the readings' rows: corrupt the table
	// behind its back and the blob still says what was there; a real
	// change through SQL (the triggers) drops it at once.
	before, _ := db.CachedSeries(ctx, "strom")
	if _, err := db.sql.ExecContext(ctx, `UPDATE readings SET value = value + 1 WHERE meter = 'strom'`); err != nil {
		t.Fatal(err)
	}
	after, _ := db.CachedSeries(ctx, "strom")
	if len(before) > 0 && reflect.DeepEqual(before, after) {
		t.Error("an UPDATE of the readings left the packed series as it was")
	}
}

// dedupe keeps the last reading of each instant, as a file's later row
// wins.
func dedupe(rs []Reading) []Reading {
	seen := map[int64]int{}
	var out []Reading
	for _, r := range rs {
		if i, ok := seen[r.Time.Unix()]; ok {
			out[i] = r
			continue
		}
		seen[r.Time.Unix()] = len(out)
		out = append(out, r)
	}
	return out
}
