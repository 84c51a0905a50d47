package analysis

import (
	"math/rand"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func series(vals ...float64) []Reading {
	rs := make([]Reading, len(vals))
	for i, v := range vals {
		rs[i] = Reading{Time: t0.Add(time.Duration(i) * 24 * time.Hour), Value: v}
	}
	return rs
}

func values(rs []Reading) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.Value
	}
	return out
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCountedReadingsDomainCases(t *testing.T) {
	cases := []struct {
		name     string
		in       []float64
		kept     []float64
		excluded []float64
	}{
		// A too-low typo excludes exactly that reading.
		{"too low", []float64{100, 110, 12, 130, 140}, []float64{100, 110, 130, 140}, []float64{12}},
		// A momentary 0 from a sensor.
		{"sensor zero", []float64{500, 501, 0, 503}, []float64{500, 501, 503}, []float64{0}},
		// A too-high typo excludes exactly that reading.
		{"too high", []float64{100, 110, 1200, 130, 140}, []float64{100, 110, 130, 140}, []float64{1200}},
		// An unconfigured meter change excludes the side with fewer readings.
		{"meter change, old side longer", []float64{9000, 9100, 9200, 5, 10}, []float64{9000, 9100, 9200}, []float64{5, 10}},
		{"meter change, new side longer", []float64{9000, 9100, 5, 10, 20}, []float64{5, 10, 20}, []float64{9000, 9100}},
		// Equally long: the earlier readings are kept.
		{"tie keeps earlier", []float64{9000, 9100, 5, 10}, []float64{9000, 9100}, []float64{5, 10}},
		{"tie inside", []float64{100, 200, 150, 250}, []float64{100, 200, 250}, []float64{150}},
		// Equal readings are fine.
		{"equal", []float64{7, 7, 7, 8}, []float64{7, 7, 7, 8}, nil},
	}
	for _, c := range cases {
		segs, exc := CountedReadings(series(c.in...), nil, time.Time{})
		if len(segs) != 1 || !equal(values(segs[0].Readings), c.kept) {
			t.Errorf("%s: kept %v; want %v", c.name, segs, c.kept)
		}
		var ev []float64
		for _, e := range exc {
			ev = append(ev, e.Value)
			if e.Reason != "decrease" {
				t.Errorf("%s: reason %q", c.name, e.Reason)
			}
		}
		if !equal(ev, c.excluded) {
			t.Errorf("%s: excluded %v; want %v", c.name, ev, c.excluded)
		}
	}
}

func TestExclusionNamesTheNeighbour(t *testing.T) {
	_, exc := CountedReadings(series(100, 110, 12, 130), nil, time.Time{})
	if len(exc) != 1 || !exc[0].Below || exc[0].Neighbour.Value != 110 {
		t.Errorf("too low: %+v; want below the previous 110", exc)
	}
	_, exc = CountedReadings(series(100, 1200, 130, 140), nil, time.Time{})
	if len(exc) != 1 || exc[0].Below || exc[0].Neighbour.Value != 130 {
		t.Errorf("too high: %+v; want above the next 130", exc)
	}
}

func TestResetsAndRemoved(t *testing.T) {
	rs := series(100, 150, 200, 3, 8, 20, 25) // reset before day 3
	reset := t0.Add(3 * 24 * time.Hour)       // exactly at the reading of 3: new segment
	removed := t0.Add(5 * 24 * time.Hour)     // the reading at removed counts
	segs, exc := CountedReadings(rs, []time.Time{reset}, removed)
	if len(segs) != 2 || !equal(values(segs[0].Readings), []float64{100, 150, 200}) || !equal(values(segs[1].Readings), []float64{3, 8, 20}) {
		t.Fatalf("segments %+v", segs)
	}
	if len(exc) != 1 || exc[0].Value != 25 || exc[0].Reason != "removed" {
		t.Fatalf("excluded %+v; want 25 as removed", exc)
	}
}

// TestNonDecreasingIsLongestAndEarliest checks the greedy against brute
// force on small random series.
func TestNonDecreasingIsLongestAndEarliest(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.Intn(10)
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(rng.Intn(6))
		}
		kept, _ := nonDecreasing(series(vals...))
		// Brute force: the lexicographically smallest index set among the
		// longest non-decreasing subsequences.
		bestLen, best := 0, []int(nil)
		for mask := 1; mask < 1<<n; mask++ {
			var idx []int
			ok := true
			for i := 0; i < n; i++ {
				if mask&(1<<i) != 0 {
					if len(idx) > 0 && vals[i] < vals[idx[len(idx)-1]] {
						ok = false
						break
					}
					idx = append(idx, i)
				}
			}
			if !ok {
				continue
			}
			if len(idx) > bestLen || (len(idx) == bestLen && lexLess(idx, best)) {
				bestLen, best = len(idx), idx
			}
		}
		var want []float64
		for _, i := range best {
			want = append(want, vals[i])
		}
		got := values(kept)
		if !equal(got, want) {
			t.Fatalf("%v: kept %v; want %v", vals, got, want)
		}
		// Same values could come from other indices; check the instants.
		for k, i := range best {
			if !kept[k].Time.Equal(t0.Add(time.Duration(i) * 24 * time.Hour)) {
				t.Fatalf("%v: kept index set differs from %v", vals, best)
			}
		}
	}
}

func lexLess(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
