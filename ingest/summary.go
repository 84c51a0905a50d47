// Package ingest turns outside data into readings: spreadsheet and CSV
// files, JSON from the API, Home Assistant pushes and Tibber. It knows
// nothing of SQL or HTTP routing.
package ingest

import (
	"encoding/json"
	"time"

	"github.com/meterd/meterd/msg"
)

// Reading is one parsed reading with the row it came from.
type Reading struct {
	Row   int // 1-based row, line or list position
	Time  time.Time
	Value float64
	// Meter is set when the file names a meter per row (a meterd export).
	Meter string
	// Cell says how a posted reading wrote its instant (`time "…"`), so a
	// rejection can name it. A file's rows are checked as they are read
	// (Options.Domain) and leave it empty: a text per row would cost more
	// than the reading.
	Cell string
}

// Rejection is a row that could not become a reading: Error says why in
// the reader's language, Code is the message id, stable for scripts.
type Rejection struct {
	Row   int    `json:"row"`
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}

// Reject is the rejection of row for the reason t, written in lang at
// once: a file of half a million bad rows keeps half a million short
// strings, not the messages they were made from.
func Reject(row int, t msg.Text, lang msg.Lang) Rejection {
	return Rejection{Row: row, Error: t.In(lang), Code: t.ID}
}

// Warning is a reading that was stored but needs attention; its fields
// mirror Rejection's.
type Warning struct {
	Row     int    `json:"row"`
	Warning string `json:"warning"`
	Code    string `json:"code,omitempty"`
}

// Warn is the warning about row that t says, written in lang.
func Warn(row int, t msg.Text, lang msg.Lang) Warning {
	return Warning{Row: row, Warning: t.In(lang), Code: t.ID}
}

// Summary is the import summary of docs/http.md#routes, shared by the upload, the
// readings API and `meterd import`.
type Summary struct {
	Meter      string           `json:"meter"`
	File       string           `json:"file"` // empty for readings posted as JSON
	DryRun     bool             `json:"dry_run"`
	Parsed     int              `json:"parsed"`
	Written    int              `json:"written"`
	Updated    int              `json:"updated"`
	Duplicates int              `json:"duplicates"`
	Rejected   []Rejection      `json:"rejected"`
	Warnings   []Warning        `json:"warnings"`
	Readings   []SummaryReading `json:"readings"`
	// Columns are the header texts of the file's columns that were read,
	// Sheet the workbook sheet they were on.
	Columns []string `json:"columns,omitempty"`
	Sheet   string   `json:"sheet,omitempty"`
	// Unconfirmed lists the rows held back as implausible until the person
	// confirms them (confirm=true).
	Unconfirmed []int `json:"unconfirmed,omitempty"`
	// ImportID is the record of what was written, for undo; 0 when nothing
	// was (a dry run, all duplicates).
	ImportID int64 `json:"import_id,omitempty"`
	// ReadingsTruncated and RejectedTruncated say that Clip cut the lists;
	// the counts stay whole.
	ReadingsTruncated bool `json:"readings_truncated,omitempty"`
	RejectedTruncated bool `json:"rejected_truncated,omitempty"`
}

// MaxListed is how many readings and rejected rows a summary lists over
// HTTP: a reply repeats what a person can read, not a whole file.
const MaxListed = 1000

// Clip cuts the listed readings and rejected rows to n each and marks the
// cut; the command line lists them all.
func (s *Summary) Clip(n int) {
	if len(s.Readings) > n {
		s.Readings, s.ReadingsTruncated = s.Readings[:n:n], true
	}
	if len(s.Rejected) > n {
		s.Rejected, s.RejectedTruncated = s.Rejected[:n:n], true
	}
}

// SummaryReading is a parsed reading as the summary lists it, in the
// configured zone's offset: {"time": "2025-11-04T07:30:00+01:00",
// "value": 12345.6}. The instant is formatted when it is written, not
// kept as text: a dry run of 100,000 rows lists them all.
type SummaryReading struct {
	Time  time.Time
	Value float64
}

// NewSummaryReading is r in loc.
func NewSummaryReading(r Reading, loc *time.Location) SummaryReading {
	return SummaryReading{Time: r.Time.In(loc), Value: r.Value}
}

// MarshalJSON writes the time as RFC 3339 in whole seconds.
func (r SummaryReading) MarshalJSON() ([]byte, error) {
	b := append([]byte(`{"time":"`), r.Time.Format(time.RFC3339)...)
	b = append(b, `","value":`...)
	v, err := json.Marshal(r.Value)
	return append(append(b, v...), '}'), err
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *SummaryReading) UnmarshalJSON(b []byte) error {
	var raw struct {
		Time  time.Time `json:"time"`
		Value float64   `json:"value"`
	}
	err := json.Unmarshal(b, &raw)
	r.Time, r.Value = raw.Time, raw.Value
	return err
}

// MarshalJSON keeps empty lists as [] rather than null, so scripts can
// iterate without a check.
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary
	if s.Rejected == nil {
		s.Rejected = []Rejection{}
	}
	if s.Warnings == nil {
		s.Warnings = []Warning{}
	}
	if s.Readings == nil {
		s.Readings = []SummaryReading{}
	}
	return json.Marshal(plain(s))
}
