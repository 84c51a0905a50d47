package web

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/msg"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

// pages holds the templates once per language: each set's functions
// write that language (t, num, when), so a page is one language throughout.
var pages = func() map[msg.Lang]*template.Template {
	base := template.Must(template.New("").Funcs(pageFuncs(msg.DE)).ParseFS(templates, "templates/*.html"))
	out := map[msg.Lang]*template.Template{}
	for _, l := range msg.Langs {
		out[l] = template.Must(base.Clone()).Funcs(pageFuncs(l))
	}
	return out
}()

func pageFuncs(l msg.Lang) template.FuncMap {
	return template.FuncMap{
		"t":    func(id string, args ...any) string { return msg.New(id, args...).In(l) },
		"lang": func() string { return string(l) },
		"num":  func(v float64) string { return formatNumber(v, -1, l) },
		"when": func(rfc3339 string) string { return formatTime(rfc3339, l) },
		"day":  func(date string) string { return formatDate(date, l) },
		// The last day of a period whose end is exclusive.
		"lastday": func(date string) string {
			t, err := time.Parse("2006-01-02", date)
			if err != nil {
				return date
			}
			return formatDate(t.AddDate(0, 0, -1).Format("2006-01-02"), l)
		},
		// A figure to the meter's resolution (3 decimals); – where nothing
		// of the period is covered.
		"fig":   func(f analysis.Figure) string { return optNumber(f.Consumption, 3, l) },
		"kwh":   func(v *float64) string { return optNumber(v, 3, l) },
		"money": func(v *float64) string { return optNumber(v, 2, l) },
		"covered": func(f analysis.Figure) string {
			if f.Consumption == nil || f.CoveredFrom.IsZero() {
				return msg.New("page.no_data").In(l)
			}
			return msg.New("page.covered", formatTime(f.CoveredFrom.Format(time.RFC3339), l), formatTime(f.CoveredTo.Format(time.RFC3339), l)).In(l)
		},
	}
}

func optNumber(v *float64, prec int, l msg.Lang) string {
	if v == nil {
		return "–"
	}
	return formatNumber(*v, prec, l)
}

// formatDate writes a local date (YYYY-MM-DD) as l writes dates.
func formatDate(date string, l msg.Lang) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil || l != msg.DE {
		return date
	}
	return t.Format("02.01.2006")
}

// formatNumber writes v with prec decimals (-1: as many as it has) and
// thousands grouped as a reader of l expects: 12.345,6 or 12,345.6.
func formatNumber(v float64, prec int, l msg.Lang) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	group, point := ",", "."
	if l == msg.DE {
		group, point = ".", ","
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// formatTime writes an RFC 3339 instant as its local wall clock with the
// offset, so the two 02:30 of an autumn night stay apart.
func formatTime(rfc3339 string, l msg.Lang) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	if l == msg.DE {
		return t.Format("02.01.2006 15:04 (-07:00)")
	}
	return t.Format("2006-01-02 15:04 (-07:00)")
}

// render writes the page name in the server's language.
func (s *Server) render(w http.ResponseWriter, name string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageSecurity)
	if err := pages[s.lang()].ExecuteTemplate(w, name, data); err != nil {
		s.d.Logger.Error("render page", "page", name, "error", err)
	}
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
	s.render(w, "index.html", map[string]any{
		"Meters":   ms,
		"Health":   s.d.Health.HealthReport(),
		"Timezone": s.d.Location.String(),
		"MaxBytes": s.d.MaxUploadBytes,
		"Strings":  msg.Prefixed("js.", s.lang()),
	})
}
