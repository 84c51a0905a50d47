// Package app wires meterd together: configuration, the store, the
// scheduler and its jobs, run history, health and the HTTP server.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/ingest/tibber"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

// Options are what New needs besides the configuration.
type Options struct {
	Logger  *slog.Logger
	Version string
	Commit  string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ShutdownTimeout bounds the whole shutdown; default 15s.
	ShutdownTimeout time.Duration
	// Tibber adjusts the Tibber client's options (tests shorten its
	// backoff).
	Tibber func(*tibber.Options)
	// Daemon claims the database for this process: a second daemon on the
	// same database refuses to start. Commands leave it false.
	Daemon bool
	// ReadOnly is for commands that only read: a missing database is an
	// error that says where it was looked for, never a new empty one.
	ReadOnly bool
}

// App is the running daemon: one store, one scheduler, one HTTP server.
type App struct {
	// checks is what the last anomaly check saw (see checkRules), nil
	// until one judged every rule; checkedHow says how the last check
	// went: "full", "changes" or "unchanged".
	checks     atomic.Pointer[checkState]
	checkedHow atomic.Value
	cfg        *Config
	log        *slog.Logger
	now        func() time.Time
	version    string

	db      *store.DB
	influx  *store.Influx  // nil without influx.url
	tibber  *tibber.Client // nil without a Tibber token
	metrics *Metrics
	health  *Health
	sched   gocron.Scheduler
	// scheduled is how many jobs run on a schedule: the scheduler lists
	// them all while it runs, none once it has stopped.
	scheduled int
	server    *http.Server

	shutdownTimeout time.Duration

	outboxMu      sync.Mutex
	outboxLastErr string

	// runCtx is Run's context, for jobs started by hand; manual counts them
	// so shutdown waits for them.
	runCtx context.Context
	manual sync.WaitGroup

	jobLocksMu sync.Mutex
	jobLocks   map[string]*sync.Mutex

	// running holds the run id of each job now running (0: a scheduled
	// run not yet recorded), so a run asked for meanwhile is refused
	// rather than queued behind it.
	runningMu sync.Mutex
	running   map[string]int64

	// alertsMu keeps two jobs from sending the same queued alert.
	alertsMu    sync.Mutex
	alertClient *http.Client
	// unlock releases the database for another daemon (nil: not held).
	unlock func()

	// imports admits one HTTP import at a time: a 20 MiB workbook costs
	// tens of megabytes while it is read, and a Raspberry Pi has few.
	imports chan struct{}

	// alertKick asks Run's alert sender to send what is queued now, for
	// anomalies that open outside a job (an import).
	alertKick chan struct{}
}

