package app

import (
	"context"
	"net"
	"strings"
	"testing"
)

// TestAliveFollowsSchedulerAndServer: Alive holds while the scheduler's
// loop and the HTTP server answer, and fails as soon as either stops.
func TestAliveFollowsSchedulerAndServer(t *testing.T) {
	ctx := context.Background()
	ta := startApp(t, importConfig)
	addr, err := net.ResolveTCPAddr("tcp", strings.TrimPrefix(ta.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.Alive(ctx, addr); err != nil {
		t.Fatalf("a running daemon is not alive: %v", err)
	}
	// A wildcard listen address is reached on the loopback one.
	wild := &net.TCPAddr{IP: net.IPv4zero, Port: addr.Port}
	if err := ta.Alive(ctx, wild); err != nil {
		t.Errorf("listening on 0.0.0.0: %v", err)
	}
	// An HTTP server that does not answer (here: nothing on the port).
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := l.Addr()
	l.Close()
	if err := ta.Alive(ctx, gone); err == nil || !strings.Contains(err.Error(), "HTTP server") {
		t.Errorf("without an HTTP server: %v; want an error naming it", err)
	}
	ta.server.Close() // the daemon stops when its server does
	if err := ta.Alive(ctx, addr); err == nil {
		t.Error("a daemon whose HTTP server closed is alive")
	}

	tb := startApp(t, importConfig)
	addr2, _ := net.ResolveTCPAddr("tcp", strings.TrimPrefix(tb.URL, "http://"))
	tb.sched.Shutdown() // the scheduler stops; the HTTP server serves on
	if err := tb.Alive(ctx, addr2); err == nil {
		t.Error("a daemon whose scheduler stopped is alive")
	}
}
