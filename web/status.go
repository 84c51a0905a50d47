package web

import "net/http"

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	info, err := s.d.Status.Status(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.render(w, "status.html", map[string]any{"Status": info, "Timezone": s.d.Location.String()})
}
