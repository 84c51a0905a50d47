package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/store"
)

// minRecompute is how far back every daily run recomputes, whatever
// arrived: late corrections of a few weeks are common.
const minRecompute = 60

// DailyAnalysis recomputes the processed series (docs/influxdb.md#processed-bucket-influxprocessed_bucket) for every
// month touched by readings written since the last successful run, and at
// least the last 60 days, and queues them for InfluxDB. The same series and
// timestamps overwrite themselves, so a re-run changes nothing.
func (a *App) DailyAnalysis(ctx context.Context) (any, bool, error) {
	loc := a.cfg.Location
	now := a.now().In(loc)
	today := analysis.LocalTime(now.Year(), now.Month(), now.Day(), 0, 0, 0, loc).In(loc)
	from := today.AddDate(0, 0, -minRecompute)
	last, err := a.db.LastSuccess(ctx, JobDailyAnalysis)
	if err != nil {
		return nil, true, err
	}
	touched, err := a.db.EarliestWrittenSince(ctx, last)
	if err != nil {
		return nil, true, err
	}
	for _, t := range touched {
		if t.Before(from) {
			from = t
		}
	}
	// Whole months: a month's figure needs all of it.
	fl := from.In(loc)
	from = analysis.LocalTime(fl.Year(), fl.Month(), 1, 0, 0, 0, loc).In(loc)
	to := today.AddDate(0, 0, 1)
	// One analysis from a year earlier gives each month its previous year;
	// a meter at a time, each turned into its points and dropped, and all
	// points queued in one transaction.
	an, err := analysis.New(a.loadingInput(ctx), analysis.Request{From: from.AddDate(-1, 0, 0), To: to, Daily: true})
	if err != nil {
		return nil, true, err
	}
	var lines []string
	meters := 0
	for m, err := range an.Meters() {
		if err != nil {
			return nil, true, err
		}
		lines = append(lines, store.ProcessedLines(m, from, loc)...)
		meters++
	}
	if err := a.db.Enqueue(ctx, store.BucketProcessed, lines); err != nil {
		return nil, true, err
	}
	return map[string]any{"from": from.Format("2006-01-02"), "to": to.Format("2006-01-02"), "meters": meters, "points": len(lines)}, true, nil
}

// ReportFigure is one figure of a monthly report.
type ReportFigure struct {
	Consumption *float64 `json:"consumption"`
	KWh         *float64 `json:"kwh,omitempty"`
	Complete    bool     `json:"complete"`
}

// MeterReport is one meter's monthly report.
type MeterReport struct {
	Meter         string       `json:"meter"`
	Unit          string       `json:"unit"`
	Month         ReportFigure `json:"month"`
	PreviousYear  ReportFigure `json:"previous_year"`
	Change        *float64     `json:"change"`         // this month minus the same month a year before
	ChangePercent *float64     `json:"change_percent"` // that change relative to a year before, in percent
	YearToDate    ReportFigure `json:"year_to_date"`
	BillingToDate ReportFigure `json:"billing_to_date"`
}

func reportFigure(f analysis.Figure) ReportFigure {
	return ReportFigure{Consumption: f.Consumption, KWh: f.KWh, Complete: f.Complete}
}

// MonthlyReport builds and stores the report of the month before now's.
func (a *App) MonthlyReport(ctx context.Context) (any, bool, error) {
	now := a.now().In(a.cfg.Location)
	month := analysis.LocalTime(now.Year(), now.Month()-1, 1, 0, 0, 0, a.cfg.Location).In(a.cfg.Location)
	n, err := a.BuildMonthlyReport(ctx, month)
	if err != nil {
		return nil, true, err
	}
	return map[string]any{"month": month.Format("2006-01"), "meters": n}, true, nil
}

