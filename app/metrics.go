package app

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/meterd/meterd/ingest/tibber"
)

// Metrics are meterd's Prometheus metrics, on a registry of their own so
// nothing registers globally.
type Metrics struct {
	Registry *prometheus.Registry

	JobRuns          *prometheus.CounterVec
	JobDuration      *prometheus.HistogramVec
	JobLastSuccess   *prometheus.GaugeVec
	ReadingsIngested *prometheus.CounterVec
	ReadingsRejected *prometheus.CounterVec
	TibberRequests   *prometheus.CounterVec
}

// NewMetrics registers the Go and process collectors, build info and
// meterd's own metrics; stored describes what the database holds, read at
// each scrape.
func NewMetrics(version, commit string, stored prometheus.Collector) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		JobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meterd_job_runs_total", Help: "Job runs by job and outcome (ok, failed).",
		}, []string{"job", "status"}),
		JobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "meterd_job_duration_seconds", Help: "How long job runs took.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 15, 60, 300},
		}, []string{"job"}),
		JobLastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "meterd_job_last_success_timestamp_seconds", Help: "When each job last finished without error (Unix seconds).",
		}, []string{"job"}),
		ReadingsIngested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meterd_readings_ingested_total", Help: "Readings written or updated, by source.",
		}, []string{"source"}),
		ReadingsRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meterd_readings_rejected_total", Help: "Rows or readings rejected, by source.",
		}, []string{"source"}),
		TibberRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meterd_tibber_requests_total", Help: "Requests to the Tibber API by outcome.",
		}, []string{"status"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "meterd_build_info", Help: "Always 1; the labels tell which meterd runs.",
	}, []string{"version", "commit", "goversion"})
	build.WithLabelValues(version, commit, runtime.Version()).Set(1)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		build, stored,
		m.JobRuns, m.JobDuration, m.JobLastSuccess, m.ReadingsIngested, m.ReadingsRejected,
		m.TibberRequests,
	)
	// Every series a dashboard or alert may look for exists from the
	// start, at zero, rather than appearing with its first event.
	for _, src := range []string{"excel", "csv", "api", "homeassistant", "tibber"} {
		m.ReadingsIngested.WithLabelValues(src)
		m.ReadingsRejected.WithLabelValues(src)
	}
	for _, k := range tibber.Kinds {
		m.TibberRequests.WithLabelValues(k)
	}
	return m
}

// initJob makes a job's series visible before its first run.
func (m *Metrics) initJob(name string) {
	m.JobRuns.WithLabelValues(name, "ok")
	m.JobRuns.WithLabelValues(name, "failed")
	m.JobDuration.WithLabelValues(name)
}
