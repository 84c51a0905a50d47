package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
)

// Small fakes of the parts of meterd these tests reach; the HTTP layer is
// what is under test here (the real ones are exercised in app's tests).

type fakeHealth struct{ status string }

func (f *fakeHealth) HealthReport() api.HealthReport {
	return api.HealthReport{Status: f.status, Checks: map[string]api.Check{}}
}

type fakeMeters struct{}

func (fakeMeters) Meters(context.Context) ([]api.MeterInfo, error) {
	return []api.MeterInfo{{ID: "gas", Type: "physical", Utility: "gas", Unit: "m³"}}, nil
}
func (fakeMeters) Readings(context.Context, string, time.Time, time.Time) ([]api.ReadingOut, error) {
	return nil, nil
}
func (fakeMeters) Export(context.Context, io.Writer, []string, time.Time, time.Time) error {
	return nil
}

// fakeImports records the readings that reach it.
type fakeImports struct{ added []api.ReadingsRequest }

func (f *fakeImports) AddReadings(_ context.Context, meter string, req api.ReadingsRequest) (ingest.Summary, error) {
	if meter != "gas" {
		return ingest.Summary{}, fault.Errorf(fault.NotFound, "unknown meter %q", meter)
	}
	f.added = append(f.added, req)
	return ingest.Summary{Meter: meter, Parsed: len(req.Readings), Written: len(req.Readings)}, nil
}
func (f *fakeImports) ImportFile(context.Context, string, string, ingest.FileSource, int64, api.ImportOptions) (ingest.Summary, error) {
	return ingest.Summary{}, nil
}
func (f *fakeImports) HomeAssistantState(context.Context, ingest.HAState) (api.HAReply, error) {
	return api.HAReply{}, nil
}

// fakeNotes records the annotations that reach it.
type fakeNotes struct{ notes []api.NewAnnotation }

func (f *fakeNotes) Anomalies(context.Context, string, string, int) ([]api.AnomalyOut, error) {
	return nil, nil
}
func (f *fakeNotes) Annotations(context.Context, string, time.Time, time.Time) ([]api.Annotation, error) {
	return nil, nil
}
func (f *fakeNotes) AddAnnotation(_ context.Context, a api.NewAnnotation) (api.Annotation, error) {
	f.notes = append(f.notes, a)
	return api.Annotation{ID: int64(len(f.notes)), Text: a.Text}, nil
}
func (f *fakeNotes) DeleteAnnotation(context.Context, int64) error {
	return fault.Errorf(fault.NotFound, "no annotation")
}

// fakes are the parts a test server is wired with.
type fakes struct {
	*fakeHealth
	*fakeImports
	*fakeNotes
}

func newTestServer(t *testing.T, token string) (*httptest.Server, fakes, *prometheus.Registry) {
	t.Helper()
	fb := fakes{&fakeHealth{status: "ok"}, &fakeImports{}, &fakeNotes{}}
	reg := prometheus.NewRegistry()
	s := NewServer(Deps{
		Health: fb.fakeHealth, Meters: fakeMeters{}, Imports: fb.fakeImports, Notes: fb.fakeNotes,
		Lang: msg.EN, Location: time.UTC, Token: token, Registry: reg, MaxUploadBytes: 1024,
	})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, fb, reg
}

func request(t *testing.T, method, url string, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAuth(t *testing.T) {
	ts, fb, _ := newTestServer(t, "s3cret-token")
	post := ts.URL + "/api/v1/meters/gas/readings"
	body := `{"time": "2025-11-04T09:00:12+00:00", "value": 4321.09}`
	cases := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"no credentials", nil, http.StatusUnauthorized},
		{"wrong bearer", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"bearer", map[string]string{"Authorization": "Bearer s3cret-token"}, http.StatusOK},
		// Basic auth with the token as password, any user name (the page).
		{"basic", map[string]string{"Authorization": "Basic " + b64("meterd:s3cret-token")}, http.StatusOK},
		{"basic wrong", map[string]string{"Authorization": "Basic " + b64("meterd:s3cret")}, http.StatusUnauthorized},
	}
	for _, c := range cases {
		resp, out := request(t, http.MethodPost, post, body, c.hdr)
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %s; want %d", c.name, resp.StatusCode, out, c.want)
		}
		if c.want == http.StatusUnauthorized {
			if resp.Header.Get("WWW-Authenticate") == "" || !strings.Contains(out, `"error"`) {
				t.Errorf("%s: 401 without WWW-Authenticate or JSON error: %s", c.name, out)
			}
			if strings.Contains(out, "s3cret-token") {
				t.Errorf("%s: the token appears in the answer", c.name)
			}
		}
	}
	if len(fb.added) != 2 {
		t.Errorf("%d requests reached the backend; want 2", len(fb.added))
	}
	// The page and API reads need the token too; health and metrics do not.
	for path, want := range map[string]int{"/": 401, "/api/v1/meters": 401, "/health": 200, "/api/v1/health": 200, "/metrics": 200} {
		if resp, _ := request(t, http.MethodGet, ts.URL+path, "", nil); resp.StatusCode != want {
			t.Errorf("GET %s: %d; want %d", path, resp.StatusCode, want)
		}
	}
}

