package web

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/msg"
)

// TestDNSRebindingRefused: without a token, a request whose Host is not a
// loopback name (a page that pointed evil.example at 127.0.0.1) is refused
// before it reaches anything; loopback names and allowed hosts are served.
func TestDNSRebindingRefused(t *testing.T) {
	fb := fakes{&fakeHealth{status: "ok"}, &fakeImports{}, &fakeNotes{}}
	s := NewServer(Deps{Health: fb.fakeHealth, Meters: fakeMeters{}, Imports: fb.fakeImports, Notes: fb.fakeNotes,
		Lang: msg.EN, Registry: prometheus.NewRegistry(), AllowedHosts: []string{"meterd.home.arpa"}})
	h := s.Handler()
	do := func(method, host, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	reading := `{"time":"2025-01-01T00:00:00Z","value":1}`
	for _, host := range []string{"evil.example", "evil.example:8080", "127.0.0.1.nip.io", "localhost.evil.example"} {
		for _, r := range []struct{ method, path, body string }{
			{http.MethodPost, "/api/v1/meters/gas/readings", reading},
			{http.MethodGet, "/api/v1/export.csv", ""},
			{http.MethodGet, "/", ""},
		} {
			if rec := do(r.method, host, r.path, r.body); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "allowed_hosts") {
				t.Errorf("Host %s %s %s: %d %s; want 403", host, r.method, r.path, rec.Code, rec.Body)
			}
		}
	}
	if len(fb.added) != 0 {
		t.Fatalf("a foreign Host reached the importer: %+v", fb.added)
	}
	for _, host := range []string{"localhost", "LOCALHOST:8080", "127.0.0.1:8080", "127.0.0.2", "[::1]:8080", "meterd.home.arpa", "Meterd.Home.Arpa:443"} {
		if rec := do(http.MethodPost, host, "/api/v1/meters/gas/readings", reading); rec.Code != http.StatusOK {
			t.Errorf("Host %s: %d %s; want 200", host, rec.Code, rec.Body)
		}
	}
	// With a token, the token protects the API and any Host is served.
	ts, _, _ := newTestServer(t, "tok")
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/meters", nil)
	req.Host = "meterd.example"
	req.Header.Set("Authorization", "Bearer tok")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("with a token, another Host: %v %v", resp.StatusCode, err)
	}
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	ts, _, _ := newTestServer(t, "s3cret-token")
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		resp, body := request(t, http.MethodGet, ts.URL+"/api/v1/meters", "", map[string]string{"Authorization": scheme + " s3cret-token"})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", scheme, resp.StatusCode, body)
		}
	}
}

// nanMeters returns a reading whose value JSON cannot carry.
type nanMeters struct{ fakeMeters }

func (nanMeters) Readings(context.Context, string, time.Time, time.Time) ([]api.ReadingOut, error) {
	return []api.ReadingOut{{Time: "2025-01-01T00:00:00Z", Value: math.NaN()}}, nil
}

// TestUnencodableReplyIsA500: the body is encoded before the status, so a
// value JSON cannot hold gives a JSON 500 with the cause logged, never an
// empty 200.
func TestUnencodableReplyIsA500(t *testing.T) {
	var log strings.Builder
	s := NewServer(Deps{Meters: nanMeters{}, Registry: prometheus.NewRegistry(), Logger: newTextLogger(&log)})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/api/v1/meters/gas/readings")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), `"code":"internal"`) {
		t.Errorf("NaN reading: %d %s; want a JSON 500", resp.StatusCode, body)
	}
	if !strings.Contains(log.String(), "NaN") {
		t.Errorf("the cause is not in the log: %q", log.String())
	}
}
