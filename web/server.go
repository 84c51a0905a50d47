// Package web serves meterd's HTTP side: the page, the JSON API, /health
// and /metrics, with authentication, cross-origin protection and request
// metrics. It knows nothing of SQL or Tibber: it talks to the small
// interfaces below, and turns kinds of failure (package fault) into statuses.
package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
)

// The server depends on meterd through these small interfaces, one per
// part of the API, each with concrete types from package api. A part left
// nil in Deps has no routes, so a test wires only what it exercises.

// HealthSource reports the daemon's health.
type HealthSource interface {
	HealthReport() api.HealthReport
}

// MeterService lists the meters and their stored readings.
type MeterService interface {
	Meters(ctx context.Context) ([]api.MeterInfo, error)
	Readings(ctx context.Context, meter string, from, to time.Time) ([]api.ReadingOut, error)
	// Export writes raw readings as CSV.
	Export(ctx context.Context, w io.Writer, meters []string, from, to time.Time) error
}

// Importer takes readings in.
type Importer interface {
	AddReadings(ctx context.Context, meter string, req api.ReadingsRequest) (ingest.Summary, error)
	// ImportFile parses and imports an uploaded file for one meter.
	ImportFile(ctx context.Context, meter, name string, f ingest.FileSource, size int64, opts api.ImportOptions) (ingest.Summary, error)
	// HomeAssistantState stores a pushed state.
	HomeAssistantState(ctx context.Context, s ingest.HAState) (api.HAReply, error)
}

// Analyzer computes consumption and serves the stored reports.
type Analyzer interface {
	Analyze(ctx context.Context, req api.AnalyzeRequest) (*analysis.Result, error)
	// MonthlyReport returns the stored report of a month (YYYY-MM).
	MonthlyReport(ctx context.Context, month string) (api.MonthlyReport, error)
}

// JobRunner starts jobs by hand and lists their runs.
type JobRunner interface {
	// RunJob starts a job now and returns its run id.
	RunJob(ctx context.Context, name string) (int64, error)
	Runs(ctx context.Context, job string, limit int) ([]api.Run, error)
}

// Undoer lists imports, undoes them and deletes single readings.
type Undoer interface {
	Imports(ctx context.Context, meter string, limit int) ([]api.ImportInfo, error)
	Undo(ctx context.Context, id int64, dryRun bool) (api.UndoReply, error)
	DeleteReading(ctx context.Context, meter string, at time.Time) (api.DeleteReply, error)
}

// StatusSource gathers what the status page shows.
type StatusSource interface {
	Status(ctx context.Context) (api.StatusInfo, error)
}

// Deps configures the server.
type Deps struct {
	Health      HealthSource
	Consumption ConsumptionSource
	Meters      MeterService
	Imports     Importer
	Analysis    Analyzer
	Jobs        JobRunner
	Notes       Notes
	Undo        Undoer
	Status      StatusSource
	// Lang is the language of the pages and of error texts (ui.language).
	Lang msg.Lang
	// Location is the configured time zone: dates and times without an
	// offset in requests are local there.
	Location *time.Location
	// Token is the API token; empty means no authentication, which the
	// configuration allows only on a loopback address.
	Token string
	// AllowedHosts are Host names served without a token besides the
	// loopback ones (a reverse proxy's name).
	AllowedHosts   []string
	Registry       *prometheus.Registry
	MaxUploadBytes int64
	Logger         *slog.Logger
	// AfterHeavy runs after each request on a route that may take much
	// memory (upload, analysis, export), once its answer is written.
	AfterHeavy func()
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
	if d.Location == nil {
		s.d.Location = time.UTC
	}
	d.Registry.MustRegister(s.requests, s.duration)
	return s
}

