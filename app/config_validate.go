package app

// Validation of the service keys and the problem list every check adds to.

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/msg"
)

// ConfigError lists every problem found in a configuration, each naming the
// key it is about.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string {
	if len(e.Problems) == 1 {
		return "configuration: " + e.Problems[0]
	}
	return fmt.Sprintf("configuration has %d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

type problems struct{ list []string }

func (p *problems) addf(key, format string, args ...any) {
	p.list = append(p.list, key+": "+fmt.Sprintf(format, args...))
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	// Sorted by key, so that the same file always gives the same list and a
	// meter's problems stand together; meters[10] comes after meters[9].
	slices.SortStableFunc(p.list, naturalCompare)
	return &ConfigError{Problems: slices.Compact(p.list)}
}

var (
	meterIDPattern = regexp.MustCompile(`^[a-z0-9_]+$`)
	monthDayRe     = regexp.MustCompile(`^(\d{2})-(\d{2})$`)
)

func (c *Config) validate(f *fileConfig, env Environment, p *problems) {
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil || f.Timezone == "" {
		p.addf("timezone", "unknown time zone %q (use an IANA name such as Europe/Berlin)", f.Timezone)
		loc = time.UTC
	}
	c.Location = loc

	c.validateService(env, p)

	if md, ok := parseMonthDay(f.Billing.Start); ok {
		c.BillingStart = md
	} else {
		p.addf("billing.start", "%q is not a day of the year as MM-DD (02-29 is allowed and means 28 February in other years)", f.Billing.Start)
	}

	var gas []analysis.GasFactor
	seen := map[time.Time]bool{}
	for i, g := range f.GasConversion {
		key := fmt.Sprintf("gas_conversion[%d]", i)
		from, err := ParseLocalTime(g.From, loc, false)
		if err != nil {
			p.addf(key+".from", "%v", err)
		} else if seen[from] {
			p.addf(key+".from", "another entry starts at %s too", g.From)
		}
		seen[from] = true
		if g.CalorificValue <= 0 {
			p.addf(key+".calorific_value", "must be a positive number of kWh/m³, e.g. 11.5")
		}
		if g.ZFactor <= 0 || g.ZFactor > 2 {
			p.addf(key+".z_factor", "must be a positive Zustandszahl, e.g. 0.95")
		}
		gas = append(gas, analysis.GasFactor{From: from, CalorificValue: g.CalorificValue, ZFactor: g.ZFactor})
	}
	c.Gas = analysis.NewGasFactors(gas)

	c.validateMeters(f.Meters, p)
}

func (c *Config) validateService(env Environment, p *problems) {
	host, port, err := net.SplitHostPort(c.HTTP.Listen)
	if err != nil {
		p.addf("http.listen", "%q is not host:port, e.g. 127.0.0.1:8080", c.HTTP.Listen)
	} else {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			p.addf("http.listen", "port %q is not a number from 0 to 65535", port)
		}
		if c.Secrets.APIToken.Empty() && !isLoopback(host) {
			p.addf("http.listen", "%q is not a loopback address and no API token is set: set METERD_API_TOKEN (or METERD_API_TOKEN_FILE, or the credential file api-token), or listen on 127.0.0.1", c.HTTP.Listen)
		}
	}
	if l, ok := msg.ParseLang(c.UI.Language); ok {
		c.Lang = l
	} else {
		p.addf("ui.language", "%q is not a language meterd speaks: use de or en", c.UI.Language)
	}
	if c.HTTP.MaxUploadBytes <= 0 {
		p.addf("http.max_upload_bytes", "must be a positive number of bytes")
	}
	if strings.TrimSpace(c.Storage.Path) == "" {
		p.addf("storage.path", "must name the SQLite database file")
	} else if !filepath.IsAbs(c.Storage.Path) && c.Storage.Path != ":memory:" {
		// A relative path never depends on where a command is started:
		// `sudo meterd analyze` in the home folder reads the service's
		// database, not a new empty one there.
		switch dir, ok := env.Lookup("STATE_DIRECTORY"); {
		case ok && dir != "":
			// systemd may pass several directories separated by colons.
			dir, _, _ = strings.Cut(dir, ":")
			c.Storage.Path = filepath.Join(dir, c.Storage.Path)
		case c.Path != "":
			if abs, err := filepath.Abs(c.Path); err == nil {
				c.Storage.Path = filepath.Join(filepath.Dir(abs), c.Storage.Path)
			}
		}
	}
	if t, err := ParseLocalTime(c.Storage.Earliest, c.Location, false); err != nil {
		p.addf("storage.earliest", "%v", err)
	} else {
		c.Earliest = t
	}
	if c.Storage.FutureTolerance < 0 || c.Storage.FutureTolerance > 24*time.Hour {
		p.addf("storage.future_tolerance", "must be between 0s and 24h (default 10m): how far ahead of meterd's clock a reading may be")
	}
	if c.Storage.BackupKeep < 1 {
		p.addf("storage.backup_keep", "must be at least 1 (switch backups off with schedule.backup: \"\")")
	}
	if strings.TrimSpace(c.Storage.BackupDir) == "" {
		p.addf("storage.backup_dir", "must name a directory (relative: beside the database)")
	} else if !filepath.IsAbs(c.Storage.BackupDir) {
		c.Storage.BackupDir = filepath.Join(filepath.Dir(c.Storage.Path), c.Storage.BackupDir)
	}
	if c.Influx.URL != "" {
		checkURL("influx.url", c.Influx.URL, p)
		if c.Influx.RawBucket == "" {
			p.addf("influx.raw_bucket", "must not be empty when influx.url is set")
		}
		if c.Influx.ProcessedBucket == "" {
			p.addf("influx.processed_bucket", "must not be empty when influx.url is set")
		}
	}
	if c.Influx.FlushInterval < time.Second {
		p.addf("influx.flush_interval", "must be at least 1s")
	}
	if c.Influx.BatchSize < 1 {
		p.addf("influx.batch_size", "must be at least 1")
	}
	checkURL("tibber.url", c.Tibber.URL, p)
	if c.Tibber.Overlap < time.Hour {
		p.addf("tibber.overlap", "must be at least 1h (default 72h)")
	}
	if c.Tibber.RequestsPer5Min < 1 || c.Tibber.RequestsPer5Min > 100 {
		p.addf("tibber.requests_per_5min", "must be between 1 and 100 (Tibber allows 100 per 5 minutes)")
	}
	for _, s := range c.Schedule.jobs() {
		if s.expr == "" {
			continue
		}
		sched, err := cron.ParseStandard(s.expr)
		if err != nil {
			p.addf("schedule."+s.name, "%q is not a cron expression (minute hour day month weekday): %v", s.expr, err)
			continue
		}
		// The cron library looks five years ahead: an expression with no
		// time in them (30 February) would stop serve at start-up.
		if sched.Next(time.Now().In(c.Location)).IsZero() {
			p.addf("schedule."+s.name, "%q never fires (no such day): give a date that exists, or \"\" to run it only by hand", s.expr)
		}
	}
	switch c.Alerts.Format {
	case "json", "ntfy", "homeassistant":
	default:
		p.addf("alerts.format", "%q is not one of json, ntfy, homeassistant", c.Alerts.Format)
	}
}

