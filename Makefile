# microcred: two commands on a fresh machine (Python 3.11 and Node 20): `make demo` and `make test`.
# Both rest on `make setup`, which installs everything from the package registries.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
NODE_BIN := $(CURDIR)/node_modules/.bin
# Hardhat 3 needs Node 22: the npm package `node@22` puts it in node_modules/.bin, first on PATH here.
WITH_NODE22 := PATH="$(NODE_BIN):$$PATH"

.PHONY: bench-before-after setup chromium pdf-tools demo test lint typecheck test-python test-solidity contracts check-contracts bench bench-gas clean

setup: $(VENV)/.installed node_modules/.installed chromium pdf-tools

SOLIDITY := $(shell find contracts -name '*.sol')

# Compile once per checkout (solc-js is slow on a busy machine); recompiled only when a source changes.
artifacts/.built: $(SOLIDITY) hardhat.config.js node_modules/.installed
	$(WITH_NODE22) npx hardhat build
	touch $@

# Headless Chromium renders the audit report in its page test (Debian's package; nothing downloaded at run time).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The PDF certificate's tests render it (poppler's pdftoppm, pdftotext, pdffonts) and decode its QR code (zbarimg).
pdf-tools:
	@{ command -v pdftoppm && command -v zbarimg; } >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq poppler-utils zbar-tools >/dev/null; }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# First install with the machine's Node (brings node@22), then again under Node 22 so that Hardhat's engine
# package, which declares node >= 22, is installed too.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund || npm install --no-audit --no-fund
	$(WITH_NODE22) npm install --no-audit --no-fund
	test -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
	touch $@

demo: setup
	$(BIN)/microcred demo --network local

test: setup artifacts/.built lint typecheck
	$(WITH_NODE22) $(BIN)/pytest -q -p no:cacheprovider
	$(WITH_NODE22) npx hardhat test solidity

# ruff, configured in pyproject.toml: no findings allowed.
lint: setup
	$(BIN)/ruff check src tests bench scripts

# mypy, configured in pyproject.toml: no findings allowed.
typecheck: setup
	$(BIN)/mypy

test-python: setup artifacts/.built
	$(WITH_NODE22) $(BIN)/pytest -q

test-solidity: setup artifacts/.built
	$(WITH_NODE22) npx hardhat test solidity

# Compile the contracts and copy ABI + bytecode into the Python package (commit the result).
contracts: artifacts/.built
	$(WITH_NODE22) node scripts/export-artifacts.mjs

check-contracts: artifacts/.built
	$(WITH_NODE22) node scripts/export-artifacts.mjs --check

bench: setup
	$(WITH_NODE22) $(BIN)/python -m bench all

bench-gas: setup
	$(WITH_NODE22) $(BIN)/python -m bench gas

# Every benchmark of the last commit before the rebuild (issue 9) and of HEAD, interleaved in one run.
bench-before-after: setup
	$(WITH_NODE22) $(BIN)/python -m bench.before_after

clean:
	rm -rf $(VENV) node_modules artifacts cache
