package main

import (
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// distDir is where `make dist` put the release files; make test sets
// DIST_DIR. Without it the package tests fail rather than skip: they
// are how CI knows the packages install.
func distDir(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the packages of make dist: skipped by -short; make test builds and tests them")
	}
	dir := os.Getenv("DIST_DIR")
	if dir == "" {
		t.Fatal("DIST_DIR is not set: run make test, which builds the packages (make dist) and sets it")
	}
	return dir
}

// TestDistFiles: make dist leaves four static binaries, a .deb of each and
// SHA256SUMS that matches them, and the Raspberry Pi binary stays small.
func TestDistFiles(t *testing.T) {
	dir := distDir(t)
	sums := map[string]string{}
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sum, name, ok := strings.Cut(sc.Text(), "  "); ok {
			sums[name] = sum
		}
	}
	for _, arch := range []string{"amd64", "arm64", "armv7", "armv6"} {
		bin := "meterd-linux-" + arch
		debs, _ := filepath.Glob(filepath.Join(dir, "meterd_*_"+arch+".deb"))
		if len(debs) != 1 {
			t.Errorf("%s: %d packages", arch, len(debs))
			continue
		}
		for _, name := range []string{bin, filepath.Base(debs[0])} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Error(err)
				continue
			}
			h := sha256.Sum256(b)
			if sums[name] != hex.EncodeToString(h[:]) {
				t.Errorf("%s: SHA256SUMS says %q", name, sums[name])
			}
		}
		// Static: no interpreter to load, so any Pi OS runs it.
		ef, err := elf.Open(filepath.Join(dir, bin))
		if err != nil {
			t.Errorf("%s: %v", bin, err)
			continue
		}
		for _, p := range ef.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s is linked dynamically", bin)
			}
		}
		ef.Close()
	}
	if st, err := os.Stat(filepath.Join(dir, "meterd-linux-arm64")); err != nil || st.Size() > 25_000_000 {
		t.Errorf("arm64 binary: %v bytes, %v; at most 25 MB", st.Size(), err)
	} else {
		t.Logf("arm64 binary: %.1f MB", float64(st.Size())/1e6)
	}
	if len(sums) != 8 {
		t.Errorf("SHA256SUMS lists %d files; want 8", len(sums))
	}
}

