package ingest

import (
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/meterd/meterd/ingest/ingesttest"
)

// gridFile writes a grid operator's export of n quarter-hour rows from
// 1 January 2025 on.
func gridFile(tb testing.TB, n int) string {
	return ingesttest.GridXLSX(tb, n, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
}

// peakHeap samples the live heap while fn runs.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak
}

// BenchmarkParseGridXLSX100k parses a 100,000-row grid operator export.
// It reports the time per file, allocations and the peak live heap.
func BenchmarkParseGridXLSX100k(b *testing.B) {
	p := gridFile(b, 100_000)
	st, _ := os.Stat(p)
	var peak uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, _ := os.Open(p)
		var pf *ParsedFile
		var err error
		peak = max(peak, peakHeap(func() { pf, err = ParseFile(p, f, st.Size(), berlin, Options{}) }))
		f.Close()
		if err != nil || len(pf.Readings) != 100_000 {
			b.Fatalf("%v, %d readings", err, len(pf.Readings))
		}
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
