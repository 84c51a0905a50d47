package analysis

import (
	"math"
	"sort"
	"time"
)

// counter is a cumulative value over time: a physical meter's curve or a
// master meter.
type counter interface {
	at(t int64) (float64, bool)
	// envelope bounds where the counter is defined; ok is false if nowhere.
	envelope() (first, last int64, ok bool)
}

func (c *curve) envelope() (int64, int64, bool) { return c.first(), c.last(), true }

// masterPiece is one physical meter's part in one period: the points it
// counts there, and whether it is held before its first or after its last
// such point because it starts or ends at a switch.
type masterPiece struct {
	id                 string
	c                  *curve
	lo, hi             int // pts[lo:hi] count in this period
	holdStart, holdEnd bool
	factor             float64
	firstT, lastT      int64
	hasPoints          bool
}

func (p *masterPiece) at(t int64) (float64, bool) {
	if !p.hasPoints {
		return 0, false
	}
	first, last := p.c.pts[p.lo], p.c.pts[p.hi-1]
	switch {
	case t < first.t && p.holdStart:
		return first.v * p.factor, true
	case t > last.t && p.holdEnd:
		return last.v * p.factor, true
	}
	v, ok := p.c.atIn(t, p.lo, p.hi)
	return v * p.factor, ok
}

type masterPeriod struct {
	from, to int64 // [from, to); the last period's to is MaxInt64
	pieces   []*masterPiece
	offset   float64
	hasData  bool
	defFrom  int64 // first instant the period is defined
	defTo    int64 // last instant (inclusive) the period is defined
}

func (p *masterPeriod) sum(t int64) (float64, bool) {
	s := 0.0
	for _, pc := range p.pieces {
		v, ok := pc.at(t)
		if !ok {
			return 0, false
		}
		s += v
	}
	return s, true
}

// masterCurve is M(t) of docs/meters.md#master-meters: within period k the sum of its meters'
// values (converted, with the hold rule at switches) plus offset_k, which
// keeps M continuous at each switch.
type masterCurve struct {
	periods []*masterPeriod
}

func (m *masterCurve) at(t int64) (float64, bool) {
	k := sort.Search(len(m.periods), func(i int) bool { return m.periods[i].to > t })
	if k == len(m.periods) || t < m.periods[k].from || !m.periods[k].hasData {
		return 0, false
	}
	p := m.periods[k]
	s, ok := p.sum(t)
	return s + p.offset, ok
}

func (m *masterCurve) envelope() (int64, int64, bool) {
	first, last, ok := int64(math.MaxInt64), int64(math.MinInt64), false
	for _, p := range m.periods {
		if p.hasData {
			first, last, ok = min(first, p.defFrom), max(last, p.defTo), true
		}
	}
	return first, last, ok
}

// buildMaster joins the physical meters' curves into a master meter.
// curves holds the counted curve of each physical meter (nil: no
// readings), factors the constant conversion into the master's unit.
func buildMaster(m Meter, curves map[string]*curve, factors map[string]float64) (*masterCurve, []Gap) {
	mc := &masterCurve{}
	n := len(m.Periods)
	in := func(k int, id string) bool {
		if k < 0 || k >= n {
			return false
		}
		for _, x := range m.Periods[k].Meters {
			if x == id {
				return true
			}
		}
		return false
	}
	for k, per := range m.Periods {
		p := &masterPeriod{from: per.From.Unix(), to: math.MaxInt64, hasData: true}
		if k+1 < n {
			p.to = m.Periods[k+1].From.Unix()
		}
		for _, id := range per.Meters {
			c := curves[id]
			pc := &masterPiece{id: id, c: c, factor: factors[id]}
			p.pieces = append(p.pieces, pc)
			if c == nil {
				p.hasData = false
				continue
			}
			inPrev, inNext := in(k-1, id), in(k+1, id)
			pc.lo, pc.hi = 0, len(c.pts)
			if !inPrev {
				// Readings before the meter's first period are ignored.
				pc.lo = sort.Search(len(c.pts), func(i int) bool { return c.pts[i].t >= p.from })
				pc.holdStart = k > 0
			}
			if !inNext && k+1 < n {
				pc.hi = sort.Search(len(c.pts), func(i int) bool { return c.pts[i].t > p.to })
				pc.holdEnd = true
			}
			if pc.lo >= pc.hi {
				p.hasData = false
				continue
			}
			pc.hasPoints = true
			pc.firstT, pc.lastT = c.pts[pc.lo].t, c.pts[pc.hi-1].t
		}
		if p.hasData {
			p.defFrom, p.defTo = p.from, p.to
			if p.to == math.MaxInt64 {
				p.defTo = math.MaxInt64
			}
			for _, pc := range p.pieces {
				a, b := pc.firstT, pc.lastT
				if pc.holdStart {
					a = p.from
				}
				if pc.holdEnd {
					b = p.to
				}
				p.defFrom, p.defTo = max(p.defFrom, a), min(p.defTo, b)
			}
			if p.defTo >= p.to {
				// The switch instant itself belongs to the next period.
				p.defTo = p.to
			}
			if p.defFrom > p.defTo || (p.defFrom == p.defTo && p.defTo == p.to) {
				p.hasData = false
			}
		}
		mc.periods = append(mc.periods, p)
	}

	// Offsets, period by period: continuity at each switch with what the
	// previous periods last knew.
	var gaps []Gap
	var lastV float64
	var lastT int64
	known := false
	for k, p := range mc.periods {
		if !p.hasData {
			continue
		}
		s, _ := p.sum(p.defFrom)
		// offset_1 = 0; a period with nothing known before it starts at its
		// own value too.
		if known {
			L, lt := lastV, lastT
			if k > 0 && mc.periods[k-1].hasData {
				if v, ok := mc.periods[k-1].sum(p.from); ok {
					L, lt = v+mc.periods[k-1].offset, p.from
				}
			}
			p.offset = L - s
			if g, ok := switchGap(mc.periods, k, lt); ok {
				gaps = append(gaps, g)
			}
		}
		if t := lastPointIn(p); t >= p.defFrom {
			if v, ok := p.sum(t); ok {
				lastV, lastT, known = v+p.offset, t, true
			}
		}
	}
	return mc, gaps
}

// lastPointIn is the last instant at which every piece of the period still
// has real (not held-after-the-end) information, or the period's end.
func lastPointIn(p *masterPeriod) int64 {
	t := p.defTo
	for _, pc := range p.pieces {
		if pc.hasPoints && !pc.holdEnd {
			t = min(t, pc.lastT)
		}
	}
	return t
}

// switchGap is the time around switch k during which no meter counts:
// from the ending meters' final readings to the starting meters' first.
func switchGap(periods []*masterPeriod, k int, lastKnown int64) (Gap, bool) {
	p := periods[k]
	T := p.from
	from, to := min(T, lastKnown), max(T, p.defFrom)
	var meters []string
	if k > 0 {
		for _, pc := range periods[k-1].pieces {
			if pc.holdEnd && pc.hasPoints && pc.lastT < T {
				from = min(from, pc.lastT)
				meters = append(meters, pc.id)
			}
		}
	}
	for _, pc := range p.pieces {
		if pc.holdStart && pc.hasPoints && pc.firstT > T {
			to = max(to, pc.firstT)
			meters = append(meters, pc.id)
		}
	}
	if from >= to {
		return Gap{}, false
	}
	return Gap{From: time.Unix(from, 0).UTC(), To: time.Unix(to, 0).UTC(), Meters: meters, At: time.Unix(T, 0).UTC()}, true
}
