package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Secret holds a credential. It prints as [redacted] in every format, so a
// stray log line or %v never shows it; Value gives the real text.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Value returns the secret text.
func (s Secret) Value() string { return s.v }

// Empty reports whether no secret is set.
func (s Secret) Empty() bool { return s.v == "" }

// String hides the secret.
func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return "[redacted]"
}

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// MarshalText hides the secret from encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Secrets are meterd's credentials, never read from the YAML file.
type Secrets struct {
	APIToken      Secret
	InfluxToken   Secret
	TibberToken   Secret
	AlertWebhooks []Secret
}

// All returns every non-empty secret value, for redaction.
func (s Secrets) All() []string {
	var out []string
	for _, x := range append([]Secret{s.APIToken, s.InfluxToken, s.TibberToken}, s.AlertWebhooks...) {
		if !x.Empty() {
			out = append(out, x.Value())
		}
	}
	return out
}

// loadSecrets reads each secret from, in order: the variable, the variable
// with _FILE (a path), or the credential file in $CREDENTIALS_DIRECTORY.
func loadSecrets(env Environment, p *problems) Secrets {
	get := func(name string) string {
		v, _ := readSecret(env, name, secretVars[name], p)
		return v
	}
	s := Secrets{
		APIToken:    NewSecret(get("METERD_API_TOKEN")),
		InfluxToken: NewSecret(get("METERD_INFLUX_TOKEN")),
		TibberToken: NewSecret(get("METERD_TIBBER_TOKEN")),
	}
	for _, u := range strings.Split(get("METERD_ALERT_WEBHOOKS"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			s.AlertWebhooks = append(s.AlertWebhooks, NewSecret(u))
		}
	}
	return s
}

// credentialPrefix is what systemd puts before each file's name when the
// unit loads a folder of credentials (LoadCredential=meterd:/etc/meterd/credentials).
const credentialPrefix = "meterd_"

func readSecret(env Environment, name, credential string, p *problems) (string, bool) {
	if v, ok := env.Lookup(name); ok && v != "" {
		return strings.TrimSpace(v), true
	}
	readFile := env.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	if path, ok := env.Lookup(name + "_FILE"); ok && path != "" {
		b, err := readFile(path)
		if err != nil {
			// The error names the path, never the content.
			p.addf(name+"_FILE", "cannot read the secret file %s: %v", path, unwrapPathError(err))
			return "", false
		}
		return strings.TrimSpace(string(b)), true
	}
	if dir, ok := env.Lookup("CREDENTIALS_DIRECTORY"); ok && dir != "" {
		// The unit loads the whole folder /etc/meterd/credentials as
		// credential "meterd", and systemd names each file in it
		// meterd_<file>; a LoadCredential= line of its own gives the plain
		// name.
		for _, c := range []string{credential, credentialPrefix + credential} {
			path := filepath.Join(dir, c)
			b, err := readFile(path)
			if err == nil {
				return strings.TrimSpace(string(b)), true
			}
			if !os.IsNotExist(err) {
				p.addf(name, "cannot read the credential file %s: %v", path, unwrapPathError(err))
				return "", false
			}
		}
	}
	return "", false
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%v", pe.Err)
	}
	return err
}
