package analysis

import (
	"encoding/json"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// hourly is an interval meter's readings: 1 kWh every hour of [from, to).
func hourly(from, to time.Time) []Reading {
	var rs []Reading
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		rs = append(rs, Reading{Time: h, Value: 1})
	}
	return rs
}

// TestDayWhoseMidnightDoesNotExist: in Atlantic/Azores the clock jumps
// from 00:00 to 01:00 on 2024-03-31. That day starts at 01:00 and has 23
// hours; a request from it starts there. 1 kWh an hour from 2024-03-31 to
// 2024-04-02 is 23 + 24 = 47 kWh, March 23.
func TestDayWhoseMidnightDoesNotExist(t *testing.T) {
	az := mustZone(t, "Atlantic/Azores")
	m := Meter{ID: "strom", Kind: Physical, Utility: Electricity, Unit: KWh, Reading: Interval, Interval: time.Hour}
	in := Input{Meters: []Meter{m}, Location: az, Gas: NewGasFactors(nil),
		Readings: map[string][]Reading{"strom": hourly(time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 4, 0, 0, 0, 0, time.UTC))}}
	from, _ := ParseDate("2024-03-31", az)
	to, _ := ParseDate("2024-04-02", az)
	res, err := Analyze(in, Request{From: from, To: to, Daily: true})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Meters[0]
	wantFig(t, "total", r.Total, 47, true)
	wantFig(t, "March", month(r, "2024-03"), 23, true)
	wantFig(t, "April", month(r, "2024-04"), 24, true)
	if len(r.Daily) != 2 || r.Daily[0].Date != "2024-03-31" || r.Daily[1].Date != "2024-04-01" {
		t.Fatalf("days %+v; want 2024-03-31 and 2024-04-01", r.Daily)
	}
	wantFig(t, "2024-03-31", r.Daily[0].Figure, 23, true)
	wantFig(t, "2024-04-01", r.Daily[1].Figure, 24, true)
}

// TestHavanaDaysAreLabelledByTheirDate: Havana jumps from 00:00 to 01:00
// on 2024-03-10. The days around it are labelled 09, 10, 11 (not 09 twice)
// with 24, 23 and 24 hours; a counter rising 1 m³ an hour shows them.
func TestHavanaDaysAreLabelledByTheirDate(t *testing.T) {
	hav := mustZone(t, "America/Havana")
	m := Meter{ID: "w", Kind: Physical, Utility: Water, Unit: M3, Reading: Cumulative}
	a, b := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC), time.Date(2024, 3, 13, 12, 0, 0, 0, time.UTC)
	in := Input{Meters: []Meter{m}, Location: hav, Gas: NewGasFactors(nil),
		Readings: map[string][]Reading{"w": {{Time: a, Value: 0}, {Time: b, Value: b.Sub(a).Hours()}}}}
	from, _ := ParseDate("2024-03-09", hav)
	to, _ := ParseDate("2024-03-12", hav)
	res, err := Analyze(in, Request{From: from, To: to, Daily: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		date  string
		hours float64
	}{{"2024-03-09", 24}, {"2024-03-10", 23}, {"2024-03-11", 24}}
	d := res.Meters[0].Daily
	if len(d) != 3 {
		t.Fatalf("days %+v", d)
	}
	for i, w := range want {
		if d[i].Date != w.date {
			t.Errorf("day %d is %s; want %s", i, d[i].Date, w.date)
		}
		wantFig(t, w.date, d[i].Figure, w.hours, true)
	}
}

// TestSeasonalPatternAcrossAMissingMonthStart: in America/Asunción October
// 2023 starts at 01:00 (midnight does not exist). Readings 0 on
// 2023-09-20 12:00 and 100 on 2023-10-10 12:00 with September at 5 % and
// October at 9 %: September has 252 of its 720 hours in the interval,
// October 227 of its 743, so September gets
// 100 × (5 × 252/720) / (5 × 252/720 + 9 × 227/743) = 38.892 m³.
func TestSeasonalPatternAcrossAMissingMonthStart(t *testing.T) {
	asu := mustZone(t, "America/Asuncion")
	m := Meter{ID: "g", Kind: Physical, Utility: Gas, Unit: M3, Reading: Cumulative,
		SeasonalPattern: []float64{10, 10, 10, 10, 5, 5, 5, 5, 5, 9, 13, 13}}
	in := Input{Meters: []Meter{m}, Location: asu, Gas: NewGasFactors(nil),
		Readings: map[string][]Reading{"g": {
			{Time: LocalTime(2023, 9, 20, 12, 0, 0, asu), Value: 0},
			{Time: LocalTime(2023, 10, 10, 12, 0, 0, asu), Value: 100},
		}}}
	from, _ := ParseDate("2023-09-01", asu)
	to, _ := ParseDate("2023-11-01", asu)
	done := make(chan *Result, 1)
	go func() {
		res, err := Analyze(in, Request{From: from, To: to})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the analysis did not end: a loop over months does not advance")
	}
	sep := 5.0 * 252 / 720
	oct := 9.0 * 227 / 743
	wantFig(t, "September", month(res.Meters[0], "2023-09"), 100*sep/(sep+oct), false)
	wantFig(t, "October", month(res.Meters[0], "2023-10"), 100*oct/(sep+oct), false)
	if c := *month(res.Meters[0], "2023-09").Consumption; c < 38.8915 || c > 38.8925 {
		t.Errorf("September %v; want 38.892", c)
	}
}

// TestMasterWithNoDataHasNullReadings: a master meter's daily rows carry
// "reading": null when nothing is known, as a physical counter's do.
func TestMasterWithNoDataHasNullReadings(t *testing.T) {
	master := Meter{ID: "m", Kind: Master, Utility: Water, Unit: M3, Periods: []Period{{From: lt(2025, 1, 1, 0, 0), Meters: []string{"a"}}}}
	res := run(t, Input{Meters: []Meter{cumMeter("a", M3, Water), master}, Readings: map[string][]Reading{}}, lt(2025, 3, 1, 0, 0), lt(2025, 3, 3, 0, 0), "m", "a")
	for i, r := range res.Meters {
		b, _ := json.Marshal(r.Daily)
		if want := `[{"date":"2025-03-01","reading":null,"consumption":null,"complete":false},{"date":"2025-03-02","reading":null,"consumption":null,"complete":false}]`; string(b) != want {
			t.Errorf("%s daily rows %s;\nwant %s", res.Meters[i].ID, b, want)
		}
	}
}
