package app

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
)

// Job names as they appear in the configuration's schedule keys, the run
// history, metrics and the API; this is the only place they are spelled.
const (
	JobOutbox        = "outbox_delivery"
	JobDailyAnalysis = "daily_analysis"
	JobMonthlyReport = "monthly_report"
	JobAnomalyCheck  = "anomaly_check"
	JobBackup        = "backup"
	JobTibberPoll    = "tibber_poll"
)

// jobFunc does one run. record says whether the run is worth a row in the
// run history: a delivery loop that found nothing to do every ten seconds
// would bury the runs that matter.
type jobFunc func(ctx context.Context) (details any, record bool, err error)

type jobDef struct {
	name string
	def  gocron.JobDefinition // nil: not scheduled, only run by hand
	// schedule says when def runs, for people (the status page).
	schedule string
	fn       jobFunc
	// byHand replaces fn for runs started by hand (nil: fn).
	byHand jobFunc
	// now runs the job once at start-up too (delivery of what is queued).
	now bool
}

// jobs lists every job this configuration has, scheduled or not: one
// table, so that what runs on a schedule and what runs by name agree.
func (a *App) jobs() []jobDef {
	cron := func(expr string) gocron.JobDefinition {
		if expr == "" {
			return nil
		}
		return gocron.CronJob(expr, false)
	}
	var defs []jobDef
	if a.influx != nil {
		defs = append(defs,
			jobDef{name: JobOutbox, def: gocron.DurationJob(a.cfg.Influx.FlushInterval), schedule: "every " + a.cfg.Influx.FlushInterval.String(),
				fn: a.deliverOutbox, now: true},
			// The processed series exist only in InfluxDB.
			jobDef{name: JobDailyAnalysis, def: cron(a.cfg.Schedule.DailyAnalysis), schedule: a.cfg.Schedule.DailyAnalysis, fn: a.DailyAnalysis})
	}
	defs = append(defs,
		jobDef{name: JobMonthlyReport, def: cron(a.cfg.Schedule.MonthlyReport), schedule: a.cfg.Schedule.MonthlyReport, fn: a.MonthlyReport},
		jobDef{name: JobAnomalyCheck, def: cron(a.cfg.Schedule.AnomalyCheck), schedule: a.cfg.Schedule.AnomalyCheck, fn: a.AnomalyCheck},
		jobDef{name: JobBackup, def: cron(a.cfg.Schedule.Backup), schedule: a.cfg.Schedule.Backup, fn: a.Backup})
	if a.tibber != nil {
		// The scheduled poll waits a random moment first; by hand, not.
		defs = append(defs, jobDef{name: JobTibberPoll, def: cron(a.cfg.Schedule.TibberPoll), schedule: a.cfg.Schedule.TibberPoll,
			fn: a.tibberPollJob, byHand: a.TibberPoll})
	}
	return defs
}

// RunJobNow starts a job outside its schedule and returns its run id; the
// run goes on in the background and is recorded like any other.
func (a *App) RunJobNow(ctx context.Context, name string) (int64, error) {
	var fn jobFunc
	var names []string
	for _, d := range a.jobs() {
		names = append(names, d.name)
		if d.name == name {
			fn = d.fn
			if d.byHand != nil {
				fn = d.byHand
			}
		}
	}
	if fn == nil {
		return 0, fault.New(fault.NotFound, "job.unknown", fmt.Sprintf("%q", name), strings.Join(names, ", "))
	}
	a.runningMu.Lock()
	defer a.runningMu.Unlock()
	if prev, busy := a.running[name]; busy {
		which := msg.New("job.scheduled_run")
		if prev > 0 {
			which = msg.New("job.run_n", int(prev))
		}
		return 0, fault.New(fault.Conflict, "job.busy", name, which)
	}
	id, err := a.db.StartRun(ctx, name, a.now())
	if err != nil {
		return 0, err
	}
	a.running[name] = id
	a.manual.Add(1)
	go func() {
		defer a.manual.Done()
		defer a.finishRunning(name)
		a.runJobRecorded(a.runCtx, name, fn, id)
	}()
	return id, nil
}

func (a *App) registerJobs() error {
	for _, d := range a.jobs() {
		a.metrics.initJob(d.name)
		if d.def == nil {
			continue
		}
		opts := []gocron.JobOption{
			gocron.WithName(d.name),
			// One run at a time; a run that overlaps the next slot skips it.
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
		}
		if d.now {
			opts = append(opts, gocron.WithStartAt(gocron.WithStartImmediately()))
		}
		_, err := a.sched.NewJob(d.def,
			gocron.NewTask(func(ctx context.Context) { a.runJobRecorded(ctx, d.name, d.fn, 0) }),
			opts...,
		)
		if err != nil {
			return fmt.Errorf("schedule %s: %w", d.name, err)
		}
		a.scheduled++
	}
	return nil
}

