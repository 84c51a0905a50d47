package web

import (
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templates embed.FS

var pages = template.Must(template.ParseFS(templates, "templates/*.html"))

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	ms, err := s.d.Backend.Meters(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	_, health := s.d.Backend.Health()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page embeds everything it needs; it may not be framed elsewhere.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	if err := pages.ExecuteTemplate(w, "index.html", map[string]any{"Meters": ms, "Health": health}); err != nil {
		s.d.Logger.Error("render page", "error", err)
	}
}
