package app

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/ingest"
)

// AnalyzeRequest is what `meterd analyze` and POST /api/v1/analyze ask.
type AnalyzeRequest = api.AnalyzeRequest

// Range resolves the request's dates: a billing year, or from/to with the
// defaults "1 January this year" and "tomorrow" (this year so far).
func (a *App) Range(req AnalyzeRequest) (from, to time.Time, err error) {
	loc := a.cfg.Location
	now := a.now().In(loc)
	if req.BillingYear != 0 {
		if req.To != "" || req.From != "" {
			return from, to, fault.New(fault.Invalid, "analyze.year_or_range")
		}
		if req.BillingYear < 1900 || req.BillingYear > 2200 {
			return from, to, fault.New(fault.Invalid, "analyze.bad_year", req.BillingYear)
		}
		from, to = analysis.BillingPeriod(req.BillingYear, a.cfg.BillingStart.Month, a.cfg.BillingStart.Day, loc)
		return from, to, nil
	}
	from = analysis.LocalTime(now.Year(), 1, 1, 0, 0, 0, loc).In(loc)
	to = analysis.LocalTime(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, loc).In(loc)
	parse := func(name, v string, dst *time.Time) error {
		if v == "" {
			return nil
		}
		t, err := analysis.ParseDate(v, loc)
		if err != nil {
			return fault.New(fault.Invalid, "analyze.bad_date", name, fmt.Sprintf("%q", v))
		}
		*dst = t
		return nil
	}
	if err := parse("from", req.From, &from); err != nil {
		return from, to, err
	}
	if err := parse("to", req.To, &to); err != nil {
		return from, to, err
	}
	if !from.Before(to) {
		return from, to, fault.New(fault.Invalid, "analyze.from_after_to", from.In(loc).Format("2006-01-02"), to.In(loc).Format("2006-01-02"))
	}
	return from, to, nil
}

// The bounds of one analysis (docs/http.md#limits): a request of a few
// bytes must not ask for ten thousand years of daily rows.
const (
	MaxAnalysisYears = 20
	MaxDailyRows     = 100_000 // days × meters
)

// Analyze loads the readings the requested meters need and computes their
// figures.
func (a *App) Analyze(ctx context.Context, req AnalyzeRequest) (*analysis.Result, error) {
	head, each, err := a.AnalyzeEach(ctx, req)
	if err != nil {
		return nil, err
	}
	head.Meters = []analysis.MeterResult{}
	for m, err := range each {
		if err != nil {
			return nil, err
		}
		head.Meters = append(head.Meters, m)
	}
	return &head, nil
}

// AnalyzeEach is Analyze for a caller that writes each meter as it comes:
// a meter's readings are read when it is its turn and let go after it, so
// a whole household's five years cost about what its largest meter does.
// The meters come in order, their warnings in ui.language; an error ends
// them.
func (a *App) AnalyzeEach(ctx context.Context, req AnalyzeRequest) (analysis.Result, iter.Seq2[analysis.MeterResult, error], error) {
	r, err := a.analysisRequest(req)
	if err != nil {
		return analysis.Result{}, nil, err
	}
	an, err := analysis.New(a.loadingInput(ctx), r)
	if err != nil {
		return analysis.Result{}, nil, err
	}
	lang := a.lang()
	return an.Head(), func(yield func(analysis.MeterResult, error) bool) {
		for m, err := range an.Meters() {
			if err == nil {
				m.Localize(lang)
			}
			if !yield(m, err) || err != nil {
				return
			}
		}
	}, nil
}

// analysisRequest checks a request against the meters and the bounds of
// one analysis (docs/http.md#limits) and resolves its dates.
func (a *App) analysisRequest(req AnalyzeRequest) (analysis.Request, error) {
	from, to, err := a.Range(req)
	if err != nil {
		return analysis.Request{}, err
	}
	for _, id := range req.Meters {
		if _, ok := a.cfg.Meter(id); !ok {
			return analysis.Request{}, fault.New(fault.NotFound, "meter.unknown", fmt.Sprintf("%q", id))
		}
	}
	if to.After(from.In(a.cfg.Location).AddDate(MaxAnalysisYears, 0, 0)) {
		return analysis.Request{}, fault.New(fault.Invalid, "analyze.too_many_years", MaxAnalysisYears)
	}
	if req.Daily {
		meters := len(req.Meters)
		if meters == 0 {
			meters = len(a.cfg.Meters)
		}
		if days := int(to.Sub(from).Hours()/24) + 1; days*meters > MaxDailyRows {
			return analysis.Request{}, fault.New(fault.Invalid, "analyze.too_many_rows", days, meters, MaxDailyRows)
		}
	}
	return analysis.Request{From: from, To: to, Meters: req.Meters, Daily: req.Daily}, nil
}

