package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
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
	verb := "undone"
	if *dryRun {
		verb = "would be undone (dry run, nothing changed)"
	}
	fmt.Fprintf(c.stdout, "import %d (%s, %s) %s: %d readings removed, %d restored\n", id, res.Import.Meter, res.Import.Source, verb, len(res.Removed), len(res.Restored))
	for _, r := range res.Removed {
		fmt.Fprintf(c.stdout, "  removed  %s %v\n", r.Time, r.Value)
	}
	for _, r := range res.Restored {
		fmt.Fprintf(c.stdout, "  restored %s %v\n", r.Time, r.Value)
	}
	return nil
}
