// Package grafana holds the dashboards meterd ships and writes Grafana's
// provisioning files for them: two InfluxQL data sources (the raw and the
// processed bucket, which InfluxDB 1.8 serves as databases) and a
// dashboard provider pointing at the dashboards.
package grafana

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

//go:embed dashboards/*.json
var dashboards embed.FS

// The data sources' uids: the dashboards refer to them by these.
const (
	RawUID       = "meterd-raw"
	ProcessedUID = "meterd-processed"
)

// TokenVariable is the environment variable Grafana reads the InfluxDB
// token from: the files name it, never contain it.
const TokenVariable = "METERD_INFLUX_TOKEN"

// Options describe the InfluxDB the dashboards read.
type Options struct {
	InfluxURL       string
	RawBucket       string
	ProcessedBucket string
	// Token says InfluxDB wants a token; the data sources then send
	// "Authorization: Token $METERD_INFLUX_TOKEN" from Grafana's environment.
	Token bool
	// DashboardsPath is where Grafana finds the dashboards' JSON (default:
	// DIR/dashboards/meterd, made absolute).
	DashboardsPath string
}

// Dashboards returns the shipped dashboards by file name.
func Dashboards() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(dashboards, "dashboards", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := dashboards.ReadFile(path)
		out[filepath.Base(path)] = b
		return err
	})
	return out, err
}

// Write puts the provisioning files under dir, laid out as Grafana's
// provisioning folder (so --out /etc/grafana/provisioning works as is),
// and returns the files written. Each file is written whole or not at all.
func Write(dir string, o Options) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if o.DashboardsPath == "" {
		o.DashboardsPath = filepath.Join(abs, "dashboards", "meterd")
	}
	files := map[string][]byte{
		filepath.Join("datasources", "meterd.yaml"): []byte(datasources(o)),
		filepath.Join("dashboards", "meterd.yaml"):  []byte(provider(o)),
	}
	ds, err := Dashboards()
	if err != nil {
		return nil, err
	}
	for name, b := range ds {
		files[filepath.Join("dashboards", "meterd", name)] = b
	}
	var written []string
	for rel, b := range files {
		path := filepath.Join(abs, rel)
		if err := writeFile(path, b); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// writeFile replaces path atomically: a reader (Grafana polls the folder)
// never sees half a file.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".meterd-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// yamlString quotes s for YAML (a JSON string is a YAML string).
func yamlString(s string) string { return strconv.Quote(s) }

func datasources(o Options) string {
	var b strings.Builder
	b.WriteString("# Written by meterd grafana. The InfluxDB token, if any, comes from\n")
	fmt.Fprintf(&b, "# Grafana's environment ($%s), never from this file.\napiVersion: 1\ndatasources:\n", TokenVariable)
	for _, d := range []struct{ name, uid, db string }{
		{"meterd raw", RawUID, o.RawBucket},
		{"meterd processed", ProcessedUID, o.ProcessedBucket},
	} {
		fmt.Fprintf(&b, "  - name: %s\n    uid: %s\n    type: influxdb\n    access: proxy\n    url: %s\n    database: %s\n",
			yamlString(d.name), d.uid, yamlString(o.InfluxURL), yamlString(d.db))
		b.WriteString("    editable: false\n    jsonData:\n      httpMode: POST\n")
		if o.Token {
			b.WriteString("      httpHeaderName1: Authorization\n")
			fmt.Fprintf(&b, "    secureJsonData:\n      httpHeaderValue1: \"Token ${%s}\"\n", TokenVariable)
		}
	}
	return b.String()
}

func provider(o Options) string {
	return fmt.Sprintf(`# Written by meterd grafana.
apiVersion: 1
providers:
  - name: meterd
    folder: meterd
    type: file
    allowUiUpdates: false
    options:
      path: %s
`, yamlString(o.DashboardsPath))
}
