package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/meterd/meterd"

// layer ranks meterd's packages: a package may import only packages of a
// higher rank, so dependencies point one way, main → {app, web} → grafana
// → api → {ingest, store} → {analysis, fault} → msg. app and web share a rank:
// neither knows the other, and main wires them together. A sub-package
// (ingest/tibber, store/influxtest) takes its folder's rank and may be
// imported by its parent. See docs/architecture.md.
var layer = map[string]int{
	"": 0, "app": 1, "web": 1, "grafana": 2, "api": 3,
	"ingest": 4, "store": 4, "analysis": 5, "fault": 5, "msg": 6,
}

// top is a package's folder under the module ("" for main).
func top(pkg string) (string, bool) {
	if pkg == module {
		return "", true
	}
	rest, ok := strings.CutPrefix(pkg, module+"/")
	if !ok {
		return "", false
	}
	dir, _, _ := strings.Cut(rest, "/")
	return dir, true
}

// violations lists every import of imports (package → its imports) that
// goes against the layers.
func violations(imports map[string][]string) []string {
	var out []string
	for pkg, deps := range imports {
		from, _ := top(pkg)
		rf, known := layer[from]
		if !known {
			out = append(out, pkg+": a package with no layer: add it to the table in layers_test.go and docs/architecture.md")
			continue
		}
		for _, d := range deps {
			to, ours := top(d)
			if !ours {
				continue
			}
			if to == from && strings.HasPrefix(d, pkg+"/") {
				continue // a parent may use its own sub-packages
			}
			if rt, ok := layer[to]; !ok || rt <= rf {
				out = append(out, pkg+" imports "+d)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestImportDirection checks the production imports of every package
// (test files may wire the whole daemon, as main does).
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		imports[f[0]] = f[1:]
	}
	if len(imports) < 9 {
		t.Fatalf("go list found only %d packages", len(imports))
	}
	for _, v := range violations(imports) {
		t.Error(v)
	}
	// analysis holds the domain rules as pure functions: nothing of the
	// project's but its messages, and no I/O.
	for _, d := range imports[module+"/analysis"] {
		if dir, ours := top(d); (ours && dir != "msg") || d == "os" || d == "net/http" || d == "database/sql" {
			t.Errorf("analysis imports %s", d)
		}
	}
}

// TestViolationsAreFound keeps the check honest: each of these edges goes
// the wrong way and must be reported.
func TestViolationsAreFound(t *testing.T) {
	bad := map[string][]string{
		module + "/app":              {module + "/web"},
		module + "/web":              {module + "/app"},
		module + "/store":            {module + "/ingest"},
		module + "/analysis":         {module + "/fault"},
		module + "/ingest/tibber":    {module + "/store"},
		module + "/store/influxtest": {module + "/api"},
		module + "/newpkg":           nil,
	}
	got := violations(bad)
	if len(got) != len(bad) {
		t.Errorf("found %d of %d violations: %q", len(got), len(bad), got)
	}
	ok := map[string][]string{
		module:             {module + "/app", module + "/web"},
		module + "/app":    {module + "/api", module + "/store", module + "/ingest/tibber", module + "/analysis"},
		module + "/ingest": {module + "/fault", "fmt"},
		module + "/web":    {module + "/api", module + "/ingest", module + "/fault"},
		module + "/store":  {module + "/store/migrations"},
	}
	if v := violations(ok); len(v) != 0 {
		t.Errorf("allowed imports reported: %q", v)
	}
}
