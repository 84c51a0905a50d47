package app

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	envprovider "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"github.com/robfig/cron/v3"

	"github.com/meterd/meterd/analysis"
)

// Config is meterd's validated configuration. Everything a command needs is
// resolved here once: time zone, meters, secrets and paths.
type Config struct {
	Timezone string         `koanf:"timezone"`
	HTTP     HTTPConfig     `koanf:"http"`
	Storage  StorageConfig  `koanf:"storage"`
	Influx   InfluxConfig   `koanf:"influx"`
	Tibber   TibberConfig   `koanf:"tibber"`
	Schedule ScheduleConfig `koanf:"schedule"`
	Alerts   AlertsConfig   `koanf:"alerts"`
	// GasConversion and Billing are kept raw here; Gas and BillingStart hold
	// the parsed forms.
	GasConversion []GasConversionConfig `koanf:"gas_conversion"`
	Billing       BillingConfig         `koanf:"billing"`
	RawMeters     []MeterConfig         `koanf:"meters"`

	// Resolved by Load.
	Location     *time.Location      `koanf:"-"`
	Gas          analysis.GasFactors `koanf:"-"`
	BillingStart MonthDay            `koanf:"-"`
	Meters       []Meter             `koanf:"-"`
	Secrets      Secrets             `koanf:"-"`
	// Path is the file the configuration came from; empty for the built-in
	// defaults.
	Path string `koanf:"-"`
}

// HTTPConfig is the web server's part.
type HTTPConfig struct {
	Listen         string `koanf:"listen"`
	MaxUploadBytes int64  `koanf:"max_upload_bytes"`
}

// StorageConfig says where the SQLite database lives.
type StorageConfig struct {
	Path string `koanf:"path"`
	// BackupDir holds the backup job's copies (relative: beside the
	// database); BackupKeep is how many of them stay.
	BackupDir  string `koanf:"backup_dir"`
	BackupKeep int    `koanf:"backup_keep"`
}

// InfluxConfig is the optional InfluxDB delivery.
type InfluxConfig struct {
	URL             string `koanf:"url"`
	Org             string `koanf:"org"`
	RawBucket       string `koanf:"raw_bucket"`
	ProcessedBucket string `koanf:"processed_bucket"`
	// FlushInterval is how often the outbox is delivered; BatchSize how many
	// points go in one write.
	FlushInterval time.Duration `koanf:"flush_interval"`
	BatchSize     int           `koanf:"batch_size"`
}

// Enabled reports whether InfluxDB delivery is configured.
func (c InfluxConfig) Enabled() bool { return c.URL != "" }

// TibberConfig is the Tibber API client's part.
type TibberConfig struct {
	URL             string        `koanf:"url"`
	HomeID          string        `koanf:"home_id"`
	Overlap         time.Duration `koanf:"overlap"`
	RequestsPer5Min int           `koanf:"requests_per_5min"`
}

// ScheduleConfig holds cron expressions in the configured time zone. An
// empty expression switches the job off.
type ScheduleConfig struct {
	TibberPoll    string `koanf:"tibber_poll"`
	DailyAnalysis string `koanf:"daily_analysis"`
	MonthlyReport string `koanf:"monthly_report"`
	AnomalyCheck  string `koanf:"anomaly_check"`
	Backup        string `koanf:"backup"`
}

type scheduled struct{ name, expr string }

func (s ScheduleConfig) jobs() []scheduled {
	return []scheduled{
		{"tibber_poll", s.TibberPoll}, {"daily_analysis", s.DailyAnalysis},
		{"monthly_report", s.MonthlyReport}, {"anomaly_check", s.AnomalyCheck}, {"backup", s.Backup},
	}
}

// AlertsConfig says how alerts are sent; the URLs are a secret.
type AlertsConfig struct {
	Format string `koanf:"format"`
}

// GasConversionConfig is one dated gas conversion entry as written.
type GasConversionConfig struct {
	From           string  `koanf:"from"`
	CalorificValue float64 `koanf:"calorific_value"`
	ZFactor        float64 `koanf:"z_factor"`
}

// BillingConfig holds the billing period's start as MM-DD.
type BillingConfig struct {
	Start string `koanf:"start"`
}

