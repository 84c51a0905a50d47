package grafana

import (
	"encoding/json"
	"github.com/meterd/meterd/grafana/grafanatest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knadh/koanf/parsers/yaml"
)

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := yaml.Parser().Unmarshal(b)
	if err != nil {
		t.Fatalf("%s is no YAML: %v", path, err)
	}
	return m
}

func TestWriteProvisioning(t *testing.T) {
	dir := t.TempDir()
	files, err := Write(dir, Options{InfluxURL: "http://influx:8086", RawBucket: "meters", ProcessedBucket: "meters_processed", Token: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Errorf("files %v", files)
	}
	ds := readYAML(t, filepath.Join(dir, "datasources", "meterd.yaml"))["datasources"].([]any)
	byUID := map[string]map[string]any{}
	for _, d := range ds {
		m := d.(map[string]any)
		byUID[m["uid"].(string)] = m
	}
	raw, proc := byUID[RawUID], byUID[ProcessedUID]
	if raw == nil || proc == nil || raw["database"] != "meters" || proc["database"] != "meters_processed" ||
		raw["url"] != "http://influx:8086" || raw["type"] != "influxdb" {
		t.Fatalf("data sources %v", ds)
	}
	// The token is Grafana's environment variable, expanded by Grafana.
	if v := raw["secureJsonData"].(map[string]any)["httpHeaderValue1"]; v != "Token ${METERD_INFLUX_TOKEN}" {
		t.Errorf("token header %v", v)
	}
	prov := readYAML(t, filepath.Join(dir, "dashboards", "meterd.yaml"))["providers"].([]any)[0].(map[string]any)
	path := prov["options"].(map[string]any)["path"].(string)
	if path != filepath.Join(dir, "dashboards", "meterd") {
		t.Errorf("provider path %q", path)
	}
	entries, _ := os.ReadDir(path)
	if len(entries) == 0 {
		t.Fatal("no dashboards where the provider looks")
	}

	// Without a token, no auth header at all.
	dir2 := t.TempDir()
	Write(dir2, Options{InfluxURL: "http://influx:8086", RawBucket: "r", ProcessedBucket: "p"})
	b, _ := os.ReadFile(filepath.Join(dir2, "datasources", "meterd.yaml"))
	if strings.Contains(string(b), "secureJsonData") {
		t.Errorf("auth without a token:\n%s", b)
	}
}

// Panel, annotation and variable queries all name a data source meterd
// provisions; that they run against InfluxDB and find meterd's data is
// tested in app, against a real influxd.
func TestDashboardsReferToProvisionedSources(t *testing.T) {
	ds, err := Dashboards()
	if err != nil || len(ds) == 0 {
		t.Fatal(ds, err)
	}
	for name, b := range ds {
		var d grafanatest.Dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.UID == "" || d.Title == "" {
			t.Errorf("%s has no uid or title", name)
		}
		qs := d.Queries()
		if len(qs) < len(d.Panels) {
			t.Errorf("%s: %d queries for %d panels", name, len(qs), len(d.Panels))
		}
		for _, q := range qs {
			if q.UID != RawUID && q.UID != ProcessedUID {
				t.Errorf("%s: %q reads data source %q", name, q.Where, q.UID)
			}
			if strings.TrimSpace(q.Query) == "" {
				t.Errorf("%s: %q has no query", name, q.Where)
			}
		}
	}
}
