package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/meterd/meterd/app"
	"github.com/meterd/meterd/web"
)

// serve runs the daemon until SIGINT or SIGTERM: the scheduler and the
// HTTP server, with systemd told when it is ready.
func (c *cli) serve(args []string) error {
	fs := c.flags("serve")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	log := app.NewLogger(c.stderr, slog.LevelInfo, cfg.Secrets.All())
	if cfg.Path == "" {
		log.Info("no configuration file found: running on the built-in defaults (no meters)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, app.Options{Logger: log, Version: version, Commit: commit, Daemon: true})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
	return a.Run(ctx, nil, handler(a), func(addr net.Addr) {
		if err := sdNotify(c.env, "READY=1"); err != nil {
			log.Warn("systemd notification failed", "error", err)
		}
		if every, ok := watchdogInterval(c.env); ok {
			go watchdog(ctx, every, func() error { return a.Alive(ctx, addr) }, func(state string) error { return sdNotify(c.env, state) }, log)
		}
	})
}

// memoryLimit is the heap the Go runtime keeps meterd under unless
// GOMEMLIMIT says otherwise: the unit caps the service at 256 MB and a Pi
// has little to spare, so near it the collector works harder instead of
// letting a burst of garbage (an upload of half a million bad rows) double
// the heap.
const memoryLimit = 150 << 20

// watchdogInterval is how often to tell systemd that meterd is alive: half
// of WatchdogSec= ($WATCHDOG_USEC), when the watchdog is meant for this
// process ($WATCHDOG_PID, if set).
func watchdogInterval(env app.Environment) (time.Duration, bool) {
	usec, _ := env.Lookup("WATCHDOG_USEC")
	pid, _ := env.Lookup("WATCHDOG_PID")
	n, err := strconv.ParseInt(usec, 10, 64)
	if err != nil || n <= 0 || (pid != "" && pid != strconv.Itoa(os.Getpid())) {
		return 0, false
	}
	return time.Duration(n) * time.Microsecond / 2, true
}

// watchdog sends WATCHDOG=1 every interval while alive says the scheduler
// and the HTTP server work. When they do not, it stays silent and says
// why: systemd then restarts meterd after WatchdogSec=.
func watchdog(ctx context.Context, every time.Duration, alive func() error, notify func(string) error, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := alive(); err != nil {
			log.Error("not telling the watchdog that meterd is alive", "error", err)
		} else if err := notify("WATCHDOG=1"); err != nil {
			log.Warn("systemd notification failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// handler is the HTTP side of a: the web package serves the App's
// Service, each part through its own small interface.
func handler(a *app.App) http.Handler {
	svc, cfg := a.Service(), a.Config()
	return web.NewServer(web.Deps{
		Health: svc, Consumption: svc, Meters: svc, Imports: svc, Analysis: svc, Jobs: svc, Notes: svc, Undo: svc, Status: svc,
		Lang:           cfg.Lang,
		Location:       cfg.Location,
		AllowedHosts:   cfg.HTTP.AllowedHosts,
		Token:          cfg.Secrets.APIToken.Value(),
		Registry:       a.Registry(),
		MaxUploadBytes: cfg.HTTP.MaxUploadBytes,
		Logger:         a.Logger(),
		AfterHeavy:     app.ReleaseMemory,
	}).Handler()
}

// sdNotify sends state (READY=1, WATCHDOG=1) to systemd (Type=notify).
// Without $NOTIFY_SOCKET it does nothing.
func sdNotify(env app.Environment, state string) error {
	sock, _ := env.Lookup("NOTIFY_SOCKET")
	if sock == "" {
		return nil
	}
	if strings.HasPrefix(sock, "@") {
		sock = "\x00" + sock[1:] // abstract socket
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
