// Package analysis holds meterd's domain rules (docs/README.md) as pure
// functions over readings: no I/O and no clock; time is always passed in.
package analysis

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Unit is a canonical unit name as meterd prints it.
type Unit string

// The units meterd knows. m³ is always written with the superscript; "m3" is
// accepted as input only.
const (
	Wh    Unit = "Wh"
	KWh   Unit = "kWh"
	MWh   Unit = "MWh"
	M3    Unit = "m³"
	Litre Unit = "l"
	Units Unit = "units"
)

// Dimension groups units that convert into each other by a constant factor.
type Dimension int

// Dimensions of the known units.
const (
	DimNone Dimension = iota
	DimEnergy
	DimVolume
	DimCount
)

// unitScale is each unit's size in its dimension's smallest unit, so that a
// conversion is one multiplication and one division of exact integers.
var unitScale = map[Unit]struct {
	dim   Dimension
	scale float64
}{
	Wh:    {DimEnergy, 1},
	KWh:   {DimEnergy, 1e3},
	MWh:   {DimEnergy, 1e6},
	Litre: {DimVolume, 1},
	M3:    {DimVolume, 1e3},
	Units: {DimCount, 1},
}

// ParseUnit returns the canonical unit for s ("m3" becomes "m³").
func ParseUnit(s string) (Unit, error) {
	switch strings.TrimSpace(s) {
	case "Wh":
		return Wh, nil
	case "kWh":
		return KWh, nil
	case "MWh":
		return MWh, nil
	case "m³", "m3":
		return M3, nil
	case "l":
		return Litre, nil
	case "units":
		return Units, nil
	}
	return "", fmt.Errorf("unknown unit %q (use one of Wh, kWh, MWh, m³, l, units)", s)
}

// Dimension reports what the unit measures.
func (u Unit) Dimension() Dimension { return unitScale[u].dim }

// ConstantFactor returns f such that a value in from equals value×f in to.
// ok is false when the units are of different dimensions.
func ConstantFactor(from, to Unit) (f float64, ok bool) {
	a, aok := unitScale[from]
	b, bok := unitScale[to]
	if !aok || !bok || a.dim != b.dim {
		return 0, false
	}
	return a.scale / b.scale, true
}

// ConvertConstant converts v between units of the same dimension. It
// multiplies before dividing so that whole numbers stay exact (1.5 MWh is
// 1500 kWh, not 1499.9999…).
func ConvertConstant(v float64, from, to Unit) (float64, bool) {
	a, aok := unitScale[from]
	b, bok := unitScale[to]
	if !aok || !bok || a.dim != b.dim {
		return 0, false
	}
	if a.scale == b.scale {
		return v, true
	}
	return v * a.scale / b.scale, true
}

// GasFactor is one dated entry of the gas conversion: from its instant on,
// 1 m³ of gas is CalorificValue × ZFactor kWh.
type GasFactor struct {
	From           time.Time
	CalorificValue float64
	ZFactor        float64
}

// KWhPerM3 is the entry's conversion factor.
func (g GasFactor) KWhPerM3() float64 { return g.CalorificValue * g.ZFactor }

// DefaultGasFactor is used when the configuration lists none: 11.504 × 0.8885.
var DefaultGasFactor = GasFactor{CalorificValue: 11.504, ZFactor: 0.8885}

// GasFactors is the dated list of gas conversion factors, sorted by From.
type GasFactors []GasFactor

// NewGasFactors sorts a copy of fs by From; an empty list gets the default.
func NewGasFactors(fs []GasFactor) GasFactors {
	if len(fs) == 0 {
		return GasFactors{DefaultGasFactor}
	}
	out := append(GasFactors(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out
}

// At returns the factor (kWh per m³) in force at t. Before the first entry
// the first entry applies (docs/meters.md#gas-conversion).
func (g GasFactors) At(t time.Time) float64 {
	if len(g) == 0 {
		return DefaultGasFactor.KWhPerM3()
	}
	f := g[0]
	for _, e := range g[1:] {
		if e.From.After(t) {
			break
		}
		f = e
	}
	return f.KWhPerM3()
}

// Convertible reports whether consumption of a meter in unit from can be
// expressed in unit to: by a constant factor, or, for gas, between volume and
// energy through the dated gas factor.
func Convertible(from, to Unit, utility Utility) bool {
	if _, ok := ConstantFactor(from, to); ok {
		return true
	}
	if utility != Gas {
		return false
	}
	df, dt := from.Dimension(), to.Dimension()
	return (df == DimVolume && dt == DimEnergy) || (df == DimEnergy && dt == DimVolume)
}

// ConvertConsumption converts an amount consumed in a period that starts at
// at, using the gas factor in force then for volume↔energy.
func ConvertConsumption(v float64, from, to Unit, at time.Time, gas GasFactors) (float64, bool) {
	if out, ok := ConvertConstant(v, from, to); ok {
		return out, true
	}
	switch {
	case from.Dimension() == DimVolume && to.Dimension() == DimEnergy:
		m3, _ := ConvertConstant(v, from, M3)
		kwh := m3 * gas.At(at)
		return ConvertConstant(kwh, KWh, to)
	case from.Dimension() == DimEnergy && to.Dimension() == DimVolume:
		kwh, _ := ConvertConstant(v, from, KWh)
		m3 := kwh / gas.At(at)
		return ConvertConstant(m3, M3, to)
	}
	return 0, false
}

// KWhOf converts consumption to kWh where docs/consumption.md#kwh defines it: electricity and
// heat in energy units, gas in energy or volume units. ok is false otherwise.
func KWhOf(v float64, unit Unit, utility Utility, at time.Time, gas GasFactors) (float64, bool) {
	switch utility {
	case Electricity, Heat:
		if unit.Dimension() != DimEnergy {
			return 0, false
		}
	case Gas:
		if unit.Dimension() != DimEnergy && unit.Dimension() != DimVolume {
			return 0, false
		}
	default:
		return 0, false
	}
	return ConvertConsumption(v, unit, KWh, at, gas)
}
