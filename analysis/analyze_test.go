package analysis

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

var berlin = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}()

func lt(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, berlin)
}

func rd(t time.Time, v float64) Reading { return Reading{Time: t, Value: v} }

func cumMeter(id string, u Unit, ut Utility) Meter {
	return Meter{ID: id, Kind: Physical, Utility: ut, Unit: u, Reading: Cumulative}
}

func run(t *testing.T, in Input, from, to time.Time, ids ...string) *Result {
	t.Helper()
	if in.Location == nil {
		in.Location = berlin
	}
	if in.Gas == nil {
		in.Gas = NewGasFactors(nil)
	}
	res, err := Analyze(in, Request{From: from, To: to, Meters: ids, Daily: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func wantFig(t *testing.T, what string, f Figure, consumption float64, complete bool) {
	t.Helper()
	if f.Consumption == nil {
		t.Errorf("%s: consumption null; want %v", what, consumption)
		return
	}
	if !near(*f.Consumption, consumption) || f.Complete != complete {
		t.Errorf("%s: %v complete=%v; want %v complete=%v", what, *f.Consumption, f.Complete, consumption, complete)
	}
}

func wantCovered(t *testing.T, what string, f Figure, from, to time.Time) {
	t.Helper()
	if !f.CoveredFrom.Equal(from) || !f.CoveredTo.Equal(to) {
		t.Errorf("%s: covered %v – %v; want %v – %v", what, f.CoveredFrom, f.CoveredTo, from, to)
	}
}

func month(r MeterResult, label string) Figure {
	for _, m := range r.Monthly {
		if m.Month == label {
			return m.Figure
		}
	}
	return Figure{}
}

func day(r MeterResult, date string) DayFigure {
	for _, d := range r.Daily {
		if d.Date == date {
			return d
		}
	}
	return DayFigure{}
}

// Linear interpolation across a month boundary, and months the readings
// cover only in part.
func TestLinearAcrossMonthBoundary(t *testing.T) {
	// 100 m³ on 20 Jan, 140 m³ on 9 Feb: 40 m³ in 20 days, 2 m³ a day.
	// January covers 20 Jan–1 Feb: 12 days = 24 m³; February 1–9 Feb:
	// 8 days = 16 m³; the value on 1 Feb is 100 + 40 × 12/20 = 124.
	in := Input{Meters: []Meter{cumMeter("w", M3, Water)}, Readings: map[string][]Reading{
		"w": {rd(lt(2025, 1, 20, 0, 0), 100), rd(lt(2025, 2, 9, 0, 0), 140)},
	}}
	r := run(t, in, lt(2025, 1, 1, 0, 0), lt(2025, 3, 1, 0, 0)).Meters[0]
	wantFig(t, "January", month(r, "2025-01"), 24, false)
	wantCovered(t, "January", month(r, "2025-01"), lt(2025, 1, 20, 0, 0), lt(2025, 2, 1, 0, 0))
	wantFig(t, "February", month(r, "2025-02"), 16, false)
	wantCovered(t, "February", month(r, "2025-02"), lt(2025, 2, 1, 0, 0), lt(2025, 2, 9, 0, 0))
	wantFig(t, "total", r.Total, 40, false)
	if d := day(r, "2025-02-01"); d.Reading == nil || !near(*d.Reading, 124) {
		t.Errorf("reading on 1 Feb: %v; want 124", d.Reading)
	}
	if d := day(r, "2025-01-10"); !d.HasReading || d.Reading != nil || d.Consumption != nil {
		t.Errorf("10 Jan, before the first reading: %+v; want reading and consumption null", d)
	}
	if r.Total.HasKWh || r.Total.KWh != nil {
		t.Error("water has no kWh")
	}
}

// Seasonal interpolation across a month boundary.
func TestSeasonalAcrossMonthBoundary(t *testing.T) {
	// Pattern: January 20 %, February 10 %. Readings 1000 on 17 Jan and
	// 1290 on 15 Feb (290 m³). W(17 Jan→1 Feb) = 20 × 15/31 = 300/31,
	// W(1 Feb→15 Feb) = 10 × 14/28 = 5 = 155/31, so January gets
	// 300/455 = 60/91 of 290 = 17400/91 and February 31/91 = 8990/91.
	m := cumMeter("g", M3, Gas)
	m.SeasonalPattern = []float64{20, 10, 10, 10, 5, 5, 5, 5, 5, 5, 10, 10}
	in := Input{Meters: []Meter{m}, Readings: map[string][]Reading{
		"g": {rd(lt(2025, 1, 17, 0, 0), 1000), rd(lt(2025, 2, 15, 0, 0), 1290)},
	}}
	r := run(t, in, lt(2025, 1, 1, 0, 0), lt(2025, 3, 1, 0, 0)).Meters[0]
	wantFig(t, "January", month(r, "2025-01"), 17400.0/91, false)
	wantFig(t, "February", month(r, "2025-02"), 8990.0/91, false)
	// kWh: each day's m³ × 10.221304 (the default factor), summed.
	if k := month(r, "2025-01").KWh; k == nil || !near(*k, 17400.0/91*10.221304) {
		t.Errorf("January kWh %v; want %v", k, 17400.0/91*10.221304)
	}
}

// A meter replacement in mid-month whose final and first readings lie
// hours away from the switch.
func TestReplacementWithReadingsAwayFromSwitch(t *testing.T) {
	alt, neu := cumMeter("alt", M3, Gas), cumMeter("neu", M3, Gas)
	total := Meter{ID: "total", Kind: Master, Utility: Gas, Unit: M3, Periods: []Period{
		{From: lt(2024, 6, 1, 0, 0), Meters: []string{"alt"}},
		{From: lt(2024, 11, 12, 10, 0), Meters: []string{"neu"}},
	}}
	in := Input{Meters: []Meter{alt, neu, total}, Readings: map[string][]Reading{
		"alt": {rd(lt(2024, 11, 1, 0, 0), 5000), rd(lt(2024, 11, 12, 5, 0), 5110)},
		"neu": {rd(lt(2024, 11, 12, 13, 0), 0.5), rd(lt(2024, 12, 1, 0, 0), 200.5)},
	}}
	r := run(t, in, lt(2024, 11, 1, 0, 0), lt(2024, 12, 1, 0, 0), "total").Meters[0]
	// M(1 Nov) = 5000. At the switch alt is held at 5110, neu at 0.5:
	// offset = 5110 − 0.5 = 5109.5, M(1 Dec) = 200.5 + 5109.5 = 5310.
	// November = 310 = 110 (alt) + 200 (neu), nothing counted twice.
	wantFig(t, "November", r.Total, 310, true)
	// 12 Nov: M(00:00) = 5000 + 110 × 264/269 (alt, 264 of 269 h);
	// M(13 Nov) = 5110 + 200 × 11/443 (neu, 11 of 443 h):
	// consumption 550/269 + 2200/443.
	wantFig(t, "12 Nov", day(r, "2024-11-12").Figure, 550.0/269+2200.0/443, true)
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "between 2024-11-12 05:00 and 2024-11-12 13:00 is not counted") {
		t.Errorf("warnings %q; want the uncovered 05:00–13:00", r.Warnings)
	}
}

// A period that sums two meters (HT + NT), then a new meter read at the
// switch itself: no warning, totals exact.
func TestHTPlusNTThenNewMeter(t *testing.T) {
	ht, nt, neu := cumMeter("ht", KWh, Electricity), cumMeter("nt", KWh, Electricity), cumMeter("neu", KWh, Electricity)
	total := Meter{ID: "strom", Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
		{From: lt(2023, 1, 1, 0, 0), Meters: []string{"ht", "nt"}},
		{From: lt(2023, 3, 15, 10, 0), Meters: []string{"neu"}},
	}}
	in := Input{Meters: []Meter{ht, nt, neu, total}, Readings: map[string][]Reading{
		"ht":  {rd(lt(2023, 1, 1, 0, 0), 1000), rd(lt(2023, 3, 15, 10, 0), 1300)},
		"nt":  {rd(lt(2023, 1, 1, 0, 0), 500), rd(lt(2023, 3, 15, 10, 0), 620)},
		"neu": {rd(lt(2023, 3, 15, 10, 0), 0), rd(lt(2023, 4, 1, 0, 0), 80)},
	}}
	r := run(t, in, lt(2023, 1, 1, 0, 0), lt(2023, 4, 1, 0, 0), "strom").Meters[0]
	// 300 (HT) + 120 (NT) + 80 (new) = 500.
	wantFig(t, "total", r.Total, 500, true)
	// 1 Jan → 15 Mar 10:00 is 1762 h; January is 744 of them:
	// (300 + 120) × 744/1762.
	wantFig(t, "January", month(r, "2023-01"), 420.0*744/1762, true)
	// March: 500 − 420 × (744 + 672)/1762.
	wantFig(t, "March", month(r, "2023-03"), 500-420.0*1416/1762, true)
	sum := 0.0
	for _, m := range r.Monthly {
		sum += *m.Consumption
	}
	if !near(sum, 500) || len(r.Warnings) != 0 {
		t.Errorf("months add to %v (want 500); warnings %q", sum, r.Warnings)
	}
	if k := r.Total.KWh; k == nil || !near(*k, 500) {
		t.Errorf("kWh %v", k)
	}
}

// A meter that stays across a switch is interpolated across it.
func TestMeterStaysAcrossSwitch(t *testing.T) {
	a, b, c := cumMeter("a", KWh, Electricity), cumMeter("b", KWh, Electricity), cumMeter("c", KWh, Electricity)
	m := Meter{ID: "m", Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
		{From: lt(2024, 1, 1, 0, 0), Meters: []string{"a", "b"}},
		{From: lt(2024, 7, 1, 0, 0), Meters: []string{"a", "c"}},
	}}
	in := Input{Meters: []Meter{a, b, c, m}, Readings: map[string][]Reading{
		"a": {rd(lt(2024, 6, 1, 0, 0), 0), rd(lt(2024, 8, 1, 0, 0), 61)}, // 1 a day, across the switch
		"b": {rd(lt(2024, 6, 1, 0, 0), 100), rd(lt(2024, 7, 1, 0, 0), 130)},
		"c": {rd(lt(2024, 7, 1, 0, 0), 0), rd(lt(2024, 8, 1, 0, 0), 31)},
	}}
	r := run(t, in, lt(2024, 6, 1, 0, 0), lt(2024, 8, 1, 0, 0), "m").Meters[0]
	// June: a 30 + b 30; July: a 31 + c 31.
	wantFig(t, "June", month(r, "2024-06"), 60, true)
	wantFig(t, "July", month(r, "2024-07"), 62, true)
	wantFig(t, "total", r.Total, 122, true)
}

