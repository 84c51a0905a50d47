package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"

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
	return a.Run(ctx, nil, handler(a), func(addr net.Addr) {
		if err := sdNotify(c.env, "READY=1"); err != nil {
			log.Warn("systemd notification failed", "error", err)
		}
	})
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

// sdNotify tells systemd (Type=notify) that meterd is ready. Without
// $NOTIFY_SOCKET it does nothing.
func sdNotify(env app.Environment, state string) error {
	var sock string
	for _, kv := range env.Environ {
		if v, ok := strings.CutPrefix(kv, "NOTIFY_SOCKET="); ok {
			sock = v
		}
	}
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
