package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
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

// NewTextLogger is NewLogger for a person at a terminal: one plain line per
// event on w, "warning: message (key=value, …)", with the same redaction.
// Commands log this way; only serve writes JSON for the journal.
func NewTextLogger(w io.Writer, level slog.Level, secrets []string) *slog.Logger {
	return slog.New(&textHandler{w: w, level: level, red: newRedactor(secrets), mu: &sync.Mutex{}})
}

type textHandler struct {
	w     io.Writer
	level slog.Level
	red   redactor
	attrs []slog.Attr
	mu    *sync.Mutex
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *textHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	}
	b.WriteString(h.red.text(r.Message))
	var parts []string
	add := func(a slog.Attr) bool {
		a = h.red.attr(a)
		parts = append(parts, a.Key+"="+a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	b.WriteString("\n")
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *textHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

// WithGroup flattens groups: a command's few lines need no nesting.
func (h *textHandler) WithGroup(string) slog.Handler { return h }
