package main

import (
	"context"
	"fmt"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/app"
)

// analyze prints consumption for a range of local days or a billing year.
func (c *cli) analyze(args []string) error {
	fs := c.flags("analyze")
	var req app.AnalyzeRequest
	var meters multiFlag
	fs.StringVar(&req.From, "from", "", "first day, YYYY-MM-DD (default 1 January this year)")
	fs.StringVar(&req.To, "to", "", "day after the last, YYYY-MM-DD (default tomorrow)")
	fs.IntVar(&req.BillingYear, "billing-year", 0, "the billing period starting in this year")
	fs.Var(&meters, "meter", "meter id (repeatable; default: all, in configuration order)")
	fs.BoolVar(&req.Daily, "daily", false, "also list every day")
	format := fs.String("format", "text", "text, json or csv")
	if err := parse(fs, args); err != nil {
		return err
	}
	req.Meters = meters
	if req.BillingYear != 0 && (req.To != "" || req.From != "") {
		return usageError{"analyze: give --billing-year or --from/--to, not both"}
	}
	switch *format {
	case "text", "json", "csv":
	default:
		return usageError{fmt.Sprintf("analyze: --format %q is not text, json or csv", *format)}
	}
	a, _, err := c.offline(true)
	if err != nil {
		return err
	}
	defer a.Close()
	if *format == "text" {
		// The table's columns are aligned over all meters: it needs them
		// all before its first line.
		res, err := a.Analyze(context.Background(), req)
		if err != nil {
			return err
		}
		return analysis.WriteText(c.stdout, res, c.lang)
	}
	head, each, err := a.AnalyzeEach(context.Background(), req)
	if err != nil {
		return err
	}
	// JSON and CSV are written a meter at a time, each meter dropped once
	// written (docs/architecture.md#one-meter-at-a-time).
	var w interface {
		Meter(analysis.MeterResult)
		Close() error
	}
	if *format == "json" {
		w = analysis.NewJSONWriter(c.stdout, head)
	} else {
		w = analysis.NewCSVWriter(c.stdout)
	}
	for m, err := range each {
		if err != nil {
			return err
		}
		w.Meter(m)
	}
	return w.Close()
}
