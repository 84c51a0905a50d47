// Command meterd is a self-contained daemon for household meter readings:
// it ingests readings, computes exact consumption and feeds Grafana.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	_ "time/tzdata" // the configured zone must load on a bare system

	"github.com/meterd/meterd/app"
	"github.com/meterd/meterd/msg"
)

// Set at build time with -ldflags "-X main.version=… -X main.commit=…".
var (
	version = "dev"
	commit  = "unknown"
)

// Exit codes (docs/cli.md#exit-codes).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, app.OSEnvironment()))
}

const usage = `usage: meterd [--config PATH] COMMAND [flags]

commands:
  serve          run the daemon: scheduler and HTTP server (the default)
  check-config   validate the configuration and list the meters
  import         --meter ID [--dry-run] [--strict] [--format text|json] FILE...
                 import .xlsx/.xls/.csv readings, as the upload does
  export         [--meter ID]... [--from DATE] [--to DATE]
                 raw readings as CSV on stdout, in a form import takes back
  analyze        [--from DATE] [--to DATE | --billing-year YYYY] [--meter ID]...
                 [--daily] [--format text|json|csv]
                 consumption for [from, to), default this year so far
  tibber sync [--since DATE]
                 one Tibber poll now; with --since a backfill to that date
  grafana --out DIR
                 write Grafana's provisioning files (data sources, dashboards)
  imports        [--meter ID] [--limit N] [--format text|json]
                 recent imports with their ids
  undo           [--dry-run] [--format text|json] ID
                 remove what an import wrote and restore what it replaced
  healthcheck    exit 0 if a running meterd's /health says ok
  version        print version, commit and Go version

The configuration comes from --config, $METERD_CONFIG, ./meterd.yaml or
/etc/meterd/config.yaml; without any, the built-in defaults apply.
`

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdout, stderr io.Writer, env app.Environment) int {
	global := flag.NewFlagSet("meterd", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	configPath := global.String("config", "", "configuration file")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "meterd: %v\n%s", err, usage)
		return exitUsage
	}
	rest := global.Args()
	cmd := "serve"
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	c := &cli{stdout: stdout, stderr: stderr, env: env, configPath: *configPath}
	var err error
	switch cmd {
	case "serve":
		err = c.serve(rest)
	case "check-config":
		err = c.checkConfig(rest)
	case "healthcheck":
		err = c.healthcheck(rest)
	case "import":
		err = c.importFiles(rest)
	case "export":
		err = c.export(rest)
	case "analyze":
		err = c.analyze(rest)
	case "tibber":
		err = c.tibber(rest)
	case "grafana":
		err = c.grafana(rest)
	case "imports":
		err = c.imports(rest)
	case "undo":
		err = c.undo(rest)
	case "version":
		fmt.Fprintf(stdout, "meterd %s (commit %s, %s)\n", version, commit, runtime.Version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "meterd: %v\n%s", err, usage)
		return exitUsage
	default:
		lang := c.lang
		if lang == "" {
			lang = msg.EN // the configuration, and so its language, is unknown
		}
		fmt.Fprintf(stderr, "meterd: %s\n", msg.Of(err, lang))
		return exitFailure
	}
}

type cli struct {
	stdout, stderr io.Writer
	env            app.Environment
	configPath     string
	// lang is ui.language once a command has loaded the configuration:
	// its text output and its one-line reason are written in it.
	lang msg.Lang
}

// say prints the message id with args on stdout, in ui.language.
func (c *cli) say(id string, args ...any) {
	fmt.Fprintln(c.stdout, msg.New(id, args...).In(c.lang))
}

// flags makes a command's flag set; --config is accepted after the command
// too, since that is where people tend to put it.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.configPath, "config", c.configPath, "configuration file")
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func (c *cli) loadConfig() (*app.Config, error) {
	path, err := app.ResolveConfigPath(c.configPath, c.env)
	if err != nil {
		return nil, err
	}
	return app.Load(path, c.env)
}

// offline builds the app without serving, for commands that work on the
// database directly (SQLite lets them run beside a running daemon). A
// command that only reads (readOnly) never creates a database.
func (c *cli) offline(readOnly bool) (*app.App, *app.Config, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	c.lang = cfg.Lang
	log := app.NewTextLogger(c.stderr, slog.LevelWarn, cfg.Secrets.All())
	a, err := app.New(context.Background(), cfg, app.Options{Logger: log, Version: version, Commit: commit, ReadOnly: readOnly})
	if err != nil {
		return nil, nil, err
	}
	return a, cfg, nil
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
