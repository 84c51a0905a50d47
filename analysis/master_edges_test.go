package analysis

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// The master meter cases of docs/meters.md#master-meters, in Berlin 2024,
// figures worked out by hand in each comment.

func d24(mo time.Month, d int) time.Time { return lt(2024, mo, d, 0, 0) }

// heatPump is a master of three periods: a until 1 March, then b and the
// heat pump wp until 1 June, then c and wp. a, b and c are read at the
// switches; wp's readings are given.
func heatPump(t *testing.T, wp []Reading) MeterResult {
	t.Helper()
	master := Meter{ID: "haus", Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
		{From: d24(1, 1), Meters: []string{"a"}},
		{From: d24(3, 1), Meters: []string{"b", "wp"}},
		{From: d24(6, 1), Meters: []string{"c", "wp"}},
	}}
	in := Input{Meters: []Meter{cumMeter("a", KWh, Electricity), cumMeter("b", KWh, Electricity), cumMeter("c", KWh, Electricity), cumMeter("wp", KWh, Electricity), master},
		Readings: map[string][]Reading{
			"a":  {rd(d24(1, 1), 0), rd(d24(3, 1), 200)},
			"b":  {rd(d24(3, 1), 0), rd(d24(6, 1), 300)},
			"c":  {rd(d24(6, 1), 0), rd(d24(7, 1), 100), rd(d24(8, 1), 200)},
			"wp": wp,
		}}
	return run(t, in, d24(1, 1), d24(8, 1), "haus").Meters[0]
}

// checkHeatPump: a adds 200 (January and February), b 300 (March to May),
// c 100 in June and 100 in July, wp only its July reading difference, 100:
// June 100, July 200, 800 in all, kWh equal, the counter 200 on 1 March and
// 500 on 1 June.
func checkHeatPump(t *testing.T, r MeterResult) {
	t.Helper()
	sum := func(months ...string) float64 {
		s := 0.0
		for _, m := range months {
			f := month(r, m)
			if f.Consumption == nil {
				t.Errorf("%s: consumption null", m)
				return 0
			}
			s += *f.Consumption
		}
		return s
	}
	if s := sum("2024-01", "2024-02"); !near(s, 200) {
		t.Errorf("January and February: %v; want 200", s)
	}
	if s := sum("2024-03", "2024-04", "2024-05"); !near(s, 300) {
		t.Errorf("March to May: %v; want 300", s)
	}
	wantFig(t, "June", month(r, "2024-06"), 100, true)
	wantFig(t, "July", month(r, "2024-07"), 200, true)
	wantFig(t, "total", r.Total, 800, true)
	if r.Total.KWh == nil || !near(*r.Total.KWh, 800) {
		t.Errorf("total kWh %v; want 800 like the consumption", fmtPtr(r.Total.KWh))
	}
	for date, want := range map[string]float64{"2024-03-01": 200, "2024-06-01": 500, "2024-07-31": 800 - 200.0/31} {
		if d := day(r, date); d.Reading == nil || !near(*d.Reading, want) {
			t.Errorf("counter on %s: %v; want %v", date, fmtPtr(d.Reading), want)
		}
	}
}

// TestMeterJoiningTwoPeriodsKeepsItsHold: wp's reading of 1 February,
// before it joined on 1 March, takes no part: it is held at 1500 (its
// first reading from 1 March on, on 1 July) through the 1 June switch.
func TestMeterJoiningTwoPeriodsKeepsItsHold(t *testing.T) {
	checkHeatPump(t, heatPump(t, []Reading{rd(d24(2, 1), 1000), rd(d24(7, 1), 1500), rd(d24(8, 1), 1600)}))
	// Read only on 1 July and 1 August: the same figures, May and June
	// defined.
	checkHeatPump(t, heatPump(t, []Reading{rd(d24(7, 1), 1500), rd(d24(8, 1), 1600)}))
}

