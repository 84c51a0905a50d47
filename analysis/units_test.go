package analysis

import (
	"testing"
	"time"
)

func TestConvertConstantIsExactForWholeNumbers(t *testing.T) {
	cases := []struct {
		v        float64
		from, to Unit
		want     float64
	}{
		{1.5, MWh, KWh, 1500},
		{1500, KWh, MWh, 1.5},
		{2, KWh, Wh, 2000},
		{2500, Litre, M3, 2.5},
		{0.001, M3, Litre, 1},
		{7, Units, Units, 7},
	}
	for _, c := range cases {
		got, ok := ConvertConstant(c.v, c.from, c.to)
		if !ok || got != c.want {
			t.Errorf("%v %s → %s = %v, %v; want %v", c.v, c.from, c.to, got, ok, c.want)
		}
	}
	for _, bad := range [][2]Unit{{M3, KWh}, {Units, KWh}, {Litre, Wh}} {
		if _, ok := ConvertConstant(1, bad[0], bad[1]); ok {
			t.Errorf("%s → %s converted by a constant factor", bad[0], bad[1])
		}
	}
}

func TestParseUnit(t *testing.T) {
	for in, want := range map[string]Unit{"m3": M3, "m³": M3, "kWh": KWh, " MWh ": MWh, "l": Litre, "units": Units} {
		if got, err := ParseUnit(in); err != nil || got != want {
			t.Errorf("ParseUnit(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"kwh", "m^3", "", "liter"} {
		if _, err := ParseUnit(bad); err == nil {
			t.Errorf("ParseUnit(%q) accepted", bad)
		}
	}
}

func TestGasFactors(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	g := NewGasFactors([]GasFactor{
		{From: time.Date(2025, 1, 1, 0, 0, 0, 0, loc), CalorificValue: 11.38, ZFactor: 0.9012},
		{From: time.Date(2020, 1, 1, 0, 0, 0, 0, loc), CalorificValue: 11.504, ZFactor: 0.8885},
	})
	cases := []struct {
		at   time.Time
		want float64
	}{
		{time.Date(2019, 6, 1, 0, 0, 0, 0, loc), 11.504 * 0.8885}, // before the first: the first
		{time.Date(2024, 12, 31, 23, 59, 59, 0, loc), 11.504 * 0.8885},
		{time.Date(2025, 1, 1, 0, 0, 0, 0, loc), 11.38 * 0.9012}, // in force from its instant
	}
	for _, c := range cases {
		if got := g.At(c.at); got != c.want {
			t.Errorf("At(%v) = %v; want %v", c.at, got, c.want)
		}
	}
	// The default is exactly 10.221304 kWh/m³ (11.504 × 0.8885).
	if got := NewGasFactors(nil).At(time.Now()); got < 10.2213039999 || got > 10.2213040001 {
		t.Errorf("default factor %v; want 10.221304", got)
	}
	// 100 m³ in 2025 at 11.38 × 0.9012 = 10.255656 kWh/m³ → 1025.5656 kWh.
	kwh, ok := ConvertConsumption(100, M3, KWh, time.Date(2025, 3, 1, 0, 0, 0, 0, loc), g)
	if !ok || kwh < 1025.56559 || kwh > 1025.56561 {
		t.Errorf("100 m³ = %v kWh; want 1025.5656", kwh)
	}
	// And back: 1025.5656 kWh is 100 m³; 1025.5656 kWh as litres is 100000 l.
	l, ok := ConvertConsumption(1025.5656, KWh, Litre, time.Date(2025, 3, 1, 0, 0, 0, 0, loc), g)
	if !ok || l < 99999.99 || l > 100000.01 {
		t.Errorf("1025.5656 kWh = %v l; want 100000", l)
	}
}

func TestKWhWhereItExists(t *testing.T) {
	g := NewGasFactors(nil)
	now := time.Now()
	cases := []struct {
		unit    Unit
		utility Utility
		v, want float64
		ok      bool
	}{
		{MWh, Heat, 1.2, 1200, true},
		{Wh, Electricity, 500, 0.5, true},
		{KWh, Gas, 10, 10, true},
		{M3, Gas, 1, 11.504 * 0.8885, true},
		{M3, Water, 1, 0, false},
		{Units, Heat, 1, 0, false},
		{KWh, Other, 1, 0, false},
	}
	for _, c := range cases {
		got, ok := KWhOf(c.v, c.unit, c.utility, now, g)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("KWhOf(%v %s %s) = %v, %v; want %v, %v", c.v, c.unit, c.utility, got, ok, c.want, c.ok)
		}
		if (Meter{Unit: c.unit, Utility: c.utility}).HasKWh() != c.ok {
			t.Errorf("HasKWh(%s %s) != %v", c.unit, c.utility, c.ok)
		}
	}
}