// Handler returns the full handler: routes, auth, cross-origin protection
// and request metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	open := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, withDeadlines(pattern, h, nil)) }
	auth := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, withDeadlines(pattern, s.authenticate(h), s.d.AfterHeavy))
	}

	open("GET /metrics", promhttp.HandlerFor(s.d.Registry, promhttp.HandlerOpts{Registry: s.d.Registry}).ServeHTTP)
	if s.d.Health != nil {
		open("GET /health", s.handleHealth)
		open("GET /api/v1/health", s.handleHealth)
	}
	auth("GET /static/", s.handleStatic)
	if s.d.Meters != nil && s.d.Health != nil {
		auth("GET /{$}", s.handleIndex)
	}
	if s.d.Meters != nil {
		auth("GET /api/v1/meters", s.handleMeters)
		auth("GET /api/v1/meters/{id}/readings", s.handleGetReadings)
		auth("GET /api/v1/export.csv", s.handleExport)
	}
	if s.d.Imports != nil {
		auth("POST /api/v1/meters/{id}/upload", s.handleUpload)
		auth("POST /api/v1/meters/{id}/readings", s.handlePostReadings)
		auth("POST /api/v1/homeassistant/state", s.handleHAState)
	}
	if s.d.Analysis != nil {
		auth("POST /api/v1/analyze", s.handleAnalyze)
		auth("GET /api/v1/reports/monthly", s.handleMonthlyReport)
	}
	if s.d.Jobs != nil {
		auth("POST /api/v1/jobs/{name}/run", s.handleRunJob)
		auth("GET /api/v1/runs", s.handleRuns)
	}
	if s.d.Notes != nil {
		auth("GET /api/v1/anomalies", s.handleAnomalies)
		auth("GET /api/v1/annotations", s.handleAnnotations)
		auth("POST /api/v1/annotations", s.handleAddAnnotation)
		auth("DELETE /api/v1/annotations/{id}", s.handleDeleteAnnotation)
	}
	if s.d.Undo != nil {
		auth("GET /api/v1/imports", s.handleImports)
		auth("POST /api/v1/imports/{id}/undo", s.handleUndo)
		auth("DELETE /api/v1/meters/{id}/readings", s.handleDeleteReading)
	}
	if s.d.Status != nil {
		auth("GET /status", s.handleStatus)
	}
	if s.d.Consumption != nil {
		auth("GET /consumption", s.handleConsumption)
		auth("GET /consumption.csv", s.handleConsumptionCSV)
	}
	// Anything else under the API is a JSON 404, but only for those who
	// may know what exists.
	auth("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, msg.New("http.no_endpoint", r.Method+" "+r.URL.Path))
	})

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusForbidden, msg.New("http.cross_origin"))
	}))
	return s.instrument(mux, s.checkHost(cop.Handler(mux)))
}

