package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/meterd/meterd/msg"
)

// This file is the one home of local wall-clock time: every text or date
// without an offset (a file's cells, a JSON time, a configuration date, an
// API's from and to) becomes an instant here, by the rule of
// docs/time.md#local-times.

// LocalTime is the instant of a local wall-clock time in loc, in every
// zone: a time that happens twice (the autumn night) is the second,
// standard-time one; a time that does not exist (the spring gap) moves
// forward by the gap. The fields may be out of range (day 32 is the 1st of
// the next month), as for time.Date.
//
// time.Date leaves both cases to the zone: east of UTC it moves a missing
// time forward, west of UTC backward, so that in Atlantic/Azores, whose
// clocks jump from 00:00 to 01:00, the missing midnight of 2024-03-31
// would become 23:00 of the day before.
func LocalTime(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, h, mi, s, 0, time.UTC) // normalised fields
	t := time.Date(y, mo, d, h, mi, s, 0, loc)
	if sameWall(t.In(loc), wall) {
		// time.Date picks one of the two instants of a repeated wall time
		// without promising which; standard time is the later one, so check
		// whether the same wall clock an hour later also maps back here.
		if later := t.Add(time.Hour); sameWall(later.In(loc), wall) {
			return later.UTC()
		}
		return t.UTC()
	}
	// A gap: the wall time is read with the offset in force before it,
	// which puts it the gap's length after the jump.
	_, before := t.Zone()
	if wallOf(t).After(wall) {
		// time.Date answered after the jump: the offset before it is the
		// one just before its zone began.
		start, _ := t.ZoneBounds()
		_, before = start.Add(-time.Second).In(loc).Zone()
	}
	return wall.Add(-time.Duration(before) * time.Second).UTC()
}

// wallOf is t's local wall clock as a UTC time, for comparing wall clocks.
func wallOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

func sameWall(t, wall time.Time) bool { return wallOf(t).Equal(wall) }

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
	return time.Time{}, msg.Err("instant.invalid", fmt.Sprintf("%q", s))
}

// ParseDate reads a local date (YYYY-MM-DD) as its local midnight, in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, msg.Err("date.not_iso", fmt.Sprintf("%q", s))
	}
	return LocalTime(t.Year(), t.Month(), t.Day(), 0, 0, 0, loc).In(loc), nil
}

// ParseMonth reads a month (YYYY-MM) as its first local midnight, in loc.
func ParseMonth(s string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, msg.Err("month.invalid", fmt.Sprintf("%q", s))
	}
	return LocalTime(t.Year(), t.Month(), 1, 0, 0, 0, loc).In(loc), nil
}
