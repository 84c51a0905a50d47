package app

import (
	"context"
	"fmt"
	"time"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

func (a *App) rfc3339(t time.Time) string { return t.In(a.cfg.Location).Format(time.RFC3339) }

func (a *App) optRFC3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return a.rfc3339(*t)
}

// knownMeter checks a meter filter or reference; empty means "all" or
// "the household".
func (a *App) knownMeter(id string, kind fault.Kind) error {
	if id == "" {
		return nil
	}
	if _, ok := a.cfg.Meter(id); !ok {
		return fault.New(kind, "meter.unknown_see_list", fmt.Sprintf("%q", id))
	}
	return nil
}

func (b Service) Anomalies(ctx context.Context, status, meter string, limit int) ([]api.AnomalyOut, error) {
	a := b.a
	// Anomalies also exist for parts that are no meters (the Tibber
	// token), so an unknown meter is an empty list, not an error.
	rows, err := a.db.Anomalies(ctx, status, meter, limit)
	if err != nil {
		return nil, err
	}
	out := make([]api.AnomalyOut, len(rows))
	for i, r := range rows {
		out[i] = b.a.anomalyOut(r)
	}
	return out, nil
}

func (a *App) anomalyOut(r store.Anomaly) api.AnomalyOut {
	return api.AnomalyOut{
		ID: r.ID, Meter: r.Meter, Rule: r.Rule, Status: r.Status,
		From: a.rfc3339(r.Start), To: a.optRFC3339(r.End),
		Observed: r.Observed, Expected: r.Expected, Message: msg.Stored(r.Message, a.lang()),
		Opened: a.rfc3339(r.Opened), Resolved: a.optRFC3339(r.Resolved),
	}
}

func (a *App) annotationOut(n store.Annotation) api.Annotation {
	return api.Annotation{ID: n.ID, Meter: n.Meter, Time: a.rfc3339(n.Start), End: a.optRFC3339(n.End), Text: n.Text, Created: a.rfc3339(n.Created)}
}

func (b Service) Annotations(ctx context.Context, meter string, from, to time.Time) ([]api.Annotation, error) {
	if err := b.a.knownMeter(meter, fault.NotFound); err != nil {
		return nil, err
	}
	rows, err := b.a.db.Annotations(ctx, meter, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]api.Annotation, len(rows))
	for i, n := range rows {
		out[i] = b.a.annotationOut(n)
	}
	return out, nil
}

func (b Service) AddAnnotation(ctx context.Context, n api.NewAnnotation) (api.Annotation, error) {
	// The meter is named in the body, not the path: a bad one is bad input.
	if err := b.a.knownMeter(n.Meter, fault.Invalid); err != nil {
		return api.Annotation{}, fault.New(fault.Invalid, "note.bad_meter", err)
	}
	saved, err := b.a.db.AddAnnotation(ctx, store.Annotation{Meter: n.Meter, Start: n.Start, End: n.End, Text: n.Text}, b.a.cfg.Influx.Enabled())
	if err != nil {
		return api.Annotation{}, err
	}
	return b.a.annotationOut(saved), nil
}

func (b Service) DeleteAnnotation(ctx context.Context, id int64) error {
	ok, err := b.a.db.DeleteAnnotation(ctx, id, b.a.cfg.Influx.Enabled())
	if err != nil {
		return err
	}
	if !ok {
		return fault.New(fault.NotFound, "note.not_found", id)
	}
	return nil
}

func (b Service) Status(ctx context.Context) (api.StatusInfo, error) {
	return b.a.Status(ctx)
}

// Status gathers the status page: health, each job's last and next run
// and last error, the open anomalies and each meter's last reading.
func (a *App) Status(ctx context.Context) (api.StatusInfo, error) {
	info := api.StatusInfo{Health: a.health.Report()}
	next := map[string]time.Time{}
	for _, j := range a.sched.Jobs() {
		if t, err := j.NextRun(); err == nil {
			next[j.Name()] = t
		}
	}
	summary := func(r store.Run) *api.RunSummary {
		return &api.RunSummary{Started: a.rfc3339(r.Started), Status: r.Status, Error: r.Error}
	}
	for _, d := range a.jobs() {
		js := api.JobStatus{Name: d.name}
		if d.def != nil {
			js.Schedule = d.schedule
		}
		if t, ok := next[d.name]; ok && !t.IsZero() {
			js.Next = a.rfc3339(t)
		}
		runs, err := a.db.Runs(ctx, d.name, 1)
		if err != nil {
			return info, err
		}
		if len(runs) > 0 {
			js.Last = summary(runs[0])
		}
		failed, ok, err := a.db.LastFailedRun(ctx, d.name)
		if err != nil {
			return info, err
		}
		if ok {
			js.LastFailure = summary(failed)
		}
		info.Jobs = append(info.Jobs, js)
	}
	b := Service{a}
	var err error
	if info.Anomalies, err = b.Anomalies(ctx, "open", "", 100); err != nil {
		return info, err
	}
	info.Meters, err = b.Meters(ctx)
	return info, err
}