// A virtual meter with a kWh → m³ conversion at each day's factor, and a
// negative day that is not clamped.
func TestVirtualGasWithNegativeDay(t *testing.T) {
	gas := NewGasFactors([]GasFactor{
		{From: lt(2020, 1, 1, 0, 0), CalorificValue: 10, ZFactor: 1},   // 10 kWh/m³
		{From: lt(2025, 1, 2, 0, 0), CalorificValue: 10, ZFactor: 0.8}, // 8 kWh/m³ from 2 Jan
	})
	total, boiler := cumMeter("total", M3, Gas), cumMeter("boiler", KWh, Gas)
	fire := Meter{ID: "fire", Kind: Virtual, Utility: Gas, Unit: M3, Base: "total", Subtract: []string{"boiler"}}
	in := Input{Gas: gas, Meters: []Meter{total, boiler, fire}, Readings: map[string][]Reading{
		"total":  {rd(lt(2025, 1, 1, 0, 0), 100), rd(lt(2025, 1, 2, 0, 0), 103), rd(lt(2025, 1, 3, 0, 0), 105)},
		"boiler": {rd(lt(2025, 1, 1, 0, 0), 1000), rd(lt(2025, 1, 2, 0, 0), 1020), rd(lt(2025, 1, 3, 0, 0), 1040)},
	}}
	r := run(t, in, lt(2025, 1, 1, 0, 0), lt(2025, 1, 4, 0, 0), "fire").Meters[0]
	// 1 Jan: 3 m³ − 20 kWh / 10 = 1 m³ (10 kWh); 2 Jan: 2 m³ − 20 kWh / 8
	// = −0.5 m³ (−4 kWh); 3 Jan: no readings after it, undefined.
	wantFig(t, "1 Jan", day(r, "2025-01-01").Figure, 1, true)
	wantFig(t, "2 Jan", day(r, "2025-01-02").Figure, -0.5, true)
	if d := day(r, "2025-01-03"); d.Consumption != nil || d.HasReading {
		t.Errorf("3 Jan: %+v; want null and no reading (virtual)", d)
	}
	wantFig(t, "total", r.Total, 0.5, false)
	wantCovered(t, "total", r.Total, lt(2025, 1, 1, 0, 0), lt(2025, 1, 3, 0, 0))
	if k := r.Total.KWh; k == nil || !near(*k, 6) {
		t.Errorf("kWh %v; want 10 − 4 = 6", k)
	}
	// The virtual total equals the base's minus the converted subtracted
	// amounts: 5 m³ − (2 + 2.5) m³.
	full := run(t, in, lt(2025, 1, 1, 0, 0), lt(2025, 1, 3, 0, 0), "fire", "total")
	wantFig(t, "fire Jan 1–2", full.Meters[0].Total, 0.5, true)
	wantFig(t, "total Jan 1–2", full.Meters[1].Total, 5, true)
}

