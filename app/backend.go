package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

// Service is the App as the HTTP side sees it: one method per thing a
// request can ask, with the concrete types of package api. It satisfies the
// web package's small interfaces without app importing web.
type Service struct{ a *App }

// Service returns the App's request-facing methods.
func (a *App) Service() Service { return Service{a} }

// HealthReport is the body of /health.
func (b Service) HealthReport() api.HealthReport { return b.a.health.Report() }

func (b Service) Meters(ctx context.Context) ([]api.MeterInfo, error) {
	last, err := b.a.db.LastReadings(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.MeterInfo, 0, len(b.a.cfg.Meters))
	for _, m := range b.a.cfg.Meters {
		mi := api.MeterInfo{
			ID: m.ID, Type: string(m.Kind), Utility: string(m.Utility), Unit: string(m.Unit),
			Reading: string(m.Reading), Source: string(m.Source), Description: m.Description,
		}
		if r, ok := last[m.ID]; ok {
			ro := b.a.readingOut(r)
			mi.LastReading = &ro
		}
		out = append(out, mi)
	}
	return out, nil
}

func (a *App) readingOut(r store.Reading) api.ReadingOut {
	return api.ReadingOut{Time: r.Time.In(a.cfg.Location).Format(time.RFC3339), Value: r.Value, Source: r.Source}
}

// physicalMeter returns the meter readings may be stored for.
func (a *App) physicalMeter(id string) (Meter, error) {
	m, ok := a.cfg.Meter(id)
	if !ok {
		return Meter{}, fault.New(fault.NotFound, "meter.unknown_see_list", fmt.Sprintf("%q", id))
	}
	if m.Kind != analysis.Physical {
		return Meter{}, fault.New(fault.Invalid, "meter.not_physical", fmt.Sprintf("%q", id), msg.New("type."+string(m.Kind)))
	}
	return m, nil
}

// importWait is how long an HTTP import waits for the one before it; a
// client turned away is told when to come back.
const importWait = 5 * time.Second

