package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// aliveTimeout bounds each part of Alive: a scheduler or server that takes
// longer to answer is as good as stuck for the watchdog.
const aliveTimeout = 5 * time.Second

// Alive says whether the daemon still does its work: the scheduler's loop
// answers, and the HTTP server listening on addr answers a request for
// /health (with any status: a degraded daemon is alive). systemd's
// watchdog is fed only while both hold, so a wedged daemon is restarted
// rather than left serving nothing.
func (a *App) Alive(ctx context.Context, addr net.Addr) error {
	ctx, cancel := context.WithTimeout(ctx, aliveTimeout)
	defer cancel()
	answered := make(chan int, 1)
	go func() { answered <- len(a.sched.Jobs()) }() // through the scheduler's own loop
	select {
	case n := <-answered:
		if n < a.scheduled {
			return errors.New("the scheduler has stopped")
		}
	case <-ctx.Done():
		return errors.New("the scheduler does not answer")
	}
	if a.runCtx == nil || a.runCtx.Err() != nil {
		return errors.New("the daemon is stopping")
	}
	url := "http://" + loopbackAddr(addr) + "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := aliveClient.Do(req)
	if err != nil {
		return fmt.Errorf("the HTTP server does not answer: %w", err)
	}
	resp.Body.Close()
	return nil
}

// aliveClient keeps no connection between checks: each one must reach
// the server's accept loop anew.
var aliveClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}

// loopbackAddr is addr as this host reaches it: a wildcard listen address
// (0.0.0.0, ::) becomes the loopback one, so the Host check lets it in.
func loopbackAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}
