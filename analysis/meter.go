package analysis

import "time"

// Utility is what a meter measures.
type Utility string

// The utilities (docs/meters.md).
const (
	Electricity Utility = "electricity"
	Gas         Utility = "gas"
	Water       Utility = "water"
	Heat        Utility = "heat"
	Other       Utility = "other"
)

// Kind says how a meter's values come about.
type Kind string

// Meter kinds: a device, a sequence of devices over time, or a difference.
const (
	Physical Kind = "physical"
	Master   Kind = "master"
	Virtual  Kind = "virtual"
)

// ReadingKind says what a physical meter's readings mean.
type ReadingKind string

// A counter value, or the consumption of one interval.
const (
	Cumulative ReadingKind = "cumulative"
	Interval   ReadingKind = "interval"
)

// Meter is one validated meter of the configuration.
type Meter struct {
	ID      string
	Kind    Kind
	Utility Utility
	Unit    Unit

	// Physical meters.
	Reading  ReadingKind
	Interval time.Duration // interval meters; default 1h
	Removed  time.Time     // zero: still installed; a reading exactly at it counts
	Resets   []time.Time   // sorted; each starts a new counter segment
	// SeasonalPattern holds 12 monthly percentages (January first) or is nil
	// for linear interpolation.
	SeasonalPattern []float64

	// Master meters.
	Periods []Period

	// Virtual meters.
	Base     string
	Subtract []string
}

// Period is one stretch of a master meter: from From until the next period's
// From, the sum of Meters.
type Period struct {
	From   time.Time
	Meters []string
}

// HasKWh reports whether the meter's figures also come in kWh (docs/consumption.md#kwh).
func (m Meter) HasKWh() bool {
	switch m.Utility {
	case Electricity, Heat:
		return m.Unit.Dimension() == DimEnergy
	case Gas:
		d := m.Unit.Dimension()
		return d == DimEnergy || d == DimVolume
	}
	return false
}
