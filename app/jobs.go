package app

import (
	"context"
	"fmt"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Job names as they appear in the run history, metrics and the API.
const (
	JobOutbox = "outbox_delivery"
)

// jobFunc does one run. record says whether the run is worth a row in the
// run history: a delivery loop that found nothing to do every ten seconds
// would bury the runs that matter.
type jobFunc func(ctx context.Context) (details any, record bool, err error)

type jobDef struct {
	name string
	def  gocron.JobDefinition
	fn   jobFunc
}

func (a *App) jobDefs() []jobDef {
	var defs []jobDef
	if a.influx != nil {
		defs = append(defs, jobDef{JobOutbox, gocron.DurationJob(a.cfg.Influx.FlushInterval), a.deliverOutbox})
	}
	return defs
}

func (a *App) registerJobs() error {
	for _, d := range a.jobDefs() {
		j, err := a.sched.NewJob(d.def,
			gocron.NewTask(func(ctx context.Context) { a.runJob(ctx, d.name, d.fn) }),
			gocron.WithName(d.name),
			// One run at a time; a run that overlaps the next slot skips it.
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithStartAt(gocron.WithStartImmediately()),
		)
		if err != nil {
			return fmt.Errorf("schedule %s: %w", d.name, err)
		}
		a.jobs[d.name] = j
	}
	return nil
}

// runJob runs fn with metrics, logging and run history. A panic in a job is
// a failed run, never a dead daemon.
func (a *App) runJob(ctx context.Context, name string, fn jobFunc) {
	start := a.now()
	var (
		details any
		record  bool
		err     error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				err, record = fmt.Errorf("job panicked: %v", p), true
			}
		}()
		details, record, err = fn(ctx)
	}()
	end := a.now()
	status := "ok"
	if err != nil {
		status = "failed"
		a.log.Warn("job failed", "job", name, "error", err)
	} else {
		a.metrics.JobLastSuccess.WithLabelValues(name).Set(float64(end.Unix()))
	}
	a.metrics.JobRuns.WithLabelValues(name, status).Inc()
	a.metrics.JobDuration.WithLabelValues(name).Observe(end.Sub(start).Seconds())
	if !record {
		return
	}
	// The run history must survive a cancelled job context (shutdown).
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	id, herr := a.db.StartRun(hctx, name, start)
	if herr == nil {
		herr = a.db.FinishRun(hctx, id, end, err, details)
	}
	if herr != nil {
		a.log.Error("cannot record job run", "job", name, "error", herr)
	}
}

// deliverOutbox sends queued points to InfluxDB. While InfluxDB is away the
// points stay queued and /health says why; the run history gets one row
// when delivery starts failing and one per run that delivered points.
func (a *App) deliverOutbox(ctx context.Context) (any, bool, error) {
	n, err := a.db.DeliverOutbox(ctx, a.influx, a.cfg.Influx.BatchSize)
	if err == nil && n == 0 {
		// Nothing queued: still find out whether InfluxDB is there, so
		// /health is right before the next reading arrives.
		err = a.influx.Ping(ctx)
	}
	queued, qerr := a.db.OutboxCount(ctx)
	a.outboxMu.Lock()
	defer a.outboxMu.Unlock()
	if err != nil {
		msg := err.Error()
		if qerr == nil {
			msg = fmt.Sprintf("%s; %d points queued, delivery retried every %s", msg, queued, a.cfg.Influx.FlushInterval)
		}
		a.health.Set("influxdb", StatusDegraded, msg)
		changed := a.outboxLastErr == ""
		a.outboxLastErr = err.Error()
		return map[string]any{"delivered": n, "queued": queued}, changed || n > 0, err
	}
	a.outboxLastErr = ""
	msg := "reachable; outbox empty"
	if queued > 0 {
		msg = fmt.Sprintf("reachable; %d points queued", queued)
	}
	a.health.Set("influxdb", StatusOK, msg)
	return map[string]any{"delivered": n, "queued": queued}, n > 0, nil
}