// analyze computes r on readings already loaded, its warnings written in
// ui.language.
func (a *App) analyze(in analysis.Input, r analysis.Request) (*analysis.Result, error) {
	res, err := analysis.Analyze(in, r)
	if err == nil {
		res.Localize(a.lang())
	}
	return res, err
}

// loadingInput is an analysis input that reads each meter's readings when
// the analysis comes to it (docs/architecture.md#one-meter-at-a-time).
func (a *App) loadingInput(ctx context.Context) analysis.Input {
	return analysis.Input{Meters: a.cfg.AnalysisMeters(), Gas: a.cfg.Gas, Location: a.cfg.Location,
		Load: func(id string) ([]analysis.Reading, error) {
			m, _ := a.cfg.Meter(id)
			return a.meterReadings(ctx, m)
		}}
}

// analysisReaders is how many meters an analysis reads at once: the
// Raspberry Pi and the CI machine have two cores or more, and the database
// keeps connections for the rest of the daemon.
const analysisReaders = 2

// analysisInput gathers the readings of the physical meters that ids
// depend on (all meters if ids is empty): from SQLite, or from InfluxDB
// for meters with source influx.
func (a *App) analysisInput(ctx context.Context, ids []string) (analysis.Input, error) {
	in := analysis.Input{Meters: a.cfg.AnalysisMeters(), Readings: map[string][]analysis.Reading{}, Gas: a.cfg.Gas, Location: a.cfg.Location}
	if len(ids) == 0 {
		for _, m := range a.cfg.Meters {
			ids = append(ids, m.ID)
		}
	}
	need := a.cfg.physicalParts(ids...)
	var todo []Meter
	for _, m := range a.cfg.Meters {
		if need[m.ID] {
			todo = append(todo, m)
		}
	}
	// Reading the readings is most of an analysis's time; SQLite in WAL
	// mode serves several readers at once, so two cores read two meters.
	got := make([][]analysis.Reading, len(todo))
	errs := make([]error, len(todo))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(len(todo), analysisReaders) {
		wg.Go(func() {
			for i := range next {
				got[i], errs[i] = a.meterReadings(ctx, todo[i])
			}
		})
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, m := range todo {
		if errs[i] != nil {
			return in, errs[i]
		}
		in.Readings[m.ID] = got[i]
	}
	return in, nil
}

func (a *App) meterReadings(ctx context.Context, m Meter) ([]analysis.Reading, error) {
	if m.Source == SourceInflux {
		if a.influx == nil {
			return nil, fault.New(fault.Unavailable, "analyze.no_influx", m.ID)
		}
		src := m.InfluxSource
		rs, err := a.influx.HASeries(ctx, src.Bucket, src.Measurement, src.EntityID, src.Field)
		if err != nil {
			return nil, fault.New(fault.Unavailable, "analyze.influx_down", m.ID, err)
		}
		// Home Assistant's series are outside data like any other: a value
		// or instant outside the domain takes no part.
		domain := a.domain()
		out := make([]analysis.Reading, 0, len(rs))
		for _, r := range rs {
			if domain.Check(ingest.Reading{Time: r.Time, Value: r.Value}).IsZero() {
				out = append(out, analysis.Reading{Time: r.Time, Value: r.Value})
			}
		}
		return out, nil
	}
	// Interval meters need the write order (of two readings for one
	// interval the later written wins); counters are best read in time
	// order, which the analysis then need not sort.
	if m.Reading == analysis.Interval {
		// Two readings for one interval are decided by the order they were
		// written in: read them so, past the time-ordered cache.
		return a.db.Series(ctx, m.ID, true)
	}
	return a.db.CachedSeries(ctx, m.ID)
}
