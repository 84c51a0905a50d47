package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/store"
	"github.com/meterd/meterd/web"
)

// backend adapts the App to what the HTTP side needs.
type backend struct{ a *App }

func (a *App) webDeps() web.Deps {
	return web.Deps{
		Backend:        backend{a},
		Token:          a.cfg.Secrets.APIToken.Value(),
		Registry:       a.metrics.Registry,
		MaxUploadBytes: a.cfg.HTTP.MaxUploadBytes,
		Logger:         a.log,
	}
}

func (b backend) Health() (string, any) {
	r := b.a.health.Report()
	return r.Status, r
}

func (b backend) Location() *time.Location { return b.a.cfg.Location }

func (b backend) Meters(ctx context.Context) ([]web.MeterInfo, error) {
	last, err := b.a.db.LastReadings(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.MeterInfo, 0, len(b.a.cfg.Meters))
	for _, m := range b.a.cfg.Meters {
		mi := web.MeterInfo{
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

func (a *App) readingOut(r store.Reading) web.ReadingOut {
	return web.ReadingOut{Time: r.Time.In(a.cfg.Location).Format(time.RFC3339), Value: r.Value, Source: r.Source}
}

// physicalMeter returns the meter readings may be stored for.
func (a *App) physicalMeter(id string) (Meter, error) {
	m, ok := a.cfg.Meter(id)
	if !ok {
		return Meter{}, web.Errorf(http.StatusNotFound, "unknown meter %q: see GET /api/v1/meters for the configured ones", id)
	}
	if m.Kind != analysis.Physical {
		return Meter{}, web.Errorf(http.StatusBadRequest, "meter %q is a %s meter, computed from others: readings belong to its physical meters", id, m.Kind)
	}
	return m, nil
}

func (b backend) AddReadings(ctx context.Context, meter string, req web.ReadingsRequest) (ingest.Summary, error) {
	return b.a.AddReadings(ctx, meter, req.Source, "", "", req.Readings, req.Rejected, req.DryRun, req.Strict)
}

// AddReadings stores parsed readings for a physical meter in one
// transaction and returns the import summary. With strict, any rejected
// row refuses the whole import.
func (a *App) AddReadings(ctx context.Context, meterID, source, fileName, sha string, rs []ingest.Reading, rejected []ingest.Rejection, dryRun, strict bool) (ingest.Summary, error) {
	m, err := a.physicalMeter(meterID)
	if err != nil {
		return ingest.Summary{}, err
	}
	if strict && len(rejected) > 0 {
		var lines []string
		for _, r := range rejected {
			lines = append(lines, fmt.Sprintf("row %d: %s", r.Row, r.Error))
		}
		return ingest.Summary{}, web.Errorf(http.StatusBadRequest, "strict import refused, nothing was written: %d rejected rows (%s)", len(rejected), strings.Join(lines, "; "))
	}
	sum := ingest.Summary{Meter: m.ID, File: fileName, DryRun: dryRun, Parsed: len(rs), Rejected: rejected}
	srs := make([]store.Reading, len(rs))
	for i, r := range rs {
		srs[i] = store.Reading{Meter: m.ID, Time: r.Time, Value: r.Value, Source: source}
		sum.Readings = append(sum.Readings, ingest.NewSummaryReading(r, a.cfg.Location))
	}
	res, err := a.db.WriteReadings(ctx, store.Batch{
		Meter: m.ID, Unit: string(m.Unit), Source: source, FileName: fileName, SHA256: sha,
		DryRun: dryRun, Outbox: a.cfg.Influx.Enabled(), Rejected: len(rejected), Warnings: len(sum.Warnings),
	}, srs)
	if err != nil {
		return ingest.Summary{}, err
	}
	sum.Written, sum.Updated, sum.Duplicates = res.Written, res.Updated, res.Duplicates
	if !dryRun {
		a.metrics.ReadingsIngested.WithLabelValues(source).Add(float64(res.Written + res.Updated))
		a.metrics.ReadingsRejected.WithLabelValues(source).Add(float64(len(rejected)))
		if r, ok, err := a.db.LastReading(ctx, m.ID); err == nil && ok {
			a.metrics.MeterLastReading.WithLabelValues(m.ID).Set(float64(r.Time.Unix()))
		}
	}
	return sum, nil
}

func (b backend) Readings(ctx context.Context, meter string, from, to time.Time) ([]web.ReadingOut, error) {
	if _, ok := b.a.cfg.Meter(meter); !ok {
		return nil, web.Errorf(http.StatusNotFound, "unknown meter %q", meter)
	}
	rs, err := b.a.db.Readings(ctx, meter, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]web.ReadingOut, len(rs))
	for i, r := range rs {
		out[i] = b.a.readingOut(r)
	}
	return out, nil
}

func (b backend) Runs(ctx context.Context, job string, limit int) (any, error) {
	runs, err := b.a.db.Runs(ctx, job, limit)
	if runs == nil {
		runs = []store.Run{}
	}
	return runs, err
}