// MeterConfig is one meter as written in the YAML file.
type MeterConfig struct {
	ID              string               `koanf:"id"`
	Type            string               `koanf:"type"`
	Utility         string               `koanf:"utility"`
	Unit            string               `koanf:"unit"`
	Reading         string               `koanf:"reading"`
	Source          string               `koanf:"source"`
	Removed         string               `koanf:"removed"`
	Interval        string               `koanf:"interval"`
	Resets          []string             `koanf:"resets"`
	Description     string               `koanf:"description"`
	SeasonalPattern []float64            `koanf:"seasonal_pattern"`
	HomeAssistant   *HomeAssistantConfig `koanf:"homeassistant"`
	Influx          *InfluxSourceConfig  `koanf:"influx"`
	Anomaly         *AnomalyConfig       `koanf:"anomaly"`
	Periods         []PeriodConfig       `koanf:"periods"`
	Base            string               `koanf:"base"`
	Subtract        []string             `koanf:"subtract"`
}

// HomeAssistantConfig maps a Home Assistant entity to a meter.
type HomeAssistantConfig struct {
	EntityID string `koanf:"entity_id"`
}

// InfluxSourceConfig names a series Home Assistant writes to InfluxDB.
type InfluxSourceConfig struct {
	Measurement string `koanf:"measurement"`
	EntityID    string `koanf:"entity_id"`
	Field       string `koanf:"field"`
	// Bucket defaults to influx.raw_bucket, where Home Assistant's data
	// sits beside meterd's.
	Bucket string `koanf:"bucket"`
}

// AnomalyConfig tunes the anomaly rules for one meter.
type AnomalyConfig struct {
	SpikeFactor       *float64 `koanf:"spike_factor"`
	MaxSilence        *string  `koanf:"max_silence"`
	NegativeTolerance *float64 `koanf:"negative_tolerance"`
	YearOverYear      *float64 `koanf:"year_over_year_factor"`
	Disabled          []string `koanf:"disabled"`
}

// PeriodConfig is one period of a master meter as written.
type PeriodConfig struct {
	From   string   `koanf:"from"`
	Meters []string `koanf:"meters"`
}

// Source says where a physical meter's readings come from.
type Source string

// The sources of interfaces.md.
const (
	SourceManual        Source = "manual"
	SourceTibber        Source = "tibber"
	SourceHomeAssistant Source = "homeassistant"
	SourceInflux        Source = "influx"
)

// Meter is a validated meter: the domain model plus where its data comes
// from and how it is watched.
type Meter struct {
	analysis.Meter
	Source         Source
	Description    string
	HAEntityID     string // source homeassistant
	InfluxSource   InfluxSourceConfig
	Anomaly        AnomalySettings
	ConfigPosition int
}

// AnomalySettings are the effective anomaly rule settings of a meter.
type AnomalySettings struct {
	SpikeFactor        float64
	MaxSilence         time.Duration // 0: off
	NegativeTolerance  float64
	YearOverYearFactor float64
	Disabled           map[string]bool
}

// Enabled reports whether rule is on for the meter.
func (a AnomalySettings) Enabled(rule string) bool { return !a.Disabled[rule] }

// AnomalyRules are the rule names of domain.md.
var AnomalyRules = []string{"spike", "silence", "decrease", "negative", "year_over_year"}

// MonthDay is a billing start such as 01-01 or 02-29.
type MonthDay struct {
	Month time.Month
	Day   int
}

// String gives MM-DD.
func (m MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(m.Month), m.Day) }

// Meter returns the meter with the id, or false.
func (c *Config) Meter(id string) (Meter, bool) {
	for _, m := range c.Meters {
		if m.ID == id {
			return m, true
		}
	}
	return Meter{}, false
}

// AnalysisMeters returns the domain model of every meter, in config order.
func (c *Config) AnalysisMeters() []analysis.Meter {
	out := make([]analysis.Meter, len(c.Meters))
	for i, m := range c.Meters {
		out[i] = m.Meter
	}
	return out
}