// admitImport takes the import slot, or tells the client to come back.
func (a *App) admitImport(ctx context.Context) (release func(), err error) {
	t := time.NewTimer(importWait)
	defer t.Stop()
	select {
	case a.imports <- struct{}{}:
		return func() { <-a.imports }, nil
	case <-t.C:
		return nil, fault.UnavailableAfter(10*time.Second, "import.busy")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// AddReadings imports readings posted as JSON, one import at a time; the
// reply lists at most ingest.MaxListed readings and rejections.
func (b Service) AddReadings(ctx context.Context, meter string, req api.ReadingsRequest) (ingest.Summary, error) {
	release, err := b.a.admitImport(ctx)
	if err != nil {
		return ingest.Summary{}, err
	}
	defer release()
	sum, err := b.a.Import(ctx, ImportRequest{
		Meter: meter, Source: req.Source, Readings: req.Readings, Rejected: req.Rejected,
		DryRun: req.DryRun, Strict: req.Strict, Confirm: req.Confirm, Via: "api",
	})
	sum.Clip(ingest.MaxListed)
	return sum, err
}

func (b Service) Readings(ctx context.Context, meter string, from, to time.Time) ([]api.ReadingOut, error) {
	if _, ok := b.a.cfg.Meter(meter); !ok {
		return nil, fault.New(fault.NotFound, "meter.unknown", fmt.Sprintf("%q", meter))
	}
	rs, err := b.a.db.Readings(ctx, meter, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]api.ReadingOut, len(rs))
	for i, r := range rs {
		out[i] = b.a.readingOut(r)
	}
	return out, nil
}

// Runs lists a job's recorded runs (all jobs for an empty name), newest
// first.
func (b Service) Runs(ctx context.Context, job string, limit int) ([]api.Run, error) {
	runs, err := b.a.db.Runs(ctx, job, limit)
	if err != nil {
		return nil, err
	}
	out := make([]api.Run, len(runs))
	for i, r := range runs {
		out[i] = api.Run(r)
	}
	return out, nil
}

// ImportFile imports an uploaded file for one meter, one import at a time;
// the reply lists at most ingest.MaxListed readings and rejections.
func (b Service) ImportFile(ctx context.Context, meter, name string, f ingest.FileSource, size int64, opts api.ImportOptions) (ingest.Summary, error) {
	release, err := b.a.admitImport(ctx)
	if err != nil {
		return ingest.Summary{}, err
	}
	defer release()
	opts.Via = "upload"
	sums, err := b.a.ImportFile(ctx, meter, name, f, size, opts)
	if err != nil {
		return ingest.Summary{}, err
	}
	sums[0].Clip(ingest.MaxListed)
	return sums[0], nil
}

// HomeAssistantState stores a state pushed by Home Assistant.
func (b Service) HomeAssistantState(ctx context.Context, s ingest.HAState) (api.HAReply, error) {
	return b.a.HomeAssistantState(ctx, s)
}

func (b Service) Export(ctx context.Context, w io.Writer, meters []string, from, to time.Time) error {
	return b.a.Export(ctx, w, meters, from, to)
}

// HomeAssistantState stores a state pushed by Home Assistant for the meter
// mapped to its entity. Unavailable and unknown states are acknowledged and
// ignored: a failed push is lost on Home Assistant's side, so meterd must
// never answer an ordinary state with an error.
func (a *App) HomeAssistantState(ctx context.Context, s ingest.HAState) (api.HAReply, error) {
	var m Meter
	found := false
	for _, c := range a.cfg.Meters {
		if c.HAEntityID == s.EntityID {
			m, found = c, true
			break
		}
	}
	if !found {
		return api.HAReply{}, fault.New(fault.NotFound, "ha.unmapped", s.EntityID)
	}
	if s.Ignored {
		return api.HAReply{Ignored: true, Meter: m.ID, Reason: s.Reason.In(a.lang())}, nil
	}
	v := s.Value
	if s.Unit != "" {
		u, err := analysis.ParseUnit(s.Unit)
		if err != nil {
			return api.HAReply{}, fault.New(fault.Invalid, "ha.bad_unit", fmt.Sprintf("%q", s.Unit), s.EntityID, err)
		}
		conv, ok := analysis.ConvertConstant(v, u, m.Unit)
		if !ok {
			return api.HAReply{}, fault.New(fault.Invalid, "ha.unit_mismatch", s.EntityID, string(u), m.ID, string(m.Unit))
		}
		v = conv
	}
	sum, err := a.Import(ctx, ImportRequest{
		Meter: m.ID, Source: "homeassistant", Via: "homeassistant",
		Readings: []ingest.Reading{{Row: 1, Time: s.Time, Value: v, Cell: "last_changed " + s.Time.In(a.cfg.Location).Format(time.RFC3339)}},
	})
	return api.HAReply{Summary: sum}, err
}

// ExportHeader is the first line of an export; ImportFile reads it back.
const ExportHeader = "Zähler;Zeitpunkt;Zählerstand;Quelle"

// Export writes raw readings as semicolon CSV with decimal commas (what a
// German spreadsheet opens) and exact instants with their offset, so that
// importing the export reproduces every reading, DST nights included.
func (a *App) Export(ctx context.Context, w io.Writer, meters []string, from, to time.Time) error {
	if len(meters) == 0 {
		for _, m := range a.cfg.Meters {
			if m.Kind == analysis.Physical {
				meters = append(meters, m.ID)
			}
		}
	}
	for _, id := range meters {
		if _, err := a.physicalMeter(id); err != nil {
			return err
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(ExportHeader + "\r\n")
	for _, id := range meters {
		rs, err := a.db.Readings(ctx, id, from, to)
		if err != nil {
			return err
		}
		for _, r := range rs {
			v := strings.Replace(strconv.FormatFloat(r.Value, 'f', -1, 64), ".", ",", 1)
			fmt.Fprintf(bw, "%s;%s;%s;%s\r\n", id, r.Time.In(a.cfg.Location).Format(time.RFC3339), v, r.Source)
		}
	}
	return bw.Flush()
}

// Analyze computes consumption figures.
func (b Service) Analyze(ctx context.Context, req api.AnalyzeRequest) (*analysis.Result, error) {
	return b.a.Analyze(ctx, req)
}

func (b Service) RunJob(ctx context.Context, name string) (int64, error) {
	return b.a.RunJobNow(ctx, name)
}

// MonthlyReport returns the stored report of a month (YYYY-MM).
func (b Service) MonthlyReport(ctx context.Context, month string) (api.MonthlyReport, error) {
	t, err := analysis.ParseMonth(month, b.a.cfg.Location)
	if err != nil {
		return api.MonthlyReport{}, fault.New(fault.Invalid, "month.invalid", fmt.Sprintf("%q", month))
	}
	reports, created, err := b.a.db.MonthlyReport(ctx, t.In(b.a.cfg.Location).Format("2006-01"))
	if err != nil {
		return api.MonthlyReport{}, err
	}
	if len(reports) == 0 {
		return api.MonthlyReport{}, fault.New(fault.NotFound, "report.none", month)
	}
	meters := []json.RawMessage{}
	for _, m := range b.a.cfg.Meters {
		if r, ok := reports[m.ID]; ok {
			meters = append(meters, r)
		}
	}
	return api.MonthlyReport{Month: t.In(b.a.cfg.Location).Format("2006-01"), Created: created.In(b.a.cfg.Location).Format(time.RFC3339), Meters: meters}, nil
}

// Imports lists the recorded imports, newest first.
func (b Service) Imports(ctx context.Context, meter string, limit int) ([]api.ImportInfo, error) {
	return b.a.Imports(ctx, meter, limit)
}

// Undo undoes an import (or says what that would change).
func (b Service) Undo(ctx context.Context, id int64, dryRun bool) (api.UndoReply, error) {
	return b.a.Undo(ctx, id, dryRun)
}

// DeleteReading removes one stored reading.
func (b Service) DeleteReading(ctx context.Context, meter string, at time.Time) (api.DeleteReply, error) {
	return b.a.DeleteReading(ctx, meter, at)
}
