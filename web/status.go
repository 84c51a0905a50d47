package web

import "net/http"

// StatusInfo is what GET /status shows: the daemon's health, its jobs,
// the open anomalies and each meter's last reading.
type StatusInfo struct {
	Health    any
	Jobs      []JobStatus
	Anomalies []AnomalyOut
	Meters    []MeterInfo
}

// JobStatus is one job on the status page; times are local and empty when
// there is nothing to say (never ran, not scheduled).
type JobStatus struct {
	Name     string
	Schedule string // a cron expression, an interval, or empty: by hand only
	Next     string
	Last     *RunSummary
	// LastFailure is the latest failed run, whenever it was: the last
	// error is what a person looking at a stuck job needs.
	LastFailure *RunSummary
}

// RunSummary is one recorded run of a job.
type RunSummary struct {
	Started string
	Status  string
	Error   string
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	info, err := s.d.Backend.Status(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageSecurity)
	data := map[string]any{"Status": info, "Timezone": s.d.Backend.Location().String()}
	if err := pages.ExecuteTemplate(w, "status.html", data); err != nil {
		s.d.Logger.Error("render status page", "error", err)
	}
}
