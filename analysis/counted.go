package analysis

import (
	"sort"
	"time"
)

// Reading is one meter value at a whole-second instant.
type Reading struct {
	Time  time.Time
	Value float64
}

// ExclusionReason says why a reading takes no part in analysis.
type ExclusionReason string

// The reasons a reading is excluded (docs/meters.md#which-readings-count).
const (
	// ExcludedDecrease: the counter went down around it, and the longest
	// non-decreasing run of readings does not keep it.
	ExcludedDecrease ExclusionReason = "decrease"
	// ExcludedRemoved: it is after the meter's removal.
	ExcludedRemoved ExclusionReason = "removed"
)

// Exclusion is a reading that takes no part in analysis, and why.
type Exclusion struct {
	Reading
	Reason ExclusionReason
	// Neighbour is the counted reading that shows the decrease: the previous
	// counted reading when this one is below it, else the next one above
	// which it stands. Zero for "removed".
	Neighbour Reading
	// Below is true when the reading is below Neighbour (which precedes it),
	// false when it is above Neighbour (which follows it).
	Below bool
}

// Segment is a run of counted readings of one counter: a new segment starts
// at each declared reset.
type Segment struct {
	Readings []Reading
}

// CountedReadings applies the rules of docs/meters.md#which-readings-count for which readings of a
// cumulative meter count. rs must hold one reading per instant (the store's
// "written last wins" already applied) and may be in any order.
//
// Readings after removed (if not zero) are excluded as "removed". The rest
// is split into segments at each reset (a reading exactly at a reset belongs
// to the new segment). Within a segment the longest non-decreasing
// subsequence is kept; among equally long ones, the one that keeps the
// earlier readings; every other reading is excluded as "decrease".
func CountedReadings(rs []Reading, resets []time.Time, removed time.Time) (segments []Segment, excluded []Exclusion) {
	// The store passes readings in time order; only others need a sorted
	// copy (rs itself is never changed).
	sorted := rs
	if !sort.SliceIsSorted(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) }) {
		sorted = append([]Reading(nil), rs...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	}
	kept := sorted
	if !removed.IsZero() {
		// Sorted, so everything after removed is a tail.
		cut := sort.Search(len(sorted), func(i int) bool { return sorted[i].Time.After(removed) })
		for _, r := range sorted[cut:] {
			excluded = append(excluded, Exclusion{Reading: r, Reason: ExcludedRemoved})
		}
		kept = sorted[:cut]
	}
	start := 0
	for _, boundary := range append(append([]time.Time(nil), resets...), time.Time{}) {
		end := len(kept)
		if !boundary.IsZero() {
			end = start + sort.Search(len(kept)-start, func(i int) bool { return !kept[start+i].Time.Before(boundary) })
		}
		seg, exc := nonDecreasing(kept[start:end])
		if len(seg) > 0 {
			segments = append(segments, Segment{Readings: seg})
		}
		excluded = append(excluded, exc...)
		start = end
	}
	sort.SliceStable(excluded, func(i, j int) bool { return excluded[i].Time.Before(excluded[j].Time) })
	return segments, excluded
}

// nonDecreasing keeps the longest non-decreasing subsequence of rs (in time
// order) that uses the earliest readings, in O(n log n).
func nonDecreasing(rs []Reading) (kept []Reading, excluded []Exclusion) {
	n := len(rs)
	if n == 0 {
		return nil, nil
	}
	// A counter that never goes down, the usual case, keeps everything.
	monotonic := true
	for i := 1; i < n && monotonic; i++ {
		monotonic = rs[i].Value >= rs[i-1].Value
	}
	if monotonic {
		return rs, nil
	}
	// longest[i]: length of the longest non-decreasing subsequence that
	// starts at i. From the right, that is the longest non-increasing
	// sequence ending at i; tails[k] holds the largest possible last value
	// (going leftwards) of such a sequence of length k+1.
	longest := make([]int, n)
	var tails []float64
	for i := n - 1; i >= 0; i-- {
		v := rs[i].Value
		// First k whose tail is < v: v can extend sequences with tail ≥ v.
		k := sort.Search(len(tails), func(k int) bool { return tails[k] < v })
		if k == len(tails) {
			tails = append(tails, v)
		} else {
			tails[k] = v
		}
		longest[i] = k + 1
	}
	// Greedy from the left: the earliest reading that can still complete a
	// longest sequence is taken, which keeps the earlier readings.
	need := len(tails)
	kept = make([]Reading, 0, need)
	for i := 0; i < n; i++ {
		if need > 0 && longest[i] >= need && (len(kept) == 0 || rs[i].Value >= kept[len(kept)-1].Value) {
			kept = append(kept, rs[i])
			need--
		}
	}
	// Name each excluded reading's neighbour: the last counted reading
	// before it if that is higher, else the first counted one after it.
	j := 0 // index into kept of the first counted reading after rs[i]
	for _, r := range rs {
		for j < len(kept) && !kept[j].Time.After(r.Time) {
			j++
		}
		if j > 0 && kept[j-1].Time.Equal(r.Time) {
			continue // counted
		}
		e := Exclusion{Reading: r, Reason: ExcludedDecrease}
		switch {
		case j > 0 && kept[j-1].Value > r.Value:
			e.Neighbour, e.Below = kept[j-1], true
		case j < len(kept):
			e.Neighbour = kept[j]
		}
		excluded = append(excluded, e)
	}
	return kept, excluded
}
