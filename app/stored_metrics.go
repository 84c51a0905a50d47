package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meterd/meterd/analysis"
)

// storedMetrics describes what the database holds, read at each scrape:
// the last reading per meter, the outbox and its refused points, the open
// anomalies. Counting these in memory would miss what another process (a
// `meterd import` beside the daemon) wrote, and drift after a restart.
type storedMetrics struct {
	a                                   *App
	lastReading, outbox, dead, anomalie *prometheus.Desc
}

func newStoredMetrics(a *App) *storedMetrics {
	return &storedMetrics{
		a:           a,
		lastReading: prometheus.NewDesc("meterd_meter_last_reading_timestamp_seconds", "Instant of each meter's latest reading (Unix seconds).", []string{"meter"}, nil),
		outbox:      prometheus.NewDesc("meterd_outbox_points", "Points queued for InfluxDB and not yet delivered.", nil, nil),
		dead:        prometheus.NewDesc("meterd_outbox_dead_points", "Points InfluxDB refused for good, set aside with its reason.", nil, nil),
		anomalie:    prometheus.NewDesc("meterd_anomalies_open", "Open anomalies by rule.", []string{"rule"}, nil),
	}
}

func (s *storedMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- s.lastReading
	ch <- s.outbox
	ch <- s.dead
	ch <- s.anomalie
}

// Collect reads the database; a query that fails leaves its metric out of
// this scrape rather than reporting a wrong value.
func (s *storedMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	db := s.a.db
	if last, err := db.LastReadings(ctx); err == nil {
		for meter, r := range last {
			ch <- prometheus.MustNewConstMetric(s.lastReading, prometheus.GaugeValue, float64(r.Time.Unix()), meter)
		}
	}
	if n, err := db.OutboxCount(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(s.outbox, prometheus.GaugeValue, float64(n))
	}
	if n, _, _, err := db.DeadPoints(ctx, time.Time{}); err == nil {
		ch <- prometheus.MustNewConstMetric(s.dead, prometheus.GaugeValue, float64(n))
	}
	if counts, err := db.OpenAnomalyCounts(ctx); err == nil {
		for _, r := range analysis.AllRules() {
			ch <- prometheus.MustNewConstMetric(s.anomalie, prometheus.GaugeValue, float64(counts[r]), r)
		}
	}
}
