package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meterd/meterd/app"
)

// checkConfig validates the configuration and lists the meters.
func (c *cli) checkConfig(args []string) error {
	fs := c.flags("check-config")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	src := cfg.Path
	if src == "" {
		src = "built-in defaults"
	}
	fmt.Fprintf(c.stdout, "configuration %s is valid: %d meters, time zone %s, billing from %s\n\n", src, len(cfg.Meters), cfg.Location, cfg.BillingStart)
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tUTILITY\tUNIT\tREADING\tSOURCE\tDETAILS")
	for _, m := range cfg.Meters {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Kind, m.Utility, m.Unit,
			dash(string(m.Reading)), dash(string(m.Source)), meterDetails(cfg, m))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	secrets := []string{}
	for name, s := range map[string]app.Secret{"API token": cfg.Secrets.APIToken, "InfluxDB token": cfg.Secrets.InfluxToken, "Tibber token": cfg.Secrets.TibberToken} {
		if !s.Empty() {
			secrets = append(secrets, name)
		}
	}
	if len(secrets) > 0 {
		fmt.Fprintf(c.stdout, "\nsecrets set: %s\n", strings.Join(sortStrings(secrets), ", "))
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}

func meterDetails(cfg *app.Config, m app.Meter) string {
	var parts []string
	f := func(t time.Time) string { return t.In(cfg.Location).Format("2006-01-02 15:04") }
	for _, p := range m.Periods {
		parts = append(parts, fmt.Sprintf("from %s: %s", f(p.From), strings.Join(p.Meters, " + ")))
	}
	if m.Base != "" {
		parts = append(parts, fmt.Sprintf("%s − %s", m.Base, strings.Join(m.Subtract, " − ")))
	}
	if !m.Removed.IsZero() {
		parts = append(parts, "removed "+f(m.Removed))
	}
	for _, r := range m.Resets {
		parts = append(parts, "reset "+f(r))
	}
	if m.HAEntityID != "" {
		parts = append(parts, "entity "+m.HAEntityID)
	}
	if m.SeasonalPattern != nil {
		parts = append(parts, "seasonal pattern")
	}
	if m.Description != "" {
		parts = append(parts, m.Description)
	}
	return strings.Join(parts, "; ")
}
