package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/app"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
)

// importFiles imports readings from files, as the upload does; without
// --meter the file must name each row's meter (an export does).
func (c *cli) importFiles(args []string) error {
	fs := c.flags("import")
	meter := fs.String("meter", "", "meter id (not needed for a meterd export, which names its meters)")
	dryRun := fs.Bool("dry-run", false, "check the files and report, write nothing")
	strict := fs.Bool("strict", false, "refuse a file with any rejected row")
	confirm := fs.Bool("confirm", false, "import readings held back as implausible (a large jump), once checked")
	var choice ingest.Choice
	fs.StringVar(&choice.Sheet, "sheet", "", "the workbook sheet to read (default: the first with a recognised header)")
	fs.IntVar(&choice.HeaderRow, "header-row", 0, "for a header meterd does not recognise: its row (from 1)")
	fs.IntVar(&choice.Date, "date-column", 0, "with --header-row: the date column (from 1)")
	fs.IntVar(&choice.Time, "time-column", 0, "with --header-row: the time column (from 1; none if left out)")
	fs.IntVar(&choice.Value, "value-column", 0, "with --header-row: the value column (from 1)")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("import: %v", err)}
	}
	if fs.NArg() == 0 {
		return usageError{"import: name at least one file"}
	}
	if *format != "text" && *format != "json" {
		return usageError{fmt.Sprintf("import: --format %q is not text or json", *format)}
	}
	a, _, err := c.offline(false)
	if err != nil {
		return err
	}
	defer a.Close()
	failed := 0
	for _, path := range fs.Args() {
		opts := api.ImportOptions{DryRun: *dryRun, Strict: *strict, Confirm: *confirm, Choice: choice, Via: "cli"}
		if err := c.importFile(a, path, *meter, opts, *format); err != nil {
			failed++
			fmt.Fprintf(c.stderr, "meterd: %s: %s\n", path, msg.Of(err, c.lang))
		}
	}
	if failed > 0 {
		return msg.Err("cli.files_refused", failed, fs.NArg())
	}
	return nil
}

func (c *cli) importFile(a *app.App, path, meter string, opts api.ImportOptions, format string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	sums, err := a.ImportFile(context.Background(), meter, path, f, st.Size(), opts)
	for _, s := range sums {
		if format == "json" {
			b, _ := json.Marshal(s)
			fmt.Fprintln(c.stdout, string(b))
			continue
		}
		id := "cli.imported"
		if s.DryRun {
			id = "cli.checked"
		}
		c.say(id, s.File, s.Meter, s.Parsed, s.Written, s.Updated, s.Duplicates, len(s.Rejected), len(s.Warnings))
		if s.Sheet != "" {
			c.say("cli.sheet_columns", s.Sheet, strings.Join(s.Columns, ", "))
		} else if len(s.Columns) > 0 {
			c.say("cli.columns", strings.Join(s.Columns, ", "))
		}
		for _, r := range s.Rejected {
			c.say("cli.row_rejected", r.Row, r.Error)
		}
		for _, w := range s.Warnings {
			c.say("cli.row_warning", w.Row, w.Warning)
		}
	}
	return err
}
