package analysis

import (
	"strings"
	"testing"
	"time"
)

func ptr(v float64) *float64 { return &v }

// days builds daily figures from 1 Jan 2025; nil is a day without data.
func days(vals ...*float64) []DayFigure {
	out := make([]DayFigure, len(vals))
	for i, v := range vals {
		out[i] = DayFigure{Date: time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), Figure: Figure{Consumption: v, Complete: v != nil}}
	}
	return out
}

func repeat(n int, v *float64) []*float64 {
	out := make([]*float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestSpikeCheck(t *testing.T) {
	// 30 days of 10, then 25 on 31 Jan: mean 10, 25 > 2 × 10.
	c := spikeLatest(days(append(repeat(30, ptr(10)), ptr(25))...), 2, berlin)
	if c.Verdict != Fires || c.Observed != 25 || c.Expected != 10 || !strings.Contains(c.Message.String(), "2025-01-31") ||
		!c.From.Equal(time.Date(2025, 1, 31, 0, 0, 0, 0, berlin)) || !c.To.Equal(time.Date(2025, 2, 1, 0, 0, 0, 0, berlin)) {
		t.Errorf("spike: %+v", c)
	}
	// Exactly twice the mean is no spike ("greater than").
	if c := spikeLatest(days(append(repeat(30, ptr(10)), ptr(20))...), 2, berlin); c.Verdict != Clear {
		t.Errorf("2 × mean: %+v", c)
	}
	// Only the 30 days before count: 5 before them would lower the mean
	// to below 10 and make 21 a spike only if counted.
	vals := append(repeat(5, ptr(1)), repeat(30, ptr(11))...)
	if c := spikeLatest(days(append(vals, ptr(21))...), 2, berlin); c.Verdict != Clear || c.Expected != 11 {
		t.Errorf("window of 30 days: %+v", c)
	}
	// 13 days with data in the window: too few to judge; 14 are enough
	// (mean of 14 × 3 = 3, 7 > 6).
	few := append(repeat(17, nil), repeat(13, ptr(3))...)
	if c := spikeLatest(days(append(few, ptr(7))...), 2, berlin); c.Verdict != Unknown {
		t.Errorf("13 days: %+v", c)
	}
	enough := append(repeat(16, nil), repeat(14, ptr(3))...)
	if c := spikeLatest(days(append(enough, ptr(7))...), 2, berlin); c.Verdict != Fires || c.Expected != 3 {
		t.Errorf("14 days: %+v", c)
	}
	// The latest day is partial (data still arriving): the day before is
	// judged, and it is ordinary.
	d := days(append(repeat(31, ptr(10)), ptr(50))...)
	d[31].Complete = false
	if c := spikeLatest(d, 2, berlin); c.Verdict != Clear || c.Observed != 10 {
		t.Errorf("partial last day: %+v", c)
	}
	// A mean of zero (an empty flat) cannot be exceeded by a factor.
	if c := spikeLatest(days(append(repeat(30, ptr(0)), ptr(1))...), 2, berlin); c.Verdict != Unknown {
		t.Errorf("zero mean: %+v", c)
	}
}

func TestSilenceCheck(t *testing.T) {
	last := time.Date(2025, 11, 2, 8, 0, 0, 0, time.UTC)
	// 48h after the last reading is not yet too long; 48h and a second is.
	if c := SilenceCheck(last, true, last.Add(48*time.Hour), 48*time.Hour, berlin); c.Verdict != Clear {
		t.Errorf("48h: %+v", c)
	}
	c := SilenceCheck(last, true, last.Add(50*time.Hour+30*time.Second), 48*time.Hour, berlin)
	if c.Verdict != Fires || c.Observed <= 50 || c.Expected != 48 || !c.From.Equal(last) ||
		!strings.Contains(c.Message.String(), "no new reading for 50h0m0s (since 2025-11-02 09:00") {
		t.Errorf("50h: %+v", c)
	}
	if c := SilenceCheck(time.Time{}, false, last, 48*time.Hour, berlin); c.Verdict != Unknown {
		t.Errorf("never a reading: %+v", c)
	}
}

func TestDecreaseCheck(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, time.UTC) }
	rs := []Reading{{at(1), 100}, {at(2), 110}, {at(3), 11}, {at(4), 120}, {at(5), 1300}, {at(6), 130}, {at(7), 140}}
	_, ex := CountedReadings(rs, nil, time.Time{})
	c := DecreaseCheck(ex, berlin)
	// 11 is a too-low typo (below 110), 1300 a too-high one (above 130;
	// with 140 after it, keeping 130 keeps more readings).
	if c.Verdict != Fires || c.Observed != 11 || c.Expected != 110 || !c.From.Equal(at(3)) || !c.To.Equal(at(5)) {
		t.Fatalf("decrease: %+v", c)
	}
	for _, want := range []string{"2 readings are excluded", "11 at 2025-03-03 10:00 (below the previous reading 110 at 2025-03-02 10:00)",
		"1300 at 2025-03-05 10:00 (above the next reading 130 at 2025-03-06 10:00)", "declare a reset or a master meter period"} {
		if !strings.Contains(c.Message.String(), want) {
			t.Errorf("message %q lacks %q", c.Message.String(), want)
		}
	}
	// Readings after the meter's removal are no anomaly.
	_, ex = CountedReadings([]Reading{{at(1), 100}, {at(2), 5}}, nil, at(1))
	if c := DecreaseCheck(ex, berlin); c.Verdict != Clear {
		t.Errorf("removed: %+v", c)
	}
}

