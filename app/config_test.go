package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/analysis"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "meterd.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(kv ...string) Environment {
	return Environment{Environ: kv, ReadFile: os.ReadFile}
}

func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want a *ConfigError, got %v", err)
	}
	return ce.Problems
}

func wantProblem(t *testing.T, probs []string, key, fragment string) {
	t.Helper()
	for _, p := range probs {
		if strings.HasPrefix(p, key+":") && strings.Contains(p, fragment) {
			return
		}
	}
	t.Errorf("no problem for %s containing %q in:\n  %s", key, fragment, strings.Join(probs, "\n  "))
}

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := Load("../config.example.yaml", envOf())
	if err != nil {
		t.Fatal(err)
	}
	loc := berlin(t)
	if cfg.Location.String() != "Europe/Berlin" || cfg.HTTP.Listen != "127.0.0.1:8080" || cfg.HTTP.MaxUploadBytes != 20<<20 {
		t.Errorf("service defaults: %+v %+v", cfg.Location, cfg.HTTP)
	}
	if cfg.Tibber.Overlap != 72*time.Hour || cfg.Tibber.RequestsPer5Min != 20 || cfg.Influx.Enabled() {
		t.Errorf("tibber/influx: %+v %+v", cfg.Tibber, cfg.Influx)
	}
	gas, ok := cfg.Meter("gas_gesamt")
	if !ok || gas.Kind != analysis.Master || len(gas.Periods) != 2 {
		t.Fatalf("gas_gesamt = %+v", gas)
	}
	// "2024-11-12T10:00" is local (CET, +01:00): 09:00 UTC.
	if want := time.Date(2024, 11, 12, 9, 0, 0, 0, time.UTC); !gas.Periods[1].From.Equal(want) {
		t.Errorf("switch at %v; want %v", gas.Periods[1].From, want)
	}
	// An unquoted YAML date is local midnight, not UTC midnight.
	if want := time.Date(2020, 6, 1, 0, 0, 0, 0, loc); !gas.Periods[0].From.Equal(want) {
		t.Errorf("first period from %v; want %v", gas.Periods[0].From, want)
	}
	kamin, _ := cfg.Meter("kamin")
	if kamin.Base != "gas_gesamt" || len(kamin.Subtract) != 1 || kamin.Unit != analysis.M3 {
		t.Errorf("kamin = %+v", kamin)
	}
	// Gas factors: 11.504 × 0.8885 until 2025, then 11.38 × 0.9012.
	if f := cfg.Gas.At(time.Date(2024, 6, 1, 0, 0, 0, 0, loc)); f != 11.504*0.8885 {
		t.Errorf("gas factor 2024 = %v", f)
	}
	if f := cfg.Gas.At(time.Date(2025, 6, 1, 0, 0, 0, 0, loc)); f != 11.38*0.9012 {
		t.Errorf("gas factor 2025 = %v", f)
	}
	whg3, _ := cfg.Meter("whg3_strom")
	if whg3.Source != SourceHomeAssistant || whg3.HAEntityID != "sensor.whg3_stromzaehler" || whg3.Anomaly.MaxSilence != 48*time.Hour {
		t.Errorf("whg3_strom = %+v", whg3)
	}
	waerme, _ := cfg.Meter("waerme")
	if waerme.Unit != analysis.MWh || waerme.Anomaly.SpikeFactor != 3.0 || waerme.Anomaly.MaxSilence != 0 {
		t.Errorf("waerme = %+v", waerme)
	}
	if len(cfg.Meters) != 16 {
		t.Errorf("%d meters; want 16", len(cfg.Meters))
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	cfg, err := Load("", envOf())
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Meters) != 0 || cfg.Storage.Path != "meterd.db" || cfg.BillingStart != (MonthDay{time.January, 1}) {
		t.Errorf("defaults: %+v", cfg)
	}
	if f := cfg.Gas.At(time.Now()); f != 11.504*0.8885 {
		t.Errorf("default gas factor %v; want 11.504 × 0.8885", f)
	}
}

