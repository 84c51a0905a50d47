package app

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
)

// Plausibility (docs/import.md#plausibility): a reading whose consumption
// since the reading before it, per day, is far beyond what the meter does
// is held back until the person confirms it. The usual rate is the median
// daily rate between the meter's readings over the last 90 days with data.
const (
	plausibleFactor = 10
	plausibleWindow = 90 * 24 * time.Hour
	// plausibleMinRates is how many rates make a usual one; with fewer
	// only max_per_day judges.
	plausibleMinRates = 3
)

// plausible holds back readings whose implied consumption per day is more
// than plausibleFactor × the usual rate or above the meter's max_per_day,
// unless confirm: then they are kept and named in a warning. Held back,
// they are rejected rows that say how to confirm them.
func (a *App) plausible(m Meter, history func() ([]analysis.Reading, error), in []ingest.Reading, rejected []ingest.Rejection, confirm bool) (_ []ingest.Reading, _ []ingest.Rejection, _ []ingest.Warning, held []int, _ error) {
	if m.Reading != analysis.Cumulative || len(in) == 0 {
		return in, rejected, nil, nil, nil
	}
	all, err := history()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	usual := usualRate(all)
	limit := 0.0
	if usual > 0 {
		limit = plausibleFactor * usual
	}
	if m.MaxPerDay > 0 && (limit == 0 || m.MaxPerDay < limit) {
		limit = m.MaxPerDay
	}
	if limit == 0 {
		return in, rejected, nil, nil, nil
	}
	// Each imported reading against the reading before it, stored or
	// imported, among those that count.
	byTime := make([]analysis.Reading, 0, len(all)+len(in))
	byTime = append(byTime, all...)
	for _, r := range in {
		byTime = append(byTime, analysis.Reading{Time: r.Time, Value: r.Value})
	}
	segs, _ := analysis.CountedReadings(byTime, m.Resets, m.Removed)
	// prev is the counted reading before the last one at t, within its
	// segment: segments follow each other in time and each is in time
	// order, so one search finds it (a file of 100,000 readings over as
	// many stored ones made a map of 12 MB).
	prev := func(t time.Time) (analysis.Reading, bool) {
		for _, s := range segs {
			rs := s.Readings
			if len(rs) == 0 || t.Before(rs[0].Time) || t.After(rs[len(rs)-1].Time) {
				continue
			}
			i := sort.Search(len(rs), func(i int) bool { return rs[i].Time.After(t) }) - 1
			if i >= 1 && rs[i].Time.Equal(t) {
				return rs[i-1], true
			}
		}
		return analysis.Reading{}, false
	}
	local := func(t time.Time) string { return t.In(a.cfg.Location).Format("2006-01-02 15:04") }
	num := func(v float64) msg.Fixed { return msg.Fixed{V: v, Prec: 3} }
	// kept is in itself until a reading is held back: then a copy.
	var kept []ingest.Reading
	var warnings []ingest.Warning
	for i, r := range in {
		p, ok := prev(r.Time)
		days := r.Time.Sub(p.Time).Hours() / 24
		if !ok || days <= 0 {
			if kept != nil {
				kept = append(kept, r)
			}
			continue
		}
		rate := (r.Value - p.Value) / days
		if rate <= limit {
			if kept != nil {
				kept = append(kept, r)
			}
			continue
		}
		what := msg.New("implausible.rate", msg.Num(r.Value), local(r.Time), num(rate), m.Unit, msg.Num(p.Value), local(p.Time), num(limit))
		if usual > 0 {
			what = msg.New("implausible.rate_usual", what, num(usual))
		}
		if confirm {
			if kept != nil {
				kept = append(kept, r)
			}
			warnings = append(warnings, ingest.Warn(r.Row, msg.New("implausible.confirmed", what), a.lang()))
			continue
		}
		if kept == nil {
			kept = append(make([]ingest.Reading, 0, len(in)-1), in[:i]...)
		}
		rejected = append(rejected, ingest.Reject(r.Row, msg.New("implausible.held", what), a.lang()))
		held = append(held, r.Row)
	}
	if kept == nil {
		kept = in
	}
	sort.SliceStable(rejected, func(i, j int) bool { return rejected[i].Row < rejected[j].Row })
	return kept, rejected, warnings, held, nil
}

// usualRate is the median daily rate between consecutive counted readings
// over the last 90 days with data; 0 with too few of them.
func usualRate(rs []analysis.Reading) float64 {
	segs, _ := analysis.CountedReadings(rs, nil, time.Time{})
	if len(segs) == 0 {
		return 0
	}
	last := segs[len(segs)-1].Readings
	end := last[len(last)-1].Time
	var rates []float64
	for _, s := range segs {
		for i := 1; i < len(s.Readings); i++ {
			a, b := s.Readings[i-1], s.Readings[i]
			if b.Time.Before(end.Add(-plausibleWindow)) {
				continue
			}
			if days := b.Time.Sub(a.Time).Hours() / 24; days > 0 {
				rates = append(rates, (b.Value-a.Value)/days)
			}
		}
	}
	if len(rates) < plausibleMinRates {
		return 0
	}
	slices.Sort(rates)
	return rates[len(rates)/2]
}

// choiceKey names a meter's remembered column choice in the settings.
func choiceKey(meter string) string { return "columns." + meter }

type rememberedChoice struct {
	Choice ingest.Choice `json:"choice"`
	Header []string      `json:"header"` // the header row's texts, the file's shape
}

// rememberChoice keeps a person's column choice for the meter, with the
// header row it was made for.
func (a *App) rememberChoice(ctx context.Context, meter, name string, f ingest.FileSource, size int64, choice ingest.Choice) {
	header, ok := headerRow(name, f, size, choice)
	if !ok {
		return
	}
	b, _ := json.Marshal(rememberedChoice{Choice: choice, Header: header})
	if err := a.db.SetSetting(ctx, choiceKey(meter), string(b)); err != nil {
		a.log.Warn("cannot remember the column choice", "meter", meter, "error", err)
	}
}

// rememberedChoice is the meter's last column choice when this file's row
// at its header row reads the same.
func (a *App) rememberedChoice(ctx context.Context, meter string, nh *ingest.NoHeaderError) (ingest.Choice, bool) {
	v, ok, err := a.db.Setting(ctx, choiceKey(meter))
	if err != nil || !ok {
		return ingest.Choice{}, false
	}
	var rc rememberedChoice
	if json.Unmarshal([]byte(v), &rc) != nil {
		return ingest.Choice{}, false
	}
	for _, s := range nh.Sheets {
		if s.Name != rc.Choice.Sheet || rc.Choice.HeaderRow > len(s.Rows) {
			continue
		}
		if slices.Equal(s.Rows[rc.Choice.HeaderRow-1], rc.Header) {
			return rc.Choice, true
		}
	}
	return ingest.Choice{}, false
}

// headerRow reads the texts of the chosen header row.
func headerRow(name string, f ingest.FileSource, size int64, choice ingest.Choice) ([]string, bool) {
	sheets, ok := ingest.Preview(name, f, size)
	if !ok {
		return nil, false
	}
	for _, s := range sheets {
		if s.Name == choice.Sheet && choice.HeaderRow <= len(s.Rows) {
			return s.Rows[choice.HeaderRow-1], true
		}
	}
	return nil, false
}
