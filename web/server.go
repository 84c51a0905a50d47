// Package web serves meterd's HTTP side: the page, the JSON API, /health
// and /metrics, with authentication, cross-origin protection and request
// metrics. It knows nothing of SQL or Tibber: it talks to a Backend.
package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/meterd/meterd/ingest"
)

// Backend is what the HTTP side needs from the application.
type Backend interface {
	// Health returns the overall status (ok, degraded, down) and the body.
	Health() (status string, body any)
	Meters(ctx context.Context) ([]MeterInfo, error)
	AddReadings(ctx context.Context, meter string, req ReadingsRequest) (ingest.Summary, error)
	Readings(ctx context.Context, meter string, from, to time.Time) ([]ReadingOut, error)
	Runs(ctx context.Context, job string, limit int) (any, error)
	Location() *time.Location
	// ImportFile parses and imports an uploaded file for one meter.
	ImportFile(ctx context.Context, meter, name string, f ingest.FileSource, size int64, dryRun, strict bool) (ingest.Summary, error)
	// HomeAssistantState stores a pushed state; the body is the answer.
	HomeAssistantState(ctx context.Context, s ingest.HAState) (any, error)
	// RunJob starts a job now and returns its run id.
	RunJob(ctx context.Context, name string) (int64, error)
	// MonthlyReport returns the stored report of a month (YYYY-MM).
	MonthlyReport(ctx context.Context, month string) (any, error)
	// Analyze computes consumption figures.
	Analyze(ctx context.Context, req AnalyzeRequest) (any, error)
	// Export writes raw readings as CSV.
	Export(ctx context.Context, w io.Writer, meters []string, from, to time.Time) error
	NotesBackend
	// Status gathers what the status page shows.
	Status(ctx context.Context) (StatusInfo, error)
}

// AnalyzeRequest asks for consumption: dates are local days (YYYY-MM-DD),
// To exclusive; or a billing year.
type AnalyzeRequest struct {
	From        string   `json:"from"`
	To          string   `json:"to"`
	BillingYear int      `json:"billing_year"`
	Meters      []string `json:"meters"`
	Daily       bool     `json:"daily"`
}

// ReadingsRequest carries readings posted to the API.
type ReadingsRequest struct {
	Source   string // api, homeassistant, …
	Readings []ingest.Reading
	Rejected []ingest.Rejection
	DryRun   bool
	Strict   bool
}

// MeterInfo is one meter in GET /api/v1/meters.
type MeterInfo struct {
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	Utility     string      `json:"utility"`
	Unit        string      `json:"unit"`
	Reading     string      `json:"reading,omitempty"`
	Source      string      `json:"source,omitempty"`
	Description string      `json:"description,omitempty"`
	LastReading *ReadingOut `json:"last_reading"`
}

// ReadingOut is a stored reading as the API returns it.
type ReadingOut struct {
	Time   string  `json:"time"`
	Value  float64 `json:"value"`
	Source string  `json:"source"`
}

// Deps configures the server.
type Deps struct {
	Backend Backend
	// Token is the API token; empty means no authentication, which the
	// configuration allows only on a loopback address.
	Token          string
	Registry       *prometheus.Registry
	MaxUploadBytes int64
	Logger         *slog.Logger
}

// Server is meterd's HTTP handler.
type Server struct {
	d        Deps
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewServer registers the HTTP metrics on d.Registry.
func NewServer(d Deps) *Server {
	s := &Server{
		d: d,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meterd_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "meterd_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	if d.Logger == nil {
		s.d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxUploadBytes <= 0 {
		s.d.MaxUploadBytes = 20 << 20
	}
	d.Registry.MustRegister(s.requests, s.duration)
	return s
}

// Handler returns the full handler: routes, auth, cross-origin protection
// and request metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	open := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, h) }
	auth := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.authenticate(h)) }

	open("GET /health", s.handleHealth)
	open("GET /api/v1/health", s.handleHealth)
	open("GET /metrics", promhttp.HandlerFor(s.d.Registry, promhttp.HandlerOpts{Registry: s.d.Registry}).ServeHTTP)

	auth("GET /{$}", s.handleIndex)
	auth("GET /static/", s.handleStatic)
	auth("POST /api/v1/meters/{id}/upload", s.handleUpload)
	auth("POST /api/v1/homeassistant/state", s.handleHAState)
	auth("GET /api/v1/export.csv", s.handleExport)
	auth("POST /api/v1/analyze", s.handleAnalyze)
	auth("POST /api/v1/jobs/{name}/run", s.handleRunJob)
	auth("GET /api/v1/reports/monthly", s.handleMonthlyReport)
	auth("GET /api/v1/meters", s.handleMeters)
	auth("POST /api/v1/meters/{id}/readings", s.handlePostReadings)
	auth("GET /api/v1/meters/{id}/readings", s.handleGetReadings)
	auth("GET /api/v1/runs", s.handleRuns)
	auth("GET /api/v1/anomalies", s.handleAnomalies)
	auth("GET /api/v1/annotations", s.handleAnnotations)
	auth("POST /api/v1/annotations", s.handleAddAnnotation)
	auth("DELETE /api/v1/annotations/{id}", s.handleDeleteAnnotation)
	auth("GET /status", s.handleStatus)
	// Anything else under the API is a JSON 404, but only for those who
	// may know what exists.
	auth("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused: send it from meterd's own page or without a browser")
	}))
	return s.instrument(mux, cop.Handler(mux))
}

// instrument counts requests by the pattern the mux matched, so labels stay
// few whatever paths clients ask for.
func (s *Server) instrument(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rw, r)
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		s.requests.WithLabelValues(route, strconv.Itoa(rw.code)).Inc()
		s.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.code, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// authenticate accepts "Authorization: Bearer TOKEN" (scripts) or HTTP
// Basic auth with the token as password (the browser page).
func (s *Server) authenticate(next http.Handler) http.Handler {
	if s.d.Token == "" {
		return next
	}
	want := []byte(s.d.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var got string
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			got = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		} else if _, pw, ok := r.BasicAuth(); ok {
			got = pw
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="meterd", charset="UTF-8"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong credentials: send Authorization: Bearer <API token>, or log in with the API token as password")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// Error is an error with the HTTP status it maps to.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Errorf makes an *Error with an HTTP status.
func Errorf(code int, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// writeErr maps err to its status; unknown errors are 500 and logged, not
// shown, since they may carry internals.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	var mbe *http.MaxBytesError
	var ie *ingest.InputError
	switch {
	case errors.As(err, &e):
		writeError(w, e.Code, e.Msg)
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request is larger than http.max_upload_bytes (%d bytes)", mbe.Limit))
	case errors.As(err, &ie):
		writeError(w, http.StatusBadRequest, ie.Msg)
	default:
		s.d.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal error; see meterd's log")
	}
}
