package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// anchor is the anchor a Markdown heading gets on GitHub: lower case,
// spaces as dashes, punctuation other than - and _ dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// docAnchors reads the anchors of every page in docs/.
func docAnchors(t *testing.T) map[string]map[string]bool {
	t.Helper()
	pages, err := filepath.Glob("docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in docs/: %v", err)
	}
	out := map[string]map[string]bool{}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		as := map[string]bool{}
		for _, line := range strings.Split(string(b), "\n") {
			if h, ok := strings.CutPrefix(line, "#"); ok {
				as[anchor(strings.TrimLeft(h, "#"))] = true
			}
		}
		out[filepath.Base(p)] = as
	}
	return out
}

var docRef = regexp.MustCompile(`docs/([a-z_]+\.md)(?:#([a-z0-9_-]+))?`)

// TestCodeCitesExistingRules: every page of docs/, and section of it, that
// a comment or test cites exists (docs/README.md lists the pages), so a
// reader can always follow a rule from the code to its statement (and
// back, with grep).
func TestCodeCitesExistingRules(t *testing.T) {
	anchors := docAnchors(t)
	cited := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return skipGit(d, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range docRef.FindAllStringSubmatch(string(b), -1) {
			cited++
			as, ok := anchors[m[1]]
			if !ok {
				t.Errorf("%s cites docs/%s, which does not exist", path, m[1])
			} else if m[2] != "" && !as[m[2]] {
				t.Errorf("%s cites docs/%s#%s, which has no such section", path, m[1], m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited < 20 {
		t.Errorf("only %d citations of docs/ found: the code should point to its rules", cited)
	}
}

// TestDocsLinksResolve: links between the pages lead somewhere.
func TestDocsLinksResolve(t *testing.T) {
	anchors := docAnchors(t)
	link := regexp.MustCompile(`\]\(([a-z_]+\.md)?(?:#([a-z0-9_-]+))?\)`)
	for page := range anchors {
		b, _ := os.ReadFile(filepath.Join("docs", page))
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if target == "" {
				target = page
			}
			as, ok := anchors[target]
			if !ok {
				t.Errorf("docs/%s links to %s, which does not exist", page, target)
			} else if m[2] != "" && !as[m[2]] {
				t.Errorf("docs/%s links to %s#%s, which has no such section", page, target, m[2])
			}
		}
	}
}

// TestNothingCitesTheSpecification: the repository explains its own rules;
// no file refers to documents outside it.
func TestNothingCitesTheSpecification(t *testing.T) {
	outside := regexp.MustCompile(`\b(domain|interfaces|sources)\.md\b|shared/spec`)
	filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "docs_test.go" {
			return skipGit(d, err)
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".yaml", ".service", ".html", ".js", "":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err == nil && outside.Match(b) {
			t.Errorf("%s refers to a document outside the repository: %s", path, outside.Find(b))
		}
		return nil
	})
}

// skipGit keeps a walk of the repository out of .git.
func skipGit(d os.DirEntry, err error) error {
	if err == nil && d.IsDir() && d.Name() == ".git" {
		return filepath.SkipDir
	}
	return err
}
