package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// imports lists the recorded imports with their ids, newest first.
func (c *cli) imports(args []string) error {
	fs := c.flags("imports")
	meter := fs.String("meter", "", "only this meter's imports")
	limit := fs.Int("limit", 20, "how many (1 to 1000)")
	format := fs.String("format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *limit < 1 || *limit > 1000 {
		return usageError{"imports: --limit is a whole number from 1 to 1000"}
	}
	if *format != "text" && *format != "json" {
		return usageError{fmt.Sprintf("imports: --format %q is not text or json", *format)}
	}
	a, _, err := c.offline(true)
	if err != nil {
		return err
	}
	defer a.Close()
	ims, err := a.Imports(context.Background(), *meter, *limit)
	if err != nil {
		return err
	}
	if *format == "json" {
		b, _ := json.MarshalIndent(map[string]any{"imports": ims}, "", "  ")
		fmt.Fprintln(c.stdout, string(b))
		return nil
	}
	fmt.Fprintf(c.stdout, "%-6s %-25s %-13s %-16s %8s %8s  %s\n", "ID", "TIME", "SOURCE", "METER", "WRITTEN", "UPDATED", "FILE")
	for _, im := range ims {
		file := im.File
		if im.Undone {
			file += " (undone " + im.UndoneAt + ")"
		}
		fmt.Fprintf(c.stdout, "%-6s %-25s %-13s %-16s %8d %8d  %s\n", strconv.FormatInt(im.ID, 10), im.Time, im.Source, im.Meter, im.Written, im.Updated, file)
	}
	return nil
}
