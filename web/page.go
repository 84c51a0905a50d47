package web

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"deNumber": deNumber,
	"deTime":   deTime,
}).ParseFS(templates, "templates/*.html"))

// deNumber writes a number as German readers expect it: 12.345,6.
func deNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// deTime writes an RFC 3339 instant as its local wall clock with the
// offset, so the two 02:30 of an autumn night stay apart.
func deTime(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.Format("02.01.2006 15:04 (-07:00)")
}

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
	ms, err := s.d.Meters.Meters(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	health := s.d.Health.HealthReport()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageSecurity)
	data := map[string]any{
		"Meters":   ms,
		"Health":   health,
		"Timezone": s.d.Location.String(),
		"MaxBytes": s.d.MaxUploadBytes,
	}
	if err := pages.ExecuteTemplate(w, "index.html", data); err != nil {
		s.d.Logger.Error("render page", "error", err)
	}
}
