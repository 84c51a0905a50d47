package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/web"
)

// testApp is a running App on a loopback port.
type testApp struct {
	*App
	URL   string
	token string
	stop  func() error
}

// startApp runs the daemon from a YAML body, in a temp dir, on port 0.
func startApp(t *testing.T, yamlBody string, env ...string) *testApp {
	t.Helper()
	return startAppAt(t, nil, yamlBody, env...)
}

// startAppAt is startApp with a clock (nil: the real one), set before
// anything runs.
func startAppAt(t *testing.T, now func() time.Time, yamlBody string, env ...string) *testApp {
	t.Helper()
	return startAppOpts(t, Options{Now: now}, yamlBody, env...)
}

// testHandler wires the web package to a as main does: the tests drive
// the daemon through its real HTTP side.
func testHandler(a *App) http.Handler {
	svc := a.Service()
	return web.NewServer(web.Deps{
		Health: svc, Consumption: svc, Meters: svc, Imports: svc, Analysis: svc, Jobs: svc, Notes: svc, Undo: svc, Status: svc,
		Lang:           a.cfg.Lang,
		Location:       a.cfg.Location,
		AllowedHosts:   a.cfg.HTTP.AllowedHosts,
		Token:          a.cfg.Secrets.APIToken.Value(),
		Registry:       a.Registry(),
		MaxUploadBytes: a.cfg.HTTP.MaxUploadBytes,
		Logger:         a.log,
	}).Handler()
}

// startAppOpts is startApp with options.
func startAppOpts(t *testing.T, o Options, yamlBody string, env ...string) *testApp {
	t.Helper()
	dir := t.TempDir()
	cfgPath := writeConfig(t, yamlBody+"\nstorage:\n  path: "+filepath.Join(dir, "meterd.db")+"\n")
	// The tests read English messages unless they ask for German (a
	// later METERD_UI_LANGUAGE wins).
	env = append([]string{"METERD_UI_LANGUAGE=en"}, env...)
	cfg, err := Load(cfgPath, envOf(env...))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.Version, o.ShutdownTimeout = "test", 5*time.Second
	a, err := New(ctx, cfg, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- a.Run(ctx, ln, testHandler(a), func(net.Addr) { close(ready) }) }()
	<-ready
	ta := &testApp{App: a, URL: "http://" + ln.Addr().String(), token: cfg.Secrets.APIToken.Value()}
	stopped := false
	ta.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		err := <-done
		a.Close()
		return err
	}
	t.Cleanup(func() { ta.stop() })
	return ta
}