func TestNegativeCheck(t *testing.T) {
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, berlin), time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	fig := func(v float64, complete bool) Figure { return Figure{Consumption: &v, Complete: complete} }
	// Base 4000 kWh, tolerance 10 %: down to −400 is tolerated.
	if c := NegativeCheck(fig(-400, true), fig(4000, true), 0.1, from, to, "haupt"); c.Verdict != Clear {
		t.Errorf("−400: %+v", c)
	}
	c := NegativeCheck(fig(-400.5, true), fig(4000, true), 0.1, from, to, "haupt")
	if c.Verdict != Fires || c.Observed != -400.5 || c.Expected != -400 || !strings.Contains(c.Message.String(), "10 % of haupt's 4000.000") {
		t.Errorf("−400.5: %+v", c)
	}
	if c := NegativeCheck(fig(-900, false), fig(4000, true), 0.1, from, to, "haupt"); c.Verdict != Unknown {
		t.Errorf("incomplete period: %+v", c)
	}
}

func TestYearOverYearCheck(t *testing.T) {
	oct := time.Date(2025, 10, 1, 0, 0, 0, 0, berlin)
	fig := func(v float64) Figure { return Figure{Consumption: &v, Complete: true} }
	if c := YearOverYearCheck(fig(45), fig(30), 1.5, oct); c.Verdict != Clear {
		t.Errorf("1.5 ×: %+v", c)
	}
	c := YearOverYearCheck(fig(62), fig(31), 1.5, oct)
	if c.Verdict != Fires || c.Observed != 62 || c.Expected != 31 || !strings.Contains(c.Message.String(), "2025-10 used 62.000, 2.00 times the 31.000 of 2024-10") {
		t.Errorf("2 ×: %+v", c)
	}
	if c := YearOverYearCheck(fig(62), fig(0), 1.5, oct); c.Verdict != Unknown {
		t.Errorf("nothing a year before: %+v", c)
	}
}

// spikeLatest judges the latest complete day, as the check does for the
// newest day of a meter.
func spikeLatest(days []DayFigure, factor float64, loc *time.Location) Check {
	for i := len(days) - 1; i >= 0; i-- {
		if days[i].Complete && days[i].Consumption != nil {
			return SpikeDay(days, i, factor, loc)
		}
	}
	return Check{Rule: RuleSpike}
}
