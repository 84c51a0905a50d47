package web

import (
	"net/http"
	"strconv"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
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
		s.fail(w, http.StatusNotFound, msg.New("undo.bad_id", strconv.Quote(r.PathValue("id"))))
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
		s.writeErr(w, r, fault.New(fault.Invalid, "delete.which"))
		return
	}
	at, err := analysis.ParseLocal(v, s.d.Location)
	if err != nil {
		s.writeErr(w, r, fault.New(fault.Invalid, "param.problem", "time", err))
		return
	}
	out, err := s.d.Undo.DeleteReading(r.Context(), r.PathValue("id"), at)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}
