package web

import (
	"net/http"
	"strconv"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
)

func (s *Server) handleImports(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 50)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	ims, err := s.d.Undo.Imports(r.Context(), r.URL.Query().Get("meter"), limit)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if ims == nil {
		ims = []api.ImportInfo{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"imports": ims})
}

func (s *Server) handleUndo(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusNotFound, "no import "+strconv.Quote(r.PathValue("id"))+": ids are the numbers GET /api/v1/imports lists")
		return
	}
	out, err := s.d.Undo.Undo(r.Context(), id, formBool(r, "dry_run"))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleDeleteReading(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query().Get("time")
	if v == "" {
		s.writeErr(w, r, fault.Errorf(fault.Invalid, "say which reading: ?time=2025-11-04T07:30:00+01:00 (as GET /api/v1/meters/{id}/readings lists it)"))
		return
	}
	at, err := analysis.ParseLocal(v, s.d.Location)
	if err != nil {
		s.writeErr(w, r, fault.Errorf(fault.Invalid, "time: %v", err))
		return
	}
	out, err := s.d.Undo.DeleteReading(r.Context(), r.PathValue("id"), at)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}
