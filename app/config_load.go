package app

// Loading: the file, defaults, METERD_ variables and secrets, and the
// checks that only the raw keys allow (unknown keys, secrets in the file).

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	envprovider "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

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

// Lookup is the value of the variable name, as os.LookupEnv.
func (e Environment) Lookup(name string) (string, bool) {
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
	if p, ok := env.Lookup("METERD_CONFIG"); ok && p != "" {
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
		checkKeys(raw, reflect.TypeOf(fileConfig{}), "", &p)
		if err := k.Load(confmap.Provider(raw, ""), nil); err != nil {
			return nil, err
		}
	}
	envK, envProblems := envOverrides(env)
	p.list = append(p.list, envProblems...)
	if err := k.Merge(envK); err != nil {
		return nil, err
	}

	var f fileConfig
	dc := &mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			yamlTimeToString,
			mapstructure.StringToTimeDurationHookFunc(),
			// METERD_HTTP_ALLOWED_HOSTS=a,b names a list.
			mapstructure.StringToSliceHookFunc(","),
			mapstructure.TextUnmarshallerHookFunc(),
		),
		Result:  &f,
		TagName: "koanf",
		// checkKeys already named unknown keys with their full path; with
		// none found, the decoder double-checks.
		ErrorUnused:      len(p.list) == 0,
		WeaklyTypedInput: true,
	}
	if err := k.UnmarshalWithConf("", &f, koanf.UnmarshalConf{Tag: "koanf", DecoderConfig: dc}); err != nil {
		p.list = append(p.list, decodeProblems(err)...)
		return nil, p.err()
	}
	c := Config{
		HTTP: f.HTTP, UI: f.UI, Storage: f.Storage, Influx: f.Influx, Tibber: f.Tibber, Schedule: f.Schedule, Alerts: f.Alerts,
		Path: path, Secrets: loadSecrets(env, &p),
	}
	c.validate(&f, env, &p)
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
