package analysis

import (
	"slices"
	"time"

	"github.com/meterd/meterd/msg"
)

// The anomaly rules (docs/anomalies.md), by the names configuration,
// alerts, the API and metrics use.
const (
	RuleSpike        = "spike"
	RuleSilence      = "silence"
	RuleDecrease     = "decrease"
	RuleNegative     = "negative"
	RuleYearOverYear = "year_over_year"
	// RuleTibberToken is no rule over readings: it opens when Tibber
	// rejects the token, and resolves when a poll succeeds again.
	RuleTibberToken = "tibber_token"
)

// Rules are the rules a meter's anomaly settings may tune or switch off.
var Rules = []string{RuleSpike, RuleSilence, RuleDecrease, RuleNegative, RuleYearOverYear}

// AllRules are every rule name an anomaly can carry.
func AllRules() []string { return append(slices.Clone(Rules), RuleTibberToken) }

// Verdict is what one rule says about one meter now.
type Verdict int

const (
	// Unknown: the data cannot tell (too few days, an incomplete period);
	// an open anomaly stays open and none opens.
	Unknown Verdict = iota
	// Clear: the condition does not hold; an open anomaly is resolved.
	Clear
	// Fires: the condition holds; an anomaly opens unless one is open.
	Fires
)

// Check is a rule's verdict with, when it fires, what it found.
type Check struct {
	Rule    string
	Verdict Verdict
	// From and To bound what the finding is about; To is zero for an
	// instant.
	From, To           time.Time
	Observed, Expected float64
	Message            msg.Text
}

// round3 keeps messages readable; the exact values are in Observed and
// Expected.
func round3(v float64) msg.Fixed { return msg.Fixed{V: v, Prec: 3} }

// SpikeWindow is how many days before a day make its comparison mean, and
// SpikeMinDays how many of them must have data.
const (
	SpikeWindow  = 30
	SpikeMinDays = 14
)

// SpikeDay judges day i of days (a meter's daily figures in date order):
// it fires when that complete day's consumption exceeds factor × the mean
// of the days with complete data among the SpikeWindow days before it,
// given at least SpikeMinDays such days and a mean above zero. Days whose
// figures are partial do not count: a part of a day would pull the mean
// down. Every complete day is judged once (docs/anomalies.md#episodes).
func SpikeDay(days []DayFigure, i int, factor float64, loc *time.Location) Check {
	c := Check{Rule: RuleSpike}
	if i < 0 || i >= len(days) || !days[i].Complete || days[i].Consumption == nil {
		return c
	}
	var sum float64
	var n int
	for k := max(0, i-SpikeWindow); k < i; k++ {
		if d := days[k]; d.Complete && d.Consumption != nil {
			sum += *d.Consumption
			n++
		}
	}
	if n < SpikeMinDays || sum <= 0 {
		return c
	}
	mean := sum / float64(n)
	day, err := ParseDate(days[i].Date, loc)
	if err != nil {
		return c
	}
	c.From, c.To = day, day.AddDate(0, 0, 1)
	c.Observed, c.Expected = *days[i].Consumption, mean
	if c.Observed <= factor*mean {
		c.Verdict = Clear
		return c
	}
	c.Verdict = Fires
	c.Message = msg.New("anomaly.spike", days[i].Date, round3(c.Observed), msg.Fixed{V: c.Observed / mean, Prec: 1}, round3(mean), n, msg.Num(factor))
	return c
}

// SilenceCheck fires when the last reading (ok false: none yet) is more
// than maxSilence before now. A meter that never had a reading cannot be
// silent: there is nothing it stopped doing.
func SilenceCheck(last time.Time, ok bool, now time.Time, maxSilence time.Duration, loc *time.Location) Check {
	c := Check{Rule: RuleSilence}
	if !ok || maxSilence <= 0 {
		return c
	}
	silent := now.Sub(last)
	c.From, c.Observed, c.Expected = last, silent.Hours(), maxSilence.Hours()
	if silent <= maxSilence {
		c.Verdict = Clear
		return c
	}
	c.Verdict = Fires
	c.Message = msg.New("anomaly.silence", silent.Truncate(time.Minute).String(), last.In(loc).Format("2006-01-02 15:04"), maxSilence.String())
	return c
}

// DecreaseCheck fires while readings are excluded because the counter went
// down (reason "decrease"; removed readings are no anomaly). It names
// them: the first few in full, then how many more.
func DecreaseCheck(excluded []Exclusion, loc *time.Location) Check {
	c := Check{Rule: RuleDecrease, Verdict: Clear}
	var ds []Exclusion
	for _, e := range excluded {
		if e.Reason == ExcludedDecrease {
			ds = append(ds, e)
		}
	}
	if len(ds) == 0 {
		return c
	}
	local := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	c.Verdict = Fires
	c.From, c.To = ds[0].Time, ds[len(ds)-1].Time
	c.Observed, c.Expected = ds[0].Value, ds[0].Neighbour.Value
	var parts msg.List
	for i, e := range ds {
		if i == 3 {
			parts = append(parts, msg.New("list.more", len(ds)-3))
			break
		}
		rel := "anomaly.decrease_above"
		if e.Below {
			rel = "anomaly.decrease_below"
		}
		parts = append(parts, msg.New(rel, msg.Num(e.Value), local(e.Time), msg.Num(e.Neighbour.Value), local(e.Neighbour.Time)))
	}
	id := "anomaly.decrease_one"
	if len(ds) > 1 {
		id = "anomaly.decrease_many"
	}
	c.Message = msg.New(id, len(ds), parts)
	return c
}

// NegativeCheck judges a virtual meter's billing period [from, to): it
// fires when the period is complete and its consumption is below zero by
// more than tolerance × the base's consumption in it. Negative days and
// months are normal (sub-meters read on other days than the main meter);
// a negative year means a sub-meter is mapped or converted wrongly.
func NegativeCheck(v, base Figure, tolerance float64, from, to time.Time, baseID string) Check {
	c := Check{Rule: RuleNegative, From: from, To: to}
	if !v.Complete || v.Consumption == nil || !base.Complete || base.Consumption == nil {
		return c
	}
	limit := -tolerance * *base.Consumption
	c.Observed, c.Expected = *v.Consumption, limit
	if c.Observed >= limit {
		c.Verdict = Clear
		return c
	}
	c.Verdict = Fires
	c.Message = msg.New("anomaly.negative", from.Format("2006-01-02"), to.Format("2006-01-02"), round3(c.Observed), msg.Num(tolerance*100), baseID, round3(*base.Consumption))
	return c
}

// YearOverYearCheck judges a month against the same month a year before:
// it fires when both are complete, the earlier one is above zero, and the
// month exceeds factor × it.
func YearOverYearCheck(month, yearBefore Figure, factor float64, monthStart time.Time) Check {
	c := Check{Rule: RuleYearOverYear, From: monthStart, To: monthStart.AddDate(0, 1, 0)}
	if !month.Complete || month.Consumption == nil || !yearBefore.Complete || yearBefore.Consumption == nil || *yearBefore.Consumption <= 0 {
		return c
	}
	c.Observed, c.Expected = *month.Consumption, *yearBefore.Consumption
	if c.Observed <= factor*c.Expected {
		c.Verdict = Clear
		return c
	}
	c.Verdict = Fires
	c.Message = msg.New("anomaly.year_over_year", monthStart.Format("2006-01"), round3(c.Observed), msg.Fixed{V: c.Observed / c.Expected, Prec: 2},
		round3(c.Expected), monthStart.AddDate(-1, 0, 0).Format("2006-01"), msg.Num(factor))
	return c
}
