package analysis

import (
	"slices"
	"testing"
	"time"
)

// The worked examples of docs/meters.md and docs/time.md, with the figures
// the pages give (worked out by hand there). A change that breaks one of
// these changes a documented rule: change the page with it.

func TestDocsCountedReadingsTable(t *testing.T) {
	for _, c := range []struct {
		in, excluded []float64
	}{
		{[]float64{100, 110, 1120, 130, 140}, []float64{1120}},
		{[]float64{100, 110, 11, 130}, []float64{11}},
		{[]float64{100, 110, 0, 130}, []float64{0}},
		{[]float64{5000, 5100, 5200, 20, 40}, []float64{20, 40}},
	} {
		_, exc := CountedReadings(series(c.in...), nil, time.Time{})
		var got []float64
		for _, e := range exc {
			got = append(got, e.Value)
		}
		if !slices.Equal(got, c.excluded) {
			t.Errorf("%v: excluded %v; want %v", c.in, got, c.excluded)
		}
	}
}

func TestDocsLinearInterpolation(t *testing.T) {
	m := cumMeter("w", M3, Water)
	res := run(t, Input{Meters: []Meter{m}, Readings: map[string][]Reading{"w": {rd(lt(2025, 1, 1, 0, 0), 1000), rd(lt(2025, 2, 1, 0, 0), 1310)}}},
		lt(2025, 1, 1, 0, 0), lt(2025, 2, 1, 0, 0))
	d := day(res.Meters[0], "2025-01-11")
	if d.Reading == nil || !near(*d.Reading, 1100) {
		t.Errorf("reading on 2025-01-11: %v; want 1100", d.Reading)
	}
	wantFig(t, "2025-01-11", d.Figure, 10, true)
}

func TestDocsSeasonalPattern(t *testing.T) {
	m := cumMeter("g", M3, Gas)
	m.SeasonalPattern = []float64{10, 5, 10, 10, 5, 5, 5, 5, 10, 10, 10, 15}
	res := run(t, Input{Meters: []Meter{m}, Readings: map[string][]Reading{"g": {rd(lt(2025, 1, 16, 0, 0), 0), rd(lt(2025, 2, 15, 0, 0), 100)}}},
		lt(2025, 1, 1, 0, 0), lt(2025, 3, 1, 0, 0))
	// January: 10 × 384/744 = 5.16129…; February: 5 × 336/672 = 2.5.
	jan := 100 * (10.0 * 384 / 744) / (10.0*384/744 + 2.5)
	wantFig(t, "January", month(res.Meters[0], "2025-01"), jan, false)
	wantFig(t, "February", month(res.Meters[0], "2025-02"), 100-jan, false)
	if c := *month(res.Meters[0], "2025-01").Consumption; c < 67.368 || c > 67.369 {
		t.Errorf("January %v; the page says 67.368", c)
	}
}

func TestDocsMasterReplacement(t *testing.T) {
	switchAt := lt(2024, 4, 29, 9, 32)
	master := Meter{ID: "wasser", Kind: Master, Utility: Water, Unit: M3, Periods: []Period{
		{From: lt(2020, 1, 1, 0, 0), Meters: []string{"wasser_alt"}},
		{From: switchAt, Meters: []string{"wasser_neu"}},
	}}
	in := Input{Meters: []Meter{cumMeter("wasser_alt", M3, Water), cumMeter("wasser_neu", M3, Water), master},
		Readings: map[string][]Reading{
			"wasser_alt": {rd(lt(2024, 4, 1, 0, 0), 29400), rd(switchAt, 29535.8)},
			"wasser_neu": {rd(switchAt, 0.5), rd(lt(2024, 5, 29, 9, 32), 12.5)},
		}}
	res := run(t, in, lt(2024, 4, 1, 0, 0), lt(2024, 5, 29, 0, 0), "wasser")
	// From 29,400 on 1 April to 29,547.8 on 29 May 09:32: 135.8 + 12.
	d := day(res.Meters[0], "2024-05-01")
	want := 29535.3 + 0.5 + 12*(float64(lt(2024, 5, 1, 0, 0).Sub(switchAt))/float64(30*24*time.Hour))
	if d.Reading == nil || !near(*d.Reading, want) {
		t.Errorf("master on 2024-05-01: %v; want %v", d.Reading, want)
	}
	wantFig(t, "April", month(res.Meters[0], "2024-04"), want-29400, true)
}

