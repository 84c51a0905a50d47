// Package influxtest runs a real InfluxDB 1.8 server for tests. A missing
// influxd fails the test with instructions, so CI cannot pass without the
// real thing; only the -short loop skips it on purpose.
package influxtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
)

// Binary finds influxd: $INFLUXD_BIN, then the cache `make test` fills,
// then $PATH.
func Binary() (string, error) {
	if p := os.Getenv("INFLUXD_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("INFLUXD_BIN=%s: %w", p, err)
		}
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "meterd", "bin", "influxd")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("influxd"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("influxd not found: run the tests with `make test`, which builds InfluxDB 1.8.10 once, or set INFLUXD_BIN")
}

// Server is one influxd process with its own data directory and port.
type Server struct {
	URL  string
	bin  string
	conf string
	cmd  *exec.Cmd
	log  *os.File
	t    testing.TB
}

// Start runs a fresh influxd on a free loopback port; it is stopped when the
// test ends. Under -short (the quick local loop) the test is skipped; a full
// run without influxd fails.
func Start(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real influxd: skipped by -short; make test runs it")
	}
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	httpPort, rpcPort := freePort(t), freePort(t)
	conf := filepath.Join(dir, "influxdb.conf")
	body := fmt.Sprintf(`reporting-disabled = true
bind-address = "127.0.0.1:%d"
[meta]
  dir = %q
[data]
  dir = %q
  wal-dir = %q
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:%d"
  flux-enabled = true
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
`, rpcPort, filepath.Join(dir, "meta"), filepath.Join(dir, "data"), filepath.Join(dir, "wal"), httpPort)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", httpPort), bin: bin, conf: conf, t: t}
	s.log, err = os.Create(filepath.Join(dir, "influxd.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		s.log.Close()
	})
	s.Restart()
	return s
}

// Stop ends the process and keeps its data, as an outage would.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts influxd (again) on the same port and data, and waits until
// it answers.
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatal("influxtest: Restart while running")
	}
	cmd := exec.Command(s.bin, "-config", s.conf)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start influxd: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusNoContent {
				return
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(s.log.Name())
			s.t.Fatalf("influxd did not answer /ping within 60s: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CreateDatabase creates a 1.8 database (a bucket to the v2 client).
func (s *Server) CreateDatabase(name string) {
	s.t.Helper()
	s.influxQL("", "CREATE DATABASE "+quoteIdent(name))
}

// Row is one point returned by Select: column name to value.
type Row map[string]any

// Select runs an InfluxQL query against db and returns the rows of the first
// series set, all series merged.
func (s *Server) Select(db, q string) []Row {
	s.t.Helper()
	res := s.influxQL(db, q)
	var out []Row
	for _, r := range res.Results {
		for _, series := range r.Series {
			for _, vals := range series.Values {
				row := Row{}
				for i, c := range series.Columns {
					row[c] = vals[i]
				}
				for k, v := range series.Tags {
					row[k] = v
				}
				row["_measurement"] = series.Name
				out = append(out, row)
			}
		}
	}
	return out
}

type qlResult struct {
	Results []struct {
		Error  string `json:"error"`
		Series []struct {
			Name    string            `json:"name"`
			Tags    map[string]string `json:"tags"`
			Columns []string          `json:"columns"`
			Values  [][]any           `json:"values"`
		} `json:"series"`
	} `json:"results"`
	Error string `json:"error"`
}

func (s *Server) influxQL(db, q string) qlResult {
	s.t.Helper()
	form := url.Values{"q": {q}, "epoch": {"s"}}
	if db != "" {
		form.Set("db", db)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/query", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("influxql %q: %v", q, err)
	}
	defer resp.Body.Close()
	var r qlResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		s.t.Fatalf("influxql %q: %s: %v", q, resp.Status, err)
	}
	if r.Error != "" {
		s.t.Fatalf("influxql %q: %s", q, r.Error)
	}
	for _, res := range r.Results {
		if res.Error != "" {
			s.t.Fatalf("influxql %q: %s", q, res.Error)
		}
	}
	return r
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// QueryFlux runs a Flux query against the server and returns its records
// as column maps; a failed query fails the test.
func (s *Server) QueryFlux(t testing.TB, q string) []map[string]any {
	t.Helper()
	c := influxdb2.NewClient(s.URL, "")
	defer c.Close()
	res, err := c.QueryAPI("").Query(context.Background(), q)
	if err != nil {
		t.Fatalf("flux query: %v", err)
	}
	defer res.Close()
	var out []map[string]any
	for res.Next() {
		out = append(out, res.Record().Values())
	}
	if err := res.Err(); err != nil {
		t.Fatalf("flux query: %v", err)
	}
	return out
}
