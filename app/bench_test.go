package app

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/store"
)

// benchHousehold is a daemon over the benchmark household: 20 meters read
// by hand every 10 to 40 days and 10 hourly ones over 2020 to 2024
// (439,697 readings or so), checked on 1 January 2025 at noon.
func benchHousehold(b *testing.B) *App {
	b.Helper()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	return benchHouseholdAt(b, func() time.Time { return now })
}

// benchHouseholdAt is benchHousehold on a clock of the caller's.
func benchHouseholdAt(b *testing.B, clock func() time.Time) *App {
	b.Helper()
	dir := b.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "storage:\n  path: %s\nmeters:\n", filepath.Join(dir, "meterd.db"))
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&cfg, "  - {id: m%d, utility: electricity, unit: kWh}\n", i)
	}
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&cfg, "  - {id: h%d, utility: electricity, unit: kWh}\n", i)
	}
	path := filepath.Join(dir, "meterd.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	c, err := Load(path, Environment{})
	if err != nil {
		b.Fatal(err)
	}
	loc := c.Location
	a, err := New(context.Background(), c, Options{Now: func() time.Time { return clock().In(loc) }, Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	rng := rand.New(rand.NewSource(1))
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, loc)
	end := start.AddDate(5, 0, 0)
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		var rs []store.Reading
		v := 1000.0
		step := func(t time.Time) time.Time { return t.AddDate(0, 0, 10+rng.Intn(31)) }
		if i >= 20 {
			step = func(t time.Time) time.Time { return t.Add(time.Hour) }
		}
		for t := start; t.Before(end); t = step(t) {
			rs = append(rs, store.Reading{Time: t, Value: v})
			v += rng.Float64()
		}
		id := fmt.Sprintf("m%d", i)
		if i >= 20 {
			id = fmt.Sprintf("h%d", i-20)
		}
		if _, err := a.db.WriteReadings(ctx, store.Batch{Meter: id, Unit: "kWh", Source: "api", Via: "api"}, rs); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkAnomalyCheckFull: the hourly anomaly check judging every rule
// on the whole household (the first check after a start, or after new
// readings).
func BenchmarkAnomalyCheckFull(b *testing.B) {
	a := benchHousehold(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		a.checks.Store(nil)
		if _, _, err := a.AnomalyCheck(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnomalyCheckNoNewData: the hourly anomaly check when nothing
// changed since the last one, as most hours of the year.
func BenchmarkAnomalyCheckNoNewData(b *testing.B) {
	a := benchHousehold(b)
	ctx := context.Background()
	if _, _, err := a.AnomalyCheck(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := a.AnomalyCheck(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnomalyCheckNewDay: the check after a day of hourly readings
// arrived for every meter of the household (30 meters × 24 readings, as
// Home Assistant brings them), the clock past midnight: the first check of
// each day.
func BenchmarkAnomalyCheckNewDay(b *testing.B) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	a := benchHouseholdAt(b, func() time.Time { return now })
	ctx := context.Background()
	if _, _, err := a.AnomalyCheck(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, a.cfg.Location)
	for b.Loop() {
		b.StopTimer()
		for _, m := range a.cfg.Meters {
			_, v, _, err := a.db.Extent(ctx, m.ID)
			if err != nil {
				b.Fatal(err)
			}
			rs := make([]store.Reading, 24)
			for h := range rs {
				v += 0.5
				rs[h] = store.Reading{Time: day.Add(time.Duration(h) * time.Hour), Value: v}
			}
			if _, err := a.db.WriteReadings(ctx, store.Batch{Meter: m.ID, Unit: "kWh", Source: "api", Via: "api"}, rs); err != nil {
				b.Fatal(err)
			}
		}
		day = day.AddDate(0, 0, 1)
		now = day.Add(time.Hour)
		b.StartTimer()
		if _, _, err := a.AnomalyCheck(ctx); err != nil {
			b.Fatal(err)
		}
		if how := a.checkedHow.Load(); how != "changes" {
			b.Fatalf("the check went %v, not the way new readings at the end go", how)
		}
	}
}

// BenchmarkDailyAnalysis: the daily job on the household with nothing
// recorded before (the first run, or one after a long outage): analyse,
// and queue the processed points for InfluxDB.
func BenchmarkDailyAnalysis(b *testing.B) {
	a := benchHousehold(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := a.DailyAnalysis(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
