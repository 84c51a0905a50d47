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

	"github.com/meterd/meterd/ingest"
)

// AnomalyOut is one anomaly as GET /api/v1/anomalies returns it; instants
// are RFC 3339 in the configured zone.
type AnomalyOut struct {
	ID       int64    `json:"id"`
	Meter    string   `json:"meter"`
	Rule     string   `json:"rule"`
	Status   string   `json:"status"`
	From     string   `json:"from"`
	To       string   `json:"to,omitempty"`
	Observed *float64 `json:"observed,omitempty"`
	Expected *float64 `json:"expected,omitempty"`
	Message  string   `json:"message"`
	Opened   string   `json:"opened"`
	Resolved string   `json:"resolved,omitempty"`
}

// Annotation is a note on a meter (or, without one, on the household) at
// an instant, or over [time, end] when End is set.
type Annotation struct {
	ID      int64  `json:"id"`
	Meter   string `json:"meter,omitempty"`
	Time    string `json:"time"`
	End     string `json:"end,omitempty"`
	Text    string `json:"text"`
	Created string `json:"created"`
}

// NewAnnotation is a checked POST /api/v1/annotations body.
type NewAnnotation struct {
	Meter string
	Start time.Time
	End   *time.Time
	Text  string
}

// MaxAnnotationText bounds a note: it is a remark, not a document.
const MaxAnnotationText = 2000

// NotesBackend is the part of the Backend that serves anomalies and
// annotations.
type NotesBackend interface {
	// Anomalies lists anomalies with status (open, resolved; all if
	// empty) of meter (all if empty), newest first.
	Anomalies(ctx context.Context, status, meter string, limit int) ([]AnomalyOut, error)
	// Annotations lists the notes touching [from, to) (zero: open).
	Annotations(ctx context.Context, meter string, from, to time.Time) ([]Annotation, error)
	AddAnnotation(ctx context.Context, a NewAnnotation) (Annotation, error)
	// DeleteAnnotation fails with a 404 *Error for an unknown id.
	DeleteAnnotation(ctx context.Context, id int64) error
}

func (s *Server) handleAnomalies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && status != "open" && status != "resolved" {
		writeError(w, http.StatusBadRequest, "status must be open or resolved (or left out for all)")
		return
	}
	limit, err := limitParam(r, 100)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	as, err := s.d.Backend.Anomalies(r.Context(), status, q.Get("meter"), limit)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if as == nil {
		as = []AnomalyOut{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"anomalies": as})
}

func (s *Server) handleAnnotations(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.parseRange(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	as, err := s.d.Backend.Annotations(r.Context(), r.URL.Query().Get("meter"), from, to)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if as == nil {
		as = []Annotation{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"annotations": as})
}

func (s *Server) handleAddAnnotation(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	a, err := decodeAnnotation(r.Body, s.d.Backend.Location())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out, err := s.d.Backend.AddAnnotation(r.Context(), a)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleDeleteAnnotation(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusNotFound, "no annotation "+strconv.Quote(r.PathValue("id"))+": ids are the numbers GET /api/v1/annotations lists")
		return
	}
	if err := s.d.Backend.DeleteAnnotation(r.Context(), id); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id})
}

const annotationExample = `{"meter": "gas_total", "time": "2025-11-12T10:00", "end": "2025-11-12T12:00", "text": "Zählertausch"}`

// decodeAnnotation checks a POSTed note; times without an offset are local,
// as everywhere else.
func decodeAnnotation(body io.Reader, loc *time.Location) (NewAnnotation, error) {
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
			return NewAnnotation{}, err
		}
		return NewAnnotation{}, Errorf(http.StatusBadRequest, "the body must be JSON like %s: %v", annotationExample, err)
	}
	var a NewAnnotation
	a.Meter = strings.TrimSpace(in.Meter)
	a.Text = strings.TrimSpace(in.Text)
	if in.Time == "" {
		return a, Errorf(http.StatusBadRequest, "time is missing: give the instant the note is about, e.g. %s", annotationExample)
	}
	t, err := ingest.ParseInstant(in.Time, loc)
	if err != nil {
		return a, Errorf(http.StatusBadRequest, "time: %v", err)
	}
	a.Start = t
	if in.End != "" {
		e, err := ingest.ParseInstant(in.End, loc)
		if err != nil {
			return a, Errorf(http.StatusBadRequest, "end: %v", err)
		}
		if e.Before(t) {
			return a, Errorf(http.StatusBadRequest, "end %s is before time %s", in.End, in.Time)
		}
		a.End = &e
	}
	switch n := utf8.RuneCountInString(a.Text); {
	case n == 0:
		return a, Errorf(http.StatusBadRequest, "text is empty: say what happened")
	case n > MaxAnnotationText:
		return a, Errorf(http.StatusBadRequest, "text has %d characters; at most %d fit", n, MaxAnnotationText)
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
		return 0, Errorf(http.StatusBadRequest, "limit must be a whole number from 1 to 1000")
	}
	return n, nil
}
