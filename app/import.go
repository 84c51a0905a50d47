package app

import (
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

// ImportRequest is one batch of parsed readings for one physical meter.
type ImportRequest struct {
	Meter    string
	Source   string // excel, csv, api, homeassistant
	FileName string
	SHA256   string
	Readings []ingest.Reading
	Rejected []ingest.Rejection
	DryRun   bool
	Strict   bool
	// Columns are the header texts a file's readings came from, Sheet the
	// workbook sheet.
	Columns []string
	Sheet   string
	// Confirm takes readings whose implied consumption is implausible.
	Confirm bool
	// Via is how the import came: upload, api, cli, homeassistant.
	Via string
}

// Import stores a batch in one transaction and returns the import summary
// of docs/import.md#import-semantics. With Strict, any rejected row refuses
// the whole batch. Readings that the counter rules exclude
// (docs/meters.md#which-readings-count) are stored and listed as warnings.
func (a *App) Import(ctx context.Context, req ImportRequest) (ingest.Summary, error) {
	sums, err := a.importAll(ctx, []ImportRequest{req})
	if err != nil {
		return ingest.Summary{}, err
	}
	return sums[0], nil
}

// prepared is one batch checked and ready to be written.
type prepared struct {
	m        Meter
	sum      ingest.Summary
	batch    store.BatchReadings
	excluded []analysis.Exclusion
	judged   bool
}

// importAll imports the batches of one file (or one request) as one
// transaction: every batch is checked first, and a refusal of any of them,
// or a failure while writing, leaves nothing written.
func (a *App) importAll(ctx context.Context, reqs []ImportRequest) ([]ingest.Summary, error) {
	ps := make([]prepared, len(reqs))
	for i, req := range reqs {
		p, err := a.prepareImport(ctx, req)
		if err != nil {
			return nil, err
		}
		ps[i] = p
		// The batch holds what is written now: a file's readings are not
		// kept twice while the others are prepared and all are written.
		reqs[i].Readings = nil
	}
	batches := make([]store.BatchReadings, len(ps))
	for i, p := range ps {
		batches[i] = p.batch
	}
	results, err := a.db.WriteBatches(ctx, batches)
	a.noteDiskFull(err)
	if err != nil {
		return nil, err
	}
	sums := make([]ingest.Summary, len(ps))
	for i, p := range ps {
		res := results[i]
		p.sum.Written, p.sum.Updated, p.sum.Duplicates, p.sum.ImportID = res.Written, res.Updated, res.Duplicates, res.BatchID
		sums[i] = p.sum
		if reqs[i].DryRun {
			continue
		}
		a.metrics.ReadingsIngested.WithLabelValues(reqs[i].Source).Add(float64(res.Written + res.Updated))
		a.metrics.ReadingsRejected.WithLabelValues(reqs[i].Source).Add(float64(len(p.sum.Rejected)))
		if p.judged && p.m.Anomaly.Enabled(analysis.RuleDecrease) {
			a.settleDecrease(ctx, p.m, p.excluded)
		}
	}
	return sums, nil
}

// prepareImport checks a batch and works out its summary and warnings,
// writing nothing.
func (a *App) prepareImport(ctx context.Context, req ImportRequest) (prepared, error) {
	m, err := a.physicalMeter(req.Meter)
	if err != nil {
		return prepared{}, err
	}
	req.Readings, req.Rejected = a.domain().Filter(req.Readings, req.Rejected)
	// The plausibility check and the warnings both judge the readings
	// against the meter's stored history: read it once, and only if asked.
	var stored []analysis.Reading
	var storedErr error
	loaded := false
	history := func() ([]analysis.Reading, error) {
		if !loaded {
			stored, storedErr = a.db.Series(ctx, m.ID, false)
			loaded = true
		}
		return stored, storedErr
	}
	var implausible []ingest.Warning
	var held []int
	if req.Readings, req.Rejected, implausible, held, err = a.plausible(m, history, req.Readings, req.Rejected, req.Confirm); err != nil {
		return prepared{}, err
	}
	if req.Strict && len(req.Rejected) > 0 {
		var lines msg.List
		for i, r := range req.Rejected {
			if i == 10 {
				lines = append(lines, msg.New("list.more", len(req.Rejected)-10))
				break
			}
			lines = append(lines, msg.New("row.problem", r.Row, r.Error))
		}
		return prepared{}, fault.New(fault.Invalid, "import.strict_refused", len(req.Rejected), lines)
	}
	p := prepared{m: m, sum: ingest.Summary{Meter: m.ID, File: req.FileName, DryRun: req.DryRun, Parsed: len(req.Readings), Rejected: req.Rejected, Columns: req.Columns, Sheet: req.Sheet}}
	srs := make([]store.Reading, len(req.Readings))
	p.sum.Readings = make([]ingest.SummaryReading, 0, len(req.Readings))
	for i, r := range req.Readings {
		srs[i] = store.Reading{Meter: m.ID, Time: r.Time, Value: r.Value, Source: req.Source}
		p.sum.Readings = append(p.sum.Readings, ingest.NewSummaryReading(r, a.cfg.Location))
	}
	if p.sum.Warnings, p.excluded, p.judged, err = a.importWarnings(ctx, m, history, req.Readings); err != nil {
		return prepared{}, err
	}
	p.sum.Warnings = append(p.sum.Warnings, implausible...)
	p.sum.Unconfirmed = held
	sort.SliceStable(p.sum.Warnings, func(i, j int) bool { return p.sum.Warnings[i].Row < p.sum.Warnings[j].Row })
	p.batch = store.BatchReadings{Batch: store.Batch{
		Meter: m.ID, Unit: string(m.Unit), Source: req.Source, Via: req.Via, FileName: req.FileName, SHA256: req.SHA256,
		DryRun: req.DryRun, Outbox: a.cfg.Influx.Enabled(), Rejected: len(req.Rejected), Warnings: len(p.sum.Warnings),
	}, Readings: srs}
	return p, nil
}

// noteDiskFull turns /health degraded while the database's disk refuses
// writes, and back once a write succeeds.
func (a *App) noteDiskFull(err error) {
	switch {
	case fault.KindOf(err) == fault.NoSpace:
		a.health.Set("sqlite", api.StatusDegraded, msg.New("health.disk_full"))
	case err == nil && a.health.Status("sqlite") == api.StatusDegraded:
		a.health.Set("sqlite", api.StatusOK, msg.Text{})
	}
}

// domain bounds what a reading may be now, on every path a reading takes
// (docs/import.md#the-domain-of-a-reading).
// lang is the language of what a person reads: ui.language, German
// for a configuration built in code without it.
func (a *App) lang() msg.Lang {
	if a.cfg.Lang == "" {
		return msg.DE
	}
	return a.cfg.Lang
}

func (a *App) domain() ingest.Domain {
	return ingest.Domain{Earliest: a.cfg.Earliest, Latest: a.now().Add(a.cfg.Storage.FutureTolerance), Location: a.cfg.Location, Lang: a.lang()}
}

// settleDecrease opens or resolves the decrease anomaly as soon as an
// import has shown which readings count, not at the next hourly check. The
// readings are stored already: a failure here is logged, and the check
// tries again.
func (a *App) settleDecrease(ctx context.Context, m Meter, excluded []analysis.Exclusion) {
	var tally anomalyTally
	if err := a.settle(ctx, m.ID, analysis.DecreaseCheck(excluded, a.cfg.Location), &tally); err != nil {
		a.log.Error("cannot record the decrease anomaly", "meter", m.ID, "error", err)
		return
	}
	if tally.Opened+tally.Resolved > 0 {
		a.kickAlerts()
	}
}

// importWarnings applies the counter rules to the meter's readings as they
// will be after the import, and names the imported rows that will not
// count.
//
// It also returns every reading of the meter that will not count, for the
// decrease rule; judged is false when the readings only extend the
// counter, which changes nothing the rule saw before.
func (a *App) importWarnings(ctx context.Context, m Meter, history func() ([]analysis.Reading, error), in []ingest.Reading) (_ []ingest.Warning, excluded []analysis.Exclusion, judged bool, _ error) {
	if m.Reading != analysis.Cumulative || len(in) == 0 {
		return nil, nil, false, nil
	}
	if ok, err := a.onlyExtends(ctx, m, in); err != nil || ok {
		return nil, nil, false, err
	}
	stored, err := history()
	if err != nil {
		return nil, nil, false, err
	}
	// The imported readings in time order, the later row for an instant
	// winning, merged into the stored ones (in time order too): sorted
	// slices, not maps, since a file may bring 100,000 readings.
	type imported struct {
		ts  int64
		v   float64
		row int
	}
	news := make([]imported, len(in))
	for i, r := range in {
		news[i] = imported{r.Time.Unix(), r.Value, r.Row}
	}
	byTime := func(a, b imported) int { return cmp.Compare(a.ts, b.ts) }
	if !slices.IsSortedFunc(news, byTime) {
		slices.SortStableFunc(news, byTime)
	}
	w := 0
	for i := range news {
		if i+1 < len(news) && news[i+1].ts == news[i].ts {
			continue // a later row sets this instant
		}
		news[w] = news[i]
		w++
	}
	news = news[:w]
	all := make([]analysis.Reading, 0, len(stored)+len(news))
	for i, j := 0, 0; i < len(stored) || j < len(news); {
		if j == len(news) || (i < len(stored) && stored[i].Time.Unix() < news[j].ts) {
			all = append(all, stored[i])
			i++
			continue
		}
		if i < len(stored) && stored[i].Time.Unix() == news[j].ts {
			i++ // the import replaces it
		}
		all = append(all, analysis.Reading{Time: time.Unix(news[j].ts, 0).UTC(), Value: news[j].v})
		j++
	}
	_, excluded = analysis.CountedReadings(all, m.Resets, m.Removed)
	var out []ingest.Warning
	for _, e := range excluded {
		ts := e.Time.Unix()
		k, found := slices.BinarySearchFunc(news, ts, func(n imported, ts int64) int { return cmp.Compare(n.ts, ts) })
		if !found {
			continue // a stored reading
		}
		out = append(out, ingest.Warn(news[k].row, a.exclusionText(e, m), a.lang()))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out, excluded, true, nil
}

// onlyExtends reports that the readings come after every stored one, in
// the same counter segment and before any removal, and never go below any
// stored value nor each other: then every longest non-decreasing run
// contains them all and none can be excluded. That is every Home Assistant
// push, so the common case does not load the meter's whole history.
func (a *App) onlyExtends(ctx context.Context, m Meter, in []ingest.Reading) (bool, error) {
	last, maxV, ok, err := a.db.Extent(ctx, m.ID)
	if err != nil || !ok {
		return !ok && err == nil && nonDecreasing(in) && beforeRemoval(m, in) && len(m.Resets) == 0, err
	}
	prevT, prevV := last, maxV
	for _, r := range in {
		if !r.Time.After(prevT) || r.Value < prevV {
			return false, nil
		}
		prevT, prevV = r.Time, r.Value
	}
	for _, reset := range m.Resets {
		if reset.After(last) && !reset.After(in[len(in)-1].Time) {
			return false, nil
		}
	}
	return beforeRemoval(m, in), nil
}

func nonDecreasing(in []ingest.Reading) bool {
	for i := 1; i < len(in); i++ {
		if !in[i].Time.After(in[i-1].Time) || in[i].Value < in[i-1].Value {
			return false
		}
	}
	return true
}

func beforeRemoval(m Meter, in []ingest.Reading) bool {
	if m.Removed.IsZero() {
		return true
	}
	for _, r := range in {
		if r.Time.After(m.Removed) {
			return false
		}
	}
	return true
}

func (a *App) exclusionText(e analysis.Exclusion, m Meter) msg.Text {
	local := func(t time.Time) string { return t.In(a.cfg.Location).Format("2006-01-02 15:04") }
	switch {
	case e.Reason == analysis.ExcludedRemoved:
		return msg.New("warn.after_removal", msg.Num(e.Value), local(e.Time), local(m.Removed))
	case e.Below:
		return msg.New("warn.below_previous", msg.Num(e.Value), msg.Num(e.Neighbour.Value), local(e.Neighbour.Time))
	case !e.Neighbour.Time.IsZero():
		return msg.New("warn.above_next", msg.Num(e.Value), msg.Num(e.Neighbour.Value), local(e.Neighbour.Time))
	default:
		return msg.New("warn.does_not_fit", msg.Num(e.Value), local(e.Time))
	}
}

// ImportFile parses a file and imports it for meterID. A file with a meter
// column (a meterd export) is split by meter when meterID is empty; rows of
// other meters are rejected when meterID is given. A file-level problem
// returns an error and writes nothing.
func (a *App) ImportFile(ctx context.Context, meterID, name string, f ingest.FileSource, size int64, opts api.ImportOptions) ([]ingest.Summary, error) {
	if meterID != "" {
		if _, err := a.physicalMeter(meterID); err != nil {
			return nil, err
		}
	}
	domain := a.domain()
	pf, err := ingest.ParseFile(name, f, size, a.cfg.Location, ingest.Options{Choice: opts.Choice, Lang: a.lang(), Domain: &domain})
	var nh *ingest.NoHeaderError
	remembered := false
	if errors.As(err, &nh) && meterID != "" && !opts.Choice.Manual() {
		// The last choice for this meter, if this file has the same shape.
		if choice, ok := a.rememberedChoice(ctx, meterID, nh); ok {
			if _, serr := f.Seek(0, io.SeekStart); serr == nil {
				opts.Choice, remembered = choice, true
				pf, err = ingest.ParseFile(name, f, size, a.cfg.Location, ingest.Options{Choice: choice, Lang: a.lang(), Domain: &domain})
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if meterID == "" && !pf.HasMeterColumn {
		return nil, fault.New(fault.Invalid, "import.no_meter_column", pf.Name)
	}
	groups := map[string]*ImportRequest{}
	var order []string
	group := func(id string) *ImportRequest {
		g, ok := groups[id]
		if !ok {
			g = &ImportRequest{Meter: id, Source: pf.Source(), FileName: pf.Name, SHA256: pf.SHA256, DryRun: opts.DryRun, Strict: opts.Strict,
				Confirm: opts.Confirm, Columns: pf.Columns, Sheet: pf.Sheet, Via: opts.Via}
			groups[id] = g
			order = append(order, id)
		}
		return g
	}
	if meterID != "" {
		group(meterID)
	}
	var orphans []ingest.Rejection
	// Each row's meter, "" for a row rejected here; the readings are then
	// split in a second pass into slices of their exact size (or, for one
	// meter, kept in place): a file of 400,000 rows is held once, not
	// copied with room to grow.
	ids := make([]string, len(pf.Readings))
	count := map[string]int{}
	for i, r := range pf.Readings {
		id := meterID
		switch {
		case meterID != "" && r.Meter != "" && r.Meter != meterID:
			group(meterID).Rejected = append(group(meterID).Rejected, ingest.Reject(r.Row, msg.New("row.other_meter", ingest.Quoted(r.Meter), ingest.Quoted(meterID)), a.lang()))
			continue
		case meterID == "" && r.Meter == "":
			orphans = append(orphans, ingest.Reject(r.Row, msg.New("row.no_meter"), a.lang()))
			continue
		case meterID == "":
			id = r.Meter
		}
		group(id)
		ids[i] = id
		count[id]++
	}
	if len(order) == 1 && count[order[0]] == len(pf.Readings) {
		groups[order[0]].Readings = pf.Readings
	} else {
		for id, n := range count {
			groups[id].Readings = make([]ingest.Reading, 0, n)
		}
		for i, r := range pf.Readings {
			if id := ids[i]; id != "" {
				groups[id].Readings = append(groups[id].Readings, r)
			}
		}
	}
	pf.Readings = nil // each reading is in its group now
	if meterID == "" {
		for _, id := range order {
			if _, err := a.physicalMeter(id); err != nil {
				return nil, fault.New(fault.KindOf(err), "file.problem", pf.Name, err)
			}
		}
	}
	// A unit in the value column's header (`Zählerstand (Wh)`) says what
	// the values count: converted where the meter counts another unit of
	// the same kind, refused where it cannot be.
	if pf.Unit != "" {
		for _, id := range order {
			m, _ := a.cfg.Meter(id)
			if m.Unit == pf.Unit {
				continue
			}
			if _, ok := analysis.ConvertConstant(1, pf.Unit, m.Unit); !ok {
				return nil, fault.New(fault.Invalid, "import.unit_mismatch", pf.Name, pf.Unit, m.ID, m.Unit)
			}
			g := groups[id]
			for i := range g.Readings {
				g.Readings[i].Value, _ = analysis.ConvertConstant(g.Readings[i].Value, pf.Unit, m.Unit)
			}
		}
	}
	// File-wide rejections belong to every summary of the file.
	rejected := append(orphans, pf.Rejected...)
	reqs := make([]ImportRequest, len(order))
	for i, id := range order {
		g := groups[id]
		g.Rejected = append(append([]ingest.Rejection(nil), rejected...), g.Rejected...)
		sort.SliceStable(g.Rejected, func(i, j int) bool { return g.Rejected[i].Row < g.Rejected[j].Row })
		reqs[i] = *g
	}
	// One file, one transaction: a file with several meters is written
	// whole or not at all.
	sums, err := a.importAll(ctx, reqs)
	if err == nil && opts.Choice.Manual() && !opts.DryRun && meterID != "" && !remembered {
		a.rememberChoice(ctx, meterID, name, f, size, opts.Choice)
	}
	return sums, err
}
