package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meterd/meterd/ingest/tibber/tibbertest"
)

// binary is the real meterd, built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "meterd-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "meterd")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=e2e", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build meterd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cleanEnv is the process environment without METERD_ variables, so the
// developer's own settings cannot leak into a test.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "METERD_") && !strings.HasPrefix(kv, "CREDENTIALS_DIRECTORY=") && !strings.HasPrefix(kv, "STATE_DIRECTORY=") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func meterd(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

func exampleConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheckConfigExample(t *testing.T) {
	abs, _ := filepath.Abs("config.example.yaml")
	out, errOut, code := meterd(t, t.TempDir(), nil, "check-config", "--config", abs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, id := range []string{"strom_gesamt", "allgemein_strom", "gas_gesamt", "kamin", "gastherme", "wasser", "waerme", "whg3_strom"} {
		if !strings.Contains(out, "\n"+id+" ") {
			t.Errorf("check-config does not list %s:\n%s", id, out)
		}
	}
}

func TestCheckConfigErrors(t *testing.T) {
	cases := map[string]struct{ yaml, key string }{
		"unknown key":   {"http:\n  listen: 127.0.0.1:8080\n  max_upload: 5\n", "http.max_upload"},
		"secret":        {"tibber:\n  token: 3A77EECF61BD445F\n", "tibber.token"},
		"cycle":         {"meters:\n  - {id: a, utility: water, unit: m³}\n  - {id: v, type: virtual, utility: water, unit: m³, base: w, subtract: [a]}\n  - {id: w, type: virtual, utility: water, unit: m³, base: v, subtract: [a]}\n", "cycle"},
		"unknown meter": {"meters:\n  - {id: v, type: virtual, utility: water, unit: m³, base: haupt, subtract: [x]}\n", "meters[0] (v).base"},
	}
	for name, c := range cases {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "meterd.yaml"), []byte(c.yaml), 0o600)
		// ./meterd.yaml is found without --config.
		_, errOut, code := meterd(t, dir, nil, "check-config")
		if code != 1 || !strings.Contains(errOut, c.key) {
			t.Errorf("%s: exit %d, stderr %q; want 1 naming %s", name, code, errOut, c.key)
		}
		if strings.Contains(errOut, "3A77EECF61BD445F") {
			t.Errorf("%s: the secret is printed", name)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	if _, errOut, code := meterd(t, t.TempDir(), nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d %q", code, errOut)
	}
	if _, _, code := meterd(t, t.TempDir(), nil, "check-config", "--nope"); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
	out, _, code := meterd(t, t.TempDir(), nil, "version")
	if code != 0 || !strings.Contains(out, "meterd e2e") || !strings.Contains(out, "go1.") {
		t.Errorf("version: %d %q", code, out)
	}
}

// TestServeEndToEnd runs the real binary on the example configuration with
// no other service: health, metrics, auth and a clean SIGTERM.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(exampleConfig(t)), 0o600)
	const token = "e2e-token-0123456789"
	cmd := exec.Command(binary, "serve", "--config", "config.yaml")
	cmd.Dir = dir
	cmd.Env = cleanEnv("METERD_HTTP_LISTEN=127.0.0.1:0", "METERD_API_TOKEN="+token)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// The "meterd started" log line tells the port; keep the rest of the log.
	// The reader owns logBuf until it closes readerDone: cmd.Wait closes the
	// pipe, so it must not run before the reader has seen the end of it.
	var logBuf bytes.Buffer
	addr := make(chan string, 1)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logBuf.WriteString(sc.Text() + "\n")
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "meterd started" {
				addr <- rec["listen"].(string)
			}
		}
		close(addr)
	}()
	var base string
	select {
	case a, ok := <-addr:
		if !ok {
			<-readerDone
			t.Fatalf("meterd exited before it was ready:\n%s", logBuf.String())
		}
		base = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("meterd did not start within 30s")
	}

	get := func(path string, auth bool) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/health", false)
	var h struct {
		Status  string
		Version string
	}
	json.Unmarshal([]byte(body), &h)
	if code != 200 || h.Status != "ok" || h.Version != "e2e" {
		t.Errorf("/health: %d %s", code, body)
	}
	code, body = get("/metrics", false)
	if code != 200 || !strings.Contains(body, `meterd_build_info{commit="unknown",goversion="go1.`) || !strings.Contains(body, "process_resident_memory_bytes") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics: %d, missing build info or Go/process collectors", code)
	}
	resp, err := http.Post(base+"/api/v1/meters/wasser/readings", "application/json", strings.NewReader(`{"time":"2025-01-01T00:00:00+01:00","value":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("POST without token: %d; want 401", resp.StatusCode)
	}
	code, body = get("/api/v1/meters", true)
	if code != 200 || !strings.Contains(body, `"id":"kamin"`) {
		t.Errorf("GET /api/v1/meters with token: %d %s", code, body)
	}
	if code, _ := get("/api/v1/meters", false); code != 401 {
		t.Errorf("GET /api/v1/meters without token: %d; want 401", code)
	}
	out, errOut, hcode := meterd(t, dir, nil, "healthcheck", "--url", base+"/health")
	if hcode != 0 || strings.TrimSpace(out) != "ok" {
		t.Errorf("healthcheck: exit %d %q %q", hcode, out, errOut)
	}

	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { <-readerDone; done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logBuf.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("meterd did not stop within 20s of SIGTERM")
	}
	t.Logf("stopped in %s", time.Since(start))
	if strings.Contains(logBuf.String(), token) {
		t.Error("the API token appears in the log")
	}
	if !strings.Contains(logBuf.String(), `"msg":"meterd stopped"`) {
		t.Errorf("no clean stop in the log:\n%s", logBuf.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "meterd.db")); err != nil {
		t.Errorf("the database was not created in the working directory: %v", err)
	}
}

// TestAnalyzeCommand imports readings with the real binary and analyses a
// billing year in every format.
func TestAnalyzeCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := "billing: {start: '03-01'}\nmeters:\n  - {id: wasser, utility: water, unit: m³}\n  - {id: gas, utility: gas, unit: m³}\n"
	os.WriteFile(filepath.Join(dir, "meterd.yaml"), []byte(cfg), 0o600)
	// 1 Mar 2025 → 1 Mar 2026 (365 days): 365 m³ of water, 1 a day.
	os.WriteFile(filepath.Join(dir, "w.csv"), []byte("Datum;Zählerstand\n01.03.2025;1000\n01.03.2026;1365\n"), 0o600)
	if _, errOut, code := meterd(t, dir, nil, "import", "--meter", "wasser", "w.csv"); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	out, errOut, code := meterd(t, dir, nil, "analyze", "--billing-year", "2025", "--format", "json")
	if code != 0 {
		t.Fatalf("analyze: %d %s", code, errOut)
	}
	var res struct {
		From, To string
		Meters   []struct {
			ID    string
			Total map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.From != "2025-03-01" || res.To != "2026-03-01" || len(res.Meters) != 2 || res.Meters[0].Total["consumption"] != 365.0 || res.Meters[1].Total["consumption"] != nil {
		t.Errorf("json: %s", out)
	}
	// Text is for people: three decimals, in ui.language (German by
	// default, with a decimal comma); JSON above keeps every digit.
	out, _, code = meterd(t, dir, nil, "analyze", "--billing-year", "2025", "--meter", "wasser")
	if code != 0 || !strings.Contains(out, "365,000") || !strings.Contains(out, "2025-03") || !strings.Contains(out, "Summe") {
		t.Errorf("text: %d %s", code, out)
	}
	out, _, code = meterd(t, dir, []string{"METERD_UI_LANGUAGE=en"}, "analyze", "--billing-year", "2025", "--meter", "wasser")
	if code != 0 || !strings.Contains(out, "365.000") || !strings.Contains(out, "total") || strings.Contains(out, "Summe") {
		t.Errorf("text in English: %d %s", code, out)
	}
	// April has 720 of the year's 8760 real hours: 365 × 720/8760 = 30.
	out, _, code = meterd(t, dir, nil, "analyze", "--from", "2025-04-01", "--to", "2025-05-01", "--meter", "wasser", "--format", "csv")
	if code != 0 || !strings.Contains(out, "wasser;m³;total;30;;true;;") {
		t.Errorf("csv: %d %q", code, out)
	}
	if _, _, code := meterd(t, dir, nil, "analyze", "--billing-year", "2025", "--to", "2026-01-01"); code != 2 {
		t.Errorf("--billing-year with --to: exit %d; want 2", code)
	}
	if _, errOut, code := meterd(t, dir, nil, "analyze", "--meter", "strom"); code != 1 || !strings.Contains(errOut, "strom") {
		t.Errorf("unknown meter: exit %d %q", code, errOut)
	}
}

// TestTibberSyncCommand backfills from a fake Tibber with the real binary;
// the token comes from a credential file, as under systemd.
func TestTibberSyncCommand(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	// The binary runs on the real clock: serve the two days before now.
	now := time.Now()
	fake := tibbertest.New(t, "cli-tibber-token", "home-cli", time.Now)
	start := time.Date(now.Year(), now.Month(), now.Day()-2, 0, 0, 0, 0, loc)
	hours := 0
	for h := start; h.Add(time.Hour).Before(now); h = h.Add(time.Hour) {
		fake.Set(h, tibbertest.F(1), 0.3)
		hours++
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "creds"), 0o700)
	os.WriteFile(filepath.Join(dir, "creds", "tibber-token"), []byte("cli-tibber-token\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "meterd.yaml"), []byte("tibber: {url: '"+fake.URL()+"'}\nmeters:\n  - {id: tib, utility: electricity, unit: kWh, reading: interval, source: tibber}\n"), 0o600)
	out, errOut, code := meterd(t, dir, []string{"CREDENTIALS_DIRECTORY=" + filepath.Join(dir, "creds")}, "tibber", "sync", "--since", start.Format("2006-01-02"))
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d hours new", hours)) || !strings.Contains(out, "backfill complete") {
		t.Fatalf("tibber sync: %d %q %q; want %d hours", code, out, errOut, hours)
	}
	if strings.Contains(out+errOut, "cli-tibber-token") {
		t.Error("the token was printed")
	}
	if _, errOut, code := meterd(t, dir, nil, "tibber", "sync"); code != 1 || !strings.Contains(errOut, "METERD_TIBBER_TOKEN") {
		t.Errorf("without a token: %d %q", code, errOut)
	}
}

func TestGrafanaCommand(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := meterd(t, dir, nil, "grafana"); code != 2 || !strings.Contains(errOut, "--out") {
		t.Errorf("without --out: exit %d %q", code, errOut)
	}
	os.WriteFile(filepath.Join(dir, "meterd.yaml"), []byte("influx: {url: 'http://influx.lan:8086', raw_bucket: zaehler}\n"), 0o600)
	out, errOut, code := meterd(t, dir, []string{"METERD_INFLUX_TOKEN=influx-secret-9"}, "grafana", "--out", "prov")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if lines := strings.Fields(out); len(lines) != 8 { // data sources, provider, six dashboards
		t.Errorf("files listed: %q", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "prov", "datasources", "meterd.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ds := string(b)
	if !strings.Contains(ds, `url: "http://influx.lan:8086"`) || !strings.Contains(ds, `database: "zaehler"`) || !strings.Contains(ds, "${METERD_INFLUX_TOKEN}") {
		t.Errorf("data sources:\n%s", ds)
	}
	if strings.Contains(ds+out+errOut, "influx-secret-9") {
		t.Error("the InfluxDB token was written out")
	}
	if _, err := os.Stat(filepath.Join(dir, "prov", "dashboards", "meterd", "overview.json")); err != nil {
		t.Error(err)
	}
}

// TestCommandsFindTheServedDatabase: a command run from another folder
// with the service's configuration reads the service's database (a
// relative storage.path is relative to the configuration file, not the
// working directory), and a command that only reads never creates one.
func TestCommandsFindTheServedDatabase(t *testing.T) {
	svc := t.TempDir()
	d := startDaemon(t, svc, "meters:\n  - {id: wasser, utility: water, unit: m³}\n")
	resp, err := http.Post(d.URL+"/api/v1/meters/wasser/readings", "application/json",
		strings.NewReader(`[{"time":"2025-01-01T00:00","value":100},{"time":"2025-02-01T00:00","value":131}]`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", resp, err)
	}
	resp.Body.Close()
	elsewhere := t.TempDir()
	cfg := filepath.Join(svc, "config.yaml")
	out, errOut, code := meterd(t, elsewhere, nil, "--config", cfg, "analyze", "--from", "2025-01-01", "--to", "2025-02-01", "--format", "json")
	var res struct {
		Meters []struct{ Total struct{ Consumption float64 } }
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res.Meters) != 1 || res.Meters[0].Total.Consumption != 31 {
		t.Errorf("analyze from another folder: exit %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "meterd.db")); err == nil {
		t.Error("a database was created in the working directory")
	}
	// A configuration whose database does not exist: a clear error, and
	// still no database anywhere.
	other := filepath.Join(elsewhere, "other.yaml")
	os.WriteFile(other, []byte("storage: {path: nothing-here.db}\n"), 0o600)
	for _, cmd := range [][]string{{"export"}, {"analyze"}} {
		_, errOut, code := meterd(t, elsewhere, nil, append([]string{"--config", other}, cmd...)...)
		if code != 1 || !strings.Contains(errOut, "no database at "+filepath.Join(elsewhere, "nothing-here.db")) {
			t.Errorf("%s without a database: exit %d %q", cmd[0], code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "nothing-here.db")); err == nil {
		t.Error("a read-only command created a database")
	}
}

// TestImportsAndUndoCommands: the command line lists imports and undoes
// one, with a dry run first.
func TestImportsAndUndoCommands(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "meterd.yaml"), []byte("meters:\n  - {id: wasser, utility: water, unit: m³}\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "w.csv"), []byte("Datum;Stand\n01.01.2025;100\n01.02.2025;131\n"), 0o600)
	if _, errOut, code := meterd(t, dir, nil, "import", "--meter", "wasser", "w.csv"); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	out, errOut, code := meterd(t, dir, nil, "imports", "--format", "json")
	var list struct {
		Imports []struct {
			ID      int64
			File    string
			Written int
		}
	}
	json.Unmarshal([]byte(out), &list)
	if code != 0 || len(list.Imports) != 1 || list.Imports[0].File != "w.csv" || list.Imports[0].Written != 2 {
		t.Fatalf("imports: %d %s %s", code, out, errOut)
	}
	id := fmt.Sprint(list.Imports[0].ID)
	out, _, code = meterd(t, dir, nil, "undo", "--dry-run", id)
	if code != 0 || !strings.Contains(out, "würde rückgängig gemacht (Probelauf, nichts geändert): 2 Stände entfernt, 0 wiederhergestellt") {
		t.Errorf("undo --dry-run: %d %s", code, out)
	}
	if out, _, _ := meterd(t, dir, nil, "export"); strings.Count(out, "\r\n") != 3 {
		t.Errorf("the dry run changed something:\n%s", out)
	}
	if out, errOut, code := meterd(t, dir, nil, "undo", id); code != 0 || !strings.Contains(out, "rückgängig gemacht: 2 Stände entfernt") {
		t.Errorf("undo: %d %s %s", code, out, errOut)
	}
	if out, _, _ := meterd(t, dir, nil, "export"); strings.Count(out, "\r\n") != 1 {
		t.Errorf("after the undo the export still has readings:\n%s", out)
	}
	if _, errOut, code := meterd(t, dir, nil, "undo", id); code != 1 || !strings.Contains(errOut, "wurde schon rückgängig gemacht") {
		t.Errorf("a second undo: %d %s", code, errOut)
	}
	if _, _, code := meterd(t, dir, nil, "undo", "eins"); code != 2 {
		t.Errorf("undo of a word: exit %d; want 2", code)
	}
}