// DST days have 23 and 25 hours, for interval and cumulative meters.
func TestDSTDays(t *testing.T) {
	hourly := Meter{ID: "h", Kind: Physical, Utility: Electricity, Unit: KWh, Reading: Interval, Interval: time.Hour}
	var hs []Reading
	for _, d := range []time.Time{lt(2025, 3, 30, 0, 0), lt(2025, 10, 26, 0, 0)} {
		next := d.AddDate(0, 0, 1)
		for t := d; t.Before(next); t = t.Add(time.Hour) {
			hs = append(hs, rd(t, 1))
		}
	}
	c := cumMeter("c", KWh, Electricity)
	in := Input{Meters: []Meter{hourly, c}, Readings: map[string][]Reading{
		"h": hs,
		// 1 kWh per real hour: 29 Mar → 1 Apr is 24 + 23 + 24 = 71 h;
		// 25 Oct → 28 Oct is 24 + 25 + 24 = 73 h.
		"c": {rd(lt(2025, 3, 29, 0, 0), 0), rd(lt(2025, 4, 1, 0, 0), 71), rd(lt(2025, 10, 25, 0, 0), 1000), rd(lt(2025, 10, 28, 0, 0), 1073)},
	}}
	res := run(t, in, lt(2025, 3, 29, 0, 0), lt(2025, 10, 29, 0, 0))
	h, cm := res.Meters[0], res.Meters[1]
	wantFig(t, "interval 30 Mar", day(h, "2025-03-30").Figure, 23, true)
	wantFig(t, "interval 26 Oct", day(h, "2025-10-26").Figure, 25, true)
	wantFig(t, "cumulative 30 Mar", day(cm, "2025-03-30").Figure, 23, true)
	wantFig(t, "cumulative 26 Oct", day(cm, "2025-10-26").Figure, 25, true)
	if d := day(h, "2025-03-31"); d.Consumption != nil || d.HasReading {
		t.Errorf("an interval meter's day without values: %+v", d)
	}
}

