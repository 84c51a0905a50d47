package analysis

import (
	"testing"
	"time"
)

func TestLocalTimeDST(t *testing.T) {
	cases := []struct {
		name           string
		y, mo, d, h, m int
		want           string // UTC
	}{
		{"winter", 2025, 1, 15, 12, 0, "2025-01-15T11:00:00Z"},
		{"summer", 2025, 7, 15, 12, 0, "2025-07-15T10:00:00Z"},
		// 30 Mar 2025: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist
		// and moves forward to 03:30+02:00.
		{"spring gap", 2025, 3, 30, 2, 30, "2025-03-30T01:30:00Z"},
		{"after spring gap", 2025, 3, 30, 3, 30, "2025-03-30T01:30:00Z"},
		// 26 Oct 2025: 02:00-03:00 happens twice; the second (+01:00) wins.
		{"autumn repeat", 2025, 10, 26, 2, 30, "2025-10-26T01:30:00Z"},
		{"before autumn repeat", 2025, 10, 26, 1, 30, "2025-10-25T23:30:00Z"},
		{"after autumn repeat", 2025, 10, 26, 3, 0, "2025-10-26T02:00:00Z"},
	}
	for _, c := range cases {
		got := LocalTime(c.y, time.Month(c.mo), c.d, c.h, c.m, 0, berlin)
		if got.Format(time.RFC3339) != c.want {
			t.Errorf("%s: %v; want %s", c.name, got, c.want)
		}
	}
}

// TestLocalTimeInEveryZone: a missing time moves forward by the gap and a
// repeated one is the later, west of UTC as east of it.
func TestLocalTimeInEveryZone(t *testing.T) {
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, c := range []struct {
		zone           string
		y, mo, d, h, m int
		want           string // RFC 3339 in the zone
	}{
		// Azores: 00:00-01:00 becomes 01:00+00:00 on 2024-03-31.
		{"Atlantic/Azores", 2024, 3, 31, 0, 0, "2024-03-31T01:00:00Z"},
		{"Atlantic/Azores", 2024, 3, 31, 0, 30, "2024-03-31T01:30:00Z"},
		{"Atlantic/Azores", 2024, 3, 30, 23, 0, "2024-03-30T23:00:00-01:00"},
		// Azores autumn: 01:00-00:00 on 2024-10-27, 00:30 twice: the later.
		{"Atlantic/Azores", 2024, 10, 27, 0, 30, "2024-10-27T00:30:00-01:00"},
		// Havana: midnight jumps to 01:00 on 2024-03-10.
		{"America/Havana", 2024, 3, 10, 0, 0, "2024-03-10T01:00:00-04:00"},
		// Asunción: midnight jumps to 01:00 on 2023-10-01.
		{"America/Asuncion", 2023, 10, 1, 0, 0, "2023-10-01T01:00:00-03:00"},
		// Santiago: midnight jumps to 01:00 on 2024-09-08.
		{"America/Santiago", 2024, 9, 8, 0, 0, "2024-09-08T01:00:00-03:00"},
		// East of UTC as before.
		{"Europe/Berlin", 2025, 3, 30, 2, 30, "2025-03-30T03:30:00+02:00"},
		{"Europe/Berlin", 2025, 10, 26, 2, 30, "2025-10-26T02:30:00+01:00"},
		// Out-of-range fields normalise: 32 January is 1 February.
		{"Europe/Berlin", 2025, 1, 32, 0, 0, "2025-02-01T00:00:00+01:00"},
	} {
		loc := zone(c.zone)
		got := LocalTime(c.y, time.Month(c.mo), c.d, c.h, c.m, 0, loc).In(loc).Format(time.RFC3339)
		if got != c.want {
			t.Errorf("%s %04d-%02d-%02d %02d:%02d: %s; want %s", c.zone, c.y, c.mo, c.d, c.h, c.m, got, c.want)
		}
	}
}