// TestMeterLeavingAfterTwoPeriodsKeepsItsHold: x is in the first two
// periods and read on 1 January (1000) and on 1 July (1500, after it left
// on 1 June): held at 1000 to 1 June, it adds nothing. a 200, b 300, c 100
// in June and 100 in July: 700 in all. Read only on 1 January, the same.
func TestMeterLeavingAfterTwoPeriodsKeepsItsHold(t *testing.T) {
	for _, x := range [][]Reading{
		{rd(d24(1, 1), 1000), rd(d24(7, 1), 1500)},
		{rd(d24(1, 1), 1000)},
	} {
		master := Meter{ID: "haus", Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
			{From: d24(1, 1), Meters: []string{"a", "x"}},
			{From: d24(3, 1), Meters: []string{"b", "x"}},
			{From: d24(6, 1), Meters: []string{"c"}},
		}}
		in := Input{Meters: []Meter{cumMeter("a", KWh, Electricity), cumMeter("b", KWh, Electricity), cumMeter("c", KWh, Electricity), cumMeter("x", KWh, Electricity), master},
			Readings: map[string][]Reading{
				"a": {rd(d24(1, 1), 0), rd(d24(3, 1), 200)},
				"b": {rd(d24(3, 1), 0), rd(d24(6, 1), 300)},
				"c": {rd(d24(6, 1), 0), rd(d24(7, 1), 100), rd(d24(8, 1), 200)},
				"x": x,
			}}
		r := run(t, in, d24(1, 1), d24(8, 1), "haus").Meters[0]
		jan, feb := month(r, "2024-01"), month(r, "2024-02")
		if jan.Consumption == nil || feb.Consumption == nil || !near(*jan.Consumption+*feb.Consumption, 200) {
			t.Errorf("x %v: January %v and February %v; want 200 together", x, fmtPtr(jan.Consumption), fmtPtr(feb.Consumption))
		}
		wantFig(t, "June", month(r, "2024-06"), 100, true)
		wantFig(t, "July", month(r, "2024-07"), 100, true)
		wantFig(t, "total", r.Total, 700, true)
	}
}

// TestRemovalReadingExactlyAtTheSwitch: wasser_alt's only reading in its
// period is its removal reading at the switch, 29,535.8 m³ at 2024-04-29
// 09:32; wasser_neu is first read four weeks later, 10.78 m³. The master
// (in litres) reads 29,535,800 at the switch and stays there until
// wasser_neu's first reading, a gap the analysis names; then it rises with
// wasser_neu: 10,000 l to 29,545,800 on 2024-06-27 09:32.
func TestRemovalReadingExactlyAtTheSwitch(t *testing.T) {
	T := lt(2024, 4, 29, 9, 32)
	first, later := lt(2024, 5, 27, 9, 32), lt(2024, 6, 27, 9, 32)
	master := Meter{ID: "wasser", Kind: Master, Utility: Water, Unit: Litre, Periods: []Period{
		{From: d24(1, 1), Meters: []string{"wasser_alt"}},
		{From: T, Meters: []string{"wasser_neu"}},
	}}
	in := Input{Meters: []Meter{cumMeter("wasser_alt", M3, Water), cumMeter("wasser_neu", M3, Water), master},
		Readings: map[string][]Reading{
			"wasser_alt": {rd(T, 29535.8)},
			"wasser_neu": {rd(first, 10.78), rd(later, 20.78)},
		}}
	r := run(t, in, d24(4, 1), d24(7, 1), "wasser").Meters[0]
	for _, date := range []string{"2024-04-30", "2024-05-15", "2024-05-27"} {
		if d := day(r, date); d.Reading == nil || !near(*d.Reading, 29535800) {
			t.Errorf("counter on %s: %v; want 29,535,800 (held)", date, fmtPtr(d.Reading))
		}
	}
	if d := day(r, "2024-06-28"); d.Reading != nil {
		t.Errorf("counter on 2024-06-28: %v; want null after the last reading", *d.Reading)
	}
	wantFig(t, "total", r.Total, 10000, false)
	wantCovered(t, "total", r.Total, T, later)
	warned := false
	for _, w := range r.Warnings {
		warned = warned || (strings.Contains(w, "2024-04-29 09:32") && strings.Contains(w, "2024-05-27 09:32") && strings.Contains(w, "not counted"))
	}
	if !warned {
		t.Errorf("no warning about the four uncovered weeks: %q", r.Warnings)
	}
}

