package analysis

import (
	"sort"
	"time"
)

// point is a counter value at a Unix second.
type point struct {
	t int64
	v float64
}

// curve is a cumulative counter known at points and interpolated between
// them (docs/meters.md#value-at-an-instant): linear in time, or weighted by a
// seasonal pattern of 12 monthly percentages. It is defined only on
// [first point, last point].
type curve struct {
	pts     []point
	pattern []float64
	loc     *time.Location
}

// at returns the value at t, interpolating within pts[lo:hi].
func (c *curve) at(t int64) (float64, bool) {
	return c.atIn(t, 0, len(c.pts))
}

func (c *curve) atIn(t int64, lo, hi int) (float64, bool) {
	if lo >= hi || t < c.pts[lo].t || t > c.pts[hi-1].t {
		return 0, false
	}
	// First point at or after t.
	i := lo + sort.Search(hi-lo, func(i int) bool { return c.pts[lo+i].t >= t })
	b := c.pts[i]
	if b.t == t {
		return b.v, true
	}
	a := c.pts[i-1]
	if a.v == b.v {
		return a.v, true
	}
	if c.pattern != nil {
		// W(ta, tb) = 0 (all weight in months the interval misses) falls
		// back to linear.
		if wab := seasonalWeight(c.pattern, a.t, b.t, c.loc); wab > 0 {
			return a.v + (b.v-a.v)*seasonalWeight(c.pattern, a.t, t, c.loc)/wab, true
		}
	}
	return a.v + (b.v-a.v)*float64(t-a.t)/float64(b.t-a.t), true
}

// seasonalWeight integrates p(month)/(length of that local month) over
// [x, y). The months' lengths are their real local lengths (743 or 745
// hours in DST months).
func seasonalWeight(p []float64, x, y int64, loc *time.Location) float64 {
	if y <= x {
		return 0
	}
	w := 0.0
	tx := time.Unix(x, 0).In(loc)
	// Months are stepped by their number, not by adding to an instant:
	// where a month starts at a midnight that does not exist the step
	// still advances (it used to return the same instant, for ever).
	year, month := tx.Year(), tx.Month()
	if time.Unix(x, 0).Before(LocalTime(year, month, 1, 0, 0, 0, loc)) {
		month-- // x lies in the hour a missing month start moved forward
	}
	for ms := LocalTime(year, month, 1, 0, 0, 0, loc).Unix(); ms < y; {
		month++
		me := LocalTime(year, month, 1, 0, 0, 0, loc).Unix()
		lo, hi := max(x, ms), min(y, me)
		if hi > lo {
			w += p[(int(month)+10)%12] * float64(hi-lo) / float64(me-ms)
		}
		ms = me
	}
	return w
}

// first and last bound the curve's points.
func (c *curve) first() int64 { return c.pts[0].t }
func (c *curve) last() int64  { return c.pts[len(c.pts)-1].t }

// Gap is time during which a counter's consumption is unknown: between a
// final reading and the next counter's first, at a reset or a meter
// replacement. It counts no consumption and the analysis warns about it.
type Gap struct {
	From, To time.Time
	// Meters are the physical meters whose readings leave the gap.
	Meters []string
	// At is the reset or switch instant.
	At time.Time
}

// physicalCurve builds a cumulative physical meter's counter from its
// counted readings. Across a reset the value is held at the old segment's
// last and the new segment's first reading, with an offset that keeps it
// continuous: two equal points, between which nothing is counted.
func physicalCurve(m Meter, rs []Reading, loc *time.Location) (*curve, []Exclusion, []Gap) {
	segs, excluded := CountedReadings(rs, m.Resets, m.Removed)
	c := &curve{pattern: m.SeasonalPattern, loc: loc}
	var gaps []Gap
	offset := 0.0
	for k, s := range segs {
		if k > 0 && len(c.pts) > 0 {
			prev := c.pts[len(c.pts)-1]
			offset = prev.v - s.Readings[0].Value
			if first := s.Readings[0].Time.Unix(); first > prev.t {
				gaps = append(gaps, Gap{From: time.Unix(prev.t, 0).UTC(), To: time.Unix(first, 0).UTC(), Meters: []string{m.ID}, At: resetBefore(m.Resets, s.Readings[0].Time)})
			}
		}
		for _, r := range s.Readings {
			c.pts = append(c.pts, point{t: r.Time.Unix(), v: r.Value + offset})
		}
	}
	if len(c.pts) == 0 {
		return nil, excluded, nil
	}
	return c, excluded, gaps
}

// resetBefore is the last reset at or before t.
func resetBefore(resets []time.Time, t time.Time) time.Time {
	var r time.Time
	for _, x := range resets {
		if !x.After(t) {
			r = x
		}
	}
	return r
}
