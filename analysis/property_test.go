package analysis

import (
	"math"
	"math/rand"
	"testing"
	"time"
)

// randomReadings makes a non-decreasing counter read at random instants
// every 1 to 30 days over about two years, starting at base.
func randomReadings(rng *rand.Rand, start time.Time, base float64) []Reading {
	var rs []Reading
	t, v := start.Add(time.Duration(rng.Intn(72*3600))*time.Second), base
	end := start.AddDate(2, 0, 0)
	for t.Before(end) {
		rs = append(rs, Reading{Time: t, Value: v})
		t = t.Add(time.Duration(1+rng.Intn(30*24*3600)) * time.Second)
		v += rng.Float64() * 50
	}
	return rs
}

func sumDays(r MeterResult) float64 {
	s := 0.0
	for _, d := range r.Daily {
		if d.Consumption != nil {
			s += *d.Consumption
		}
	}
	return s
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// The daily consumptions over a range add up to the range's consumption,
// and so do the months, for physical, master and virtual meters.
func TestPropertyDaysAddUp(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	for iter := 0; iter < 20; iter++ {
		start := lt(2023, 1, 1, 0, 0)
		p := cumMeter("p", KWh, Electricity)
		if iter%2 == 0 {
			p.SeasonalPattern = []float64{14, 12, 11, 8, 5, 4, 4, 4, 6, 9, 11, 12}
		}
		q := cumMeter("q", KWh, Electricity)
		v := Meter{ID: "v", Kind: Virtual, Utility: Electricity, Unit: KWh, Base: "p", Subtract: []string{"q"}}
		in := Input{Meters: []Meter{p, q, v}, Readings: map[string][]Reading{
			"p": randomReadings(rng, start, 1000), "q": randomReadings(rng, start, 50),
		}}
		from := start.AddDate(0, rng.Intn(6), rng.Intn(28))
		to := from.AddDate(0, 3+rng.Intn(12), rng.Intn(28))
		res := run(t, in, from, to)
		for _, r := range res.Meters {
			if r.Total.Consumption == nil {
				continue
			}
			total := *r.Total.Consumption
			if d := sumDays(r); !closeTo(d, total) {
				t.Fatalf("iter %d %s: days add to %v, total %v", iter, r.ID, d, total)
			}
			m := 0.0
			for _, mf := range r.Monthly {
				if mf.Consumption != nil {
					m += *mf.Consumption
				}
			}
			if !closeTo(m, total) {
				t.Fatalf("iter %d %s: months add to %v, total %v", iter, r.ID, m, total)
			}
		}
	}
}

// A master meter's total equals the sum of its sources' shares, each
// counted over the part of the year its period gives it, when readings are
// taken at the switches; a virtual meter's total equals its base's minus
// its subtracted meters'.
func TestPropertyMasterAndVirtualTotals(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for iter := 0; iter < 20; iter++ {
		year := lt(2024, 1, 1, 0, 0)
		switchAt := year.AddDate(0, 1+rng.Intn(10), rng.Intn(28)).Add(time.Duration(rng.Intn(24)) * time.Hour)
		old := randomReadings(rng, year.AddDate(0, -1, 0), 5000)
		neu := randomReadings(rng, switchAt, 0)
		// Replacement records: a final reading of the old meter and a first
		// of the new one at the switch.
		var o, n []Reading
		for _, r := range old {
			if r.Time.Before(switchAt) {
				o = append(o, r)
			}
		}
		final := o[len(o)-1].Value + 3
		o = append(o, Reading{Time: switchAt, Value: final})
		n = append([]Reading{{Time: switchAt, Value: 1.5}}, neu[1:]...)
		n = append(n, Reading{Time: year.AddDate(1, 0, 1), Value: n[len(n)-1].Value + 1})
		if o[0].Time.After(year) {
			o = append([]Reading{{Time: year.Add(-time.Hour), Value: o[0].Value - 1}}, o...)
		}
		a, b := cumMeter("a", KWh, Electricity), cumMeter("b", MWh, Electricity)
		// b counts MWh: its readings are divided by 1000.
		for i := range n {
			n[i].Value /= 1000
		}
		master := Meter{ID: "m", Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
			{From: year.AddDate(-1, 0, 0), Meters: []string{"a"}}, {From: switchAt, Meters: []string{"b"}},
		}}
		sub := cumMeter("s", KWh, Electricity)
		virt := Meter{ID: "v", Kind: Virtual, Utility: Electricity, Unit: KWh, Base: "m", Subtract: []string{"s"}}
		in := Input{Meters: []Meter{a, b, master, sub, virt}, Readings: map[string][]Reading{
			"a": o, "b": n, "s": randomReadings(rng, year.AddDate(0, -1, 0), 10),
		}}
		res := run(t, in, year, year.AddDate(1, 0, 0))
		m := res.Meters[2]
		// Shares: a from 1 Jan to the switch, b from the switch to 1 Jan
		// next year, both measured on the physical meters alone.
		aStart, _ := (&curve{pts: toPoints(o)}).at(year.Unix())
		bEnd, _ := (&curve{pts: toPoints(n)}).at(year.AddDate(1, 0, 0).Unix())
		share := (final - aStart) + (bEnd-1.5/1000)*1000
		if m.Total.Consumption == nil || !m.Total.Complete || !closeTo(*m.Total.Consumption, share) {
			t.Fatalf("iter %d: master total %v; want %v", iter, m.Total.Consumption, share)
		}
		v, s := res.Meters[4], res.Meters[3]
		if v.Total.Consumption == nil || !v.Total.Complete || !s.Total.Complete {
			t.Fatalf("iter %d: virtual %+v, sub %+v; want both complete", iter, v.Total, s.Total)
		}
		if !closeTo(*v.Total.Consumption, *m.Total.Consumption-*s.Total.Consumption) {
			t.Fatalf("iter %d: virtual %v; want %v − %v", iter, *v.Total.Consumption, *m.Total.Consumption, *s.Total.Consumption)
		}
	}
}

func toPoints(rs []Reading) []point {
	out := make([]point, len(rs))
	for i, r := range rs {
		out[i] = point{t: r.Time.Unix(), v: r.Value}
	}
	return out
}