// runJobRecorded runs fn with metrics, logging and run history. A panic in
// a job is a failed run, never a dead daemon. A run whose history row
// exists already (id > 0, started by RunJobNow) is always finished there.
func (a *App) runJobRecorded(ctx context.Context, name string, fn jobFunc, id int64) {
	// A job started by hand and its scheduled run never overlap.
	lock := a.jobLock(name)
	lock.Lock()
	defer lock.Unlock()
	if id == 0 {
		a.runningMu.Lock()
		if _, manual := a.running[name]; !manual {
			a.running[name] = 0
			defer a.finishRunning(name)
		}
		a.runningMu.Unlock()
	}
	start := a.now()
	var (
		details any
		record  bool
		err     error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				// The stack is what finds the bug; the run history keeps
				// only the message.
				a.log.Error("job panicked", "job", name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err, record = fmt.Errorf("job panicked: %v", p), true
			}
		}()
		details, record, err = fn(ctx)
	}()
	// The heap goes back before the run is recorded as finished, so that
	// whoever sees it finished can start the next one at once.
	ReleaseMemory()
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
	if !record && id == 0 {
		return
	}
	// The run history must survive a cancelled job context (shutdown).
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var herr error
	if id == 0 {
		id, herr = a.db.StartRun(hctx, name, start)
	}
	if herr == nil {
		herr = a.db.FinishRun(hctx, id, end, err, details)
	}
	if herr != nil {
		a.log.Error("cannot record job run", "job", name, "error", herr)
	}
}

// deadPointsShown is how long points InfluxDB refused keep /health
// degraded; meterd_outbox_dead_points counts them all.
const deadPointsShown = 7 * 24 * time.Hour

// deliverOutbox sends queued points to InfluxDB. While InfluxDB is away the
// points stay queued and /health says why; the run history gets one row
// when delivery starts failing and one per run that delivered points.
func (a *App) deliverOutbox(ctx context.Context) (any, bool, error) {
	n, err := a.db.DeliverOutbox(ctx, a.influx, a.cfg.Influx.BatchSize)
	if n > 0 {
		// Delivered is delivered: space not given back now is given back
		// after the next delivery.
		if rerr := a.db.Reclaim(ctx); rerr != nil {
			a.log.Warn("cannot give the database's free pages back", "error", rerr)
		}
	}
	if err == nil && n == 0 {
		// Nothing queued: still find out whether InfluxDB is there, so
		// /health is right before the next reading arrives.
		err = a.influx.Ping(ctx)
	}
	queued, qerr := a.db.OutboxCount(ctx)
	a.outboxMu.Lock()
	defer a.outboxMu.Unlock()
	if err != nil {
		text := msg.New("health.influx_failed", err)
		if qerr == nil {
			text = msg.New("health.influx_failed_queued", err, queued, a.cfg.Influx.FlushInterval.String())
		}
		a.health.Set("influxdb", api.StatusDegraded, text)
		changed := a.outboxLastErr == ""
		a.outboxLastErr = err.Error()
		return map[string]any{"delivered": n, "queued": queued}, changed || n > 0, err
	}
	a.outboxLastErr = ""
	text := msg.New("health.influx_ok")
	if queued > 0 {
		text = msg.New("health.influx_ok_queued", queued)
	}
	// Refused points are set aside so the rest flows; they stay on /health
	// for a week, where a person sees them.
	if _, recent, reason, err := a.db.DeadPoints(ctx, a.now().Add(-deadPointsShown)); err == nil && recent > 0 {
		a.health.Set("influxdb", api.StatusDegraded, msg.New("health.influx_dead", text, recent, reason))
		return map[string]any{"delivered": n, "queued": queued, "refused": recent}, n > 0, nil
	}
	a.health.Set("influxdb", api.StatusOK, text)
	return map[string]any{"delivered": n, "queued": queued}, n > 0, nil
}

func (a *App) finishRunning(name string) {
	a.runningMu.Lock()
	defer a.runningMu.Unlock()
	delete(a.running, name)
}

func (a *App) jobLock(name string) *sync.Mutex {
	a.jobLocksMu.Lock()
	defer a.jobLocksMu.Unlock()
	if a.jobLocks == nil {
		a.jobLocks = map[string]*sync.Mutex{}
	}
	l, ok := a.jobLocks[name]
	if !ok {
		l = &sync.Mutex{}
		a.jobLocks[name] = l
	}
	return l
}
