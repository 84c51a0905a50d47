// Package api holds the shapes of meterd's outside contract that the HTTP
// API and the command line share: what a request asks and what a reply
// holds, as plain types with their JSON names. The application fills them
// and the web layer serves them, so neither depends on the other; the
// contract itself is described in docs/http.md.
package api

import (
	"encoding/json"
	"time"

	"github.com/meterd/meterd/ingest"
)

// Health statuses, from best to worst.
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

// MeterInfo is one meter in GET /api/v1/meters.
type MeterInfo struct {
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	Utility     string      `json:"utility"`
	Unit        string      `json:"unit"`
	Reading     string      `json:"reading,omitempty"`
	Source      string      `json:"source,omitempty"`
	Description string      `json:"description,omitempty"`
	LastReading *ReadingOut `json:"last_reading"`
}

// ReadingOut is a stored reading as the API returns it.
type ReadingOut struct {
	Time   string  `json:"time"`
	Value  float64 `json:"value"`
	Source string  `json:"source"`
}

// AnalyzeRequest asks for consumption: dates are local days (YYYY-MM-DD),
// To exclusive; or a billing year.
type AnalyzeRequest struct {
	From        string   `json:"from"`
	To          string   `json:"to"`
	BillingYear int      `json:"billing_year"`
	Meters      []string `json:"meters"`
	Daily       bool     `json:"daily"`
}

// HAReply answers a Home Assistant push: the import summary, or, for a
// state that carries no value (unavailable, unknown), that it was ignored.
type HAReply struct {
	Summary ingest.Summary
	// Ignored is set for a state without a value; Reason says which.
	Ignored bool
	Meter   string
	Reason  string
}

// MarshalJSON gives the summary as it is, or {"meter", "ignored", "reason"}.
func (r HAReply) MarshalJSON() ([]byte, error) {
	if r.Ignored {
		return json.Marshal(struct {
			Meter   string `json:"meter"`
			Ignored bool   `json:"ignored"`
			Reason  string `json:"reason"`
		}{r.Meter, true, r.Reason})
	}
	return json.Marshal(r.Summary)
}

// Run is one recorded job run.
type Run struct {
	ID       int64           `json:"id"`
	Job      string          `json:"job"`
	Started  time.Time       `json:"started"`
	Finished *time.Time      `json:"finished,omitempty"`
	Status   string          `json:"status"` // running, ok, failed
	Error    string          `json:"error,omitempty"`
	Details  json.RawMessage `json:"details"`
}

// MonthlyReport is a stored monthly report: one object per meter, in
// configuration order, as the report job wrote it.
type MonthlyReport struct {
	Month   string            `json:"month"`
	Created string            `json:"created"`
	Meters  []json.RawMessage `json:"meters"`
}

// AnomalyOut is one anomaly as GET /api/v1/anomalies returns it; instants
// are RFC 3339 in the configured zone.
type AnomalyOut struct {
	ID       int64    `json:"id"`
	Meter    string   `json:"meter"`
	Rule     string   `json:"rule"`
	Status   string   `json:"status"`
	From     string   `json:"from"`
	To       string   `json:"to,omitempty"`
	Observed *float64 `json:"observed,omitempty"`
	Expected *float64 `json:"expected,omitempty"`
	Message  string   `json:"message"`
	Opened   string   `json:"opened"`
	Resolved string   `json:"resolved,omitempty"`
}

// Annotation is a note on a meter (or, without one, on the household) at
// an instant, or over [time, end] when End is set.
type Annotation struct {
	ID      int64  `json:"id"`
	Meter   string `json:"meter,omitempty"`
	Time    string `json:"time"`
	End     string `json:"end,omitempty"`
	Text    string `json:"text"`
	Created string `json:"created"`
}

// NewAnnotation is a checked POST /api/v1/annotations body.
type NewAnnotation struct {
	Meter string
	Start time.Time
	End   *time.Time
	Text  string
}

// MaxAnnotationText bounds a note: it is a remark, not a document.
const MaxAnnotationText = 2000

// StatusInfo is what GET /status shows: the daemon's health, its jobs,
// the open anomalies and each meter's last reading.
type StatusInfo struct {
	Health    HealthReport
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

// ReadingsRequest carries readings posted to the API or pushed by Home
// Assistant, decoded but not yet checked against the meter.
type ReadingsRequest struct {
	Source   string // api, homeassistant, …
	Readings []ingest.Reading
	Rejected []ingest.Rejection
	DryRun   bool
	Strict   bool
	Confirm  bool
}

// ImportInfo is one recorded import in GET /api/v1/imports.
type ImportInfo struct {
	ID       int64  `json:"id"`
	Time     string `json:"time"`
	Source   string `json:"source"` // how it came: upload, api, cli, homeassistant, tibber, delete
	Meter    string `json:"meter"`
	File     string `json:"file,omitempty"`
	Written  int    `json:"written"`
	Updated  int    `json:"updated"`
	Undone   bool   `json:"undone"`
	UndoneAt string `json:"undone_at,omitempty"`
}

// UndoReply says what undoing an import did, or in a dry run would do.
type UndoReply struct {
	Import   ImportInfo   `json:"import"`
	DryRun   bool         `json:"dry_run"`
	Removed  []ReadingOut `json:"removed"`
	Restored []ReadingOut `json:"restored"`
}

// DeleteReply is the change a deleted reading made; undo ImportID to
// bring it back.
type DeleteReply struct {
	Meter    string     `json:"meter"`
	Deleted  ReadingOut `json:"deleted"`
	ImportID int64      `json:"import_id"`
}

// ImportOptions say how a file is imported: DryRun writes nothing, Strict
// refuses the file for one rejected row, Confirm takes implausible readings
// the person confirmed, Choice says where the readings are when the header
// is not recognised.
type ImportOptions struct {
	DryRun, Strict, Confirm bool
	Choice                  ingest.Choice
	// Via records how the file came: upload, cli.
	Via string
}
