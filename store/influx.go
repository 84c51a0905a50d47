package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	influxhttp "github.com/influxdata/influxdb-client-go/v2/api/http"
)

// Influx writes to and reads from an InfluxDB 1.8+ or 2.x server.
type Influx struct {
	client  influxdb2.Client
	org     string
	buckets map[string]string
	url     string
	token   string
	http    *http.Client
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
		url:     strings.TrimSuffix(o.URL, "/"),
		token:   o.Token,
		http:    &http.Client{Timeout: timeout},
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
		var he *influxhttp.Error
		if errors.As(err, &he) && refusedForGood(he.StatusCode) {
			return &RefusedError{Status: he.StatusCode, Reason: err.Error()}
		}
		return fmt.Errorf("InfluxDB write to %s: %w", name, err)
	}
	return nil
}

// refusedForGood tells a 4xx that sending the same points again cannot fix
// (a point InfluxDB cannot parse or store) from one that it can: a wrong
// token (401, 403), a timeout (408) or a rate limit (429) pass.
func refusedForGood(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return status >= 400 && status < 500
}

// RefusedError says InfluxDB refused a write for what is in it; retrying
// the same points cannot succeed.
type RefusedError struct {
	Status int
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("InfluxDB refused the points (%d): %s", e.Status, e.Reason)
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

// HASeries reads a series Home Assistant's InfluxDB integration writes:
// measurement = unit, tag entity_id without the domain prefix, the field
// (usually value). The Flux uses only what InfluxDB 1.8's Flux 0.65 has.
func (i *Influx) HASeries(ctx context.Context, bucket, measurement, entityID, field string) ([]Reading, error) {
	if bucket == "" {
		bucket = i.buckets[BucketRaw]
	}
	q := fmt.Sprintf(`from(bucket: %s)
  |> range(start: 1970-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == %s and r.entity_id == %s and r._field == %s)
  |> keep(columns: ["_time", "_value"])
  |> sort(columns: ["_time"])`, fluxString(bucket), fluxString(measurement), fluxString(entityID), fluxString(field))
	res, err := i.client.QueryAPI(i.org).Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("InfluxDB query for %s/%s: %w", measurement, entityID, err)
	}
	defer res.Close()
	var out []Reading
	for res.Next() {
		rec := res.Record()
		v, ok := toFloat(rec.Value())
		if !ok {
			continue
		}
		out = append(out, Reading{Time: rec.Time().UTC().Truncate(time.Second), Value: v, Source: "influx"})
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("InfluxDB query for %s/%s: %w", measurement, entityID, err)
	}
	return out, nil
}

// fluxString quotes s as a Flux string literal.
func fluxString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "${", `\${`)
	return `"` + r.Replace(s) + `"`
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// DeletePoints runs InfluxQL DELETE statements against the bucket's
// database through the 1.x query API, which InfluxDB 1.8 serves (the v2
// delete API it does not).
func (i *Influx) DeletePoints(ctx context.Context, bucket string, statements []string) error {
	name, ok := i.buckets[bucket]
	if !ok {
		return fmt.Errorf("outbox: unknown bucket %q", bucket)
	}
	db, _, _ := strings.Cut(name, "/")
	form := url.Values{"db": {db}, "q": {strings.Join(statements, ";")}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, i.url+"/query", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if i.token != "" {
		req.Header.Set("Authorization", "Token "+i.token)
	}
	resp, err := i.http.Do(req)
	if err != nil {
		return fmt.Errorf("InfluxDB delete in %s: %w", name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var out struct {
		Error   string `json:"error"`
		Results []struct {
			Error string `json:"error"`
		} `json:"results"`
	}
	json.Unmarshal(body, &out)
	msg := out.Error
	for _, r := range out.Results {
		if msg == "" {
			msg = r.Error
		}
	}
	switch {
	case resp.StatusCode/100 == 2 && msg == "":
		return nil
	case refusedForGood(resp.StatusCode) || (resp.StatusCode/100 == 2 && msg != ""):
		return &RefusedError{Status: resp.StatusCode, Reason: msg}
	}
	return fmt.Errorf("InfluxDB delete in %s: HTTP %d %s", name, resp.StatusCode, msg)
}
