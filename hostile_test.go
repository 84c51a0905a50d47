package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/meterd/meterd/ingest/ingesttest"
)

// daemon is the real meterd binary serving on a free loopback port.
type daemon struct {
	t    testing.TB
	dir  string
	URL  string
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{} // closed when the log reader saw the end
}

// startDaemon runs `meterd serve` in dir with cfg as its configuration.
func startDaemon(t *testing.T, dir, cfg string, env ...string) *daemon {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "serve", "--config", "config.yaml")
	cmd.Dir = dir
	// The tests read the daemon's English messages.
	cmd.Env = cleanEnv(append([]string{"METERD_HTTP_LISTEN=127.0.0.1:0", "METERD_UI_LANGUAGE=en"}, env...)...)
	return serve(t, cmd)
}

// serve starts cmd, a `meterd serve` told to listen on a free loopback
// port, and waits until its log says where; it is killed at the test's
// end unless stopped before.
func serve(t testing.TB, cmd *exec.Cmd) *daemon {
	t.Helper()
	d := &daemon{t: t, dir: cmd.Dir, cmd: cmd, done: make(chan struct{})}
	stderr, _ := d.cmd.StderrPipe()
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.cmd.Process.Kill(); <-d.done })
	addr := make(chan string, 1)
	go func() {
		defer close(d.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			d.mu.Lock()
			d.log.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "meterd started" {
				addr <- rec["listen"].(string)
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			<-d.done
			t.Fatalf("meterd exited before it was ready:\n%s", d.logText())
		}
		d.URL = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("meterd did not start within 30s")
	}
	return d
}

func (d *daemon) logText() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// peakRSS is the process's peak resident memory (VmHWM) in MiB.
func (d *daemon) peakRSS() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		d.t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	d.t.Fatal("no VmHWM")
	return 0
}

// stop sends SIGTERM and returns the exit code and how long it took.
func (d *daemon) stop() (int, time.Duration) {
	start := time.Now()
	d.cmd.Process.Signal(syscall.SIGTERM)
	<-d.done
	err := d.cmd.Wait()
	took := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), took
	}
	return 0, took
}

// rows counts the stored readings through the API.
func (d *daemon) rows(meter string) int {
	d.t.Helper()
	resp, err := http.Get(d.URL + "/api/v1/meters/" + meter + "/readings")
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Readings []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		d.t.Fatalf("readings of %s: %v", meter, err)
	}
	return len(out.Readings)
}

// hostileRequest is one request of the table and what must come of it.
type hostileRequest struct {
	name     string
	parallel int // sent this many times at once
	build    func() (*http.Request, error)
	status   []int  // any of these
	message  string // in every answer's body
}

func multipartBody(name string, data []byte, fields ...string) (io.Reader, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

// hugeCellXLSX is a workbook of a few kilobytes whose one cell unpacks to
// 250 MiB.
func hugeCellXLSX() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Datum</t></is></c><c r="B1" t="inlineStr"><is><t>Stand</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for range 250 {
		w.Write(chunk)
	}
	io.WriteString(w, `</t></is></c><c r="B2"><v>1</v></c></row></sheetData></worksheet>`)
	zw.Close()
	return buf.Bytes()
}