func TestEveryProblemIsReportedWithItsKey(t *testing.T) {
	p := writeConfig(t, `
timezone: Mars/Olympus
http:
  lisen: 0.0.0.0:80
influx:
  token: s3cr3t-influx
billing:
  start: "04-31"
meters:
  - id: gas_alt
    utility: gas
    unit: m3
  - id: v1
    type: virtual
    utility: gas
    unit: m³
    base: v2
    subtract: [gas_alt]
  - id: v2
    type: virtual
    utility: gas
    unit: m³
    base: v1
    subtract: [nowhere]
  - id: total
    type: master
    utility: gas
    unit: kWh
    periods: [{from: 2020-01-01, meters: [gas_alt]}]
  - id: wasser
    utility: water
    unit: m³
    seasonal_pattern: [10, 10, 10]
    resets: ["not a date"]
`)
	_, err := Load(p, envOf())
	probs := problemsOf(t, err)
	wantProblem(t, probs, "http.lisen", `did you mean "listen"`)
	wantProblem(t, probs, "influx.token", "METERD_INFLUX_TOKEN")
	wantProblem(t, probs, "timezone", "Mars/Olympus")
	wantProblem(t, probs, "billing.start", "04-31")
	wantProblem(t, probs, "meters[2] (v2).subtract[0]", `unknown meter "nowhere"`)
	wantProblem(t, probs, "meters[1] (v1)", "cycle: v1 → v2 → v1")
	wantProblem(t, probs, "meters[3] (total).periods[0].meters", "constant factor")
	wantProblem(t, probs, "meters[4] (wasser).seasonal_pattern", "12 monthly percentages")
	wantProblem(t, probs, "meters[4] (wasser).resets[0]", "not a date")
	for _, pr := range probs {
		if strings.Contains(pr, "s3cr3t-influx") {
			t.Errorf("a problem shows the secret: %s", pr)
		}
	}
}

func TestSecretInYAMLSaysWhereItBelongs(t *testing.T) {
	for key, hint := range map[string]string{
		"tibber:\n  token: abc":               "METERD_TIBBER_TOKEN",
		"http:\n  api_token: abc":             "METERD_API_TOKEN",
		"alerts:\n  webhooks: [http://x/abc]": "METERD_ALERT_WEBHOOKS",
	} {
		_, err := Load(writeConfig(t, key+"\n"), envOf())
		probs := problemsOf(t, err)
		if len(probs) != 1 || !strings.Contains(probs[0], hint) || !strings.Contains(probs[0], "do not belong") {
			t.Errorf("%q: %v; want one problem pointing to %s", key, probs, hint)
		}
	}
}

func TestUnknownMeterReferences(t *testing.T) {
	p := writeConfig(t, `
meters:
  - {id: a, utility: electricity, unit: kWh}
  - id: m
    type: master
    utility: electricity
    unit: MWh
    periods:
      - {from: 2023-01-01, meters: [a]}
      - {from: 2022-01-01, meters: [b]}
  - {id: v, type: virtual, utility: electricity, unit: kWh, base: x, subtract: [a]}
`)
	probs := problemsOf(t, func() error { _, err := Load(p, envOf()); return err }())
	wantProblem(t, probs, "meters[1] (m).periods[1].meters", `unknown meter "b"`)
	wantProblem(t, probs, "meters[1] (m).periods[1].from", "time order")
	wantProblem(t, probs, "meters[2] (v).base", `unknown meter "x"`)
	if len(probs) != 3 {
		t.Errorf("problems %v; want exactly 3 (kWh→MWh is a valid master conversion)", probs)
	}
}