func TestDocsHTPlusNT(t *testing.T) {
	sw := lt(2025, 1, 1, 0, 0)
	master := Meter{ID: "strom", Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
		{From: lt(2024, 1, 1, 0, 0), Meters: []string{"ht", "nt"}},
		{From: sw, Meters: []string{"neu"}},
	}}
	in := Input{Meters: []Meter{cumMeter("ht", KWh, Electricity), cumMeter("nt", KWh, Electricity), cumMeter("neu", KWh, Electricity), master},
		Readings: map[string][]Reading{
			"ht":  {rd(lt(2024, 12, 1, 0, 0), 1100), rd(sw, 1200)},
			"nt":  {rd(lt(2024, 12, 1, 0, 0), 750), rd(sw, 800)},
			"neu": {rd(sw, 5), rd(lt(2025, 1, 2, 0, 0), 15)},
		}}
	res := run(t, in, lt(2024, 12, 31, 0, 0), lt(2025, 1, 2, 0, 0), "strom")
	// 2000 at the switch (1200 + 800), then offset 1995 on the new meter.
	if d := day(res.Meters[0], "2025-01-01"); d.Reading == nil || !near(*d.Reading, 2000) {
		t.Errorf("at the switch: %v; want 2000", d.Reading)
	}
	wantFig(t, "1 January", day(res.Meters[0], "2025-01-01").Figure, 10, true)
}

func TestDocsVirtualDays(t *testing.T) {
	d0, d1 := lt(2025, 3, 10, 0, 0), lt(2025, 3, 11, 0, 0)
	two := func(a, b float64) []Reading { return []Reading{rd(d0, a), rd(d1, b)} }
	shared := Meter{ID: "allgemein", Kind: Virtual, Utility: Electricity, Unit: KWh, Base: "haus", Subtract: []string{"w1", "w2"}}
	kamin := Meter{ID: "kamin", Kind: Virtual, Utility: Gas, Unit: M3, Base: "gas", Subtract: []string{"therme"}}
	in := Input{Meters: []Meter{cumMeter("haus", KWh, Electricity), cumMeter("w1", KWh, Electricity), cumMeter("w2", KWh, Electricity), shared,
		cumMeter("gas", M3, Gas), cumMeter("therme", KWh, Gas), kamin},
		Readings: map[string][]Reading{
			"haus": two(1000, 1030), "w1": two(500, 512), "w2": two(700, 720),
			"gas": two(4000, 4010), "therme": two(9000, 9080),
		}}
	res := run(t, in, d0, d1, "allgemein", "kamin")
	wantFig(t, "shared", day(res.Meters[0], "2025-03-10").Figure, -2, true)
	wantFig(t, "fireplace", day(res.Meters[1], "2025-03-10").Figure, 10-80/10.221304, true)
}

func TestDocsGasFactorPerDay(t *testing.T) {
	gas := NewGasFactors([]GasFactor{
		{From: lt(2020, 1, 1, 0, 0), CalorificValue: 11.504, ZFactor: 0.8885},
		{From: lt(2025, 1, 1, 0, 0), CalorificValue: 11.38, ZFactor: 0.9012},
	})
	m := cumMeter("g", M3, Gas)
	res := run(t, Input{Meters: []Meter{m}, Gas: gas, Readings: map[string][]Reading{"g": {rd(lt(2024, 12, 31, 0, 0), 0), rd(lt(2025, 1, 1, 0, 0), 10), rd(lt(2025, 1, 2, 0, 0), 20)}}},
		lt(2024, 12, 31, 0, 0), lt(2025, 1, 2, 0, 0))
	for date, kwh := range map[string]float64{"2024-12-31": 102.21304, "2025-01-01": 102.55656} {
		if k := day(res.Meters[0], date).KWh; k == nil || !near(*k, kwh) {
			t.Errorf("%s: %v kWh; want %v", date, k, kwh)
		}
	}
}