// TestHostileRequests sends each hostile request of the hardening issue to
// the real binary and checks its answer, that nothing was stored, and the
// daemon's peak memory (VmHWM) against the 200 MB target.
func TestHostileRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("sends hundreds of megabytes: skipped by -short")
	}
	dir := t.TempDir()
	d := startDaemon(t, dir, "meters:\n  - {id: wasser, utility: water, unit: m³}\n  - {id: gas, utility: gas, unit: m³}\n")
	// A year of readings, so that there is something to lose.
	var seed strings.Builder
	seed.WriteString("[")
	for i := range 365 {
		if i > 0 {
			seed.WriteString(",")
		}
		fmt.Fprintf(&seed, `{"time":"%s","value":%d}`, time.Date(2025, 1, 1+i, 8, 0, 0, 0, time.UTC).Format(time.RFC3339), 1000+i)
	}
	seed.WriteString("]")
	if resp, err := http.Post(d.URL+"/api/v1/meters/wasser/readings", "application/json", strings.NewReader(seed.String())); err != nil || resp.StatusCode != 200 {
		t.Fatalf("seed: %v %v", resp, err)
	}
	before := d.rows("wasser")

	var badCSV bytes.Buffer
	badCSV.WriteString("Datum;Stand\n")
	for range 500_000 {
		badCSV.WriteString("kein Datum;1\n")
	}
	nulls := "[" + strings.TrimSuffix(strings.Repeat("null,", 4_000_000), ",") + "]"
	huge := hugeCellXLSX()
	post := func(path, ctype string, body func() io.Reader) func() (*http.Request, error) {
		return func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, d.URL+path, body())
			if req != nil {
				req.Header.Set("Content-Type", ctype)
			}
			return req, err
		}
	}
	upload := func(name string, data []byte, fields ...string) func() (*http.Request, error) {
		return func() (*http.Request, error) {
			body, ctype := multipartBody(name, data, fields...)
			req, err := http.NewRequest(http.MethodPost, d.URL+"/api/v1/meters/wasser/upload", body)
			if req != nil {
				req.Header.Set("Content-Type", ctype)
			}
			return req, err
		}
	}
	cases := []hostileRequest{
		{name: "analysis of ten thousand years, daily", build: post("/api/v1/analyze", "application/json", func() io.Reader {
			return strings.NewReader(`{"from":"0001-01-01","to":"9999-12-31","daily":true}`)
		}), status: []int{400}, message: "at most 20 years"},
		{name: "a workbook with a 250 MiB cell", build: upload("huge.xlsx", huge), status: []int{400}, message: "32,767 characters"},
		{name: "20 MB of JSON nulls", build: post("/api/v1/meters/wasser/readings", "application/json", func() io.Reader { return strings.NewReader(nulls) }),
			status: []int{400}, message: "more than 100000 readings"},
		{name: "eight CSVs of 500,000 bad rows at once", parallel: 8, build: upload("bad.csv", badCSV.Bytes()), status: []int{200, 503}},
		{name: "years 0 and 9999, Inf and hex", build: post("/api/v1/meters/wasser/readings", "application/json", func() io.Reader {
			return strings.NewReader(`[{"time":"0000-01-01T00:00:00Z","value":1},{"time":"9999-12-31T00:00:00Z","value":1},{"time":"2025-06-01T00:00","value":"Inf"},{"time":"2025-06-02T00:00","value":"0x1p3"}]`)
		}), status: []int{200}, message: `"written":0`},
		{name: "a foreign Host (DNS rebinding)", build: func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, d.URL+"/api/v1/meters/wasser/readings", strings.NewReader(`{"time":"2025-06-01T00:00","value":5000}`))
			if req != nil {
				req.Host = "evil.example"
			}
			return req, err
		}, status: []int{403}, message: "allowed_hosts"},
		{name: "two files in one upload", build: func() (*http.Request, error) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for range 2 {
				fw, _ := mw.CreateFormFile("file", "a.csv")
				fw.Write([]byte("Datum;Stand\n01.06.2025;5000\n"))
			}
			mw.Close()
			req, err := http.NewRequest(http.MethodPost, d.URL+"/api/v1/meters/wasser/upload", &body)
			if req != nil {
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			return req, err
		}, status: []int{400}, message: "one file per upload"},
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	for _, c := range cases {
		n := max(c.parallel, 1)
		type answer struct {
			code int
			body string
			err  error
		}
		answers := make(chan answer, n)
		for range n {
			go func() {
				req, err := c.build()
				if err != nil {
					answers <- answer{err: err}
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					answers <- answer{err: err}
					return
				}
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
				answers <- answer{code: resp.StatusCode, body: string(b)}
			}()
		}
		for range n {
			a := <-answers
			if a.err != nil {
				t.Errorf("%s: %v", c.name, a.err)
				continue
			}
			okStatus := false
			for _, s := range c.status {
				okStatus = okStatus || a.code == s
			}
			if !okStatus || !strings.Contains(a.body, c.message) {
				t.Errorf("%s: %d %.300s; want %v with %q", c.name, a.code, a.body, c.status, c.message)
			}
		}
		after := d.rows("wasser")
		rss := d.peakRSS()
		t.Logf("%-40s rows %d → %d, peak RSS %.0f MiB", c.name, before, after, rss)
		if after != before {
			t.Errorf("%s: rows %d → %d; nothing may be stored", c.name, before, after)
		}
		if rss > 200 {
			t.Errorf("%s: peak RSS %.0f MiB; the target is at most 200", c.name, rss)
		}
	}
	if code, took := d.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM (%s)", code, took)
	}
}

