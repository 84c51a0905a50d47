package api

import "github.com/meterd/meterd/analysis"

// The periods the consumption page offers.
const (
	PeriodBilling  = "billing"  // a billing year (billing.start to the next)
	PeriodCalendar = "calendar" // 1 January to 1 January
	PeriodRange    = "range"    // any [from, to) of local days
)

// ConsumptionRequest asks for the consumption page's figures: a billing
// or calendar year (Year 0: the one today lies in), or a free range of
// local dates [From, To).
type ConsumptionRequest struct {
	Period   string
	Year     int
	From, To string
}

// Consumption is a period's figures beside the period before it (the same
// dates a year earlier), meter by meter, grouped by utility.
type Consumption struct {
	Period           string
	Year             int
	From, To         string // local dates, To exclusive
	PrevFrom, PrevTo string
	// Years are the years that have readings, for choosing one.
	Years     []int
	Utilities []UtilityConsumption
}

// UtilityConsumption is the meters of one utility, in configuration order.
type UtilityConsumption struct {
	Utility string
	Meters  []MeterConsumption
}

// MeterConsumption is one meter's months of both periods, paired by
// position (the same months a year apart), and their totals.
type MeterConsumption struct {
	ID, Type, Unit   string
	HasKWh           bool
	Currency         string
	Months           []MonthPair
	Total, PrevTotal analysis.Figure
	Cost, PrevCost   *float64
	Warnings         []string
}

// HasCost says the meter has Tibber costs in either period.
func (m MeterConsumption) HasCost() bool { return m.Cost != nil || m.PrevCost != nil }

// MonthPair is a month of the period and the same month of the period
// before. Cost is Tibber's bill for the month (nil: none known).
type MonthPair struct {
	Month, PrevMonth string // YYYY-MM
	Cur, Prev        analysis.Figure
	Cost, PrevCost   *float64
}
