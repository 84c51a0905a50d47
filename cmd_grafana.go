package main

import (
	"fmt"
	"slices"

	"github.com/meterd/meterd/grafana"
)

// grafana writes Grafana's provisioning files for meterd's InfluxDB data.
func (c *cli) grafana(args []string) error {
	fs := c.flags("grafana")
	out := fs.String("out", "", "directory to write Grafana's provisioning files to, e.g. /etc/grafana/provisioning")
	dashPath := fs.String("dashboards-path", "", "where Grafana will find the dashboards' JSON (default: OUT/dashboards/meterd)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"grafana: say where to write the files: --out DIR"}
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	o := grafana.Options{
		InfluxURL: cfg.Influx.URL, RawBucket: cfg.Influx.RawBucket, ProcessedBucket: cfg.Influx.ProcessedBucket,
		Token: !cfg.Secrets.InfluxToken.Empty(), DashboardsPath: *dashPath,
	}
	if o.InfluxURL == "" {
		o.InfluxURL = "http://127.0.0.1:8086"
		fmt.Fprintf(c.stderr, "meterd: influx.url is not set; the data sources point at %s\n", o.InfluxURL)
	}
	files, err := grafana.Write(*out, o)
	if err != nil {
		return fmt.Errorf("grafana: %w", err)
	}
	slices.Sort(files)
	for _, f := range files {
		fmt.Fprintln(c.stdout, f)
	}
	if o.Token {
		fmt.Fprintf(c.stderr, "meterd: Grafana reads the InfluxDB token from its environment: set %s for grafana-server\n", grafana.TokenVariable)
	}
	return nil
}