// defaults is the built-in configuration; every key is optional.
func defaults() map[string]any {
	return map[string]any{
		"timezone":                 "Europe/Berlin",
		"http.listen":              "127.0.0.1:8080",
		"http.max_upload_bytes":    int64(20 << 20),
		"storage.path":             "meterd.db",
		"storage.backup_dir":       "backups",
		"storage.backup_keep":      7,
		"influx.url":               "",
		"influx.org":               "",
		"influx.raw_bucket":        "meters",
		"influx.processed_bucket":  "meters_processed",
		"influx.flush_interval":    "10s",
		"influx.batch_size":        5000,
		"tibber.url":               "https://api.tibber.com/v1-beta/gql",
		"tibber.home_id":           "",
		"tibber.overlap":           "72h",
		"tibber.requests_per_5min": 20,
		"schedule.tibber_poll":     "5 * * * *",
		"schedule.daily_analysis":  "0 2 * * *",
		"schedule.monthly_report":  "0 3 1 * *",
		"schedule.anomaly_check":   "15 * * * *",
		"schedule.backup":          "30 3 * * *",
		"alerts.format":            "json",
		"billing.start":            "01-01",
	}
}

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
	return &ConfigError{Problems: p.list}
}

// Environment is what Load reads besides the file: the process environment
// as KEY=VALUE strings and a way to read secret files.
type Environment struct {
	Environ  []string
	ReadFile func(string) ([]byte, error)
}

// OSEnvironment is the real process environment.
func OSEnvironment() Environment {
	return Environment{Environ: os.Environ(), ReadFile: os.ReadFile}
}

func (e Environment) lookup(name string) (string, bool) {
	for _, kv := range e.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// ResolveConfigPath finds the configuration file: the flag, METERD_CONFIG,
// ./meterd.yaml, /etc/meterd/config.yaml. An empty result means the built-in
// defaults. A path that was asked for explicitly must exist.
func ResolveConfigPath(flagPath string, env Environment) (string, error) {
	if flagPath != "" {
		return flagPath, nil
	}
	if p, ok := env.lookup("METERD_CONFIG"); ok && p != "" {
		return p, nil
	}
	for _, p := range []string{"meterd.yaml", "/etc/meterd/config.yaml"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", nil
}

// Load reads the YAML file at path (none: built-in defaults), applies METERD_
// overrides and secrets from env, and validates everything. All problems are
// returned at once in a *ConfigError.
func Load(path string, env Environment) (*Config, error) {
	k := koanf.New(".")
	if err := k.Load(confmap.Provider(defaults(), "."), nil); err != nil {
		return nil, err
	}
	var p problems
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("configuration file %s: %w", path, errors.Unwrap(err))
		}
		fileK := koanf.New(".")
		if err := fileK.Load(file.Provider(path), yaml.Parser()); err != nil {
			return nil, fmt.Errorf("configuration file %s: %v", path, err)
		}
		raw := dropNulls(fileK.Raw())
		checkKeys(raw, reflect.TypeOf(Config{}), "", &p)
		if err := k.Load(confmap.Provider(raw, ""), nil); err != nil {
			return nil, err
		}
	}
	envK, envProblems := envOverrides(env)
	p.list = append(p.list, envProblems...)
	if err := k.Merge(envK); err != nil {
		return nil, err
	}

	var c Config
	dc := &mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			yamlTimeToString,
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.TextUnmarshallerHookFunc(),
		),
		Result:  &c,
		TagName: "koanf",
		// checkKeys already named unknown keys with their full path; with
		// none found, the decoder double-checks.
		ErrorUnused:      len(p.list) == 0,
		WeaklyTypedInput: true,
	}
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf", DecoderConfig: dc}); err != nil {
		p.list = append(p.list, decodeProblems(err)...)
		return nil, p.err()
	}
	c.Path = path
	c.Secrets = loadSecrets(env, &p)
	c.validate(env, &p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return &c, nil
}

// dropNulls removes keys written without a value ("http:" alone), which
// mean "the defaults" rather than "nothing".
func dropNulls(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			continue
		case map[string]any:
			out[k] = dropNulls(x)
		default:
			out[k] = v
		}
	}
	return out
}

// yamlTimeToString undoes YAML's timestamp typing: an unquoted 2020-06-01
// arrives as a UTC time.Time, but meterd reads dates as local wall-clock
// time, so it is turned back into the text the user wrote.
func yamlTimeToString(from reflect.Type, to reflect.Type, data any) (any, error) {
	t, ok := data.(time.Time)
	if !ok || to.Kind() != reflect.String {
		return data, nil
	}
	if t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02"), nil
	}
	return t.Format(time.RFC3339), nil
}