// TestDebianPackage inspects this machine's .deb (files, modes,
// conffiles, scripts), installs it with dpkg, checks what the postinst
// made, verifies the unit with systemd-analyze, runs the installed binary
// in the foreground on the installed configuration and credentials, and
// purges it again.
func TestDebianPackage(t *testing.T) {
	dir := distDir(t)
	arch := map[string]string{"amd64": "amd64", "arm64": "arm64", "arm": "armv7"}[runtime.GOARCH]
	debs, _ := filepath.Glob(filepath.Join(dir, "meterd_*_"+arch+".deb"))
	if len(debs) != 1 {
		t.Fatalf("no package for %s in %s", runtime.GOARCH, dir)
	}
	deb := debs[0]
	for _, tool := range []string{"dpkg", "dpkg-deb", "systemd-analyze"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: the package test needs Debian's dpkg and systemd (apt-get install systemd), as .ci/run installs", tool)
		}
	}
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// What is in it.
	listing := run("dpkg-deb", "-c", deb)
	for _, want := range []string{
		`-rwxr-xr-x root/root .* ./usr/bin/meterd`,
		`-rw-r--r-- root/root .* ./lib/systemd/system/meterd.service`,
		`-rw-r--r-- root/root .* ./etc/meterd/config.yaml`,
		`-rw-r--r-- root/root .* ./usr/share/doc/meterd/config.example.yaml`,
	} {
		if !regexp.MustCompile(want).MatchString(listing) {
			t.Errorf("the package lacks %s:\n%s", want, listing)
		}
	}
	ctrl := t.TempDir()
	run("dpkg-deb", "-e", deb, ctrl)
	if b, _ := os.ReadFile(filepath.Join(ctrl, "conffiles")); strings.TrimSpace(string(b)) != "/etc/meterd/config.yaml" {
		t.Errorf("conffiles %q: the configuration must survive upgrades", b)
	}
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		if st, err := os.Stat(filepath.Join(ctrl, s)); err != nil || st.Mode().Perm()&0o111 == 0 {
			t.Errorf("maintainer script %s: %v", s, err)
		}
	}

	// Install.
	if os.Geteuid() != 0 {
		t.Fatal("installing the package needs root (CI runs as root)")
	}
	if exec.Command("dpkg", "-s", "meterd").Run() == nil {
		t.Fatal("meterd is installed on this machine already: the test installs and purges its own")
	}
	run("dpkg", "-i", deb)
	purged := false
	purge := func() {
		if !purged {
			purged = true
			run("dpkg", "--purge", "meterd")
		}
	}
	defer purge()
	st, err := os.Stat("/etc/meterd/credentials")
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		t.Errorf("credentials folder: %v %v; want a 0700 folder", st, err)
	}
	token, err := os.ReadFile("/etc/meterd/credentials/api-token")
	tst, _ := os.Stat("/etc/meterd/credentials/api-token")
	if err != nil || len(strings.TrimSpace(string(token))) != 64 || tst.Mode().Perm() != 0o600 {
		t.Fatalf("API token: %q, %v, %v; want 64 random hex digits, 0600", token, err, tst)
	}
	// A second installation (an upgrade) keeps the token.
	run("dpkg", "-i", deb)
	if again, _ := os.ReadFile("/etc/meterd/credentials/api-token"); string(again) != string(token) {
		t.Error("reinstalling replaced the API token")
	}

	// The unit as installed: clean for systemd, and how exposed it is.
	if out := run("systemd-analyze", "verify", "/lib/systemd/system/meterd.service"); strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify:\n%s", out)
	}
	sec := run("systemd-analyze", "security", "--offline=true", "/lib/systemd/system/meterd.service")
	m := regexp.MustCompile(`Overall exposure level for meterd.service: ([0-9.]+) (\w+)`).FindStringSubmatch(sec)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", sec)
	}
	if level, _ := strconv.ParseFloat(m[1], 64); level > 2.0 {
		t.Errorf("exposure %s %s; want at most 2.0", m[1], m[2])
	}
	t.Logf("systemd-analyze security: exposure %s %s", m[1], m[2])

	// The installed binary, in the foreground, on the installed
	// configuration, with the credentials as the unit hands them over.
	state := t.TempDir()
	cmd := exec.Command("/usr/bin/meterd", "--config", "/etc/meterd/config.yaml", "serve")
	cmd.Env = cleanEnv("CREDENTIALS_DIRECTORY=/etc/meterd/credentials", "METERD_HTTP_LISTEN=127.0.0.1:0",
		"METERD_STORAGE_PATH="+filepath.Join(state, "meterd.db"), "METERD_STORAGE_BACKUP_DIR="+filepath.Join(state, "backups"))
	d := serve(t, cmd)
	base := d.URL
	get := func(path, password string) int {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if password != "" {
			req.SetBasicAuth("meterd", password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("/health", ""); code != 200 {
		t.Errorf("/health: %d", code)
	}
	if code := get("/", ""); code != 401 {
		t.Errorf("the page without the token: %d; want 401", code)
	}
	if code := get("/", strings.TrimSpace(string(token))); code != 200 {
		t.Errorf("the page with the token from the credentials folder: %d; want 200", code)
	}
	d.stop()

	purge()
	for _, gone := range []string{"/usr/bin/meterd", "/lib/systemd/system/meterd.service", "/etc/meterd"} {
		if _, err := os.Stat(gone); !os.IsNotExist(err) {
			t.Errorf("%s is still there after the purge", gone)
		}
	}
}
