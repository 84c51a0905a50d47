package analysis

import (
	"fmt"
	"strings"
	"time"
)

// This file is the one home of local wall-clock time: every text or date
// without an offset (a file's cells, a JSON time, a configuration date, an
// API's from and to) becomes an instant here, by the rule of
// docs/time.md#local-times.

// LocalTime is the instant of a local wall-clock time in loc: a time that
// happens twice (the autumn night) is the second, standard-time one; a time
// that does not exist (the spring gap) moves forward by the gap.
func LocalTime(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, mi, s, 0, loc)
	// time.Date picks one of the two instants of a repeated wall time
	// without promising which; standard time is the later one, so check
	// whether the same wall clock an hour later also maps back here.
	if later := t.Add(time.Hour); later.Hour() == h && later.Minute() == mi && later.Day() == d {
		return later.UTC()
	}
	return t.UTC()
}

// localLayouts are the local forms ParseLocal reads, most specific first.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

// ParseLocal reads an RFC 3339 instant (its offset kept), or a local
// date-time or date in loc (a date alone is that day's local midnight),
// truncated to whole seconds.
func ParseLocal(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Truncate(time.Second).UTC(), nil
	}
	for _, layout := range localLayouts {
		// Parsed in UTC only to split the text into fields: the zone's
		// rule is LocalTime's to apply.
		if t, err := time.Parse(layout, s); err == nil {
			return LocalTime(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2025-11-04T07:30:00+01:00) nor a local date-time (2025-11-04T07:30)", s)
}

// ParseDate reads a local date (YYYY-MM-DD) as its local midnight.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return LocalTime(t.Year(), t.Month(), t.Day(), 0, 0, 0, loc), nil
}

// ParseMonth reads a month (YYYY-MM) as its first local midnight.
func ParseMonth(s string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a month (YYYY-MM)", s)
	}
	return LocalTime(t.Year(), t.Month(), 1, 0, 0, 0, loc), nil
}
