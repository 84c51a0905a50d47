package main

import (
	"context"
	"fmt"
	"time"

	"github.com/meterd/meterd/analysis"
)

// export writes raw readings as CSV that import takes back.
func (c *cli) export(args []string) error {
	fs := c.flags("export")
	var meters multiFlag
	fs.Var(&meters, "meter", "meter id (repeatable; default: every physical meter)")
	from := fs.String("from", "", "first day (local), e.g. 2025-01-01")
	to := fs.String("to", "", "day after the last (local)")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, cfg, err := c.offline(true)
	if err != nil {
		return err
	}
	defer a.Close()
	var tf, tt time.Time
	for _, d := range []struct {
		name, v string
		dst     *time.Time
	}{{"--from", *from, &tf}, {"--to", *to, &tt}} {
		if d.v == "" {
			continue
		}
		t, err := analysis.ParseLocal(d.v, cfg.Location)
		if err != nil {
			return usageError{fmt.Sprintf("export: %s: %v", d.name, err)}
		}
		*d.dst = t
	}
	return a.Export(context.Background(), c.stdout, meters, tf, tt)
}
