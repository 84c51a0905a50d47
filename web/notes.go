package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
)

// Notes serves anomalies and annotations.
type Notes interface {
	// Anomalies lists anomalies with status (open, resolved; all if
	// empty) of meter (all if empty), newest first.
	Anomalies(ctx context.Context, status, meter string, limit int) ([]api.AnomalyOut, error)
	// Annotations lists the notes touching [from, to) (zero: open).
	Annotations(ctx context.Context, meter string, from, to time.Time) ([]api.Annotation, error)
	AddAnnotation(ctx context.Context, a api.NewAnnotation) (api.Annotation, error)
	// DeleteAnnotation fails with a NotFound fault for an unknown id.
	DeleteAnnotation(ctx context.Context, id int64) error
}

func (s *Server) handleAnomalies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && status != "open" && status != "resolved" {
		s.fail(w, http.StatusBadRequest, msg.New("anomalies.bad_status"))
		return
	}
	limit, err := limitParam(r, 100)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	as, err := s.d.Notes.Anomalies(r.Context(), status, q.Get("meter"), limit)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if as == nil {
		as = []api.AnomalyOut{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"anomalies": as})
}

func (s *Server) handleAnnotations(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.parseRange(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	as, err := s.d.Notes.Annotations(r.Context(), r.URL.Query().Get("meter"), from, to)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if as == nil {
		as = []api.Annotation{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"annotations": as})
}

func (s *Server) handleAddAnnotation(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	a, err := decodeAnnotation(r.Body, s.d.Location)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out, err := s.d.Notes.AddAnnotation(r.Context(), a)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleDeleteAnnotation(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.fail(w, http.StatusNotFound, msg.New("note.bad_id", strconv.Quote(r.PathValue("id"))))
		return
	}
	if err := s.d.Notes.DeleteAnnotation(r.Context(), id); err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"deleted": id})
}

const annotationExample = `{"meter": "gas_total", "time": "2025-11-12T10:00", "end": "2025-11-12T12:00", "text": "Zählertausch"}`

// decodeAnnotation checks a POSTed note; times without an offset are local,
// as everywhere else.
func decodeAnnotation(body io.Reader, loc *time.Location) (api.NewAnnotation, error) {
	var in struct {
		Meter string `json:"meter"`
		Time  string `json:"time"`
		End   string `json:"end"`
		Text  string `json:"text"`
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return api.NewAnnotation{}, err
		}
		return api.NewAnnotation{}, fault.New(fault.Invalid, "note.shape", annotationExample, err.Error())
	}
	var a api.NewAnnotation
	a.Meter = strings.TrimSpace(in.Meter)
	a.Text = strings.TrimSpace(in.Text)
	if in.Time == "" {
		return a, fault.New(fault.Invalid, "note.time_missing", annotationExample)
	}
	t, err := analysis.ParseLocal(in.Time, loc)
	if err != nil {
		return a, fault.New(fault.Invalid, "param.problem", "time", err)
	}
	a.Start = t
	if in.End != "" {
		e, err := analysis.ParseLocal(in.End, loc)
		if err != nil {
			return a, fault.New(fault.Invalid, "param.problem", "end", err)
		}
		if e.Before(t) {
			return a, fault.New(fault.Invalid, "note.end_before", in.End, in.Time)
		}
		a.End = &e
	}
	switch n := utf8.RuneCountInString(a.Text); {
	case n == 0:
		return a, fault.New(fault.Invalid, "note.text_empty")
	case n > api.MaxAnnotationText:
		return a, fault.New(fault.Invalid, "note.text_long", n, api.MaxAnnotationText)
	}
	return a, nil
}

// limitParam reads ?limit= (1 to 1000), def when absent.
func limitParam(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, fault.New(fault.Invalid, "param.limit")
	}
	return n, nil
}
