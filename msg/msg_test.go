package msg

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var verb = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// argsFor makes arguments that fit format's verbs: an int for %d, a string
// for the rest.
func argsFor(t *testing.T, id, format string) []any {
	var args []any
	next := 0
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		i := next
		if m[1] != "" {
			n, _ := strconv.Atoi(m[1])
			i = n - 1
		}
		next = i + 1
		for len(args) <= i {
			args = append(args, nil)
		}
		switch m[2] {
		case "d":
			args[i] = 7
		case "s", "v":
			args[i] = "X"
		default:
			t.Errorf("%s: verb %%%s: the catalog uses %%s, %%v and %%d only", id, m[2])
		}
	}
	return args
}

// TestCatalogLanguagesAgree writes every message in both languages with
// the same arguments: each language must take them all, with the same
// verbs, and neither may be empty or left in the other language.
func TestCatalogLanguagesAgree(t *testing.T) {
	for id, e := range catalog {
		if e.en == "" || e.de == "" {
			t.Errorf("%s: a language is missing", id)
			continue
		}
		args := argsFor(t, id, e.en)
		deArgs := argsFor(t, id, e.de)
		if fmt.Sprint(args) != fmt.Sprint(deArgs) {
			t.Errorf("%s: English takes %v, German %v", id, args, deArgs)
			continue
		}
		for _, s := range []string{fmt.Sprintf(e.en, args...), fmt.Sprintf(e.de, args...)} {
			if strings.Contains(s, "%!") {
				t.Errorf("%s: %q", id, s)
			}
		}
	}
}

// TestMessagesInBothLanguages checks the mechanics on messages a person
// sees: nested messages and lists follow the language, numbers get a
// decimal comma in German, and a stored message reads back in either.
func TestMessagesInBothLanguages(t *testing.T) {
	warn := New("warn.below_previous", Num(1234.5), Num(1300), "2025-10-01 08:00")
	if got := warn.In(EN); got != "reading 1234.5 is below the previous reading 1300 (2025-10-01 08:00): excluded from analysis; if the meter was replaced, declare a reset or a master meter period" {
		t.Errorf("en: %q", got)
	}
	if got := warn.In(DE); !strings.HasPrefix(got, "der Stand 1234,5 liegt unter dem vorigen Stand 1300 (2025-10-01 08:00)") {
		t.Errorf("de: %q", got)
	}
	cell := New("cell.problem", "Zählerstand", New("value.empty"))
	if cell.In(EN) != "Zählerstand is empty" || cell.In(DE) != "Zählerstand ist leer" {
		t.Errorf("nested: %q, %q", cell.In(EN), cell.In(DE))
	}
	strict := New("import.strict_refused", 2, List{New("row.problem", 3, cell), New("list.more", 1)})
	if got := strict.In(DE); got != "strenger Import abgelehnt, nichts wurde geschrieben: 2 abgelehnte Zeilen (Zeile 3: Zählerstand ist leer; und 1 weitere)" {
		t.Errorf("list: %q", got)
	}
	if got := (Fixed{V: 4000, Prec: 3}).In(DE); got != "4000,000" {
		t.Errorf("fixed: %q", got)
	}
	for _, m := range []Text{warn, strict, New("anomaly.negative", "2025-01-01", "2026-01-01", Fixed{V: -400.5, Prec: 3}, Num(10), "haupt", Fixed{V: 4000, Prec: 3})} {
		back, ok := Decode(Encode(m))
		if !ok || back.In(DE) != m.In(DE) || back.In(EN) != m.In(EN) {
			t.Errorf("stored %q came back as %q", m.In(EN), back.In(EN))
		}
	}
	if Stored("an old English text", DE) != "an old English text" {
		t.Error("a text stored before messages had ids must stay as it is")
	}
	cause := errors.New("EOF")
	err := fmt.Errorf("wrapped: %w", Err("body.unreadable", cause))
	if !errors.Is(err, cause) || Of(err, DE) != "der Inhalt der Anfrage war nicht lesbar: EOF; senden Sie ihn erneut" {
		t.Errorf("error: %q", Of(err, DE))
	}
}

// TestEveryIDIsInTheCatalog reads meterd's code for the message ids it
// names (the first string of msg.New and msg.Err, the second of fault.New
// and fault.UnavailableAfter, the first of ingest's inputError), and the
// ids it puts together from parts, and finds each in the catalog. An id
// the catalog lacks would reach a person as its bare name.
func TestEveryIDIsInTheCatalog(t *testing.T) {
	calls := map[string]int{"msg.New": 0, "msg.Err": 0, "New": 0, "Err": 0, "fault.New": 1, "fault.UnavailableAfter": 1, "inputError": 0}
	found := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok {
					name = x.Name + "." + fn.Sel.Name
				}
			case *ast.Ident:
				name = fn.Name
			}
			i, ok := calls[name]
			if !ok || (name == "New" || name == "Err") && f.Name.Name != "msg" || len(call.Args) <= i {
				return true
			}
			if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				id, _ := strconv.Unquote(lit.Value)
				found++
				if _, ok := catalog[id]; !ok {
					t.Errorf("%s: %s(%q): no such message in the catalog", path, name, id)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 100 {
		t.Fatalf("found only %d message ids in the code: is the walk reading it?", found)
	}
	// The pages name ids as {{t "page.…"}}, their script as S('js.…').
	pageIDs := regexp.MustCompile(`\{\{[^}]*\bt "([a-z0-9_.]+)"|\(t "([a-z0-9_.]+)"\)|\bS\('([a-z0-9_.]+)'`)
	inPages := 0
	for _, glob := range []string{"../web/templates/*.html", "../web/static/*.js"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range pageIDs.FindAllStringSubmatch(string(b), -1) {
				id := m[1] + m[2] + m[3]
				inPages++
				if _, ok := catalog[id]; !ok {
					t.Errorf("%s names %q: no such message in the catalog", f, id)
				}
			}
		}
	}
	if inPages < 80 {
		t.Errorf("found only %d message ids in the pages", inPages)
	}
	// Ids put together from parts: the events of an alert, the meter types
	// and utilities, the gaps' causes.
	for _, id := range []string{
		"alert.event_opened", "alert.event_resolved", "alert.event_opened_resolved", "alert.body_resolved", "alert.body_opened_resolved",
		"type.physical", "type.master", "type.virtual",
		"status.ok", "status.degraded", "status.down", "status.running", "status.failed",
		"rule.spike", "rule.silence", "rule.decrease", "rule.negative", "rule.year_over_year", "rule.tibber_token",
		"page.period_billing", "page.period_calendar", "page.period_range",
		"utility.electricity", "utility.gas", "utility.water", "utility.heat", "utility.other",
		"analysis.at_reset", "analysis.at_replacement", "anomaly.decrease_above", "anomaly.decrease_below",
		"anomaly.decrease_one", "anomaly.decrease_many", "analysis.excluded", "analysis.excluded_decrease",
	} {
		if _, ok := catalog[id]; !ok {
			t.Errorf("%s: no such message in the catalog", id)
		}
	}
}
