package analysis

import (
	"math"
	"slices"
	"sort"
	"time"
)

// counter is a cumulative value over time: a physical meter's curve or a
// master meter.
type counter interface {
	at(t int64) (float64, bool)
	// envelope bounds where the counter is defined; ok is false if nowhere.
	envelope() (first, last int64, ok bool)
	// chainStart is where the run of values that t belongs to begins: a
	// master whose counter could not be joined at a switch starts a new
	// run there (docs/meters.md#master-meters). Values of one run differ by
	// consumption; only the first run's (math.MinInt64) are counter values.
	chainStart(t int64) int64
}

func (c *curve) envelope() (int64, int64, bool) { return c.first(), c.last(), true }
func (c *curve) chainStart(int64) int64         { return math.MinInt64 }

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
	// atSwitchOnly: defined only at the next switch (the old meter's
	// removal reading taken exactly there), which belongs to the next
	// period; it gives that period its offset and nothing else.
	atSwitchOnly bool
	// chain is where the period's run of joined values begins (MinInt64:
	// joined back to the first period).
	chain int64
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

func (m *masterCurve) period(t int64) *masterPeriod {
	k := sort.Search(len(m.periods), func(i int) bool { return m.periods[i].to > t })
	if k == len(m.periods) || t < m.periods[k].from || !m.periods[k].hasData || m.periods[k].atSwitchOnly {
		return nil
	}
	return m.periods[k]
}

func (m *masterCurve) at(t int64) (float64, bool) {
	p := m.period(t)
	if p == nil {
		return 0, false
	}
	s, ok := p.sum(t)
	return s + p.offset, ok
}

func (m *masterCurve) chainStart(t int64) int64 {
	if p := m.period(t); p != nil {
		return p.chain
	}
	return math.MinInt64
}

func (m *masterCurve) envelope() (int64, int64, bool) {
	first, last, ok := int64(math.MaxInt64), int64(math.MinInt64), false
	for _, p := range m.periods {
		if p.hasData && !p.atSwitchOnly {
			first, last, ok = min(first, p.defFrom), max(last, p.defTo), true
		}
	}
	return first, last, ok
}

// buildMaster joins the physical meters' curves into a master meter.
// curves holds the counted curve of each physical meter (nil: no
// readings), factors the constant conversion into the master's unit. The
// gaps are the uncovered times at switches; unjoined lists the switches
// where the counter could not be joined.
func buildMaster(m Meter, curves map[string]*curve, factors map[string]float64) (*masterCurve, []Gap, []Gap) {
	mc := &masterCurve{}
	n := len(m.Periods)
	in := func(k int, id string) bool {
		if k < 0 || k >= n {
			return false
		}
		return slices.Contains(m.Periods[k].Meters, id)
	}
	from := func(k int) int64 {
		if k >= n {
			return math.MaxInt64
		}
		return m.Periods[k].From.Unix()
	}
	for k, per := range m.Periods {
		p := &masterPeriod{from: from(k), to: from(k + 1), hasData: true}
		for _, id := range per.Meters {
			c := curves[id]
			pc := &masterPiece{id: id, c: c, factor: factors[id]}
			p.pieces = append(p.pieces, pc)
			if c == nil {
				p.hasData = false
				continue
			}
			// The meter's run of consecutive periods around k: it counts
			// only its readings from the run's start to its end, and is
			// held at its first and last of them where the run starts or
			// ends at a switch, in every period of the run.
			k0, k1 := k, k
			for in(k0-1, id) {
				k0--
			}
			for in(k1+1, id) {
				k1++
			}
			runFrom, runTo := from(k0), from(k1+1)
			pc.lo = sort.Search(len(c.pts), func(i int) bool { return c.pts[i].t >= runFrom })
			pc.hi = sort.Search(len(c.pts), func(i int) bool { return c.pts[i].t > runTo })
			pc.holdStart, pc.holdEnd = k0 > 0, k1+1 < n
			if pc.lo >= pc.hi {
				p.hasData = false
				continue
			}
			pc.hasPoints = true
			pc.firstT, pc.lastT = c.pts[pc.lo].t, c.pts[pc.hi-1].t
		}
		if p.hasData {
			p.defFrom, p.defTo = p.from, p.to
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
			switch {
			case p.defFrom > p.defTo:
				p.hasData = false
			case p.defFrom == p.defTo && p.defTo == p.to:
				p.atSwitchOnly = true
			}
		}
		mc.periods = append(mc.periods, p)
	}

	// Offsets, period by period: offset_k makes M continuous at the switch
	// T = from_k, where both the previous period's value and this one's
	// are known. Where either is not, the counter cannot be joined: the
	// period starts a new run, whose values still give consumption.
	var gaps, unjoined []Gap
	var lastT int64
	chain := int64(math.MinInt64)
	for k, p := range mc.periods {
		if !p.hasData {
			continue
		}
		p.chain = chain
		if k == 0 {
			lastT = lastPointIn(p)
			continue
		}
		T := p.from
		prev := mc.periods[k-1]
		old, oldOK := 0.0, false
		if prev.hasData {
			old, oldOK = prev.sum(T)
			old += prev.offset
		}
		cur, curOK := p.sum(T)
		if oldOK && curOK {
			p.offset = old - cur
			if g, ok := switchGap(mc.periods, k, lastT); ok {
				gaps = append(gaps, g)
			}
		} else {
			chain = T
			p.chain = chain
			unjoined = append(unjoined, Gap{At: time.Unix(T, 0).UTC(), From: time.Unix(T, 0).UTC(), To: time.Unix(T, 0).UTC(), Meters: per(m, k)})
		}
		lastT = lastPointIn(p)
	}
	return mc, gaps, unjoined
}

// per lists the meters of period k.
func per(m Meter, k int) []string { return m.Periods[k].Meters }

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
