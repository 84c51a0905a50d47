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
