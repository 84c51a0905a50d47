package app

import (
	"context"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
)

// Consumption gathers the consumption page's figures
// (docs/consumption.md#the-consumption-page): the chosen period and the
// same dates a year earlier, each an analysis of its own on readings read
// once, and Tibber's costs per month.
func (b Service) Consumption(ctx context.Context, req api.ConsumptionRequest) (api.Consumption, error) {
	return b.a.Consumption(ctx, req)
}

// Consumption is Service.Consumption.
func (a *App) Consumption(ctx context.Context, req api.ConsumptionRequest) (api.Consumption, error) {
	from, to, out, err := a.consumptionPeriod(req)
	if err != nil {
		return api.Consumption{}, err
	}
	loc := a.cfg.Location
	prevFrom, prevTo := yearEarlier(from, loc), yearEarlier(to, loc)
	date := func(t time.Time) string { return t.In(loc).Format("2006-01-02") }
	out.From, out.To, out.PrevFrom, out.PrevTo = date(from), date(to), date(prevFrom), date(prevTo)
	curReq, err := a.analysisRequest(AnalyzeRequest{From: out.From, To: out.To})
	if err != nil {
		return api.Consumption{}, err
	}
	prevReq, err := a.analysisRequest(AnalyzeRequest{From: out.PrevFrom, To: out.PrevTo})
	if err != nil {
		return api.Consumption{}, err
	}
	in, err := a.analysisInput(ctx, nil)
	if err != nil {
		return api.Consumption{}, err
	}
	cur, err := a.analyze(in, curReq)
	if err != nil {
		return api.Consumption{}, err
	}
	prev, err := a.analyze(in, prevReq)
	if err != nil {
		return api.Consumption{}, err
	}
	out.Years = a.yearsWithReadings(in)
	groups := map[string]int{}
	for i, m := range cur.Meters {
		mc := api.MeterConsumption{ID: m.ID, Type: m.Type, Unit: m.Unit, HasKWh: m.Total.HasKWh, Total: m.Total, Warnings: m.Warnings}
		var p analysis.MeterResult
		if i < len(prev.Meters) && prev.Meters[i].ID == m.ID {
			p = prev.Meters[i]
			mc.PrevTotal = p.Total
		}
		for k, mf := range m.Monthly {
			pair := api.MonthPair{Month: mf.Month, Cur: mf.Figure}
			if k < len(p.Monthly) {
				pair.PrevMonth, pair.Prev = p.Monthly[k].Month, p.Monthly[k].Figure
			}
			mc.Months = append(mc.Months, pair)
		}
		if cfg, ok := a.cfg.Meter(m.ID); ok && cfg.Source == SourceTibber {
			if err := a.addTibberCosts(ctx, &mc, from, to, prevFrom, prevTo); err != nil {
				return api.Consumption{}, err
			}
		}
		g, ok := groups[m.Utility]
		if !ok {
			g = len(out.Utilities)
			groups[m.Utility] = g
			out.Utilities = append(out.Utilities, api.UtilityConsumption{Utility: m.Utility})
		}
		out.Utilities[g].Meters = append(out.Utilities[g].Meters, mc)
	}
	return out, nil
}

// consumptionPeriod resolves the request to [from, to).
func (a *App) consumptionPeriod(req api.ConsumptionRequest) (from, to time.Time, out api.Consumption, err error) {
	loc := a.cfg.Location
	now := a.now().In(loc)
	out = api.Consumption{Period: req.Period, Year: req.Year}
	if req.Year != 0 && (req.Year < 1900 || req.Year > 2200) {
		return from, to, out, fault.New(fault.Invalid, "analyze.bad_year", req.Year)
	}
	bs := a.cfg.BillingStart
	switch req.Period {
	case "", api.PeriodBilling:
		out.Period = api.PeriodBilling
		if out.Year == 0 {
			out.Year = now.Year()
			if f, _ := analysis.BillingPeriod(out.Year, bs.Month, bs.Day, loc); now.Before(f) {
				out.Year--
			}
		}
		from, to = analysis.BillingPeriod(out.Year, bs.Month, bs.Day, loc)
	case api.PeriodCalendar:
		if out.Year == 0 {
			out.Year = now.Year()
		}
		from = analysis.LocalTime(out.Year, 1, 1, 0, 0, 0, loc)
		to = analysis.LocalTime(out.Year+1, 1, 1, 0, 0, 0, loc)
	case api.PeriodRange:
		from, to, err = a.Range(AnalyzeRequest{From: req.From, To: req.To})
	default:
		err = fault.New(fault.Invalid, "consumption.bad_period")
	}
	return from, to, out, err
}

// yearEarlier is the local midnight of the same date a year before (28
// February for a 29th).
func yearEarlier(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	d := l.Day()
	if l.Month() == time.February && d == 29 {
		d = 28
	}
	return analysis.LocalTime(l.Year()-1, l.Month(), d, 0, 0, 0, loc)
}

// yearsWithReadings are the years from the first reading in in to now,
// newest first.
func (a *App) yearsWithReadings(in analysis.Input) []int {
	now := a.now().In(a.cfg.Location)
	earliest := now
	for _, rs := range in.Readings {
		for _, r := range rs { // interval meters' readings come in write order
			if r.Time.Before(earliest) {
				earliest = r.Time
			}
		}
	}
	first := earliest.In(a.cfg.Location).Year()
	var years []int
	for y := now.Year(); y >= first; y-- {
		years = append(years, y)
	}
	return years
}

// addTibberCosts sums Tibber's hourly costs into the meter's months of
// both periods and their totals.
func (a *App) addTibberCosts(ctx context.Context, mc *api.MeterConsumption, from, to, prevFrom, prevTo time.Time) error {
	sums := func(f, t time.Time) (map[string]float64, float64, bool, error) {
		cs, err := a.db.TibberCosts(ctx, mc.ID, f, t)
		if err != nil || len(cs) == 0 {
			return nil, 0, false, err
		}
		byMonth := map[string]float64{}
		total := 0.0
		for _, c := range cs {
			byMonth[c.Time.In(a.cfg.Location).Format("2006-01")] += c.Cost
			total += c.Cost
			mc.Currency = c.Currency
		}
		return byMonth, total, true, nil
	}
	cur, curTotal, curOK, err := sums(from, to)
	if err != nil {
		return err
	}
	prev, prevTotal, prevOK, err := sums(prevFrom, prevTo)
	if err != nil {
		return err
	}
	if curOK {
		mc.Cost = &curTotal
	}
	if prevOK {
		mc.PrevCost = &prevTotal
	}
	for i := range mc.Months {
		p := &mc.Months[i]
		if v, ok := cur[p.Month]; ok {
			p.Cost = &v
		}
		if v, ok := prev[p.PrevMonth]; ok {
			p.PrevCost = &v
		}
	}
	return nil
}