func TestBillingPeriods(t *testing.T) {
	cases := []struct {
		year     int
		mo       time.Month
		d        int
		from, to time.Time
	}{
		{2024, time.February, 29, lt(2024, 2, 29, 0, 0), lt(2025, 2, 28, 0, 0)},
		{2025, time.February, 29, lt(2025, 2, 28, 0, 0), lt(2026, 2, 28, 0, 0)},
		{2027, time.February, 29, lt(2027, 2, 28, 0, 0), lt(2028, 2, 29, 0, 0)},
		{2025, time.March, 31, lt(2025, 3, 31, 0, 0), lt(2026, 3, 31, 0, 0)},
		{2025, time.January, 1, lt(2025, 1, 1, 0, 0), lt(2026, 1, 1, 0, 0)},
	}
	for _, c := range cases {
		f, to := BillingPeriod(c.year, c.mo, c.d, berlin)
		if !f.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("%d %02d-%02d: %v – %v; want %v – %v", c.year, c.mo, c.d, f, to, c.from, c.to)
		}
	}
	// A billing period starting 31 Mar: its first "month" is one day.
	in := Input{Meters: []Meter{cumMeter("w", M3, Water)}, Readings: map[string][]Reading{
		// 1 m³ a day: 31 Mar → 1 May is 31 days, all in summer time.
		"w": {rd(lt(2025, 3, 31, 0, 0), 0), rd(lt(2025, 5, 1, 0, 0), 31)},
	}}
	f, to := BillingPeriod(2025, time.March, 31, berlin)
	r := run(t, in, f, to).Meters[0]
	if r.Monthly[0].Month != "2025-03" || r.Monthly[1].Month != "2025-04" {
		t.Fatalf("months %v", r.Monthly)
	}
	wantFig(t, "31 Mar", r.Monthly[0].Figure, 1, true)
	wantFig(t, "April", r.Monthly[1].Figure, 30, true)
	wantFig(t, "billing year so far", r.Total, 31, false)
}

