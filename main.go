// Command meterd is a self-contained daemon for household meter readings:
// it ingests readings, computes exact consumption and feeds Grafana.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // the configured zone must load on a bare system

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/app"
	"github.com/meterd/meterd/grafana"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/web"
)

// Set at build time with -ldflags "-X main.version=… -X main.commit=…".
var (
	version = "dev"
	commit  = "unknown"
)

// Exit codes of interfaces.md.
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
		fmt.Fprintf(stderr, "meterd: %v\n", err)
		return exitFailure
	}
}

type cli struct {
	stdout, stderr io.Writer
	env            app.Environment
	configPath     string
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

func (c *cli) serve(args []string) error {
	fs := c.flags("serve")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	log := app.NewLogger(c.stderr, slog.LevelInfo, cfg.Secrets.All())
	if cfg.Path == "" {
		log.Info("no configuration file found: running on the built-in defaults (no meters)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, app.Options{Logger: log, Version: version, Commit: commit})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx, nil, handler(a), func(addr net.Addr) {
		if err := sdNotify(c.env, "READY=1"); err != nil {
			log.Warn("systemd notification failed", "error", err)
		}
	})
}

// handler is the HTTP side of a: the web package serves the App's
// Service, each part through its own small interface.
func handler(a *app.App) http.Handler {
	svc, cfg := a.Service(), a.Config()
	return web.NewServer(web.Deps{
		Health: svc, Meters: svc, Imports: svc, Analysis: svc, Jobs: svc, Notes: svc, Status: svc,
		Location:       cfg.Location,
		Token:          cfg.Secrets.APIToken.Value(),
		Registry:       a.Registry(),
		MaxUploadBytes: cfg.HTTP.MaxUploadBytes,
		Logger:         a.Logger(),
	}).Handler()
}

// offline builds the app without serving, for commands that work on the
// database directly (SQLite lets them run beside a running daemon).
func (c *cli) offline() (*app.App, *app.Config, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	log := app.NewLogger(c.stderr, slog.LevelWarn, cfg.Secrets.All())
	a, err := app.New(context.Background(), cfg, app.Options{Logger: log, Version: version, Commit: commit})
	if err != nil {
		return nil, nil, err
	}
	return a, cfg, nil
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *cli) importFiles(args []string) error {
	fs := c.flags("import")
	meter := fs.String("meter", "", "meter id (not needed for a meterd export, which names its meters)")
	dryRun := fs.Bool("dry-run", false, "check the files and report, write nothing")
	strict := fs.Bool("strict", false, "refuse a file with any rejected row")
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
	a, _, err := c.offline()
	if err != nil {
		return err
	}
	defer a.Close()
	failed := 0
	for _, path := range fs.Args() {
		if err := c.importFile(a, path, *meter, *dryRun, *strict, *format); err != nil {
			failed++
			fmt.Fprintf(c.stderr, "meterd: %s: %v\n", path, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files were refused; nothing of them was written", failed, fs.NArg())
	}
	return nil
}

func (c *cli) importFile(a *app.App, path, meter string, dryRun, strict bool, format string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	sums, err := a.ImportFile(context.Background(), meter, path, f, st.Size(), dryRun, strict)
	for _, s := range sums {
		if format == "json" {
			b, _ := json.Marshal(s)
			fmt.Fprintln(c.stdout, string(b))
			continue
		}
		verb := "imported"
		if s.DryRun {
			verb = "checked (dry run, nothing written)"
		}
		fmt.Fprintf(c.stdout, "%s → %s %s: %d parsed, %d written, %d updated, %d duplicates, %d rejected, %d warnings\n",
			s.File, s.Meter, verb, s.Parsed, s.Written, s.Updated, s.Duplicates, len(s.Rejected), len(s.Warnings))
		for _, r := range s.Rejected {
			fmt.Fprintf(c.stdout, "  row %d rejected: %s\n", r.Row, r.Error)
		}
		for _, w := range s.Warnings {
			fmt.Fprintf(c.stdout, "  row %d warning: %s\n", w.Row, w.Warning)
		}
	}
	return err
}

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
	a, _, err := c.offline()
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
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "csv":
		return analysis.WriteCSV(c.stdout, res)
	}
	return analysis.WriteText(c.stdout, res)
}

func (c *cli) tibber(args []string) error {
	if len(args) == 0 || args[0] != "sync" {
		return usageError{"tibber: the subcommand is sync: meterd tibber sync [--since DATE]"}
	}
	fs := c.flags("tibber sync")
	sinceFlag := fs.String("since", "", "backfill back to this local date, YYYY-MM-DD")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, cfg, err := c.offline()
	if err != nil {
		return err
	}
	defer a.Close()
	var since time.Time
	if *sinceFlag != "" {
		if since, err = time.ParseInLocation("2006-01-02", *sinceFlag, cfg.Location); err != nil {
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

func (c *cli) export(args []string) error {
	fs := c.flags("export")
	var meters multiFlag
	fs.Var(&meters, "meter", "meter id (repeatable; default: every physical meter)")
	from := fs.String("from", "", "first day (local), e.g. 2025-01-01")
	to := fs.String("to", "", "day after the last (local)")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, cfg, err := c.offline()
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
		t, err := ingest.ParseInstant(d.v, cfg.Location)
		if err != nil {
			return usageError{fmt.Sprintf("export: %s: %v", d.name, err)}
		}
		*d.dst = t
	}
	return a.Export(context.Background(), c.stdout, meters, tf, tt)
}

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
	fmt.Fprintf(c.stdout, "configuration %s is valid: %d meters, time zone %s, billing from %s\n\n", src, len(cfg.Meters), cfg.Timezone, cfg.BillingStart)
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

func (c *cli) healthcheck(args []string) error {
	fs := c.flags("healthcheck")
	url := fs.String("url", "", "the /health URL (default: from http.listen)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *url == "" {
		cfg, err := c.loadConfig()
		if err != nil {
			return err
		}
		host, port, _ := net.SplitHostPort(cfg.HTTP.Listen)
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		*url = "http://" + net.JoinHostPort(host, port) + "/health"
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		return fmt.Errorf("healthcheck: %v", err)
	}
	defer resp.Body.Close()
	var h api.HealthReport
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&h); err != nil {
		return fmt.Errorf("healthcheck: %s answered %s, not meterd's health JSON", *url, resp.Status)
	}
	if h.Status != api.StatusOK {
		var why []string
		for name, ch := range h.Checks {
			if ch.Status != api.StatusOK {
				why = append(why, name+": "+ch.Message)
			}
		}
		return fmt.Errorf("healthcheck: status %s (%s)", h.Status, strings.Join(sortStrings(why), "; "))
	}
	fmt.Fprintln(c.stdout, "ok")
	return nil
}

// sdNotify tells systemd (Type=notify) that meterd is ready. Without
// $NOTIFY_SOCKET it does nothing.
func sdNotify(env app.Environment, state string) error {
	var sock string
	for _, kv := range env.Environ {
		if v, ok := strings.CutPrefix(kv, "NOTIFY_SOCKET="); ok {
			sock = v
		}
	}
	if sock == "" {
		return nil
	}
	if strings.HasPrefix(sock, "@") {
		sock = "\x00" + sock[1:] // abstract socket
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