func TestMeterRules(t *testing.T) {
	p := writeConfig(t, `
meters:
  - {id: t, utility: electricity, unit: kWh, source: tibber}
  - {id: i, utility: electricity, unit: kWh, reading: interval, resets: ["2024-01-01"]}
  - {id: h, utility: gas, unit: m³, source: homeassistant}
  - {id: f, utility: gas, unit: m³, source: influx, influx: {measurement: m³, entity_id: gas}}
  - {id: hc, utility: heat, unit: units}
  - {id: vv, type: virtual, utility: heat, unit: kWh, base: hc, subtract: [hc2]}
  - {id: hc2, utility: heat, unit: kWh, anomaly: {disabled: [spike, sneeze]}}
  - {id: dup, utility: water, unit: l}
  - {id: dup, utility: water, unit: l}
  - {id: gm, type: master, utility: gas, unit: kWh, periods: [{from: 2024-01-01, meters: [h]}]}
`)
	probs := problemsOf(t, func() error { _, err := Load(p, envOf()); return err }())
	wantProblem(t, probs, "meters[0] (t).reading", "reading: interval")
	wantProblem(t, probs, "meters[1] (i).resets", "interval meter")
	wantProblem(t, probs, "meters[2] (h).homeassistant.entity_id", "needs the entity")
	wantProblem(t, probs, "meters[3] (f).source", "influx.url")
	wantProblem(t, probs, "meters[5] (vv).base", "does not convert")
	wantProblem(t, probs, "meters[6] (hc2).anomaly.disabled[1]", `"sneeze" is not a rule`)
	wantProblem(t, probs, "meters[8] (dup).id", "already the id of meters[7]")
	wantProblem(t, probs, "meters[9] (gm).periods[0].meters", "constant factor")
}

func TestVirtualGasConversionIsAllowed(t *testing.T) {
	p := writeConfig(t, `
meters:
  - {id: gas, utility: gas, unit: m³}
  - {id: boiler, utility: gas, unit: kWh}
  - {id: fire, type: virtual, utility: gas, unit: m³, base: gas, subtract: [boiler]}
  - {id: fire2, type: virtual, utility: gas, unit: l, base: fire, subtract: [boiler]}
`)
	if _, err := Load(p, envOf()); err != nil {
		t.Fatal(err)
	}
}

func TestLocalTimesAndRemoved(t *testing.T) {
	loc := berlin(t)
	p := writeConfig(t, `
billing: {start: "02-29"}
meters:
  - {id: a, utility: water, unit: m³, removed: 2024-11-12, resets: ["2025-03-30T02:30", "2024-10-27T02:30"]}
`)
	cfg, err := Load(p, envOf())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cfg.Meter("a")
	// A date alone means the end of that day: the next local midnight.
	if want := time.Date(2024, 11, 13, 0, 0, 0, 0, loc); !a.Removed.Equal(want) {
		t.Errorf("removed %v; want %v", a.Removed, want)
	}
	// Sorted; the autumn 02:30 happens twice and is the second one
	// (02:30+01:00 = 01:30 UTC); the spring 02:30 does not exist and moves
	// forward to 03:30+02:00 (01:30 UTC).
	want := []time.Time{time.Date(2024, 10, 27, 1, 30, 0, 0, time.UTC), time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC)}
	if len(a.Resets) != 2 || !a.Resets[0].Equal(want[0]) || !a.Resets[1].Equal(want[1]) {
		t.Errorf("resets %v; want %v", a.Resets, want)
	}
	if cfg.BillingStart != (MonthDay{time.February, 29}) {
		t.Errorf("billing start %v", cfg.BillingStart)
	}
}