func decodeProblems(err error) []string {
	var out []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
		if line == "" || strings.HasPrefix(line, "decoding failed") {
			continue
		}
		out = append(out, strings.TrimSpace(line))
	}
	if len(out) == 0 {
		out = []string{err.Error()}
	}
	return out
}

// secretKeys are key names that would hold a secret; finding one in the file
// is an error that says where the secret belongs instead.
var secretKeys = map[string]bool{
	"token": true, "api_token": true, "password": true, "secret": true,
	"webhooks": true, "webhook": true, "urls": true, "tibber_token": true,
	"influx_token": true, "apikey": true, "api_key": true,
}

func secretHint(key string) string {
	switch {
	case strings.HasPrefix(key, "influx."):
		return "set METERD_INFLUX_TOKEN, METERD_INFLUX_TOKEN_FILE or the credential file influx-token"
	case strings.HasPrefix(key, "tibber."):
		return "set METERD_TIBBER_TOKEN, METERD_TIBBER_TOKEN_FILE or the credential file tibber-token"
	case strings.HasPrefix(key, "alerts."):
		return "set METERD_ALERT_WEBHOOKS, METERD_ALERT_WEBHOOKS_FILE or the credential file alert-webhooks"
	default:
		return "set METERD_API_TOKEN, METERD_API_TOKEN_FILE or the credential file api-token"
	}
}

// checkKeys walks the file's raw map against the Config struct and reports
// every key the struct does not have, with its full path.
func checkKeys(raw any, t reflect.Type, prefix string, p *problems) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return // a type error; the decoder reports it
		}
		fields := map[string]reflect.StructField{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if tag := f.Tag.Get("koanf"); tag != "" && tag != "-" {
				fields[tag] = f
			}
		}
		keys := make([]string, 0, len(m))
		for key := range m {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			full := key
			if prefix != "" {
				full = prefix + "." + key
			}
			if secretKeys[strings.ToLower(key)] {
				p.addf(full, "secrets do not belong in the configuration file; remove it and %s", secretHint(full))
				continue
			}
			f, ok := fields[key]
			if !ok {
				p.addf(full, "unknown key%s", suggest(key, fields))
				continue
			}
			checkKeys(m[key], f.Type, full, p)
		}
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			return
		}
		for i, el := range list {
			checkKeys(el, t.Elem(), fmt.Sprintf("%s[%d]", prefix, i), p)
		}
	}
}