// TestCounterThatCannotBeJoined: the old meter has no readings at all, so
// the master has no value at the 1 March switch and no offset: its counter
// value is null from then on, while consumption after the switch is
// counted (30 in March, 30 in April) and a warning says why.
func TestCounterThatCannotBeJoined(t *testing.T) {
	master := Meter{ID: "gas", Kind: Master, Utility: Gas, Unit: M3, Periods: []Period{
		{From: d24(1, 1), Meters: []string{"alt"}},
		{From: d24(3, 1), Meters: []string{"neu"}},
	}}
	in := Input{Meters: []Meter{cumMeter("alt", M3, Gas), cumMeter("neu", M3, Gas), master},
		Readings: map[string][]Reading{"neu": {rd(d24(3, 1), 100), rd(d24(4, 1), 130), rd(d24(5, 1), 160)}}}
	r := run(t, in, d24(2, 1), d24(5, 1), "gas").Meters[0]
	if f := month(r, "2024-02"); f.Consumption != nil {
		t.Errorf("February: %v; want null", *f.Consumption)
	}
	wantFig(t, "March", month(r, "2024-03"), 30, true)
	wantFig(t, "April", month(r, "2024-04"), 30, true)
	for _, d := range r.Daily {
		if d.Reading != nil {
			t.Fatalf("counter on %s: %v; want null (it could not be joined)", d.Date, *d.Reading)
		}
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "could not be joined at 2024-03-01 00:00") {
		t.Errorf("warnings %q", r.Warnings)
	}
}

// TestPropertySplittingAPeriodChangesNothing: a master whose period is
// split, at any instant, into two periods of the same meters gives the
// same figures, day by day.
func TestPropertySplittingAPeriodChangesNothing(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	ids := []string{"m0", "m1", "m2", "m3"}
	for iter := range 40 {
		start := lt(2023, 1, 1, 0, 0)
		in := Input{Readings: map[string][]Reading{}}
		for _, id := range ids {
			in.Meters = append(in.Meters, cumMeter(id, KWh, Electricity))
			in.Readings[id] = randomReadings(rng, start, float64(rng.Intn(5000)))
		}
		// Three to five periods of random meter sets.
		var periods []Period
		at := start.AddDate(0, 0, rng.Intn(60))
		for k := 0; k < 3+rng.Intn(3); k++ {
			var ms []string
			for _, id := range ids {
				if rng.Intn(2) == 0 {
					ms = append(ms, id)
				}
			}
			if len(ms) == 0 {
				ms = []string{ids[rng.Intn(len(ids))]}
			}
			periods = append(periods, Period{From: at, Meters: ms})
			at = at.Add(time.Duration(10+rng.Intn(150)) * 24 * time.Hour).Add(time.Duration(rng.Intn(86400)) * time.Second)
		}
		k := rng.Intn(len(periods))
		end := at
		if k+1 < len(periods) {
			end = periods[k+1].From
		}
		split := periods[k].From.Add(time.Duration(rng.Int63n(int64(end.Sub(periods[k].From)))))
		splitPeriods := append(append(append([]Period(nil), periods[:k+1]...), Period{From: split, Meters: periods[k].Meters}), periods[k+1:]...)
		whole := Meter{ID: "whole", Kind: Master, Utility: Electricity, Unit: KWh, Periods: periods}
		parts := Meter{ID: "parts", Kind: Master, Utility: Electricity, Unit: KWh, Periods: splitPeriods}
		in.Meters = append(in.Meters, whole, parts)
		res := run(t, in, start, start.AddDate(2, 0, 0), "whole", "parts")
		a, b := res.Meters[0], res.Meters[1]
		for i := range a.Daily {
			da, db := a.Daily[i], b.Daily[i]
			if !sameFigure(da.Figure, db.Figure) || !samePtr(da.Reading, db.Reading) {
				ja, _ := json.Marshal(da)
				jb, _ := json.Marshal(db)
				t.Fatalf("iter %d, period %d split at %s: %s\n whole %s\n parts %s", iter, k, split.Format(time.RFC3339), da.Date, ja, jb)
			}
		}
		if !sameFigure(a.Total, b.Total) {
			t.Fatalf("iter %d: totals %+v and %+v", iter, a.Total, b.Total)
		}
	}
}

func samePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return closeTo(*a, *b)
}

func sameFigure(a, b Figure) bool {
	if !samePtr(a.Consumption, b.Consumption) || a.Complete != b.Complete {
		return false
	}
	return a.Complete || a.Consumption == nil || (a.CoveredFrom.Equal(b.CoveredFrom) && a.CoveredTo.Equal(b.CoveredTo))
}

func fmtPtr(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}
