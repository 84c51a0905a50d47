# meterd: `make run` runs the daemon on the example configuration (SQLite
# only); `make test` runs every test, building a real InfluxDB first.

GO        ?= go
CACHE     ?= $(HOME)/.cache/meterd
INFLUXD_VERSION := v1.8.10
INFLUXD_BIN ?= $(CACHE)/bin/influxd
# Linters for `make check`, pinned and built once into the cache like influxd.
STATICCHECK_VERSION := v0.8.2
DEADCODE_VERSION    := v0.52.0
STATICCHECK := $(CACHE)/bin/staticcheck-$(STATICCHECK_VERSION)
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
FUZZ_TARGETS := ./ingest:FuzzCSV:20000 ./ingest:FuzzParsers:20000 ./ingest:FuzzXLS:20000 ./ingest:FuzzXLSX:3000 \
	./ingest:FuzzHAState:20000 ./ingest:FuzzDecodeJSONReadings:20000 ./ingest:FuzzParseDecimal:50000

.PHONY: run build test short check fuzz bench pi influxd tools clean

run:
	$(GO) run . serve --config config.example.yaml

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/meterd .

# The whole suite: static checks, every test with the race detector
# (including those against the real influxd), then a short fuzz run.
test: check influxd
	INFLUXD_BIN=$(INFLUXD_BIN) $(GO) test -race -count=1 ./...
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

# Raspberry Pi builds: 64-bit (Pi 3/4/5 with a 64-bit OS) and 32-bit ARMv7.
pi:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/meterd-linux-arm64 .
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/meterd-linux-armv7 .

clean:
	rm -rf bin