func TestEnvironmentOverridesAndSecrets(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "influx")
	os.WriteFile(tokenFile, []byte("user:pa55word\n"), 0o600)
	creds := filepath.Join(dir, "creds")
	os.Mkdir(creds, 0o700)
	os.WriteFile(filepath.Join(creds, "tibber-token"), []byte("tibber-secret"), 0o600)
	os.WriteFile(filepath.Join(creds, "api-token"), []byte("from-credentials"), 0o600)

	cfg, err := Load("", envOf(
		"METERD_HTTP_LISTEN=0.0.0.0:9090",
		"METERD_HTTP_MAX_UPLOAD_BYTES=1024",
		"METERD_TIBBER_OVERLAP=24h",
		"METERD_API_TOKEN=from-env",
		"METERD_INFLUX_TOKEN_FILE="+tokenFile,
		"CREDENTIALS_DIRECTORY="+creds,
		"METERD_ALERT_WEBHOOKS=https://ntfy.example/a?t=1, https://ntfy.example/b",
		"STATE_DIRECTORY=/var/lib/meterd",
	))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != "0.0.0.0:9090" || cfg.HTTP.MaxUploadBytes != 1024 || cfg.Tibber.Overlap != 24*time.Hour {
		t.Errorf("overrides not applied: %+v %+v", cfg.HTTP, cfg.Tibber)
	}
	// The variable wins over the credential file; _FILE is read and
	// trimmed; the credential directory fills what is left.
	if cfg.Secrets.APIToken.Value() != "from-env" || cfg.Secrets.InfluxToken.Value() != "user:pa55word" || cfg.Secrets.TibberToken.Value() != "tibber-secret" {
		t.Errorf("secrets: api %q influx %q tibber %q", cfg.Secrets.APIToken.Value(), cfg.Secrets.InfluxToken.Value(), cfg.Secrets.TibberToken.Value())
	}
	if len(cfg.Secrets.AlertWebhooks) != 2 || cfg.Secrets.AlertWebhooks[1].Value() != "https://ntfy.example/b" {
		t.Errorf("webhooks %v", cfg.Secrets.AlertWebhooks)
	}
	if cfg.Storage.Path != "/var/lib/meterd/meterd.db" {
		t.Errorf("storage path %q; want it under $STATE_DIRECTORY", cfg.Storage.Path)
	}
	if s := cfg.Secrets.APIToken.String(); s != "[redacted]" {
		t.Errorf("a secret prints as %q", s)
	}
}

func TestRealProcessEnvironment(t *testing.T) {
	t.Setenv("METERD_SCHEDULE_BACKUP", "")
	t.Setenv("METERD_TIMEZONE", "UTC")
	cfg, err := Load("", OSEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Schedule.Backup != "" || cfg.Location != time.UTC {
		t.Errorf("schedule.backup %q, location %v", cfg.Schedule.Backup, cfg.Location)
	}
}

func TestEnvironmentProblems(t *testing.T) {
	_, err := Load("", envOf(
		"METERD_HTTP_LISTN=127.0.0.1:1",
		"METERD_HTTP_LISTEN=0.0.0.0:8080",
		"METERD_TIBBER_TOKEN_FILE=/does/not/exist",
		"METERD_SCHEDULE_TIBBER_POLL=every hour",
	))
	probs := problemsOf(t, err)
	wantProblem(t, probs, "METERD_HTTP_LISTN", "unknown environment variable")
	wantProblem(t, probs, "http.listen", "no API token")
	wantProblem(t, probs, "METERD_TIBBER_TOKEN_FILE", "/does/not/exist")
	wantProblem(t, probs, "schedule.tibber_poll", "cron expression")
}

func TestMissingExplicitFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), envOf())
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err %v; want it to name the file", err)
	}
}

// TestProblemsSortedByKey: the same file always lists its problems in the
// same order, by key, with meters[10] after meters[9] (not after meters[1]).
func TestProblemsSortedByKey(t *testing.T) {
	var meters strings.Builder
	for i := range 11 {
		unit := "m³"
		if i == 2 || i == 10 {
			unit = "furlong" // a problem at meters[2] and meters[10]
		}
		fmt.Fprintf(&meters, "  - {id: m%d, utility: water, unit: %s}\n", i, unit)
	}
	p := writeConfig(t, "timezone: Mars/Olympus\nbilling: {start: \"13-01\"}\nschedule: {backup: \"61 * * * *\"}\nmeters:\n"+meters.String())
	probs := problemsOf(t, nil2(Load(p, envOf())))
	var keys []string
	for _, pr := range probs {
		k, _, _ := strings.Cut(pr, ": ")
		keys = append(keys, k)
	}
	want := []string{"billing.start", "meters[2] (m2).unit", "meters[10] (m10).unit", "schedule.backup", "timezone"}
	if strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Errorf("problem keys in order %q; want %q", keys, want)
	}
}

