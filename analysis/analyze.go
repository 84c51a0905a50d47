package analysis

import (
	"fmt"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/msg"
)

// Input is everything an analysis works on; it is read, never changed.
type Input struct {
	Meters []Meter
	// Readings of each physical meter, one per instant for cumulative
	// meters; interval meters' readings in the order they were written.
	Readings map[string][]Reading
	// Load, when set, reads a physical meter's readings (as Readings holds
	// them) at the moment the analysis needs them, in place of Readings.
	// With it an analysis holds the readings of the meter it works on, not
	// of the household.
	Load     func(id string) ([]Reading, error)
	Gas      GasFactors
	Location *time.Location
}

// Request asks for consumption over [From, To), local midnights.
type Request struct {
	From, To time.Time
	Meters   []string // empty: every meter, in configuration order
	Daily    bool
}

// Result is the analysis of docs/consumption.md, as the API returns it.
type Result struct {
	From     string        `json:"from"`
	To       string        `json:"to"`
	Timezone string        `json:"timezone"`
	Meters   []MeterResult `json:"meters"`
}

// MeterResult is one meter's figures.
type MeterResult struct {
	ID       string        `json:"id"`
	Type     string        `json:"type"`
	Utility  string        `json:"utility"`
	Unit     string        `json:"unit"`
	Total    Figure        `json:"total"`
	Monthly  []MonthFigure `json:"monthly"`
	Daily    []DayFigure   `json:"daily,omitempty"`
	Warnings []string      `json:"warnings,omitempty"`
	// WarningTexts are Warnings as messages, for a caller that writes them
	// in the reader's language (Localize).
	WarningTexts []msg.Text `json:"-"`
}

// Figure is the consumption of a period: nil Consumption means nothing of
// the period is covered. An incomplete figure has the covered interval.
type Figure struct {
	Consumption *float64
	KWh         *float64
	HasKWh      bool // kwh exists for this meter (docs/consumption.md#kwh); then it is printed, null or not
	Complete    bool
	CoveredFrom time.Time
	CoveredTo   time.Time
}

// MonthFigure is a figure labelled YYYY-MM.
type MonthFigure struct {
	Month string
	Figure
}

// DayFigure is a day's figure with the counter value at its start
// (cumulative meters only).
type DayFigure struct {
	Date       string
	Reading    *float64
	HasReading bool
	Figure
}

func (f Figure) fields(b *jsonObject) {
	b.num("consumption", f.Consumption)
	if f.HasKWh {
		b.num("kwh", f.KWh)
	}
	b.raw("complete", strconv.FormatBool(f.Complete))
	if !f.Complete && f.Consumption != nil {
		b.str("covered_from", f.CoveredFrom.Format(time.RFC3339))
		b.str("covered_to", f.CoveredTo.Format(time.RFC3339))
	}
}

// MarshalJSON writes consumption and kwh as numbers or null, kwh only where
// it exists, and the covered interval only for incomplete figures.
func (f Figure) MarshalJSON() ([]byte, error) {
	var b jsonObject
	f.fields(&b)
	return b.bytes(), nil
}

// MarshalJSON puts the month label first.
func (m MonthFigure) MarshalJSON() ([]byte, error) {
	var b jsonObject
	b.str("month", m.Month)
	m.Figure.fields(&b)
	return b.bytes(), nil
}

// MarshalJSON puts date and reading first.
func (d DayFigure) MarshalJSON() ([]byte, error) {
	var b jsonObject
	b.str("date", d.Date)
	if d.HasReading {
		b.num("reading", d.Reading)
	}
	d.Figure.fields(&b)
	return b.bytes(), nil
}