func checkURL(key, raw string, p *problems) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.addf(key, "must be an http:// or https:// URL")
		return
	}
	if u.User != nil {
		p.addf(key, "must not carry credentials; %s", secretHint(key))
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func parseMonthDay(s string) (MonthDay, bool) {
	m := monthDayRe.FindStringSubmatch(s)
	if m == nil {
		return MonthDay{}, false
	}
	month, _ := strconv.Atoi(m[1])
	day, _ := strconv.Atoi(m[2])
	if month < 1 || month > 12 || day < 1 {
		return MonthDay{}, false
	}
	// 2024 is a leap year, so 02-29 passes and 04-31 does not.
	if time.Date(2024, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() != day {
		return MonthDay{}, false
	}
	return MonthDay{Month: time.Month(month), Day: day}, true
}

// ParseLocalTime reads a configuration instant: a date (local midnight, or
// with endOfDay the next local midnight), a local date-time without offset,
// or an RFC 3339 instant with offset (docs/time.md#local-times).
func ParseLocalTime(s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	if endOfDay {
		if d, err := time.Parse("2006-01-02", strings.TrimSpace(s)); err == nil {
			return analysis.LocalTime(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, loc), nil
		}
	}
	return analysis.ParseLocal(s, loc)
}

// naturalCompare orders strings as text, but runs of digits by their value.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitPrefix(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
