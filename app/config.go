package app

import (
	"fmt"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/msg"
)

// fileConfig is the configuration as written: the YAML schema, with the
// defaults and METERD_ variables merged in. Load checks it and resolves it
// into a Config; nothing else reads it.
type fileConfig struct {
	Timezone      string                `koanf:"timezone"`
	HTTP          HTTPConfig            `koanf:"http"`
	UI            UIConfig              `koanf:"ui"`
	Storage       StorageConfig         `koanf:"storage"`
	Influx        InfluxConfig          `koanf:"influx"`
	Tibber        TibberConfig          `koanf:"tibber"`
	Schedule      ScheduleConfig        `koanf:"schedule"`
	Alerts        AlertsConfig          `koanf:"alerts"`
	GasConversion []GasConversionConfig `koanf:"gas_conversion"`
	Billing       BillingConfig         `koanf:"billing"`
	Meters        []MeterConfig         `koanf:"meters"`
}

// Config is meterd's validated configuration. Everything a command needs is
// resolved here once: time zone, meters, secrets and paths.
type Config struct {
	HTTP HTTPConfig
	UI   UIConfig
	// Lang is ui.language resolved: the language of pages, alerts and
	// error texts.
	Lang     msg.Lang
	Storage  StorageConfig // paths made absolute against $STATE_DIRECTORY
	Influx   InfluxConfig
	Tibber   TibberConfig
	Schedule ScheduleConfig
	Alerts   AlertsConfig

	Location     *time.Location
	Gas          analysis.GasFactors
	BillingStart MonthDay
	// Earliest is storage.earliest resolved.
	Earliest time.Time
	Meters   []Meter // in configuration order
	Secrets  Secrets
	// Path is the file the configuration came from; empty for the built-in
	// defaults.
	Path string
}

// HTTPConfig is the web server's part.
type HTTPConfig struct {
	Listen         string `koanf:"listen"`
	MaxUploadBytes int64  `koanf:"max_upload_bytes"`
	// AllowedHosts are Host names served without a token besides the
	// loopback ones, for a reverse proxy.
	AllowedHosts []string `koanf:"allowed_hosts"`
}

// UIConfig is what a person reads: the language of the pages, alerts and
// error texts (de or en).
type UIConfig struct {
	Language string `koanf:"language"`
}

// StorageConfig says where the SQLite database lives.
type StorageConfig struct {
	Path string `koanf:"path"`
	// BackupDir holds the backup job's copies (relative: beside the
	// database); BackupKeep is how many of them stay.
	BackupDir  string `koanf:"backup_dir"`
	BackupKeep int    `koanf:"backup_keep"`
	// Earliest (a date or instant) and FutureTolerance bound a reading's
	// instant: nothing before Earliest, nothing later than now plus the
	// tolerance (docs/import.md#the-domain-of-a-reading).
	Earliest        string        `koanf:"earliest"`
	FutureTolerance time.Duration `koanf:"future_tolerance"`
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
		{JobTibberPoll, s.TibberPoll}, {JobDailyAnalysis, s.DailyAnalysis},
		{JobMonthlyReport, s.MonthlyReport}, {JobAnomalyCheck, s.AnomalyCheck}, {JobBackup, s.Backup},
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
	// MaxPerDay is the most a cumulative meter plausibly counts in a day;
	// a reading implying more is held back until confirmed.
	MaxPerDay float64        `koanf:"max_per_day"`
	Periods   []PeriodConfig `koanf:"periods"`
	Base      string         `koanf:"base"`
	Subtract  []string       `koanf:"subtract"`
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

// Where a physical meter's readings come from (docs/import.md).
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
	MaxPerDay      float64 // 0: judged by the meter's usual rate only
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

// readsInflux reports a meter whose readings are read from InfluxDB.
func (c *Config) readsInflux() bool {
	for _, m := range c.Meters {
		if m.Source == SourceInflux {
			return true
		}
	}
	return false
}

// physicalParts is the set of physical meters whose readings the figures
// of the meters ids come from: themselves, a master's meters, a virtual
// meter's base and subtracted meters, all the way down.
func (c *Config) physicalParts(ids ...string) map[string]bool {
	parts, seen := map[string]bool{}, map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		m, _ := c.Meter(id)
		switch m.Kind {
		case analysis.Physical:
			parts[id] = true
		case analysis.Master:
			for _, p := range m.Periods {
				for _, x := range p.Meters {
					walk(x)
				}
			}
		case analysis.Virtual:
			walk(m.Base)
			for _, x := range m.Subtract {
				walk(x)
			}
		}
	}
	for _, id := range ids {
		walk(id)
	}
	return parts
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
		"http.allowed_hosts":       []string{},
		"ui.language":              "de",
		"storage.path":             "meterd.db",
		"storage.backup_dir":       "backups",
		"storage.backup_keep":      7,
		"storage.earliest":         "2000-01-01",
		"storage.future_tolerance": "10m",
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
