package main

import (
	"context"
	"fmt"
	"time"

	"github.com/meterd/meterd/analysis"
)

// tibber runs one Tibber poll now, or a backfill with --since.
func (c *cli) tibber(args []string) error {
	if len(args) == 0 || args[0] != "sync" {
		return usageError{"tibber: the subcommand is sync: meterd tibber sync [--since DATE]"}
	}
	fs := c.flags("tibber sync")
	sinceFlag := fs.String("since", "", "backfill back to this local date, YYYY-MM-DD")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, cfg, err := c.offline(false)
	if err != nil {
		return err
	}
	defer a.Close()
	var since time.Time
	if *sinceFlag != "" {
		if since, err = analysis.ParseDate(*sinceFlag, cfg.Location); err != nil {
			return usageError{fmt.Sprintf("tibber sync: --since %q is not a date (YYYY-MM-DD)", *sinceFlag)}
		}
	}
	res, err := a.TibberSync(context.Background(), since)
	if res.Backfill != "" {
		fmt.Fprintf(c.stdout, "backfill %s\n", res.Backfill)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "home %s: %d hours new, %d updated, %d still without data, %d prices changed\n", res.Home, res.New, res.Updated, res.StillNull, res.Prices)
	return nil
}