// BillingPeriod is the billing year starting in year on month-day; 02-29
// means 28 February in other years.
func BillingPeriod(year int, month time.Month, day int, loc *time.Location) (from, to time.Time) {
	at := func(y int) time.Time {
		d := day
		if month == time.February && day == 29 && !isLeap(y) {
			d = 28
		}
		return LocalTime(y, month, d, 0, 0, 0, loc).In(loc)
	}
	return at(year), at(year + 1)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// Analyze computes the requested figures. It is a pure function of its
// arguments (and of what Input.Load reads).
func Analyze(in Input, req Request) (*Result, error) {
	an, err := New(in, req)
	if err != nil {
		return nil, err
	}
	res := an.Head()
	res.Meters = []MeterResult{}
	for m, err := range an.Meters() {
		if err != nil {
			return nil, err
		}
		res.Meters = append(res.Meters, m)
	}
	return &res, nil
}

// Analysis is a checked request whose meters are computed one at a time,
// for a caller that writes each as it comes: a five-year daily analysis of
// a household then holds one meter's readings and figures, not all of them.
type Analysis struct {
	a    *analyzer
	req  Request
	head Result
	ids  []string
	// last[id] is the position in ids of the last meter that needs id's
	// daily values (itself, or a virtual meter it is part of); self[id] the
	// last position that is id itself, whose figures need its curve.
	last, self map[string]int
}

// New checks a request against the input.
func New(in Input, req Request) (*Analysis, error) {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	if !req.From.Before(req.To) {
		return nil, fmt.Errorf("the range is empty: from %s is not before to %s", req.From.In(loc).Format("2006-01-02"), req.To.In(loc).Format("2006-01-02"))
	}
	a := &analyzer{in: in, loc: loc, byID: map[string]Meter{}, days: map[string]*meterDays{}}
	for _, m := range in.Meters {
		a.byID[m.ID] = m
	}
	ids := req.Meters
	if len(ids) == 0 {
		for _, m := range in.Meters {
			ids = append(ids, m.ID)
		}
	}
	for _, id := range ids {
		if _, ok := a.byID[id]; !ok {
			return nil, fmt.Errorf("unknown meter %q", id)
		}
	}
	an := &Analysis{a: a, req: req, ids: ids, last: map[string]int{}, self: map[string]int{}}
	var mark func(id string, k int)
	mark = func(id string, k int) {
		an.last[id] = k
		if m := a.byID[id]; m.Kind == Virtual {
			mark(m.Base, k)
			for _, s := range m.Subtract {
				mark(s, k)
			}
		}
	}
	for k, id := range ids {
		an.self[id] = k
		mark(id, k)
	}
	a.grid = dayGrid(req.From, req.To, loc)
	a.dates = make([]string, len(a.grid)-1)
	for i := range a.dates {
		a.dates[i] = time.Unix(a.grid[i], 0).In(loc).Format("2006-01-02")
	}
	an.head = Result{From: req.From.In(loc).Format("2006-01-02"), To: req.To.In(loc).Format("2006-01-02"), Timezone: loc.String()}
	return an, nil
}

// Head is the result without its meters.
func (an *Analysis) Head() Result { return an.head }

// Meters computes the requested meters in order, each once; it stops at
// the first reading that cannot be loaded, yielding its error. What no
// meter still to come needs is let go as soon as a meter is yielded.
func (an *Analysis) Meters() iter.Seq2[MeterResult, error] {
	return func(yield func(MeterResult, error) bool) {
		a := an.a
		// Afresh each time: a range stopped early leaves meters whose
		// curves are already let go.
		a.days, a.err = map[string]*meterDays{}, nil
		for k, id := range an.ids {
			r := a.meterResult(a.byID[id], an.req)
			if a.err != nil {
				yield(MeterResult{}, a.err)
				return
			}
			for x, md := range a.days {
				switch {
				case an.last[x] <= k && an.self[x] <= k:
					delete(a.days, x)
				case an.self[x] <= k:
					// Still a part of a virtual meter to come, which reads
					// only the daily values.
					md.counter, md.interval = nil, nil
				}
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

type analyzer struct {
	in    Input
	loc   *time.Location
	byID  map[string]Meter
	grid  []int64  // local midnights From..To
	dates []string // YYYY-MM-DD of each day, made once for all meters
	days  map[string]*meterDays
	err   error // the first reading Input.Load could not give
}

// readings gives a physical meter's readings from the input.
func (a *analyzer) readings(id string) []Reading {
	if a.in.Load == nil {
		return a.in.Readings[id]
	}
	rs, err := a.in.Load(id)
	if err != nil && a.err == nil {
		a.err = err
	}
	return rs
}

// meterDays is a meter's figures per day of the request, with what its
// months and total need.
type meterDays struct {
	m        Meter
	days     []dayValue
	counter  counter         // cumulative meters
	interval *intervalSeries // interval meters
	warnings []msg.Text
}

type dayValue struct {
	consumption float64
	kwh         float64
	defined     bool  // some of the day is covered
	whole       bool  // defined for the whole day, as a virtual meter needs
	complete    bool  // the figure covers the whole day
	from, to    int64 // covered part
	reading     float64
	hasReading  bool
}

func dayGrid(from, to time.Time, loc *time.Location) []int64 {
	f := from.In(loc)
	var out []int64
	for i := 0; ; i++ {
		d := LocalTime(f.Year(), f.Month(), f.Day()+i, 0, 0, 0, loc)
		if !d.Before(to) {
			out = append(out, to.Unix())
			return out
		}
		out = append(out, d.Unix())
	}
}

func (a *analyzer) local(t int64) string {
	return time.Unix(t, 0).In(a.loc).Format("2006-01-02 15:04")
}

func (a *analyzer) kwh(m Meter, v float64, at int64) float64 {
	k, _ := KWhOf(v, m.Unit, m.Utility, time.Unix(at, 0), a.in.Gas)
	return k
}

// daysOf computes (once) a meter's daily values over the request.
func (a *analyzer) daysOf(m Meter) *meterDays {
	if d, ok := a.days[m.ID]; ok {
		return d
	}
	md := &meterDays{m: m, days: make([]dayValue, len(a.grid)-1)}
	a.days[m.ID] = md
	switch {
	case m.Kind == Virtual:
		a.virtualDays(md)
	case m.Kind == Physical && m.Reading == Interval:
		md.interval = newIntervalSeries(a.readings(m.ID), m.Interval, m.Removed)
		for i := range md.days {
			d0, d1 := a.grid[i], a.grid[i+1]
			sum, have, want := md.interval.sum(d0, d1)
			if have == 0 {
				continue
			}
			f, l, _ := md.interval.firstLast(d0, d1)
			md.days[i] = dayValue{consumption: sum, kwh: a.kwh(m, sum, d0), defined: true, whole: true,
				complete: have == want, from: f, to: l + md.interval.iv}
		}
	default:
		md.counter = a.counterOf(m, md)
		if md.counter != nil {
			a.cumulativeDays(md)
		}
	}
	return md
}

// counterOf builds a physical cumulative meter's curve or a master meter.
func (a *analyzer) counterOf(m Meter, md *meterDays) counter {
	if m.Kind == Physical {
		c, excluded, gaps := physicalCurve(m, a.readings(m.ID), a.loc)
		md.warnings = append(md.warnings, a.exclusionWarnings("", excluded)...)
		md.warnings = append(md.warnings, a.gapWarnings(gaps, "analysis.at_reset")...)
		if c == nil {
			return nil
		}
		return c
	}
	curves := map[string]*curve{}
	factors := map[string]float64{}
	for _, p := range m.Periods {
		for _, id := range p.Meters {
			if _, done := curves[id]; done {
				continue
			}
			pm := a.byID[id]
			c, excluded, gaps := physicalCurve(pm, a.readings(id), a.loc)
			curves[id] = c
			factors[id], _ = ConstantFactor(pm.Unit, m.Unit)
			md.warnings = append(md.warnings, a.exclusionWarnings(id, excluded)...)
			md.warnings = append(md.warnings, a.gapWarnings(gaps, "analysis.at_reset")...)
		}
	}
	mc, gaps, unjoined := buildMaster(m, curves, factors)
	md.warnings = append(md.warnings, a.gapWarnings(gaps, "analysis.at_replacement")...)
	for _, u := range unjoined {
		md.warnings = append(md.warnings, msg.New("analysis.unjoined", a.local(u.At.Unix()), strings.Join(u.Meters, ", ")))
	}
	if _, _, ok := mc.envelope(); !ok {
		return nil
	}
	return mc
}

func (a *analyzer) exclusionWarnings(meter string, ex []Exclusion) []msg.Text {
	var out []msg.Text
	lo, hi := a.grid[0], a.grid[len(a.grid)-1]
	prefix := ""
	if meter != "" {
		prefix = meter + ": "
	}
	for _, e := range ex {
		t := e.Time.Unix()
		if t < lo || t >= hi {
			continue
		}
		var why msg.Text
		switch {
		case e.Reason == ExcludedRemoved:
			why = msg.New("analysis.why_removed")
		case e.Below:
			why = msg.New("analysis.why_below", msg.Num(e.Neighbour.Value), a.local(e.Neighbour.Time.Unix()))
		case !e.Neighbour.Time.IsZero():
			why = msg.New("analysis.why_above", msg.Num(e.Neighbour.Value), a.local(e.Neighbour.Time.Unix()))
		default:
			why = msg.New("analysis.why_out_of_line")
		}
		id := "analysis.excluded"
		if e.Reason == ExcludedDecrease {
			id = "analysis.excluded_decrease"
		}
		out = append(out, msg.New(id, prefix, msg.Num(e.Value), a.local(t), why))
	}
	return out
}

func (a *analyzer) gapWarnings(gaps []Gap, what string) []msg.Text {
	var out []msg.Text
	lo, hi := a.grid[0], a.grid[len(a.grid)-1]
	for _, g := range gaps {
		if g.To.Unix() <= lo || g.From.Unix() >= hi {
			continue
		}
		out = append(out, msg.New("analysis.gap", a.local(g.From.Unix()), a.local(g.To.Unix()), msg.New(what), a.local(g.At.Unix()), strings.Join(g.Meters, ", ")))
	}
	return out
}

func (a *analyzer) cumulativeDays(md *meterDays) {
	c := md.counter
	first, last, _ := c.envelope()
	vals := make([]float64, len(a.grid))
	ok := make([]bool, len(a.grid))
	for i, t := range a.grid {
		vals[i], ok[i] = c.at(t)
	}
	for i := range md.days {
		d0, d1 := a.grid[i], a.grid[i+1]
		dv := &md.days[i]
		if i < len(a.grid)-1 {
			// Only values joined back to the first period are the counter's.
			dv.reading, dv.hasReading = vals[i], ok[i] && c.chainStart(d0) == math.MinInt64
		}
		lo, hi := max(d0, first), min(d1, last)
		// Nothing is counted across a switch where the counter could not
		// be joined: the day covers the part after it.
		lo = max(lo, c.chainStart(hi))
		if lo >= hi {
			continue
		}
		va, vb := vals[i], vals[i+1]
		aok, bok := ok[i], ok[i+1]
		if lo != d0 {
			va, aok = c.at(lo)
		}
		if hi != d1 {
			vb, bok = c.at(hi)
		}
		if !aok || !bok {
			continue
		}
		dv.consumption = vb - va
		dv.kwh = a.kwh(md.m, dv.consumption, d0)
		dv.defined = true
		dv.complete = lo == d0 && hi == d1
		dv.whole = dv.complete
		dv.from, dv.to = lo, hi
	}
}

// virtualDays applies V(d) = C_base(d) − Σ convert(C_sub(d)) on the days
// where every part is defined for the whole day; no clamping.
func (a *analyzer) virtualDays(md *meterDays) {
	m := md.m
	base := a.daysOf(a.byID[m.Base])
	subs := make([]*meterDays, len(m.Subtract))
	for i, id := range m.Subtract {
		subs[i] = a.daysOf(a.byID[id])
	}
	for i := range md.days {
		d0 := a.grid[i]
		b := base.days[i]
		if !b.whole {
			continue
		}
		v, ok := ConvertConsumption(b.consumption, base.m.Unit, m.Unit, time.Unix(d0, 0), a.in.Gas)
		complete := b.complete && ok
		for _, s := range subs {
			sd := s.days[i]
			if !sd.whole || !ok {
				ok = false
				break
			}
			sv, cok := ConvertConsumption(sd.consumption, s.m.Unit, m.Unit, time.Unix(d0, 0), a.in.Gas)
			ok = ok && cok
			v -= sv
			complete = complete && sd.complete
		}
		if !ok {
			continue
		}
		md.days[i] = dayValue{consumption: v, kwh: a.kwh(m, v, d0), defined: true, whole: true, complete: complete, from: d0, to: a.grid[i+1]}
	}
}

// figure sums or measures [a, b), which must fall on day boundaries of
// the grid (indexes i..j).
func (a *analyzer) figure(md *meterDays, i, j int) Figure {
	A, B := a.grid[i], a.grid[j]
	f := Figure{HasKWh: md.m.HasKWh()}
	kwh, anyDay := 0.0, false
	for k := i; k < j; k++ {
		if md.days[k].defined {
			kwh += md.days[k].kwh
			anyDay = true
		}
	}
	switch {
	case md.counter != nil:
		first, last, _ := md.counter.envelope()
		lo, hi := max(A, first), min(B, last)
		lo = max(lo, md.counter.chainStart(hi))
		if lo >= hi {
			return f
		}
		va, aok := md.counter.at(lo)
		vb, bok := md.counter.at(hi)
		if !aok || !bok {
			return f
		}
		c := vb - va
		f.Consumption = &c
		f.Complete = lo == A && hi == B
		f.CoveredFrom, f.CoveredTo = time.Unix(lo, 0).In(a.loc), time.Unix(hi, 0).In(a.loc)
	case md.interval != nil:
		sum, have, want := md.interval.sum(A, B)
		if have == 0 {
			return f
		}
		f.Consumption = &sum
		f.Complete = have == want
		a.coveredDays(md, i, j, &f)
	case md.m.Kind == Virtual:
		sum, complete := 0.0, true
		for k := i; k < j; k++ {
			d := md.days[k]
			if !d.defined {
				complete = false
				continue
			}
			sum += d.consumption
			complete = complete && d.complete
		}
		if !anyDay {
			return f
		}
		f.Consumption = &sum
		f.Complete = complete
		a.coveredDays(md, i, j, &f)
	default:
		return f
	}
	if f.HasKWh {
		f.KWh = &kwh
	}
	return f
}

// coveredDays sets the covered interval of a summed figure: from the start
// of its first covered day to the end of its last.
func (a *analyzer) coveredDays(md *meterDays, i, j int, f *Figure) {
	first, last := -1, -1
	for k := i; k < j; k++ {
		if md.days[k].defined {
			if first < 0 {
				first = k
			}
			last = k
		}
	}
	if first >= 0 {
		f.CoveredFrom, f.CoveredTo = time.Unix(a.grid[first], 0).In(a.loc), time.Unix(a.grid[last+1], 0).In(a.loc)
	}
}

func (a *analyzer) meterResult(m Meter, req Request) MeterResult {
	md := a.daysOf(m)
	r := MeterResult{ID: m.ID, Type: string(m.Kind), Utility: string(m.Utility), Unit: string(m.Unit), WarningTexts: md.warnings}
	r.Localize(msg.EN)
	n := len(a.grid) - 1
	r.Total = a.figure(md, 0, n)
	// Months: consecutive days with the same local YYYY-MM; a month cut by
	// the range keeps its label and covers the requested part.
	start := 0
	for i := 1; i <= n; i++ {
		if i == n || a.month(i) != a.month(start) {
			r.Monthly = append(r.Monthly, MonthFigure{Month: a.month(start), Figure: a.figure(md, start, i)})
			start = i
		}
	}
	if req.Daily {
		// Every counter's rows carry "reading", null where unknown: also a
		// master with no data at all.
		cum := md.counter != nil || m.Kind == Master || (m.Kind == Physical && m.Reading == Cumulative)
		// One backing array for the day's numbers instead of three small
		// allocations a day.
		nums := make([]float64, 3*n)
		r.Daily = make([]DayFigure, 0, n)
		for i := 0; i < n; i++ {
			d := md.days[i]
			df := DayFigure{Date: a.dates[i], HasReading: cum}
			if d.hasReading {
				nums[3*i] = d.reading
				df.Reading = &nums[3*i]
			}
			df.Figure = Figure{HasKWh: m.HasKWh()}
			if d.defined {
				nums[3*i+1], nums[3*i+2] = d.consumption, d.kwh
				df.Consumption = &nums[3*i+1]
				if df.HasKWh {
					df.KWh = &nums[3*i+2]
				}
				df.Complete = d.complete
				df.CoveredFrom, df.CoveredTo = time.Unix(d.from, 0).In(a.loc), time.Unix(d.to, 0).In(a.loc)
			}
			r.Daily = append(r.Daily, df)
		}
	}
	return r
}

func (a *analyzer) month(i int) string { return a.dates[i][:7] }

// jsonObject writes a JSON object field by field, in order.
type jsonObject struct {
	buf []byte
}

func (o *jsonObject) key(k string) {
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.buf = strconv.AppendQuote(o.buf, k)
	o.buf = append(o.buf, ':')
}

func (o *jsonObject) raw(k, v string) {
	o.key(k)
	o.buf = append(o.buf, v...)
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.buf = strconv.AppendQuote(o.buf, v)
}

func (o *jsonObject) num(k string, v *float64) {
	o.key(k)
	if v == nil {
		o.buf = append(o.buf, "null"...)
		return
	}
	o.buf = strconv.AppendFloat(o.buf, *v, 'g', -1, 64)
}

func (o *jsonObject) bytes() []byte {
	if len(o.buf) == 0 {
		return []byte("{}")
	}
	return append(o.buf, '}')
}

// Localize writes the meter's warnings in lang.
func (r *MeterResult) Localize(lang msg.Lang) {
	r.Warnings = nil
	for _, t := range r.WarningTexts {
		r.Warnings = append(r.Warnings, t.In(lang))
	}
}

// Localize writes every meter's warnings in lang.
func (res *Result) Localize(lang msg.Lang) {
	for i := range res.Meters {
		res.Meters[i].Localize(lang)
	}
}
