package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
)

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	body := s.d.Health.HealthReport()
	code := http.StatusOK
	if body.Status == api.StatusDown {
		code = http.StatusServiceUnavailable
	}
	s.writeJSON(w, code, body)
}

func (s *Server) handleMeters(w http.ResponseWriter, r *http.Request) {
	ms, err := s.d.Meters.Meters(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if ms == nil {
		ms = []api.MeterInfo{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"meters": ms})
}

func (s *Server) handlePostReadings(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.d.MaxUploadBytes)
	rs, rej, err := ingest.DecodeJSONReadings(r.Body, s.d.Location, s.lang())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	q := r.URL.Query()
	sum, err := s.d.Imports.AddReadings(r.Context(), r.PathValue("id"), api.ReadingsRequest{
		Source: "api", Readings: rs, Rejected: rej,
		DryRun: q.Get("dry_run") == "true", Strict: q.Get("strict") == "true", Confirm: q.Get("confirm") == "true",
	})
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, sum)
}

func (s *Server) handleGetReadings(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.parseRange(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	rs, err := s.d.Meters.Readings(r.Context(), r.PathValue("id"), from, to)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if rs == nil {
		rs = []api.ReadingOut{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"meter": r.PathValue("id"), "readings": rs})
}

// parseRange reads ?from=&to= as dates (local midnights) or instants.
func (s *Server) parseRange(r *http.Request) (from, to time.Time, err error) {
	loc := s.d.Location
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := r.URL.Query().Get(p.name)
		if v == "" {
			continue
		}
		t, perr := analysis.ParseLocal(v, loc)
		if perr != nil {
			return from, to, fault.New(fault.Invalid, "param.problem", p.name, perr)
		}
		*p.dst = t
	}
	return from, to, nil
}

func (s *Server) handleRuns(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 50)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	runs, err := s.d.Jobs.Runs(r.Context(), r.URL.Query().Get("job"), limit)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if runs == nil {
		runs = []api.Run{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
}

func (s *Server) handleAnalyze(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	var req api.AnalyzeRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		s.fail(w, http.StatusBadRequest, msg.New("analyze.body_shape", err.Error()))
		return
	}
	res, err := s.d.Analysis.Analyze(r.Context(), req)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleRunJob(w http.ResponseWriter, r *http.Request) {
	id, err := s.d.Jobs.RunJob(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusAccepted, map[string]any{"run_id": id, "job": r.PathValue("name")})
}

func (s *Server) handleMonthlyReport(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		s.fail(w, http.StatusBadRequest, msg.New("report.which_month"))
		return
	}
	rep, err := s.d.Analysis.MonthlyReport(r.Context(), month)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, rep)
}
