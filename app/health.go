package app

import "sync"

// Health statuses, worst last.
const (
	StatusOK       = "ok"
	StatusDegraded = "degraded"
	StatusDown     = "down"
)

// Check is one component's state as /health shows it.
type Check struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// HealthReport is the body of /health.
type HealthReport struct {
	Status  string           `json:"status"`
	Checks  map[string]Check `json:"checks"`
	Version string           `json:"version"`
}

// Health collects component states; jobs set them as they learn.
type Health struct {
	mu      sync.Mutex
	checks  map[string]Check
	version string
	red     redactor
}

// NewHealth starts with no components.
func NewHealth(version string, secrets []string) *Health {
	return &Health{checks: map[string]Check{}, version: version, red: newRedactor(secrets)}
}

// Set records a component's state. Messages pass the secret redactor, since
// they often carry error texts from outside.
func (h *Health) Set(component, status, message string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks[component] = Check{Status: status, Message: h.red.text(message)}
}

// Report is the overall state: down if any component is down, degraded if
// any is degraded, else ok.
func (h *Health) Report() HealthReport {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := HealthReport{Status: StatusOK, Checks: make(map[string]Check, len(h.checks)), Version: h.version}
	for n, c := range h.checks {
		r.Checks[n] = c
		switch {
		case c.Status == StatusDown:
			r.Status = StatusDown
		case c.Status == StatusDegraded && r.Status == StatusOK:
			r.Status = StatusDegraded
		}
	}
	return r
}
