package store

import (
	"context"
	"fmt"
	"net/http"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
)

// Influx writes to and reads from an InfluxDB 1.8+ or 2.x server.
type Influx struct {
	client  influxdb2.Client
	org     string
	buckets map[string]string
}

// InfluxOptions configures NewInflux. For InfluxDB 1.8 the token is
// "user:password" (or empty) and a bucket is "database" or "database/rp".
type InfluxOptions struct {
	URL, Token, Org string
	RawBucket       string
	ProcessedBucket string
	Timeout         time.Duration
}

// NewInflux makes a client; it does not connect yet.
func NewInflux(o InfluxOptions) *Influx {
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := influxdb2.DefaultOptions().
		SetPrecision(time.Second).
		SetHTTPClient(&http.Client{Timeout: timeout}).
		SetApplicationName("meterd")
	return &Influx{
		client:  influxdb2.NewClientWithOptions(o.URL, o.Token, opts),
		org:     o.Org,
		buckets: map[string]string{BucketRaw: o.RawBucket, BucketProcessed: o.ProcessedBucket},
	}
}

// WriteLines writes points with the blocking API, which never retries on its
// own: the outbox does the retrying, durably.
func (i *Influx) WriteLines(ctx context.Context, bucket string, lines []string) error {
	name, ok := i.buckets[bucket]
	if !ok {
		return fmt.Errorf("outbox: unknown bucket %q", bucket)
	}
	if err := i.client.WriteAPIBlocking(i.org, name).WriteRecord(ctx, lines...); err != nil {
		return fmt.Errorf("InfluxDB write to %s: %w", name, err)
	}
	return nil
}

// Ping checks that InfluxDB answers.
func (i *Influx) Ping(ctx context.Context) error {
	ok, err := i.client.Ping(ctx)
	if err != nil {
		return fmt.Errorf("InfluxDB unreachable: %w", err)
	}
	if !ok {
		return fmt.Errorf("InfluxDB is not ready")
	}
	return nil
}

// Close releases the client's connections.
func (i *Influx) Close() { i.client.Close() }
