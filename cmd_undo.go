package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/meterd/meterd/msg"
)

// undo removes what an import wrote and restores what it replaced; with
// --dry-run it only says what would change.
func (c *cli) undo(args []string) error {
	fs := c.flags("undo")
	dryRun := fs.Bool("dry-run", false, "say what would change, change nothing")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("undo: %v", err)}
	}
	if fs.NArg() != 1 {
		return usageError{"undo: name one import id (meterd imports lists them)"}
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id < 1 {
		return usageError{fmt.Sprintf("undo: %q is not an import id", fs.Arg(0))}
	}
	if *format != "text" && *format != "json" {
		return usageError{fmt.Sprintf("undo: --format %q is not text or json", *format)}
	}
	a, _, err := c.offline(true)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Undo(context.Background(), id, *dryRun)
	if err != nil {
		return err
	}
	if *format == "json" {
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintln(c.stdout, string(b))
		return nil
	}
	what := "cli.undone"
	if *dryRun {
		what = "cli.would_undo"
	}
	c.say(what, int(id), res.Import.Meter, res.Import.Source, len(res.Removed), len(res.Restored))
	for _, r := range res.Removed {
		c.say("cli.removed", r.Time, msg.Num(r.Value))
	}
	for _, r := range res.Restored {
		c.say("cli.restored", r.Time, msg.Num(r.Value))
	}
	return nil
}
