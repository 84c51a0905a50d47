package app

import (
	"sync"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/msg"
)

// Health collects component states; jobs set them as they learn.
type Health struct {
	mu      sync.Mutex
	checks  map[string]api.Check
	version string
	red     redactor
	lang    msg.Lang
}

// NewHealth starts with no components; messages are written in lang.
func NewHealth(version string, secrets []string, lang msg.Lang) *Health {
	return &Health{checks: map[string]api.Check{}, version: version, red: newRedactor(secrets), lang: lang}
}

// Set records a component's state. Messages pass the secret redactor, since
// they often carry error texts from outside.
func (h *Health) Set(component, status string, message msg.Text) {
	text := ""
	if !message.IsZero() {
		text = h.red.text(message.In(h.lang))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks[component] = api.Check{Status: status, Message: text}
}

// Status is one component's status ("" if it has none).
func (h *Health) Status(component string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.checks[component].Status
}

// Report is the overall state: down if any component is down, degraded if
// any is degraded, else ok.
func (h *Health) Report() api.HealthReport {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := api.HealthReport{Status: api.StatusOK, Checks: make(map[string]api.Check, len(h.checks)), Version: h.version}
	for n, c := range h.checks {
		r.Checks[n] = c
		switch {
		case c.Status == api.StatusDown:
			r.Status = api.StatusDown
		case c.Status == api.StatusDegraded && r.Status == api.StatusOK:
			r.Status = api.StatusDegraded
		}
	}
	return r
}
