package app

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// NewLogger returns a JSON logger that replaces every secret's text with
// [redacted], wherever it appears: message, attribute or error text. This is
// the last line of defence; secrets are also never logged on purpose.
func NewLogger(w io.Writer, level slog.Level, secrets []string) *slog.Logger {
	r := newRedactor(secrets)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			return r.attr(a)
		},
	}))
}

type redactor struct{ secrets []string }

func newRedactor(secrets []string) redactor {
	var s []string
	for _, x := range secrets {
		// Very short values would redact ordinary words; no real token is
		// that short.
		if len(x) >= 4 {
			s = append(s, x)
		}
	}
	return redactor{secrets: s}
}

func (r redactor) text(s string) string {
	for _, x := range r.secrets {
		s = strings.ReplaceAll(s, x, "[redacted]")
	}
	return s
}

func (r redactor) attr(a slog.Attr) slog.Attr {
	if len(r.secrets) == 0 {
		return a
	}
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(r.text(a.Value.String()))
	case slog.KindAny:
		switch v := a.Value.Any().(type) {
		case error:
			a.Value = slog.StringValue(r.text(v.Error()))
		case fmt.Stringer:
			a.Value = slog.StringValue(r.text(v.String()))
		default:
			a.Value = slog.StringValue(r.text(fmt.Sprint(v)))
		}
	}
	return a
}