// Readings the counter rules exclude take no part: a too-low typo, a
// too-high typo, and an unconfigured meter change.
func TestExcludedReadingsTakeNoPart(t *testing.T) {
	in := Input{Meters: []Meter{cumMeter("low", M3, Water), cumMeter("high", M3, Water), cumMeter("change", M3, Water)}, Readings: map[string][]Reading{
		// 1 m³ a day from 1 Jan (100) to 31 Jan (130); 12 on 21 Jan is a typo.
		"low": {rd(lt(2025, 1, 1, 0, 0), 100), rd(lt(2025, 1, 11, 0, 0), 110), rd(lt(2025, 1, 21, 0, 0), 12), rd(lt(2025, 1, 31, 0, 0), 130)},
		// 1200 on 11 Jan is a typo.
		"high": {rd(lt(2025, 1, 1, 0, 0), 100), rd(lt(2025, 1, 11, 0, 0), 1200), rd(lt(2025, 1, 21, 0, 0), 120), rd(lt(2025, 1, 31, 0, 0), 130)},
		// A new counter from 21 Jan that nobody declared: its two readings
		// are the shorter side and are excluded; 1–11 Jan counts 10.
		"change": {rd(lt(2025, 1, 1, 0, 0), 100), rd(lt(2025, 1, 6, 0, 0), 105), rd(lt(2025, 1, 11, 0, 0), 110), rd(lt(2025, 1, 21, 0, 0), 3), rd(lt(2025, 1, 31, 0, 0), 13)},
	}}
	res := run(t, in, lt(2025, 1, 1, 0, 0), lt(2025, 2, 1, 0, 0))
	wantFig(t, "too low", res.Meters[0].Total, 30, false)
	wantFig(t, "too high", res.Meters[1].Total, 30, false)
	wantFig(t, "meter change", res.Meters[2].Total, 10, false)
	for i, want := range []string{"reading 12 at 2025-01-21 00:00 is excluded", "reading 1200 at 2025-01-11 00:00 is excluded", "reading 3 at 2025-01-21 00:00 is excluded"} {
		if w := strings.Join(res.Meters[i].Warnings, "\n"); !strings.Contains(w, want) || !strings.Contains(w, "declare a reset") {
			t.Errorf("meter %d warnings %q; want %q", i, w, want)
		}
	}
	if n := len(res.Meters[2].Warnings); n != 2 {
		t.Errorf("meter change: %d warnings; want 2 (3 and 13)", n)
	}
}

// A declared reset: the counter continues, held across the reset.
func TestDeclaredReset(t *testing.T) {
	m := cumMeter("w", M3, Water)
	m.Resets = []time.Time{lt(2025, 1, 10, 12, 0)}
	in := Input{Meters: []Meter{m}, Readings: map[string][]Reading{
		// Old counter 10 a day to 590 on 10 Jan; new counter 2 on 11 Jan,
		// then 5 a day to 52 on 21 Jan: 90 + 50 = 140, the night between
		// the two counters' readings uncounted.
		"w": {rd(lt(2025, 1, 1, 0, 0), 500), rd(lt(2025, 1, 10, 0, 0), 590), rd(lt(2025, 1, 11, 0, 0), 2), rd(lt(2025, 1, 21, 0, 0), 52)},
	}}
	r := run(t, in, lt(2025, 1, 1, 0, 0), lt(2025, 2, 1, 0, 0)).Meters[0]
	wantFig(t, "January", r.Total, 140, false)
	wantCovered(t, "January", r.Total, lt(2025, 1, 1, 0, 0), lt(2025, 1, 21, 0, 0))
	wantFig(t, "10 Jan", day(r, "2025-01-10").Figure, 0, true)
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "between 2025-01-10 00:00 and 2025-01-11 00:00 is not counted (reset at 2025-01-10 12:00)") {
		t.Errorf("warnings %q", r.Warnings)
	}
}

