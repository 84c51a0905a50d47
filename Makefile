# meterd: `make run` runs the daemon on the example configuration (SQLite
# only); `make test` runs every test, building a real InfluxDB first.

GO        ?= go
CACHE     ?= $(HOME)/.cache/meterd
INFLUXD_VERSION := v1.8.10
INFLUXD_BIN ?= $(CACHE)/bin/influxd
# Linters for `make check`, pinned and built once into the cache like influxd.
STATICCHECK_VERSION := v0.8.2
DEADCODE_VERSION    := v0.52.0
NFPM_VERSION        := v2.45.2
STATICCHECK := $(CACHE)/bin/staticcheck-$(STATICCHECK_VERSION)
NFPM        := $(CACHE)/bin/nfpm-$(NFPM_VERSION)
DEADCODE    := $(CACHE)/bin/deadcode-$(DEADCODE_VERSION)
# FUZZTIME empty: each target runs its own number of executions (below);
# set it (make fuzz FUZZTIME=10m) for a longer hunt by the clock.
FUZZTIME  ?=
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

# Fuzz targets as package:Target:executions, run by `make test`. Counts,
# not seconds: Go 1.26's fuzz coordinator can fail a clean run with
# "context deadline exceeded" when a -fuzztime duration ends while a worker
# is busy (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline.
# Each count is a few seconds on the CI machine; most mutated workbooks
# fail early in the zip layer, so TestXLSXSurvivesCorruption damages valid
# ones deliberately.
FUZZ_TARGETS := ./ingest:FuzzCSV:20000 ./ingest:FuzzParsers:20000 ./ingest:FuzzXLS:20000 ./ingest:FuzzXLSX:3000 ./ingest:FuzzSheetWindow:50000 \
	./ingest:FuzzHAState:20000 ./ingest:FuzzDecodeJSONReadings:20000 ./ingest:FuzzParseDecimal:50000

.PHONY: run build test short check fuzz bench dist influxd tools clean

run:
	$(GO) run . serve --config config.example.yaml

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/meterd .

# The whole suite: static checks, the packages, every test with the race
# detector (including those against the real influxd and the install test
# of the .deb), then a short fuzz run.
test: check influxd dist
	INFLUXD_BIN=$(INFLUXD_BIN) DIST_DIR=$(CURDIR)/$(DIST) $(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz

# The quick local loop: no race detector, no real influxd or chromium (those
# tests skip under -short; `make test` and CI run them and fail without them).
short:
	$(GO) test -short ./...

# Static checks: formatting, vet, staticcheck, a tidy go.mod, and no code
# that nothing reaches (test helper packages, *test/, are for tests only).
check: tools
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(GO) mod tidy -diff
	@$(DEADCODE) ./... > $(CACHE)/deadcode.out; \
	out=$$(grep -vE '^[^:]*test/' $(CACHE)/deadcode.out); \
	if [ -n "$$out" ]; then echo "unreachable code:"; echo "$$out"; exit 1; fi

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; n=$${rest##*:}; \
		budget=$${n}x; if [ -n "$(FUZZTIME)" ]; then budget=$(FUZZTIME); fi; \
		echo "fuzz $$pkg $$name for $$budget"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $$budget || exit 1; \
	done

bench: influxd
	INFLUXD_BIN=$(INFLUXD_BIN) $(GO) test -run '^$$' -bench . -benchmem ./...

# InfluxDB 1.8 is a Go module: built once from source, cached in $(CACHE).
influxd: $(INFLUXD_BIN)
$(INFLUXD_BIN):
	@echo "building influxd $(INFLUXD_VERSION) into $(CACHE)/bin (once, about a minute)"
	GOBIN=$(CACHE)/bin $(GO) install github.com/influxdata/influxdb/cmd/influxd@$(INFLUXD_VERSION)

tools: $(STATICCHECK) $(DEADCODE)
$(STATICCHECK):
	@mkdir -p $(CACHE)/bin $(CACHE)/tmp
	GOBIN=$(CACHE)/tmp $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(CACHE)/tmp/staticcheck $@
$(DEADCODE):
	@mkdir -p $(CACHE)/bin $(CACHE)/tmp
	GOBIN=$(CACHE)/tmp $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)
	mv $(CACHE)/tmp/deadcode $@

# Release files in dist/: static binaries for a PC or server (amd64), a
# Raspberry Pi 3/4/5 with a 64-bit OS (arm64), one with a 32-bit OS (armv7)
# and a Pi Zero/1 (armv6), a .deb of each, and SHA256SUMS. Each entry is
# name:GOARCH:GOARM:Debian architecture.
DIST        := dist
DEB_VERSION := $(shell echo '$(VERSION)' | sed -E 's/-/+/g; s/^v([0-9])/\1/; /^[0-9]+\./!s/^/0.0.0~git/')
DIST_TARGETS := amd64:amd64::amd64 arm64:arm64::arm64 armv7:arm:7:armhf armv6:arm:6:armhf
dist: $(NFPM)
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@for t in $(DIST_TARGETS); do \
		name=$${t%%:*}; rest=$${t#*:}; arch=$${rest%%:*}; rest=$${rest#*:}; arm=$${rest%%:*}; deb=$${rest#*:}; \
		echo "dist linux/$$name"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch GOARM=$$arm $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(DIST)/meterd-linux-$$name . || exit 1; \
		pkg=$(DIST)/meterd_$(DEB_VERSION)_$$name.deb; \
		mkdir -p $(DIST)/pkg && cp $(DIST)/meterd-linux-$$name $(DIST)/pkg/meterd; \
		DEB_ARCH=$$deb DEB_VERSION=$(DEB_VERSION) \
			$(NFPM) pkg --config packaging/nfpm.yaml --packager deb --target $$pkg > /dev/null || exit 1; \
	done
	@rm -rf $(DIST)/pkg
	cd $(DIST) && sha256sum meterd-linux-* meterd_*.deb > SHA256SUMS
	@ls -l $(DIST)

$(NFPM):
	@mkdir -p $(CACHE)/bin $(CACHE)/tmp
	GOBIN=$(CACHE)/tmp $(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)
	mv $(CACHE)/tmp/nfpm $@

clean:
	rm -rf bin $(DIST)