func TestDocsDayLengthsAndBillingYears(t *testing.T) {
	for date, hours := range map[string]int{"2025-03-30": 23, "2025-06-01": 24, "2025-10-26": 25} {
		d, _ := ParseDate(date, berlin)
		next := d.In(berlin).AddDate(0, 0, 1)
		if got := int(next.Sub(d).Hours()); got != hours {
			t.Errorf("%s: %d hours; want %d", date, got, hours)
		}
	}
	for _, c := range []struct {
		year     int
		mo       time.Month
		day      int
		from, to string
	}{
		{2025, time.March, 1, "2025-03-01", "2026-03-01"},
		{2025, time.February, 29, "2025-02-28", "2026-02-28"},
		{2024, time.February, 29, "2024-02-29", "2025-02-28"},
	} {
		from, to := BillingPeriod(c.year, c.mo, c.day, berlin)
		if from.In(berlin).Format("2006-01-02") != c.from || to.In(berlin).Format("2006-01-02") != c.to {
			t.Errorf("billing year %d from %02d-%02d: %v – %v; want %s – %s", c.year, c.mo, c.day, from, to, c.from, c.to)
		}
	}
}

func TestDocsReset(t *testing.T) {
	m := cumMeter("w", M3, Water)
	m.Resets = []time.Time{lt(2025, 5, 2, 9, 0)}
	res := run(t, Input{Meters: []Meter{m}, Readings: map[string][]Reading{"w": {
		rd(lt(2025, 5, 1, 0, 0), 5000), rd(lt(2025, 5, 2, 8, 0), 5090), rd(lt(2025, 5, 2, 9, 0), 0), rd(lt(2025, 5, 3, 9, 0), 30),
	}}}, lt(2025, 5, 1, 0, 0), lt(2025, 5, 4, 0, 0))
	for date, want := range map[string]float64{"2025-05-02": 5067.5, "2025-05-03": 5108.75} {
		if d := day(res.Meters[0], date); d.Reading == nil || !near(*d.Reading, want) {
			t.Errorf("%s: reading %v; want %v", date, d.Reading, want)
		}
	}
	wantFig(t, "2 May", day(res.Meters[0], "2025-05-02").Figure, 41.25, true)
}

func TestDocsMoveIn(t *testing.T) {
	m := cumMeter("w", M3, Water)
	res := run(t, Input{Meters: []Meter{m}, Readings: map[string][]Reading{"w": {rd(lt(2025, 11, 10, 14, 0), 12.0), rd(lt(2025, 12, 10, 14, 0), 15.1)}}},
		lt(2025, 11, 1, 0, 0), lt(2026, 1, 1, 0, 0))
	nov := month(res.Meters[0], "2025-11")
	wantFig(t, "November", nov, 3.1*490/720, false)
	wantCovered(t, "November", nov, lt(2025, 11, 10, 14, 0), lt(2025, 12, 1, 0, 0))
}

func TestDocsSpikeExample(t *testing.T) {
	days := func(last float64) []DayFigure {
		var ds []DayFigure
		for i := range 21 {
			v := 10.0
			if i == 20 {
				v = last
			}
			ds = append(ds, DayFigure{Date: lt(2025, 3, 1+i, 0, 0).Format("2006-01-02"), Figure: Figure{Consumption: &v, Complete: true}})
		}
		return ds
	}
	if c := spikeLatest(days(25), 2, berlin); c.Verdict != Fires || c.Observed != 25 || c.Expected != 10 {
		t.Errorf("25 after twenty days of 10: %+v; want fires, 25 against 10", c)
	}
	if c := spikeLatest(days(20), 2, berlin); c.Verdict != Clear {
		t.Errorf("20 after twenty days of 10: %+v; want clear", c)
	}
}

func TestDocsDecreaseMessage(t *testing.T) {
	_, exc := CountedReadings([]Reading{rd(lt(2025, 3, 1, 0, 0), 100), rd(lt(2025, 3, 2, 0, 0), 110), rd(lt(2025, 3, 3, 0, 0), 11), rd(lt(2025, 3, 4, 0, 0), 130)}, nil, time.Time{})
	want := "1 reading is excluded because the counter went down: 11 at 2025-03-03 00:00 (below the previous reading 110 at 2025-03-02 00:00); if the meter was replaced, declare a reset or a master meter period"
	if c := DecreaseCheck(exc, berlin); c.Message.String() != want {
		t.Errorf("message %q\nwant    %q", c.Message.String(), want)
	}
}

func TestDocsNegativeExample(t *testing.T) {
	v, base := -400.0, 3000.0
	c := NegativeCheck(Figure{Consumption: &v, Complete: true}, Figure{Consumption: &base, Complete: true}, 0.1, lt(2025, 1, 1, 0, 0), lt(2026, 1, 1, 0, 0), "haus")
	if c.Verdict != Fires {
		t.Errorf("-400 against a base of 3000: %+v; want fires", c)
	}
}