// checkHost refuses, when there is no token, every request whose Host is
// not a loopback name: otherwise any web page the user visits could reach
// the API by pointing its own name at 127.0.0.1 (DNS rebinding). With a
// token, the token is the protection.
func (s *Server) checkHost(next http.Handler) http.Handler {
	if s.d.Token != "" {
		return next
	}
	allowed := map[string]bool{}
	for _, h := range s.d.AllowedHosts {
		allowed[strings.ToLower(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" || allowed[host] {
			next.ServeHTTP(w, r)
			return
		}
		s.fail(w, http.StatusForbidden, msg.New("http.foreign_host", fmt.Sprintf("%q", r.Host)))
	})
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
		// The scheme is case-insensitive (RFC 9110): "bearer" is Bearer.
		if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			got = strings.TrimSpace(cred)
		} else if _, pw, ok := r.BasicAuth(); ok {
			got = pw
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="meterd", charset="UTF-8"`)
			s.fail(w, http.StatusUnauthorized, msg.New("http.unauthorized"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeJSON answers with v as JSON. The body is encoded before the status
// is written, so a value that cannot be encoded (a NaN that slipped
// through) is a 500 with its cause in the log, never an empty 200.
func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		s.d.Logger.Error("cannot encode the reply", "error", err)
		code, body = http.StatusInternalServerError, errorBody(http.StatusInternalServerError, "internal error: the reply could not be encoded; see meterd's log")
	}
	sendJSON(w, code, body)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sendJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}

// writeError answers with the JSON error body: the message for people and
// the kind's stable code for scripts.
func writeError(w http.ResponseWriter, code int, text string) {
	sendJSON(w, code, errorBody(code, text))
}

// fail replies with an error whose message is t in the page's language.
func (s *Server) fail(w http.ResponseWriter, code int, t msg.Text) {
	writeError(w, code, t.In(s.lang()))
}

// lang is the language of replies: ui.language, German by default.
func (s *Server) lang() msg.Lang {
	if s.d.Lang == "" {
		return msg.DE
	}
	return s.d.Lang
}

// errorBody is the JSON error reply; a struct of two strings always
// encodes.
func errorBody(code int, msg string) []byte {
	b, _ := encodeJSON(struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}{msg, codeName(code)})
	return b
}

// statusOf is the one place where a kind of failure becomes an HTTP status.
var statusOf = map[fault.Kind]int{
	fault.Invalid:     http.StatusBadRequest,
	fault.NotFound:    http.StatusNotFound,
	fault.Conflict:    http.StatusConflict,
	fault.TooLarge:    http.StatusRequestEntityTooLarge,
	fault.Unavailable: http.StatusServiceUnavailable,
	fault.NoSpace:     http.StatusInsufficientStorage,
}

// codeName is the stable "code" of an error reply with this status.
func codeName(status int) string {
	for k, st := range statusOf {
		if st == status {
			return k.String()
		}
	}
	switch status {
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	}
	return fault.Internal.String()
}

// setRetryAfter tells a client turned away with 503 when to come back:
// what the error says, else half a minute.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d <= 0 {
		d = 30 * time.Second
	}
	w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
}

// Deadlines of a request (docs/http.md#timeouts): reading the body and
// writing the answer. An upload may take minutes on a slow line; anything
// else is small. A body sent a byte at a time is cut off by them.
const (
	readTimeout      = 30 * time.Second
	writeTimeout     = time.Minute
	slowReadTimeout  = 5 * time.Minute
	slowWriteTimeout = 5 * time.Minute
)

// slowRoutes read large bodies or write large answers.
var slowRoutes = map[string]bool{
	"POST /api/v1/meters/{id}/upload": true,
	"POST /api/v1/analyze":            true,
	"GET /api/v1/export.csv":          true,
	"GET /consumption":                true,
	"GET /consumption.csv":            true,
}

// withDeadlines sets the route's read and write deadlines; on a slow
// route, after runs once the answer is written.
func withDeadlines(pattern string, h http.Handler, after func()) http.Handler {
	rd, wd := readTimeout, writeTimeout
	if slowRoutes[pattern] {
		rd, wd = slowReadTimeout, slowWriteTimeout
	} else {
		after = nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		rc.SetReadDeadline(now.Add(rd))
		rc.SetWriteDeadline(now.Add(wd))
		if after != nil {
			defer after()
		}
		h.ServeHTTP(w, r)
	})
}

// writeErr maps err to its status by its kind; an error without a kind is
// a 500 and logged, not shown, since it may carry internals.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.fail(w, http.StatusRequestEntityTooLarge, msg.New("http.too_large", int(mbe.Limit)))
		return
	}
	if r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// The daemon is stopping (or the client left): what the request
		// began was rolled back with its transaction.
		setRetryAfter(w, time.Minute)
		s.fail(w, http.StatusServiceUnavailable, msg.New("http.stopping"))
		return
	}
	var nh *ingest.NoHeaderError
	if errors.As(err, &nh) {
		// The page shows these rows to choose the header and columns from.
		s.writeJSON(w, http.StatusBadRequest, struct {
			Error  string                `json:"error"`
			Code   string                `json:"code"`
			Sheets []ingest.SheetPreview `json:"sheets"`
		}{msg.Of(err, s.lang()), "no_header", nh.Sheets})
		return
	}
	if st, ok := statusOf[fault.KindOf(err)]; ok {
		if st == http.StatusServiceUnavailable {
			setRetryAfter(w, fault.RetryAfter(err))
		}
		writeError(w, st, msg.Of(err, s.lang()))
		return
	}
	s.d.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	s.fail(w, http.StatusInternalServerError, msg.New("http.internal"))
}
