package analysis

import (
	"sort"
	"time"
)

// intervalSeries holds an interval meter's values on its grid: slot starts
// are whole multiples of the interval since the Unix epoch.
type intervalSeries struct {
	iv     int64
	starts []int64   // sorted slot starts that have a value
	values []float64 // their values
}

// newIntervalSeries puts readings on the grid. A reading off the grid
// belongs to the slot holding it; of several readings for one slot the one
// given last wins (the store passes them in the order they were written).
// Readings after removed are ignored.
func newIntervalSeries(rs []Reading, interval time.Duration, removed time.Time) *intervalSeries {
	iv := int64(interval / time.Second)
	if iv <= 0 {
		iv = 3600
	}
	slots := make(map[int64]float64, len(rs))
	for _, r := range rs {
		if !removed.IsZero() && r.Time.After(removed) {
			continue
		}
		t := r.Time.Unix()
		slot := t - ((t%iv)+iv)%iv
		slots[slot] = r.Value
	}
	s := &intervalSeries{iv: iv, starts: make([]int64, 0, len(slots))}
	for t := range slots {
		s.starts = append(s.starts, t)
	}
	sort.Slice(s.starts, func(i, j int) bool { return s.starts[i] < s.starts[j] })
	s.values = make([]float64, len(s.starts))
	for i, t := range s.starts {
		s.values[i] = slots[t]
	}
	return s
}

// sum adds the slots starting in [a, b): the total, how many have a value
// and how many there are.
func (s *intervalSeries) sum(a, b int64) (total float64, have, want int) {
	i := sort.Search(len(s.starts), func(k int) bool { return s.starts[k] >= a })
	j := sort.Search(len(s.starts), func(k int) bool { return s.starts[k] >= b })
	first := ceilTo(a, s.iv)
	if b > first {
		want = int((b - first + s.iv - 1) / s.iv)
	}
	// Summed in order, not as a difference of prefix sums, which would
	// carry the rounding of everything before a.
	for _, v := range s.values[i:j] {
		total += v
	}
	return total, j - i, want
}

// firstLast returns the first and last slot starts with a value in [a, b).
func (s *intervalSeries) firstLast(a, b int64) (int64, int64, bool) {
	i := sort.Search(len(s.starts), func(k int) bool { return s.starts[k] >= a })
	j := sort.Search(len(s.starts), func(k int) bool { return s.starts[k] >= b })
	if i >= j {
		return 0, 0, false
	}
	return s.starts[i], s.starts[j-1], true
}

// ceilTo is the first multiple of iv at or after a.
func ceilTo(a, iv int64) int64 {
	q := a / iv
	if q*iv < a {
		q++
	}
	return q * iv
}