// BuildMonthlyReport computes and stores the report of the month starting
// at month for every meter: the month, the same month a year before and
// the change, year to date and billing period to date.
func (a *App) BuildMonthlyReport(ctx context.Context, month time.Time) (int, error) {
	loc := a.cfg.Location
	end := month.AddDate(0, 1, 0)
	in, err := a.analysisInput(ctx, nil)
	if err != nil {
		return 0, err
	}
	months, err := analysis.Analyze(in, analysis.Request{From: month.AddDate(-1, 0, 0), To: end})
	if err != nil {
		return 0, err
	}
	ytd, err := analysis.Analyze(in, analysis.Request{From: analysis.LocalTime(month.Year(), 1, 1, 0, 0, 0, loc).In(loc), To: end})
	if err != nil {
		return 0, err
	}
	bStart, _ := analysis.BillingPeriod(month.Year(), a.cfg.BillingStart.Month, a.cfg.BillingStart.Day, loc)
	if bStart.After(month) {
		bStart, _ = analysis.BillingPeriod(month.Year()-1, a.cfg.BillingStart.Month, a.cfg.BillingStart.Day, loc)
	}
	btd, err := analysis.Analyze(in, analysis.Request{From: bStart, To: end})
	if err != nil {
		return 0, err
	}
	label, prevLabel := month.Format("2006-01"), month.AddDate(-1, 0, 0).Format("2006-01")
	var tally anomalyTally
	var anomalyErrs []error
	for i, m := range months.Meters {
		r := MeterReport{Meter: m.ID, Unit: m.Unit, YearToDate: reportFigure(ytd.Meters[i].Total), BillingToDate: reportFigure(btd.Meters[i].Total)}
		var this, before analysis.Figure
		for _, mf := range m.Monthly {
			switch mf.Month {
			case label:
				this = mf.Figure
			case prevLabel:
				before = mf.Figure
			}
		}
		r.Month, r.PreviousYear = reportFigure(this), reportFigure(before)
		if r.Month.Consumption != nil && r.PreviousYear.Consumption != nil {
			c := *r.Month.Consumption - *r.PreviousYear.Consumption
			r.Change = &c
			if *r.PreviousYear.Consumption != 0 {
				p := c / *r.PreviousYear.Consumption * 100
				r.ChangePercent = &p
			}
		}
		b, err := json.Marshal(r)
		if err != nil {
			return 0, err
		}
		if err := a.db.SaveMonthlyReport(ctx, label, m.ID, b); err != nil {
			return 0, fmt.Errorf("store the report of %s: %w", m.ID, err)
		}
	}
	anomalyErrs = append(anomalyErrs, a.judgeYearOverYear(ctx, in, month, &tally))
	a.finishAnomalies(ctx, &tally)
	return len(months.Meters), errors.Join(anomalyErrs...)
}

// judgeYearOverYear judges every complete month of the year up to month
// that it has not judged before, against the same month a year earlier
// (docs/anomalies.md#episodes): a month completed late by a file of old
// readings is judged too.
func (a *App) judgeYearOverYear(ctx context.Context, in analysis.Input, month time.Time, tally *anomalyTally) error {
	const span = 12
	first := month.AddDate(0, -(span - 1), 0)
	res, err := analysis.Analyze(in, analysis.Request{From: first.AddDate(-1, 0, 0), To: month.AddDate(0, 1, 0)})
	if err != nil {
		return err
	}
	var errs []error
	for _, mr := range res.Meters {
		m, _ := a.cfg.Meter(mr.ID)
		if !m.Anomaly.Enabled(analysis.RuleYearOverYear) {
			continue
		}
		figs := map[string]analysis.Figure{}
		for _, mf := range mr.Monthly {
			figs[mf.Month] = mf.Figure
		}
		labels := make([]string, span)
		for i := range span {
			labels[i] = first.AddDate(0, i, 0).Format("2006-01")
		}
		judged, err := a.db.Judged(ctx, m.ID, analysis.RuleYearOverYear, labels)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var checks []periodCheck
		for i, label := range labels {
			if judged[label] {
				continue
			}
			start := first.AddDate(0, i, 0)
			c := analysis.YearOverYearCheck(figs[label], figs[start.AddDate(-1, 0, 0).Format("2006-01")], m.Anomaly.YearOverYearFactor, start)
			if c.Verdict != analysis.Unknown {
				checks = append(checks, periodCheck{label, c})
			}
		}
		errs = append(errs, a.judgeEpisodes(ctx, m.ID, analysis.RuleYearOverYear, checks, tally))
	}
	return errors.Join(errs...)
}
