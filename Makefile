# Lanes build. Needs only Go and Node.js (with npm): everything else is
# installed into tools/ by `make tools` from pinned versions.
#
#   make build           bin/lanes
#   make test            everything CI runs (lint, Go tests, contract tests)
#   make lint            go vet, gofmt, import directions
#   make contracts-test  forge test in l1contracts/
#   make devnet          run a local devnet in ./devnet-data
#   make tools           pinned anvil, forge, cast and solc into tools/bin
#   make clean           remove build outputs (bin/, forge out/ and cache/)
#   make clean-all       also remove tools/ and devnet-data/

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

# Pinned versions. The npm packages are pinned in scripts/tools/package.json
# and its lockfile; these copies are checked against the installed binaries.
FOUNDRY_VERSION := 1.7.1
SOLC_VERSION := 0.8.37

TOOLS_DIR := $(CURDIR)/tools
TOOLS_BIN := $(TOOLS_DIR)/bin
TOOLS_STAMP := $(TOOLS_DIR)/.installed-foundry-$(FOUNDRY_VERSION)-solc-$(SOLC_VERSION)

# Tests and scripts find anvil, forge, cast and solc here (e2e/internal/proc
# reads LANES_TOOLS).
export PATH := $(TOOLS_BIN):$(PATH)
export LANES_TOOLS := $(TOOLS_BIN)

GO ?= go

.PHONY: build test lint vet fmt-check check-deps deps go-test contracts-build contracts-test devnet tools clean clean-all

build: deps
	$(GO) build -o bin/lanes ./cmd/lanes

test: tools lint
	bash scripts/check-deps-selftest.sh
	bash scripts/go-test.sh
	$(MAKE) --no-print-directory contracts-test

lint: vet fmt-check check-deps

vet: deps
	$(GO) vet ./...

fmt-check:
	bash scripts/check-gofmt.sh

check-deps: deps
	bash scripts/check-deps.sh

deps:
	$(GO) mod download

go-test: deps tools
	bash scripts/go-test.sh

contracts-build: tools
	cd l1contracts && forge build

contracts-test: tools
	cd l1contracts && forge test

devnet: build tools
	./bin/lanes devnet --datadir ./devnet-data

tools: $(TOOLS_STAMP)

# npm ci installs exactly the lockfile. Install scripts are off: none of the
# packages needs one. tools/go.mod keeps the folder out of `go ... ./...`.
$(TOOLS_STAMP): scripts/tools/package.json scripts/tools/package-lock.json
	rm -rf $(TOOLS_DIR)
	mkdir -p $(TOOLS_DIR)/npm $(TOOLS_BIN)
	printf 'module lanes.invalid/tools\n' > $(TOOLS_DIR)/go.mod
	cp scripts/tools/package.json scripts/tools/package-lock.json $(TOOLS_DIR)/npm/
	cd $(TOOLS_DIR)/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	for tool in anvil forge cast; do \
		ln -s ../npm/node_modules/@foundry-rs/$$tool-linux-amd64/bin/$$tool $(TOOLS_BIN)/$$tool; \
	done
	cp scripts/solc-wrapper.sh $(TOOLS_BIN)/solc
	chmod +x $(TOOLS_BIN)/solc
	for tool in anvil forge cast solc; do \
		out=$$($(TOOLS_BIN)/$$tool --version); \
		case $$tool in solc) want="Version: $(SOLC_VERSION)+commit." ;; *) want="Version: $(FOUNDRY_VERSION)" ;; esac; \
		[[ $$out == *"$$want"* ]] || { echo "tools: $$tool --version says '$$out', want '$$want'" >&2; exit 1; }; \
	done
	touch $@
	@echo "tools: anvil, forge, cast $(FOUNDRY_VERSION) and solc $(SOLC_VERSION) in $(TOOLS_BIN)"

clean:
	rm -rf bin l1contracts/out l1contracts/cache

clean-all: clean
	rm -rf $(TOOLS_DIR) devnet-data
