package web

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

var pages = template.Must(template.ParseFS(templates, "templates/*.html"))

var staticFiles = func() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}()

// pageSecurity keeps the page to its own embedded assets.
const pageSecurity = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	staticFiles.ServeHTTP(w, r)
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	ms, err := s.d.Backend.Meters(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	_, health := s.d.Backend.Health()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageSecurity)
	data := map[string]any{
		"Meters":   ms,
		"Health":   health,
		"Timezone": s.d.Backend.Location().String(),
		"MaxBytes": s.d.MaxUploadBytes,
	}
	if err := pages.ExecuteTemplate(w, "index.html", data); err != nil {
		s.d.Logger.Error("render page", "error", err)
	}
}