func suggest(key string, fields map[string]reflect.StructField) string {
	var names []string
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, n := range names {
		if editDistance(strings.ToLower(key), n) <= 2 {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	return fmt.Sprintf(" (known keys here: %s)", strings.Join(names, ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// secretVars are the environment variables that carry secrets, and the
// credential file names systemd's LoadCredential= gives them.
var secretVars = map[string]string{
	"METERD_API_TOKEN":      "api-token",
	"METERD_INFLUX_TOKEN":   "influx-token",
	"METERD_TIBBER_TOKEN":   "tibber-token",
	"METERD_ALERT_WEBHOOKS": "alert-webhooks",
}

// envKeys maps METERD_ variable names to the scalar keys they override.
func envKeys() map[string]string {
	out := map[string]string{}
	for key := range defaults() {
		out["METERD_"+strings.ToUpper(strings.ReplaceAll(key, ".", "_"))] = key
	}
	return out
}

func envOverrides(env Environment) (*koanf.Koanf, []string) {
	keys := envKeys()
	var probs []string
	ek := koanf.New(".")
	err := ek.Load(envprovider.Provider(".", envprovider.Opt{
		Prefix:      "METERD_",
		EnvironFunc: func() []string { return env.Environ },
		TransformFunc: func(name, value string) (string, any) {
			if key, ok := keys[name]; ok {
				return key, value
			}
			base := strings.TrimSuffix(name, "_FILE")
			if _, ok := secretVars[base]; ok || name == "METERD_CONFIG" {
				return "", nil
			}
			probs = append(probs, fmt.Sprintf("%s: unknown environment variable (overridable: the service keys, e.g. METERD_HTTP_LISTEN; secrets: %s)", name, strings.Join(sortedKeys(secretVars), ", ")))
			return "", nil
		},
	}), nil)
	if err != nil {
		probs = append(probs, "environment: "+err.Error())
	}
	sort.Strings(probs)
	return ek, probs
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	meterIDPattern = regexp.MustCompile(`^[a-z0-9_]+$`)
	monthDayRe     = regexp.MustCompile(`^(\d{2})-(\d{2})$`)
)

func (c *Config) validate(env Environment, p *problems) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		p.addf("timezone", "unknown time zone %q (use an IANA name such as Europe/Berlin)", c.Timezone)
		loc = time.UTC
	}
	c.Location = loc

	c.validateService(env, p)

	if md, ok := parseMonthDay(c.Billing.Start); ok {
		c.BillingStart = md
	} else {
		p.addf("billing.start", "%q is not a day of the year as MM-DD (02-29 is allowed and means 28 February in other years)", c.Billing.Start)
	}

	var gas []analysis.GasFactor
	seen := map[time.Time]bool{}
	for i, g := range c.GasConversion {
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

	c.validateMeters(p)
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
	if c.HTTP.MaxUploadBytes <= 0 {
		p.addf("http.max_upload_bytes", "must be a positive number of bytes")
	}
	if strings.TrimSpace(c.Storage.Path) == "" {
		p.addf("storage.path", "must name the SQLite database file")
	} else if !filepath.IsAbs(c.Storage.Path) && c.Storage.Path != ":memory:" {
		if dir, ok := env.lookup("STATE_DIRECTORY"); ok && dir != "" {
			// systemd may pass several directories separated by colons.
			dir, _, _ = strings.Cut(dir, ":")
			c.Storage.Path = filepath.Join(dir, c.Storage.Path)
		}
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
		if _, err := cron.ParseStandard(s.expr); err != nil {
			p.addf("schedule."+s.name, "%q is not a cron expression (minute hour day month weekday): %v", s.expr, err)
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
// or an RFC 3339 instant with offset. Sub-second parts are truncated.
func ParseLocalTime(s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Truncate(time.Second), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		if endOfDay {
			return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc), nil
		}
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			// ParseInLocation already resolves a skipped or repeated wall
			// time like time.Date, as domain.md wants.
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2024-11-12) or local date-time (2024-11-12T10:00)", s)
}

var (
	validUtilities = []string{"electricity", "gas", "water", "heat", "other"}
	validSources   = []string{"manual", "tibber", "homeassistant", "influx"}
)

func (c *Config) validateMeters(p *problems) {
	loc := c.Location
	byID := map[string]int{}
	entities := map[string]string{}
	c.Meters = make([]Meter, 0, len(c.RawMeters))
	for i, rm := range c.RawMeters {
		key := fmt.Sprintf("meters[%d]", i)
		if rm.ID != "" {
			key = fmt.Sprintf("meters[%d] (%s)", i, rm.ID)
		}
		m := Meter{ConfigPosition: i, Description: rm.Description}
		m.ID = rm.ID
		switch {
		case rm.ID == "":
			p.addf(key+".id", "every meter needs an id of lowercase letters, digits and _")
		case !meterIDPattern.MatchString(rm.ID):
			p.addf(key+".id", "%q may only contain lowercase letters, digits and _", rm.ID)
		default:
			if j, dup := byID[rm.ID]; dup {
				p.addf(key+".id", "%q is already the id of meters[%d]", rm.ID, j)
			}
			byID[rm.ID] = i
		}
		m.Kind = analysis.Kind(rm.Type)
		if rm.Type == "" {
			m.Kind = analysis.Physical
		}
		if !slices.Contains([]analysis.Kind{analysis.Physical, analysis.Master, analysis.Virtual}, m.Kind) {
			p.addf(key+".type", "%q is not one of physical, master, virtual", rm.Type)
		}
		if !slices.Contains(validUtilities, rm.Utility) {
			p.addf(key+".utility", "%q is not one of %s", rm.Utility, strings.Join(validUtilities, ", "))
		}
		m.Utility = analysis.Utility(rm.Utility)
		if u, err := analysis.ParseUnit(rm.Unit); err != nil {
			p.addf(key+".unit", "%v", err)
		} else {
			m.Unit = u
		}
		m.Anomaly = c.anomalySettings(key, rm, p)

		if m.Kind == analysis.Physical {
			c.validatePhysical(key, rm, &m, entities, p)
		} else {
			for name, set := range map[string]bool{
				"reading": rm.Reading != "", "source": rm.Source != "", "removed": rm.Removed != "",
				"interval": rm.Interval != "", "resets": len(rm.Resets) > 0,
				"seasonal_pattern": rm.SeasonalPattern != nil, "homeassistant": rm.HomeAssistant != nil,
				"influx": rm.Influx != nil,
			} {
				if set {
					p.addf(key+"."+name, "only physical meters have %s", name)
				}
			}
		}
		if m.Kind != analysis.Master && len(rm.Periods) > 0 {
			p.addf(key+".periods", "only master meters have periods")
		}
		if m.Kind != analysis.Virtual && (rm.Base != "" || len(rm.Subtract) > 0) {
			p.addf(key+".base", "only virtual meters have base and subtract")
		}
		if m.Kind == analysis.Master {
			for j, per := range rm.Periods {
				from, err := ParseLocalTime(per.From, loc, false)
				if err != nil {
					p.addf(fmt.Sprintf("%s.periods[%d].from", key, j), "%v", err)
				}
				m.Periods = append(m.Periods, analysis.Period{From: from, Meters: per.Meters})
			}
		}
		if m.Kind == analysis.Virtual {
			m.Base = rm.Base
			m.Subtract = rm.Subtract
		}
		c.Meters = append(c.Meters, m)
	}
	tibberMeters := 0
	for i, m := range c.Meters {
		if m.Kind == analysis.Physical && m.Source == SourceTibber {
			tibberMeters++
			if tibberMeters == 2 {
				p.addf(fmt.Sprintf("meters[%d] (%s).source", i, m.ID), "only one meter can take Tibber's hourly consumption")
			}
		}
	}
	// References need every meter known first.
	for i := range c.Meters {
		m := &c.Meters[i]
		key := fmt.Sprintf("meters[%d] (%s)", i, m.ID)
		switch m.Kind {
		case analysis.Master:
			c.validateMaster(key, m, byID, p)
		case analysis.Virtual:
			c.validateVirtual(key, m, byID, p)
		}
	}
	c.checkCycles(byID, p)
}

func (c *Config) validatePhysical(key string, rm MeterConfig, m *Meter, entities map[string]string, p *problems) {
	loc := c.Location
	m.Reading = analysis.ReadingKind(rm.Reading)
	if rm.Reading == "" {
		m.Reading = analysis.Cumulative
	}
	if m.Reading != analysis.Cumulative && m.Reading != analysis.Interval {
		p.addf(key+".reading", "%q is not one of cumulative, interval", rm.Reading)
	}
	m.Source = Source(rm.Source)
	if rm.Source == "" {
		m.Source = SourceManual
	}
	if !slices.Contains(validSources, string(m.Source)) {
		p.addf(key+".source", "%q is not one of %s", rm.Source, strings.Join(validSources, ", "))
	}
	if m.Reading == analysis.Interval {
		m.Interval = time.Hour
		if rm.Interval != "" {
			d, err := time.ParseDuration(rm.Interval)
			if err != nil || d < time.Minute || (24*time.Hour)%d != 0 && d%(24*time.Hour) != 0 {
				p.addf(key+".interval", "%q is not a duration that divides a day, e.g. 15m or 1h", rm.Interval)
			} else {
				m.Interval = d
			}
		}
		if len(rm.Resets) > 0 {
			p.addf(key+".resets", "an interval meter has no counter to reset; remove resets")
		}
	} else if rm.Interval != "" {
		p.addf(key+".interval", "only interval meters (reading: interval) have an interval")
	}
	if m.Source == SourceTibber && m.Reading != analysis.Interval {
		p.addf(key+".reading", "a Tibber meter gets hourly consumption: set reading: interval")
	}
	if rm.Removed != "" {
		t, err := ParseLocalTime(rm.Removed, loc, true)
		if err != nil {
			p.addf(key+".removed", "%v", err)
		}
		m.Removed = t
	}
	for j, r := range rm.Resets {
		t, err := ParseLocalTime(r, loc, false)
		if err != nil {
			p.addf(fmt.Sprintf("%s.resets[%d]", key, j), "%v", err)
			continue
		}
		m.Resets = append(m.Resets, t)
	}
	sort.Slice(m.Resets, func(a, b int) bool { return m.Resets[a].Before(m.Resets[b]) })
	if rm.SeasonalPattern != nil {
		sum := 0.0
		ok := len(rm.SeasonalPattern) == 12
		for _, v := range rm.SeasonalPattern {
			if v < 0 {
				ok = false
			}
			sum += v
		}
		if !ok || sum < 95 || sum > 105 {
			p.addf(key+".seasonal_pattern", "needs 12 monthly percentages, each ≥ 0, summing to 100 ± 5 (got %d values summing to %g)", len(rm.SeasonalPattern), sum)
		}
		if m.Reading == analysis.Interval {
			p.addf(key+".seasonal_pattern", "only cumulative meters are interpolated")
		}
		m.SeasonalPattern = rm.SeasonalPattern
	}
	if m.Source == SourceHomeAssistant {
		if rm.HomeAssistant == nil || rm.HomeAssistant.EntityID == "" {
			p.addf(key+".homeassistant.entity_id", "a meter with source homeassistant needs the entity it is pushed as, e.g. sensor.gaszaehler")
		} else {
			m.HAEntityID = rm.HomeAssistant.EntityID
			if other, dup := entities[m.HAEntityID]; dup {
				p.addf(key+".homeassistant.entity_id", "%q is already mapped to meter %s", m.HAEntityID, other)
			}
			entities[m.HAEntityID] = m.ID
		}
	} else if rm.HomeAssistant != nil {
		p.addf(key+".homeassistant", "only meters with source: homeassistant are pushed by Home Assistant")
	}
	if m.Source == SourceInflux {
		switch {
		case rm.Influx == nil || rm.Influx.Measurement == "" || rm.Influx.EntityID == "":
			p.addf(key+".influx", "a meter with source influx needs measurement and entity_id (Home Assistant writes measurement = unit, entity_id without the sensor. prefix)")
		default:
			m.InfluxSource = *rm.Influx
			if m.InfluxSource.Field == "" {
				m.InfluxSource.Field = "value"
			}
		}
		if c.Influx.URL == "" {
			p.addf(key+".source", "source influx needs influx.url")
		}
	} else if rm.Influx != nil {
		p.addf(key+".influx", "only meters with source: influx are read from InfluxDB")
	}
}

func (c *Config) anomalySettings(key string, rm MeterConfig, p *problems) AnomalySettings {
	a := AnomalySettings{SpikeFactor: 2.0, NegativeTolerance: 0.1, YearOverYearFactor: 1.5, Disabled: map[string]bool{}}
	switch Source(rm.Source) {
	case SourceTibber, SourceHomeAssistant, SourceInflux:
		a.MaxSilence = 48 * time.Hour
	}
	if rm.Anomaly == nil {
		return a
	}
	cfg := rm.Anomaly
	if cfg.SpikeFactor != nil {
		if *cfg.SpikeFactor <= 1 {
			p.addf(key+".anomaly.spike_factor", "must be greater than 1")
		}
		a.SpikeFactor = *cfg.SpikeFactor
	}
	if cfg.MaxSilence != nil {
		d, err := time.ParseDuration(*cfg.MaxSilence)
		if err != nil || d < 0 {
			p.addf(key+".anomaly.max_silence", "%q is not a duration such as 48h (0 switches the rule off)", *cfg.MaxSilence)
		}
		a.MaxSilence = d
	}
	if cfg.NegativeTolerance != nil {
		if *cfg.NegativeTolerance < 0 {
			p.addf(key+".anomaly.negative_tolerance", "must not be negative (0.1 means 10 %%)")
		}
		a.NegativeTolerance = *cfg.NegativeTolerance
	}
	if cfg.YearOverYear != nil {
		if *cfg.YearOverYear <= 1 {
			p.addf(key+".anomaly.year_over_year_factor", "must be greater than 1")
		}
		a.YearOverYearFactor = *cfg.YearOverYear
	}
	for j, r := range cfg.Disabled {
		if !slices.Contains(AnomalyRules, r) {
			p.addf(fmt.Sprintf("%s.anomaly.disabled[%d]", key, j), "%q is not a rule (%s)", r, strings.Join(AnomalyRules, ", "))
		}
		a.Disabled[r] = true
	}
	return a
}

func (c *Config) validateMaster(key string, m *Meter, byID map[string]int, p *problems) {
	if len(m.Periods) == 0 {
		p.addf(key+".periods", "a master meter needs at least one period {from, meters}")
	}
	for j, per := range m.Periods {
		pk := fmt.Sprintf("%s.periods[%d]", key, j)
		if j > 0 && !per.From.IsZero() && !m.Periods[j-1].From.IsZero() && !per.From.After(m.Periods[j-1].From) {
			p.addf(pk+".from", "periods must be in time order: %s is not after the previous period's start", per.From.In(c.Location).Format("2006-01-02T15:04"))
		}
		if len(per.Meters) == 0 {
			p.addf(pk+".meters", "a period needs at least one physical meter")
		}
		seen := map[string]bool{}
		for _, id := range per.Meters {
			if seen[id] {
				p.addf(pk+".meters", "%q is listed twice", id)
			}
			seen[id] = true
			idx, ok := byID[id]
			if !ok {
				p.addf(pk+".meters", "unknown meter %q", id)
				continue
			}
			src := c.Meters[idx]
			if src.Kind != analysis.Physical || src.Reading != analysis.Cumulative {
				p.addf(pk+".meters", "%q must be a physical cumulative meter (a master meter joins counters)", id)
				continue
			}
			if src.Utility != m.Utility {
				p.addf(pk+".meters", "%q measures %s, the master meter %s", id, src.Utility, m.Utility)
			}
			if _, ok := analysis.ConstantFactor(src.Unit, m.Unit); !ok && src.Unit != "" && m.Unit != "" {
				p.addf(pk+".meters", "%q counts %s, which does not convert to %s by a constant factor (a gas m³↔kWh factor would make the counter jump)", id, src.Unit, m.Unit)
			}
		}
	}
}

func (c *Config) validateVirtual(key string, m *Meter, byID map[string]int, p *problems) {
	check := func(field, id string) {
		idx, ok := byID[id]
		if !ok {
			p.addf(key+"."+field, "unknown meter %q", id)
			return
		}
		o := c.Meters[idx]
		if o.ID == m.ID {
			p.addf(key+"."+field, "a virtual meter cannot use itself")
			return
		}
		if o.Utility != m.Utility {
			p.addf(key+"."+field, "%q measures %s, the virtual meter %s", id, o.Utility, m.Utility)
		}
		if o.Unit != "" && m.Unit != "" && !analysis.Convertible(o.Unit, m.Unit, m.Utility) {
			p.addf(key+"."+field, "%q counts %s, which does not convert to %s", id, o.Unit, m.Unit)
		}
	}
	if m.Base == "" {
		p.addf(key+".base", "a virtual meter needs a base meter")
	} else {
		check("base", m.Base)
	}
	if len(m.Subtract) == 0 {
		p.addf(key+".subtract", "a virtual meter needs at least one meter to subtract")
	}
	for j, id := range m.Subtract {
		check(fmt.Sprintf("subtract[%d]", j), id)
	}
}

// checkCycles reports virtual meters that depend on themselves through other
// virtual meters, naming the cycle.
func (c *Config) checkCycles(byID map[string]int, p *problems) {
	const (
		unvisited = iota
		active
		done
	)
	state := make([]int, len(c.Meters))
	var stack []string
	reported := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		m := c.Meters[i]
		state[i] = active
		stack = append(stack, m.ID)
		for _, dep := range append([]string{m.Base}, m.Subtract...) {
			j, ok := byID[dep]
			// A meter naming itself is reported where it is named.
			if !ok || dep == m.ID || c.Meters[j].Kind != analysis.Virtual {
				continue
			}
			switch state[j] {
			case active:
				start := slices.Index(stack, dep)
				cycle := append(append([]string(nil), stack[start:]...), dep)
				if !reported[dep] {
					reported[dep] = true
					p.addf(fmt.Sprintf("meters[%d] (%s)", j, dep), "virtual meters form a cycle: %s", strings.Join(cycle, " → "))
				}
			case unvisited:
				visit(j)
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = done
	}
	for i, m := range c.Meters {
		if m.Kind == analysis.Virtual && state[i] == unvisited {
			visit(i)
		}
	}
}