func b64(s string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	u, p, _ := strings.Cut(s, ":")
	req.SetBasicAuth(u, p)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestCrossOriginPostRefused(t *testing.T) {
	ts, fb, _ := newTestServer(t, "")
	resp, out := request(t, http.MethodPost, ts.URL+"/api/v1/meters/gas/readings", `{"time":"2025-01-01T00:00:00Z","value":1}`,
		map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(out, "cross-origin") {
		t.Fatalf("cross-site POST: %d %s; want 403", resp.StatusCode, out)
	}
	// Same-origin from the page, and scripts without browser headers, pass.
	resp, _ = request(t, http.MethodPost, ts.URL+"/api/v1/meters/gas/readings", `{"time":"2025-01-01T00:00:00Z","value":1}`,
		map[string]string{"Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusOK || len(fb.added) != 1 {
		t.Fatalf("same-origin POST: %d", resp.StatusCode)
	}
}

func TestHealthStatusCodes(t *testing.T) {
	ts, fb, _ := newTestServer(t, "")
	for status, code := range map[string]int{"ok": 200, "degraded": 200, "down": 503} {
		fb.status = status
		resp, body := request(t, http.MethodGet, ts.URL+"/health", "", nil)
		var h map[string]string
		json.Unmarshal([]byte(body), &h)
		if resp.StatusCode != code || h["status"] != status {
			t.Errorf("%s: %d %s; want %d", status, resp.StatusCode, body, code)
		}
	}
}

func TestBadInputAndLimits(t *testing.T) {
	ts, _, _ := newTestServer(t, "")
	url := ts.URL + "/api/v1/meters/gas/readings"
	resp, body := request(t, http.MethodPost, url, `not json`, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "or a list of them") {
		t.Errorf("bad JSON: %d %s", resp.StatusCode, body)
	}
	resp, body = request(t, http.MethodPost, url, `[{"time":"2025-01-01T00:00:00Z","value":1}`+strings.Repeat(" ", 2000)+`]`, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "max_upload_bytes") {
		t.Errorf("too large: %d %s", resp.StatusCode, body)
	}
	resp, body = request(t, http.MethodPost, ts.URL+"/api/v1/meters/strom/readings", `{"time":"2025-01-01T00:00:00Z","value":1}`, nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "strom") {
		t.Errorf("unknown meter: %d %s", resp.StatusCode, body)
	}
	resp, _ = request(t, http.MethodGet, ts.URL+"/api/v1/nothing", "", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown API path: %d", resp.StatusCode)
	}
	resp, _ = request(t, http.MethodGet, ts.URL+"/api/v1/meters/gas/readings?from=gestern", "", nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad from: %d", resp.StatusCode)
	}
}

func TestRequestMetricsUseRoutePatterns(t *testing.T) {
	ts, _, reg := newTestServer(t, "")
	for _, m := range []string{"gas", "strom", "wasser"} {
		request(t, http.MethodPost, ts.URL+"/api/v1/meters/"+m+"/readings", `{"time":"2025-01-01T00:00:00Z","value":1}`, nil)
	}
	request(t, http.MethodGet, ts.URL+"/favicon.ico", "", nil)
	want := `
# HELP meterd_http_requests_total HTTP requests by route pattern and status code.
# TYPE meterd_http_requests_total counter
meterd_http_requests_total{code="200",route="POST /api/v1/meters/{id}/readings"} 1
meterd_http_requests_total{code="404",route="POST /api/v1/meters/{id}/readings"} 2
meterd_http_requests_total{code="404",route="unmatched"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "meterd_http_requests_total"); err != nil {
		t.Error(err)
	}
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