// TestSlowBodiesAndShutdown: 300 connections that send a body one byte at
// a time do not stop the daemon from answering /health, and SIGTERM ends
// it within its grace period with exit 0.
func TestSlowBodiesAndShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("holds 300 connections for seconds: skipped by -short")
	}
	d := startDaemon(t, t.TempDir(), "meters:\n  - {id: wasser, utility: water, unit: m³}\n")
	host := strings.TrimPrefix(d.URL, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 300 {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST /api/v1/meters/wasser/readings HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", host)
		conns = append(conns, c)
	}
	stopDrip := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopDrip:
				return
			case <-tick.C:
				for _, c := range conns {
					c.Write([]byte(" "))
				}
			}
		}
	}()
	defer close(stopDrip)
	time.Sleep(2 * time.Second)
	client := &http.Client{Timeout: 5 * time.Second}
	for range 3 {
		resp, err := client.Get(d.URL + "/health")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("/health with 300 slow bodies open: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	code, took := d.stop()
	t.Logf("stopped in %s with 300 slow bodies open", took)
	if code != 0 || took > 12*time.Second {
		t.Errorf("exit %d after %s; want 0 within the 10 s grace period (and a little)\n%s", code, took, d.logText())
	}
}

// TestMultiMeterImportKilledIsAllOrNothing kills `meterd import` of an
// export with two meters at several moments: each meter has either all of
// its readings or none, and both the same.
func TestMultiMeterImportKilledIsAllOrNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a large file several times: skipped by -short")
	}
	const perMeter = 60_000
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("storage: {path: "+filepath.Join(dir, "meterd.db")+"}\nmeters:\n  - {id: wasser, utility: water, unit: m³}\n  - {id: gas, utility: gas, unit: m³}\n"), 0o600)
	var csv bytes.Buffer
	csv.WriteString("Zähler;Zeitpunkt;Zählerstand;Quelle\r\n")
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, m := range []string{"wasser", "gas"} {
		for i := range perMeter {
			fmt.Fprintf(&csv, "%s;%s;%d;csv\r\n", m, start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), i)
		}
	}
	file := filepath.Join(dir, "export.csv")
	os.WriteFile(file, csv.Bytes(), 0o600)
	count := func() (wasser, gas int) {
		out, errOut, code := meterd(t, dir, nil, "--config", cfg, "export")
		if code != 0 {
			t.Fatalf("export: %s", errOut)
		}
		return strings.Count(out, "\r\nwasser;"), strings.Count(out, "\r\ngas;")
	}
	// Kill at growing delays until one import completes.
	seen := map[string]bool{}
	for delay := 20 * time.Millisecond; delay < 20*time.Second; delay = delay * 3 / 2 {
		os.Remove(filepath.Join(dir, "meterd.db"))
		os.Remove(filepath.Join(dir, "meterd.db-wal"))
		os.Remove(filepath.Join(dir, "meterd.db-shm"))
		cmd := exec.Command(binary, "--config", cfg, "import", file)
		cmd.Env = cleanEnv()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		finished := false
		select {
		case err := <-done:
			finished = err == nil
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
		}
		w, g := count()
		if w != g || (w != 0 && w != perMeter) {
			t.Fatalf("killed after %s: wasser %d, gas %d readings; want both 0 or both %d", delay, w, g, perMeter)
		}
		seen[fmt.Sprint(w)] = true
		t.Logf("killed after %s: %d readings each (finished: %v)", delay, w, finished)
		if finished {
			break
		}
	}
	if !seen["0"] || !seen[fmt.Sprint(perMeter)] {
		t.Errorf("the kills never caught both outcomes: %v", seen)
	}
}

