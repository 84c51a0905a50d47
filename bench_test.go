package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/ingest/ingesttest"
)

// What a user waits for is the whole command: start the binary, open the
// database, read the file, write every reading, exit. These benchmarks run
// the real binary and report its wall time and its peak resident memory
// (the kernel's maxrss, the figure that decides whether a Raspberry Pi
// with 1 GB copes), not only the inner loop's heap.

const benchConfig = "meters:\n  - {id: strom, utility: electricity, unit: kWh}\n"

// gridRows is a grid operator's export of 100,000 quarter hours, from
// 1 January 2023 to 8 November 2025 (1,041 days and 6 hours).
const gridRows = 100_000

// gridWritten is what an import of it writes: the file has 96 rows on
// every day, so on the three spring nights 02:00-02:45, which do not
// exist in Berlin, move forward to 03:00-03:45, and the later rows, the
// real 03:00-03:45, win (4 × 3 = 12 fewer readings).
const gridWritten = gridRows - 12

func benchDir(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "meterd.yaml"), []byte(benchConfig), 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// runBinary runs meterd in dir and returns its peak resident memory in MB.
// The kernel's maxrss is no use here: a child started from this (large)
// test process inherits the parent's high-water mark at exec. The binary's
// own mm starts afresh, so its VmHWM is sampled from /proc while it runs;
// the mark only rises, and the last sample before exit is the peak but
// for the final milliseconds, when the work is done.
func runBinary(b *testing.B, dir string, args ...string) float64 {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan struct{})
	var peakKB int
	go func() {
		defer close(done)
		for {
			data, err := os.ReadFile(status)
			if err != nil {
				return
			}
			_, rest, ok := strings.Cut(string(data), "VmHWM:")
			if !ok {
				return // a zombie: it has exited
			}
			kb, _ := strconv.Atoi(strings.Fields(rest)[0])
			peakKB = max(peakKB, kb)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	err := cmd.Wait()
	<-done
	if err != nil {
		b.Fatalf("meterd %v: %v\n%s", args, err, out.Bytes())
	}
	return float64(peakKB) * 1024 / 1e6
}

// BenchmarkBinaryImportGridXLSX100k: `meterd import` of the 100,000-row
// export into a fresh database, each iteration from scratch.
func BenchmarkBinaryImportGridXLSX100k(b *testing.B) {
	file := ingesttest.GridXLSX(b, gridRows, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	var peak float64
	var dir string
	for b.Loop() {
		b.StopTimer()
		dir = benchDir(b)
		b.StartTimer()
		peak = max(peak, runBinary(b, dir, "import", "--meter", "strom", file))
	}
	b.StopTimer()
	wantWritten(b, dir, gridWritten)
	b.ReportMetric(peak, "peak-RSS-MB")
}

// BenchmarkBinaryAnalyzeDaily: `meterd analyze --daily` over the imported
// export: 1,042 days of quarter-hour readings to daily, monthly and yearly
// figures as CSV.
func BenchmarkBinaryAnalyzeDaily(b *testing.B) {
	file := ingesttest.GridXLSX(b, gridRows, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	dir := benchDir(b)
	runBinary(b, dir, "import", "--meter", "strom", file)
	wantWritten(b, dir, gridWritten)
	var peak float64
	for b.Loop() {
		peak = max(peak, runBinary(b, dir, "analyze", "--from", "2023-01-01", "--to", "2025-11-09", "--daily", "--format", "csv"))
	}
	b.ReportMetric(peak, "peak-RSS-MB")
}

// wantWritten fails the benchmark unless the last import in dir wrote n
// readings: a fast import that wrote nothing measures nothing.
func wantWritten(b *testing.B, dir string, n int) {
	b.Helper()
	cmd := exec.Command(binary, "imports", "--format", "json")
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("meterd imports: %v", err)
	}
	var list struct {
		Imports []struct {
			Written int `json:"written"`
		} `json:"imports"`
	}
	if err := json.Unmarshal(out, &list); err != nil || len(list.Imports) == 0 || list.Imports[0].Written != n {
		b.Fatalf("want one import writing %d readings, got %s (%v)", n, out, err)
	}
}

// householdDir writes the benchmark household, as the analysis benchmark
// builds it, for the real binary: a configuration of 30 physical meters (20
// read by hand every 10 to 40 days, 10 hourly) over the five years 2020 to
// 2024, 4 master and 4 virtual meters, and its readings as one export file
// (`Zähler;Zeitpunkt;Zählerstand;Quelle`, 439,697 rows).
func householdDir(b *testing.B) (dir, file string) {
	b.Helper()
	dir = b.TempDir()
	rng := rand.New(rand.NewSource(1))
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, berlin)
	end := start.AddDate(5, 0, 0)
	var cfg, csv bytes.Buffer
	cfg.WriteString("meters:\n")
	csv.WriteString("Zähler;Zeitpunkt;Zählerstand;Quelle\n")
	row := func(id string, t time.Time, v float64) {
		fmt.Fprintf(&csv, "%s;%s;%s;manual\n", id, t.Format(time.RFC3339), strconv.FormatFloat(v, 'f', 3, 64))
	}
	for i := 0; i < 20; i++ {
		id := fmt.Sprintf("m%d", i)
		fmt.Fprintf(&cfg, "  - {id: %s, utility: electricity, unit: kWh", id)
		if i%5 == 0 {
			cfg.WriteString(", seasonal_pattern: [14, 12, 11, 8, 5, 4, 4, 4, 6, 9, 11, 12]")
		}
		cfg.WriteString("}\n")
		v := 1000.0
		for t := start; t.Before(end); t = t.AddDate(0, 0, 10+rng.Intn(31)) {
			row(id, t, v)
			v += math.Round(rng.Float64()*100*1000) / 1000
		}
	}
	for i := 0; i < 10; i++ {
		id := fmt.Sprintf("h%d", i)
		fmt.Fprintf(&cfg, "  - {id: %s, utility: electricity, unit: kWh}\n", id)
		v := 0.0
		for t := start; t.Before(end); t = t.Add(time.Hour) {
			row(id, t, v)
			v += math.Round(rng.Float64()*1000) / 1000
		}
	}
	switchAt := start.AddDate(2, 3, 4).Format("2006-01-02")
	for k := 0; k < 4; k++ {
		fmt.Fprintf(&cfg, "  - {id: master%d, type: master, utility: electricity, unit: kWh, periods: [{from: 2020-01-01, meters: [m%d]}, {from: %s, meters: [m%d]}]}\n", k, 2*k, switchAt, 2*k+1)
		fmt.Fprintf(&cfg, "  - {id: virtual%d, type: virtual, utility: electricity, unit: kWh, base: h%d, subtract: [m%d, h%d]}\n", k, k, 10+k, 4+k)
	}
	file = filepath.Join(dir, "household.csv")
	if err := os.WriteFile(filepath.Join(dir, "meterd.yaml"), cfg.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(file, csv.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	return dir, file
}

// BenchmarkBinaryAnalyzeHousehold: `meterd analyze` of the whole
// household's five years, daily, as JSON: what a person waits for.
func BenchmarkBinaryAnalyzeHousehold(b *testing.B) {
	dir, file := householdDir(b)
	runBinary(b, dir, "import", file)
	args := []string{"analyze", "--from", "2020-01-01", "--to", "2025-01-01", "--daily", "--format", "json"}
	// The first analysis after an import packs every meter's series
	// (docs/architecture.md#the-packed-series); the ones after it read them.
	start := time.Now()
	firstPeak := runBinary(b, dir, args...)
	first := time.Since(start)
	var peak float64
	for b.Loop() {
		peak = max(peak, runBinary(b, dir, args...))
	}
	b.ReportMetric(peak, "peak-RSS-MB")
	b.ReportMetric(float64(first.Milliseconds()), "first-run-ms")
	b.ReportMetric(firstPeak, "first-run-peak-RSS-MB")
}

// BenchmarkBinaryImportHouseholdCSV: `meterd import` of the household's
// 439,697-row export into a fresh database.
func BenchmarkBinaryImportHouseholdCSV(b *testing.B) {
	src, file := householdDir(b)
	cfg, _ := os.ReadFile(filepath.Join(src, "meterd.yaml"))
	var peak float64
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		os.WriteFile(filepath.Join(dir, "meterd.yaml"), cfg, 0o600)
		b.StartTimer()
		peak = max(peak, runBinary(b, dir, "import", file))
	}
	b.ReportMetric(peak, "peak-RSS-MB")
	b.ReportMetric(439697*float64(b.N)/b.Elapsed().Seconds(), "readings/s")
}

// BenchmarkBinaryDryRunGridXLSX100k: `meterd import --dry-run` of the
// 100,000-row export against a database that already holds it: the
// preview a person sees before confirming.
func BenchmarkBinaryDryRunGridXLSX100k(b *testing.B) {
	file := ingesttest.GridXLSX(b, gridRows, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	dir := benchDir(b)
	var peak float64
	for b.Loop() {
		peak = max(peak, runBinary(b, dir, "import", "--dry-run", "--meter", "strom", file))
	}
	b.ReportMetric(peak, "peak-RSS-MB")
}

// BenchmarkBinaryJobs: the daemon's jobs as they run in `meterd serve` on
// the household: started through the HTTP API, timed until the run is
// recorded as finished (what a person triggering one waits for), with the
// daemon's peak resident memory during the runs (VmHWM, reset before them
// through /proc/PID/clear_refs). InfluxDB is configured but away, so the
// daily job computes and queues its points as it would for a real one.
func BenchmarkBinaryJobs(b *testing.B) {
	dir, file := householdDir(b)
	runBinary(b, dir, "import", file)
	cfg, _ := os.ReadFile(filepath.Join(dir, "meterd.yaml"))
	cfg = append(cfg, []byte("influx: {url: 'http://127.0.0.1:9'}\nschedule: {anomaly_check: '', daily_analysis: '', monthly_report: '', backup: ''}\n")...)
	os.WriteFile(filepath.Join(dir, "meterd.yaml"), cfg, 0o600)
	const token = "bench-token-0123456789"
	cmd := exec.Command(binary, "serve")
	cmd.Dir = dir
	cmd.Env = cleanEnv("METERD_HTTP_LISTEN=127.0.0.1:0", "METERD_API_TOKEN="+token)
	d := serve(b, cmd)
	defer d.stop()
	base := d.URL
	call := func(method, path string) []byte {
		for {
			req, _ := http.NewRequest(method, base+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// A run is recorded as finished a moment before its job hands
			// back the memory it used and frees its slot: until then a new
			// run is a conflict, and the wait is part of the job's cost.
			if resp.StatusCode == http.StatusConflict {
				time.Sleep(time.Millisecond)
				continue
			}
			if resp.StatusCode >= 300 {
				b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, body)
			}
			return body
		}
	}
	// runJob starts a job and waits until its run is recorded as done.
	runJob := func(job string) {
		var started struct {
			Run int64 `json:"run_id"`
		}
		json.Unmarshal(call(http.MethodPost, "/api/v1/jobs/"+job+"/run"), &started)
		for {
			var runs struct {
				Runs []struct {
					ID     int64  `json:"id"`
					Status string `json:"status"`
					Error  string `json:"error"`
				} `json:"runs"`
			}
			json.Unmarshal(call(http.MethodGet, "/api/v1/runs?limit=1&job="+job), &runs)
			if len(runs.Runs) > 0 && runs.Runs[0].Status != "running" && runs.Runs[0].ID == started.Run {
				if runs.Runs[0].Status != "ok" {
					b.Fatalf("%s: %s", job, runs.Runs[0].Error)
				}
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	pid := d.cmd.Process.Pid
	peak := func() float64 {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		_, rest, _ := strings.Cut(string(data), "VmHWM:")
		kb, _ := strconv.Atoi(strings.Fields(rest)[0])
		return float64(kb) * 1024 / 1e6
	}
	resetPeak := func() {
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
			b.Fatalf("cannot reset the peak RSS (needs Linux and the process's owner): %v", err)
		}
	}
	// Jobs the daemon starts by itself at start finish first.
	for settled := false; !settled; {
		var runs struct {
			Runs []struct {
				Status string `json:"status"`
			} `json:"runs"`
		}
		json.Unmarshal(call(http.MethodGet, "/api/v1/runs?limit=20"), &runs)
		settled = true
		for _, r := range runs.Runs {
			settled = settled && r.Status != "running"
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Each job's first run after a start judges or computes everything;
	// the ones after it cost what is new (here: nothing).
	for _, c := range []struct{ name, job string }{
		{"AnomalyCheck", "anomaly_check"},
		{"DailyJob", "daily_analysis"},
	} {
		resetPeak()
		start := time.Now()
		runJob(c.job)
		first, firstPeak := time.Since(start), peak()
		b.Run(c.name, func(b *testing.B) {
			resetPeak()
			for b.Loop() {
				runJob(c.job)
			}
			b.ReportMetric(peak(), "peak-RSS-MB")
			b.ReportMetric(float64(first.Milliseconds()), "first-run-ms")
			b.ReportMetric(firstPeak, "first-run-peak-RSS-MB")
		})
	}
}