// TestScheduleThatNeverFires: a cron expression for a day that does not
// exist parses, but would stop serve at start-up; check-config refuses it.
func TestScheduleThatNeverFires(t *testing.T) {
	for _, expr := range []string{"0 0 30 2 *", "0 3 31 4 *"} {
		p := writeConfig(t, "schedule: {monthly_report: \""+expr+"\"}\n")
		_, err := Load(p, envOf())
		probs := problemsOf(t, err)
		wantProblem(t, probs, "schedule.monthly_report", "never fires")
	}
	// 29 February fires in leap years: allowed.
	p := writeConfig(t, "schedule: {monthly_report: \"0 3 29 2 *\"}\n")
	if _, err := Load(p, envOf()); err != nil {
		t.Errorf("29 February: %v", err)
	}
}

func nil2[T any](_ T, err error) error { return err }

func TestAllowedHostsFromFileAndEnvironment(t *testing.T) {
	cfg, err := Load(writeConfig(t, "http: {allowed_hosts: [meterd.home.arpa]}\n"), envOf())
	if err != nil || len(cfg.HTTP.AllowedHosts) != 1 || cfg.HTTP.AllowedHosts[0] != "meterd.home.arpa" {
		t.Fatalf("from the file: %v %v", cfg, err)
	}
	cfg, err = Load("", envOf("METERD_HTTP_ALLOWED_HOSTS=a.example,b.example"))
	if err != nil || strings.Join(cfg.HTTP.AllowedHosts, "|") != "a.example|b.example" {
		t.Fatalf("from the environment: %v %v", cfg.HTTP.AllowedHosts, err)
	}
}

// TestPatternSumIsJudgedOnDecimals: these twelve values make exactly 105,
// within 100 ± 5, although their float sum is 105.00000000000001; 0.1 more
// is outside.
func TestPatternSumIsJudgedOnDecimals(t *testing.T) {
	ok := "[8.9, 9.8, 13.3, 7.8, 9.2, 12.2, 10.2, 5.7, 2.0, 8.3, 10.4, 7.2]"
	if _, err := Load(writeConfig(t, "meters:\n  - {id: g, utility: gas, unit: m³, seasonal_pattern: "+ok+"}\n"), envOf()); err != nil {
		t.Errorf("a pattern of exactly 105: %v", err)
	}
	over := "[8.9, 9.8, 13.3, 7.8, 9.2, 12.2, 10.2, 5.7, 2.0, 8.3, 10.4, 7.3]"
	_, err := Load(writeConfig(t, "meters:\n  - {id: g, utility: gas, unit: m³, seasonal_pattern: "+over+"}\n"), envOf())
	wantProblem(t, problemsOf(t, err), "meters[0] (g).seasonal_pattern", "summing to 105.1")
}

// TestCredentialsFromTheFolder: the unit loads /etc/meterd/credentials as
// one folder, and systemd names each file in it meterd_<file>; secrets
// found so are read like those given one by one, and a secret with no file
// is simply not set.
func TestCredentialsFromTheFolder(t *testing.T) {
	creds := t.TempDir()
	os.WriteFile(filepath.Join(creds, "meterd_api-token"), []byte("folder-token-123\n"), 0o600)
	os.WriteFile(filepath.Join(creds, "meterd_alert-webhooks"), []byte("https://ntfy.example/x"), 0o600)
	cfg, err := Load("", envOf("CREDENTIALS_DIRECTORY="+creds, "METERD_HTTP_LISTEN=0.0.0.0:8080"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Secrets.APIToken.Value() != "folder-token-123" || len(cfg.Secrets.AlertWebhooks) != 1 || !cfg.Secrets.TibberToken.Empty() {
		t.Errorf("api %q, webhooks %v, tibber set %v", cfg.Secrets.APIToken.Value(), cfg.Secrets.AlertWebhooks, !cfg.Secrets.TibberToken.Empty())
	}
}
