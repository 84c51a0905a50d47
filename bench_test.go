package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
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
func runBinary(b *testing.B, dir string, args ...string) float64 {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("meterd %v: %v\n%s", args, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no resource usage for the process")
	}
	return float64(ru.Maxrss) * 1024 / 1e6 // Linux reports kB
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