func (ta *testApp) do(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ta.URL+path, r)
	if ta.token != "" {
		req.Header.Set("Authorization", "Bearer "+ta.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (ta *testApp) health(t *testing.T) api.HealthReport {
	t.Helper()
	_, body := ta.do(t, http.MethodGet, "/health", nil)
	var h api.HealthReport
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("health %s: %v", body, err)
	}
	return h
}

func (ta *testApp) metric(t *testing.T, name string) string {
	t.Helper()
	_, body := ta.do(t, http.MethodGet, "/metrics", nil)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type apiReading struct {
	Time  string  `json:"time"`
	Value float64 `json:"value"`
}

func hourly(from time.Time, n int, start float64) []apiReading {
	out := make([]apiReading, n)
	for i := range n {
		out[i] = apiReading{Time: from.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), Value: start + float64(i)*1.5}
	}
	return out
}

func TestServeWithoutInfluxIsHealthy(t *testing.T) {
	ta := startApp(t, "meters:\n  - {id: wasser, utility: water, unit: m³}\n", "METERD_API_TOKEN=tok-123456")
	h := ta.health(t)
	if h.Status != api.StatusOK || h.Version != "test" || h.Checks["sqlite"].Status != api.StatusOK {
		t.Fatalf("health %+v", h)
	}
	if !strings.Contains(h.Checks["influxdb"].Message, "disabled") {
		t.Errorf("influxdb check %+v; want disabled", h.Checks["influxdb"])
	}
	code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", []apiReading{
		{"2025-01-01T00:00", 10}, {"2025-02-01T00:00:00+01:00", 12.5}, {"yesterday", 3},
	})
	if code != http.StatusOK {
		t.Fatalf("post readings: %d %s", code, body)
	}
	var sum struct {
		Parsed, Written int
		Rejected        []struct {
			Row   int
			Error string
		}
		Readings []apiReading
	}
	json.Unmarshal(body, &sum)
	if sum.Parsed != 2 || sum.Written != 2 || len(sum.Rejected) != 1 || sum.Rejected[0].Row != 3 {
		t.Fatalf("summary %s", body)
	}
	// Local input comes back in the zone's offset.
	if sum.Readings[0].Time != "2025-01-01T00:00:00+01:00" {
		t.Errorf("first reading time %q", sum.Readings[0].Time)
	}
	if v := ta.metric(t, `meterd_readings_ingested_total{source="api"}`); v != "2" {
		t.Errorf("ingested metric %q; want 2", v)
	}
	if v := ta.metric(t, `meterd_outbox_points`); v != "0" {
		t.Errorf("outbox metric %q; want 0 without InfluxDB", v)
	}
	// 2025-02-01T00:00+01:00 = 1738364400.
	if v := ta.metric(t, `meterd_meter_last_reading_timestamp_seconds{meter="wasser"}`); v != "1.7383644e+09" {
		t.Errorf("last reading metric %q", v)
	}
	code, body = ta.do(t, http.MethodPost, "/api/v1/meters/gibtsnicht/readings", apiReading{"2025-01-01T00:00", 1})
	if code != http.StatusNotFound || !strings.Contains(string(body), "gibtsnicht") {
		t.Errorf("unknown meter: %d %s", code, body)
	}
	if err := ta.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestNonLoopbackWithoutTokenRefused(t *testing.T) {
	_, err := Load(writeConfig(t, "http: {listen: '0.0.0.0:8080'}\n"), envOf())
	probs := problemsOf(t, err)
	wantProblem(t, probs, "http.listen", "METERD_API_TOKEN")
	if _, err := Load(writeConfig(t, "http: {listen: '0.0.0.0:8080'}\n"), envOf("METERD_API_TOKEN=abcdef")); err != nil {
		t.Fatalf("with a token: %v", err)
	}
	if _, err := Load(writeConfig(t, "http: {listen: 'localhost:8080'}\n"), envOf()); err != nil {
		t.Fatalf("localhost without token: %v", err)
	}
}

func TestJobPanicIsAFailedRunNotACrash(t *testing.T) {
	ta := startApp(t, "")
	ta.runJobRecorded(context.Background(), "boom", func(context.Context) (any, bool, error) { panic("bad luck") }, 0)
	runs, err := ta.db.Runs(context.Background(), "boom", 5)
	if err != nil || len(runs) != 1 || runs[0].Status != "failed" || !strings.Contains(runs[0].Error, "bad luck") {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	if v := ta.metric(t, `meterd_job_runs_total{job="boom",status="failed"}`); v != "1" {
		t.Errorf("job metric %q", v)
	}
}

func ExampleSecret() {
	s := NewSecret("hunter2")
	fmt.Println(s, fmt.Sprintf("%v %#v", s, s))
	// Output: [redacted] [redacted] [redacted]
}

// TestJobPanicLogsItsStack: the run history keeps the message; the log
// gets the stack that finds the bug.
func TestJobPanicLogsItsStack(t *testing.T) {
	var log syncBuffer
	ta := startAppOpts(t, Options{Logger: slog.New(slog.NewJSONHandler(&log, nil))}, "")
	ta.runJobRecorded(context.Background(), "boom", func(context.Context) (any, bool, error) { panic("bad luck") }, 0)
	out := log.String()
	if !strings.Contains(out, `"msg":"job panicked"`) || !strings.Contains(out, "bad luck") || !strings.Contains(out, "app_test.go") {
		t.Errorf("no stack in the log:\n%s", out)
	}
}

// syncBuffer is a bytes.Buffer the daemon's goroutines may log to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
