package web

import "net/http"

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	info, err := s.d.Status.Status(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageSecurity)
	data := map[string]any{"Status": info, "Timezone": s.d.Location.String()}
	if err := pages.ExecuteTemplate(w, "status.html", data); err != nil {
		s.d.Logger.Error("render status page", "error", err)
	}
}
