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
	res, err := a.Analyze(context.Background(), req)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return analysis.WriteJSON(c.stdout, res)
	case "csv":
		return analysis.WriteCSV(c.stdout, res)
	}
	return analysis.WriteText(c.stdout, res, c.lang)
}