// TestDiskFullIsClearAndWritesNothing runs the daemon on a 4 MiB file
// system (a tmpfs in a mount namespace of its own, which needs root, as CI
// is): an upload that does not fit is a 507 that says so, nothing of it is
// stored, /health is degraded, and a small import afterwards works again.
func TestDiskFullIsClearAndWritesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a mount namespace: skipped by -short")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test mounts a small tmpfs and needs root (CI runs as root); run `make short` for the quick loop")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	os.Mkdir(mnt, 0o755)
	cfg := "storage: {path: " + filepath.Join(mnt, "meterd.db") + ", backup_dir: " + dir + "}\nmeters:\n  - {id: wasser, utility: water, unit: m³}\n"
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600)
	// unshare runs meterd in its own mount namespace on the tmpfs; the
	// daemon helper sees it as any other binary.
	wrapper := filepath.Join(dir, "meterd-small-disk")
	os.WriteFile(wrapper, []byte("#!/bin/sh\nexec unshare -m --propagation private sh -c 'mount -t tmpfs -o size=4m tmpfs "+mnt+" && exec \""+binary+"\" \"$@\"' meterd \"$@\"\n"), 0o755)
	saved := binary
	binary = wrapper
	d := startDaemon(t, dir, cfg)
	binary = saved

	post := func(n int, from time.Time) (int, string) {
		var b strings.Builder
		b.WriteString("[")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"time":"%s","value":%d}`, from.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i)
		}
		b.WriteString("]")
		resp, err := http.Post(d.URL+"/api/v1/meters/wasser/readings", "application/json", strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := post(10, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); code != 200 {
		t.Fatalf("a small import: %d %s", code, body)
	}
	code, body := post(100_000, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	if code != http.StatusInsufficientStorage || !strings.Contains(body, "disk full: nothing was written") {
		t.Fatalf("an import that does not fit: %d %.300s; want 507", code, body)
	}
	if n := d.rows("wasser"); n != 10 {
		t.Errorf("%d readings after the refused import; want the 10 from before", n)
	}
	resp, _ := http.Get(d.URL + "/health")
	h, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(h), `"status":"degraded"`) || !strings.Contains(string(h), "disk full") {
		t.Errorf("/health after a full disk: %s", h)
	}
	if code, body := post(5, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)); code != 200 {
		t.Errorf("a small import after the refusal: %d %s", code, body)
	}
	if code, _ := d.stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// TestOneDaemonPerDatabase: a second serve on the same database refuses to
// start and names the first one's PID; a command beside the daemon works,
// and what it imported shows in the daemon's /metrics at once.
func TestOneDaemonPerDatabase(t *testing.T) {
	dir := t.TempDir()
	cfg := "meters:\n  - {id: wasser, utility: water, unit: m³}\n"
	d := startDaemon(t, dir, cfg)
	_, errOut, code := meterd(t, dir, []string{"METERD_HTTP_LISTEN=127.0.0.1:0"}, "serve", "--config", "config.yaml")
	if code != 1 || !strings.Contains(errOut, fmt.Sprintf("PID %d", d.cmd.Process.Pid)) {
		t.Errorf("second serve: exit %d, %q; want 1 naming PID %d", code, errOut, d.cmd.Process.Pid)
	}
	os.WriteFile(filepath.Join(dir, "w.csv"), []byte("Datum;Uhrzeit;Stand\n01.03.2025;08:00;100\n"), 0o600)
	if _, errOut, code := meterd(t, dir, nil, "--config", "config.yaml", "import", "--meter", "wasser", "w.csv"); code != 0 {
		t.Fatalf("import beside the daemon: exit %d %s", code, errOut)
	}
	resp, err := http.Get(d.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// 2025-03-01 08:00 in Berlin is 07:00Z, 1740812400.
	if !strings.Contains(string(body), `meterd_meter_last_reading_timestamp_seconds{meter="wasser"} 1.7408124e+09`) {
		t.Errorf("/metrics does not show the reading the command imported:\n%s", grepLines(string(body), "last_reading"))
	}
	if code, _ := d.stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
	// Stopped, the database is free for the next daemon.
	startDaemon(t, dir, cfg).stop()
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// statusMiB is a field of the process's /proc status in MiB: VmRSS (all
// resident memory), RssAnon (what the process itself holds), RssFile
// (pages of files, mostly the binary's code, which the kernel takes back
// whenever it needs them).
func (d *daemon) statusMiB(field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		d.t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	d.t.Fatalf("no %s", field)
	return 0
}

// TestMemoryGoesBackAfterAnUpload: the daemon idles small, and after a
// 100,000-row upload and an analysis of it, the memory it holds (RssAnon)
// is back within 10 MiB of idle within a minute, not only when Go's
// runtime gets round to it. The code the upload ran stays mapped in
// (RssFile, counted in VmRSS): those are pages of the binary, which the
// kernel reclaims when it needs them, so they are reported, not bounded.
// The minute is only how long the test is willing to wait.
func TestMemoryGoesBackAfterAnUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 100,000 rows")
	}
	d := startDaemon(t, t.TempDir(), "meters:\n  - {id: strom, utility: electricity, unit: kWh}\n")
	grid, err := os.ReadFile(ingesttest.GridXLSX(t, 100_000, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // let start-up settle
	idle, idleAnon := d.statusMiB("VmRSS"), d.statusMiB("RssAnon")
	if idle > 30 {
		t.Errorf("idle at %.1f MiB; want at most 30", idle)
	}
	body, ctype := multipartBody("grid.xlsx", grid)
	resp, err := http.Post(d.URL+"/api/v1/meters/strom/upload", ctype, body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Post(d.URL+"/api/v1/analyze", "application/json", strings.NewReader(`{"from": "2023-01-01", "to": "2025-11-09", "daily": true}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("analyze: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	peak := d.peakRSS()
	deadline := time.Now().Add(time.Minute)
	anon := d.statusMiB("RssAnon")
	for anon > idleAnon+10 && time.Now().Before(deadline) {
		time.Sleep(time.Second)
		anon = d.statusMiB("RssAnon")
	}
	t.Logf("idle %.1f MiB (%.1f held), peak %.1f MiB, after %.1f MiB (%.1f held, %.1f of files)",
		idle, idleAnon, peak, d.statusMiB("VmRSS"), anon, d.statusMiB("RssFile"))
	if anon > idleAnon+10 {
		t.Errorf("a minute after the upload the daemon holds %.1f MiB, %.1f above idle", anon, anon-idleAnon)
	}
}