// A move-in reading at 14:00 counts from 14:00.
func TestMoveInAt1400(t *testing.T) {
	in := Input{Meters: []Meter{cumMeter("e", KWh, Electricity)}, Readings: map[string][]Reading{
		// 31 kWh from 10 Mar 14:00 to 10 Apr 14:00: 743 real hours (DST);
		// March's covered part, to 1 Apr 00:00, is 513 of them.
		"e": {rd(lt(2025, 3, 10, 14, 0), 1000), rd(lt(2025, 4, 10, 14, 0), 1031)},
	}}
	r := run(t, in, lt(2025, 3, 1, 0, 0), lt(2025, 4, 1, 0, 0)).Meters[0]
	wantFig(t, "March", r.Total, 31.0*513/743, false)
	wantCovered(t, "March", r.Total, lt(2025, 3, 10, 14, 0), lt(2025, 4, 1, 0, 0))
	b, _ := json.Marshal(r.Total)
	if !strings.Contains(string(b), `"covered_from":"2025-03-10T14:00:00+01:00","covered_to":"2025-04-01T00:00:00+02:00"`) || !strings.Contains(string(b), `"complete":false`) {
		t.Errorf("JSON %s", b)
	}
	d := day(r, "2025-03-10")
	wantFig(t, "10 Mar", d.Figure, 31.0*10/743, false)
}

// An interval meter with missing hours under a virtual meter.
func TestIntervalWithMissingHoursUnderVirtual(t *testing.T) {
	tib := Meter{ID: "tibber", Kind: Physical, Utility: Electricity, Unit: KWh, Reading: Interval, Interval: time.Hour}
	main := cumMeter("main", KWh, Electricity)
	rest := Meter{ID: "rest", Kind: Virtual, Utility: Electricity, Unit: KWh, Base: "main", Subtract: []string{"tibber"}}
	var hs []Reading
	for h := 0; h < 22; h++ { // 1 Jan 00:00–21:00: 22 of 24 hours; 2 Jan none
		hs = append(hs, rd(lt(2025, 1, 1, h, 0), 1))
	}
	in := Input{Meters: []Meter{main, tib, rest}, Readings: map[string][]Reading{
		"tibber": hs,
		"main":   {rd(lt(2025, 1, 1, 0, 0), 0), rd(lt(2025, 1, 2, 0, 0), 30), rd(lt(2025, 1, 3, 0, 0), 60)},
	}}
	res := run(t, in, lt(2025, 1, 1, 0, 0), lt(2025, 1, 3, 0, 0), "rest", "tibber")
	rr, tr := res.Meters[0], res.Meters[1]
	// 1 Jan: 30 − 22 = 8, incomplete since tibber misses two hours;
	// 2 Jan: tibber has no value, so rest is undefined.
	wantFig(t, "rest 1 Jan", day(rr, "2025-01-01").Figure, 8, false)
	if d := day(rr, "2025-01-02"); d.Consumption != nil {
		t.Errorf("rest 2 Jan: %v; want null", *d.Consumption)
	}
	wantFig(t, "rest total", rr.Total, 8, false)
	wantCovered(t, "rest total", rr.Total, lt(2025, 1, 1, 0, 0), lt(2025, 1, 2, 0, 0))
	wantFig(t, "tibber total", tr.Total, 22, false)
	wantCovered(t, "tibber total", tr.Total, lt(2025, 1, 1, 0, 0), lt(2025, 1, 2, 0, 0))
	b, _ := json.Marshal(day(tr, "2025-01-02"))
	if string(b) != `{"date":"2025-01-02","consumption":null,"kwh":null,"complete":false}` {
		t.Errorf("an empty interval day as JSON: %s", b)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	in := Input{Meters: []Meter{cumMeter("w", M3, Water)}, Location: berlin}
	if _, err := Analyze(in, Request{From: lt(2025, 1, 1, 0, 0), To: lt(2025, 1, 1, 0, 0)}); err == nil {
		t.Error("an empty range was accepted")
	}
	if _, err := Analyze(in, Request{From: lt(2025, 1, 1, 0, 0), To: lt(2025, 2, 1, 0, 0), Meters: []string{"x"}}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("unknown meter: %v", err)
	}
	r, err := Analyze(in, Request{From: lt(2025, 1, 1, 0, 0), To: lt(2025, 2, 1, 0, 0)})
	if err != nil || r.Meters[0].Total.Consumption != nil {
		t.Errorf("no readings: %+v %v", r, err)
	}
}
