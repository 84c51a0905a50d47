package app

import (
	"context"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

func (a *App) importInfo(im store.Import) api.ImportInfo {
	via := im.Via
	if via == "" { // recorded before meterd kept it
		via = im.Source
	}
	out := api.ImportInfo{ID: im.ID, Time: a.rfc3339(im.Time), Source: via, Meter: im.Meter, File: im.File,
		Written: im.Written, Updated: im.Updated, Undone: im.Undone != nil}
	if im.Undone != nil {
		out.UndoneAt = a.rfc3339(*im.Undone)
	}
	return out
}

// Imports lists the recorded imports, newest first.
func (a *App) Imports(ctx context.Context, meter string, limit int) ([]api.ImportInfo, error) {
	if err := a.knownMeter(meter, fault.NotFound); err != nil {
		return nil, err
	}
	ims, err := a.db.Imports(ctx, meter, limit)
	if err != nil {
		return nil, err
	}
	out := make([]api.ImportInfo, len(ims))
	for i, im := range ims {
		out[i] = a.importInfo(im)
	}
	return out, nil
}

// Undo removes what import id wrote and restores what it replaced
// (docs/import.md#undo); a dry run says what would change. The undo is
// noted as an annotation, and the meter's decrease anomaly is judged again
// at once.
func (a *App) Undo(ctx context.Context, id int64, dryRun bool) (api.UndoReply, error) {
	units := map[string]string{}
	for _, m := range a.cfg.Meters {
		units[m.ID] = string(m.Unit)
	}
	res, err := a.db.Undo(ctx, id, units, a.cfg.Influx.Enabled(), dryRun)
	a.noteDiskFull(err)
	if err != nil {
		return api.UndoReply{}, err
	}
	reply := api.UndoReply{Import: a.importInfo(res.Import), DryRun: dryRun, Removed: []api.ReadingOut{}, Restored: []api.ReadingOut{}}
	for _, r := range res.Removed {
		reply.Removed = append(reply.Removed, a.readingOut(r))
	}
	for _, r := range res.Restored {
		reply.Restored = append(reply.Restored, a.readingOut(r))
	}
	if dryRun {
		return reply, nil
	}
	what := res.Import.Source
	if res.Import.File != "" {
		what = res.Import.File
	}
	note := msg.New("undo.note", id, what, len(res.Removed), len(res.Restored)).In(a.lang())
	meter := res.Import.Meter
	if _, ok := a.cfg.Meter(meter); !ok {
		meter = ""
	}
	if _, err := a.db.AddAnnotation(ctx, store.Annotation{Meter: meter, Start: a.now(), Text: note}, a.cfg.Influx.Enabled()); err != nil {
		a.log.Error("cannot note the undo", "error", err)
	}
	a.log.Info("import undone", "import", id, "removed", len(res.Removed), "restored", len(res.Restored))
	a.rejudgeDecrease(ctx, res.Import.Meter)
	return reply, nil
}

// DeleteReading removes one stored reading; the deletion is an import of
// its own that can be undone.
func (a *App) DeleteReading(ctx context.Context, meter string, at time.Time) (api.DeleteReply, error) {
	m, err := a.physicalMeter(meter)
	if err != nil {
		return api.DeleteReply{}, err
	}
	r, batch, ok, err := a.db.DeleteReading(ctx, m.ID, string(m.Unit), at, a.cfg.Influx.Enabled())
	a.noteDiskFull(err)
	if err != nil {
		return api.DeleteReply{}, err
	}
	if !ok {
		return api.DeleteReply{}, fault.New(fault.NotFound, "delete.no_reading", m.ID, a.rfc3339(at))
	}
	a.rejudgeDecrease(ctx, m.ID)
	return api.DeleteReply{Meter: m.ID, Deleted: a.readingOut(r), ImportID: batch}, nil
}

// rejudgeDecrease settles the decrease rule from the stored readings after
// readings went away or came back.
func (a *App) rejudgeDecrease(ctx context.Context, meter string) {
	m, ok := a.cfg.Meter(meter)
	if !ok || m.Kind != analysis.Physical || m.Reading != analysis.Cumulative || !m.Anomaly.Enabled(analysis.RuleDecrease) {
		return
	}
	rs, err := a.db.Series(ctx, m.ID, false)
	if err != nil {
		a.log.Error("cannot judge the decrease rule again", "meter", m.ID, "error", err)
		return
	}
	_, excluded := analysis.CountedReadings(rs, m.Resets, m.Removed)
	a.settleDecrease(ctx, m, excluded)
}