// New opens the store and builds everything; nothing runs until Run.
func New(ctx context.Context, cfg *Config, o Options) (*App, error) {
	a := &App{
		cfg: cfg, log: o.Logger, now: o.Now, version: o.Version,
		shutdownTimeout: o.ShutdownTimeout,
		runCtx:          ctx,
		alertClient:     &http.Client{Timeout: 15 * time.Second},
		alertKick:       make(chan struct{}, 1),
		imports:         make(chan struct{}, 1),
		running:         map[string]int64{},
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.shutdownTimeout == 0 {
		a.shutdownTimeout = 15 * time.Second
	}
	if o.ReadOnly && cfg.Storage.Path != ":memory:" {
		if _, err := os.Stat(cfg.Storage.Path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: is meterd installed, or is this another configuration? name it with --config", cfg.Storage.Path)
		}
	}
	if o.Daemon {
		unlock, err := lockDatabase(cfg.Storage.Path)
		if err != nil {
			return nil, err
		}
		a.unlock = unlock
	}
	db, err := store.Open(ctx, cfg.Storage.Path)
	if err != nil {
		a.Close()
		return nil, err
	}
	db.Now = a.now
	a.db = db
	if err := db.FailInterruptedRuns(ctx, a.now()); err != nil {
		db.Close()
		return nil, err
	}
	a.health = NewHealth(o.Version, cfg.Secrets.All(), a.lang())
	a.health.Set("sqlite", api.StatusOK, msg.Text{})
	a.metrics = NewMetrics(o.Version, o.Commit, newStoredMetrics(a))
	if cfg.Influx.Enabled() {
		a.influx = store.NewInflux(store.InfluxOptions{
			URL: cfg.Influx.URL, Token: cfg.Secrets.InfluxToken.Value(), Org: cfg.Influx.Org,
			RawBucket: cfg.Influx.RawBucket, ProcessedBucket: cfg.Influx.ProcessedBucket,
		})
		a.health.Set("influxdb", api.StatusOK, msg.New("health.influx_not_contacted"))
	} else {
		a.health.Set("influxdb", api.StatusOK, msg.New("health.influx_disabled"))
	}
	if cfg.Secrets.TibberToken.Empty() {
		a.log.Info("Tibber is off: no METERD_TIBBER_TOKEN")
	} else {
		a.tibber = a.newTibberClient(ctx, o.Tibber)
		a.health.Set("tibber", api.StatusOK, msg.New("health.tibber_not_polled"))
		if until := a.tibber.PausedUntil(); !until.IsZero() {
			a.health.Set("tibber", api.StatusDegraded, msg.New("health.tibber_pause_kept", until.In(cfg.Location).Format("15:04")))
		}
	}
	sched, err := gocron.NewScheduler(
		gocron.WithLocation(cfg.Location),
		gocron.WithStopTimeout(a.shutdownTimeout),
	)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.sched = sched
	if err := a.registerJobs(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// DB is the app's store (for commands that run without the daemon).
func (a *App) DB() *store.DB { return a.db }

// Health is the app's health state.
func (a *App) Health() *Health { return a.health }

// Config is the configuration the App runs with.
func (a *App) Config() *Config { return a.cfg }

// Registry holds the App's metrics; the HTTP side registers its own there
// and serves it as /metrics.
func (a *App) Registry() *prometheus.Registry { return a.metrics.Registry }

// Logger is the App's logger.
func (a *App) Logger() *slog.Logger { return a.log }

// Run serves handler on ln (nil: listen on http.listen) and runs the
// scheduler until ctx is cancelled, then shuts both down within one
// deadline (docs/http.md#shutdown). ready is called once the server
// accepts connections. The handler is made by the caller (the web package,
// wired in main), so that the application does not depend on its HTTP side.
func (a *App) Run(ctx context.Context, ln net.Listener, handler http.Handler, ready func(addr net.Addr)) error {
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", a.cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("http.listen %s: %w", a.cfg.HTTP.Listen, err)
		}
	}
	// Requests get their own context: the signal stops new connections, and
	// in-flight requests are cancelled only when the grace period is over.
	reqCtx, stopRequests := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopRequests(nil)
	a.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
	}
	a.runCtx = ctx
	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(limitListener(ln, MaxConnections)) }()
	a.sched.Start()
	a.manual.Add(1)
	go func() {
		defer a.manual.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-a.alertKick:
				a.deliverAlerts(ctx)
			}
		}
	}()
	a.log.Info("meterd started", "listen", ln.Addr().String(), "database", a.cfg.Storage.Path,
		"meters", len(a.cfg.Meters), "influxdb", a.cfg.Influx.Enabled(), "version", a.version)
	if ready != nil {
		ready(ln.Addr())
	}

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		runErr = fmt.Errorf("http server: %w", err)
	}
	a.log.Info("meterd stopping")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.shutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a.stopServing(sctx, stopRequests)
	}()
	go func() {
		defer wg.Done()
		if err := a.sched.ShutdownWithContext(sctx); err != nil {
			a.log.Warn("jobs did not stop in time", "error", err)
		}
	}()
	wg.Wait()
	waited := make(chan struct{})
	go func() { a.manual.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-sctx.Done():
		a.log.Warn("jobs started by hand did not stop in time")
	}
	if runErr != nil {
		return runErr
	}
	a.log.Info("meterd stopped")
	return nil
}

// ErrShuttingDown is the cause of a request cancelled because meterd is
// stopping; the web side answers it with 503 and Retry-After.
var ErrShuttingDown = errors.New("meterd is shutting down")

// stopServing stops accepting and lets requests in flight finish for two
// thirds of the shutdown time. Then it cancels the rest, gives them a
// second to answer 503 (what they began rolls back), and closes what still
// hangs, such as a body sent byte by byte.
func (a *App) stopServing(ctx context.Context, stopRequests context.CancelCauseFunc) {
	deadline, _ := ctx.Deadline()
	grace, gcancel := context.WithDeadline(ctx, time.Now().Add(time.Until(deadline)*2/3))
	defer gcancel()
	if err := a.server.Shutdown(grace); err == nil {
		return
	}
	stopRequests(ErrShuttingDown)
	answer, acancel := context.WithTimeout(ctx, time.Second)
	defer acancel()
	if err := a.server.Shutdown(answer); err != nil {
		a.log.Warn("closing connections that did not finish in time")
		a.server.Close()
	}
}

// Close releases the store, the clients and the database lock. Call it
// after Run returned.
func (a *App) Close() error {
	if a.influx != nil {
		a.influx.Close()
	}
	var err error
	if a.db != nil {
		err = a.db.Close()
	}
	if a.unlock != nil {
		a.unlock()
	}
	return err
}
