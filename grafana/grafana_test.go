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
	if len(files) != 8 { // data sources, the provider, six dashboards
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

// TestDashboardsAreWhatGrafanaNeeds checks each shipped dashboard for what
// Grafana relies on: a schema version, a uid no other dashboard has,
// panel ids unique within it, and every query (panels, annotations,
// variables) reading a data source meterd provisions. That the queries
// find meterd's data is tested in app, against a real influxd.
func TestDashboardsAreWhatGrafanaNeeds(t *testing.T) {
	ds, err := Dashboards()
	if err != nil || len(ds) != 6 {
		t.Fatalf("%d dashboards, %v", len(ds), err)
	}
	uids := map[string]string{}
	titles := map[string]bool{}
	for name, b := range ds {
		var d grafanatest.Dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.UID == "" || d.Title == "" || d.SchemaVersion < 36 {
			t.Errorf("%s: uid %q, title %q, schemaVersion %d", name, d.UID, d.Title, d.SchemaVersion)
		}
		if other, dup := uids[d.UID]; dup {
			t.Errorf("%s and %s share the uid %s", name, other, d.UID)
		}
		uids[d.UID] = name
		titles[d.Title] = true
		ids := map[int]bool{}
		for _, p := range d.Panels {
			if p.ID == 0 || ids[p.ID] {
				t.Errorf("%s: panel %q has id %d, missing or taken", name, p.Title, p.ID)
			}
			ids[p.ID] = true
			if p.Type != "row" && p.Datasource.UID != RawUID && p.Datasource.UID != ProcessedUID {
				t.Errorf("%s: panel %q reads data source %q", name, p.Title, p.Datasource.UID)
			}
		}
		qs := d.Queries()
		if len(qs) < 4 {
			t.Errorf("%s: only %d queries", name, len(qs))
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
	for _, want := range []string{"meterd – Übersicht", "meterd – Strom", "meterd – Gas", "meterd – Wasser", "meterd – Wärme", "meterd – Auffälligkeiten"} {
		if !titles[want] {
			t.Errorf("no dashboard %q", want)
		}
	}
}
