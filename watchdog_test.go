package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meterd/meterd/app"
)

// TestWatchdogSpeaksOnlyWhileAlive: the loop sends WATCHDOG=1 each time
// the daemon is alive and nothing while it is not.
func TestWatchdogSpeaksOnlyWhileAlive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var sent []string
	checks := 0
	alive := func() error {
		checks++
		if checks == 2 || checks == 3 {
			return errors.New("the scheduler does not answer")
		}
		if checks == 5 {
			cancel()
		}
		return nil
	}
	notify := func(s string) error {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, s)
		return nil
	}
	watchdog(ctx, time.Millisecond, alive, notify, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if checks != 5 || len(sent) != 3 || sent[0] != "WATCHDOG=1" {
		t.Errorf("%d checks, sent %v; want 5 checks and 3 WATCHDOG=1 (none for the 2 failed ones)", checks, sent)
	}
	for _, c := range []struct {
		env  []string
		want time.Duration
		ok   bool
	}{
		{[]string{"WATCHDOG_USEC=30000000"}, 15 * time.Second, true},
		{[]string{"WATCHDOG_USEC=30000000", "WATCHDOG_PID=" + strconv.Itoa(os.Getpid())}, 15 * time.Second, true},
		{[]string{"WATCHDOG_USEC=30000000", "WATCHDOG_PID=1"}, 0, false}, // meant for another process
		{nil, 0, false},
		{[]string{"WATCHDOG_USEC=x"}, 0, false},
	} {
		if got, ok := watchdogInterval(app.Environment{Environ: c.env}); got != c.want || ok != c.ok {
			t.Errorf("%v: %v %v; want %v %v", c.env, got, ok, c.want, c.ok)
		}
	}
}

// TestServeTellsSystemd runs the real binary as systemd would with
// Type=notify and WatchdogSec=: it reports READY=1 once it serves, then
// WATCHDOG=1 at half the interval.
func TestServeTellsSystemd(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(exampleConfig(t)), 0o600)
	sock := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cmd := exec.Command(binary, "serve", "--config", "config.yaml")
	cmd.Dir = dir
	cmd.Env = cleanEnv("METERD_HTTP_LISTEN=127.0.0.1:0", "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=400000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	var got []string
	buf := make([]byte, 256)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && strings.Count(strings.Join(got, " "), "WATCHDOG=1") < 3 {
		conn.SetReadDeadline(deadline)
		n, err := conn.Read(buf)
		if err != nil {
			break
		}
		got = append(got, string(buf[:n]))
	}
	if len(got) < 4 || got[0] != "READY=1" {
		t.Fatalf("systemd heard %q; want READY=1, then WATCHDOG=1 again and again", got)
	}
	for _, s := range got[1:] {
		if s != "WATCHDOG=1" {
			t.Errorf("after READY=1: %q", s)
		}
	}
}
