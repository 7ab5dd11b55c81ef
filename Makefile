# govqa — `make serve` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export HOST PORT

.DEFAULT_GOAL := help
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help serve test index lint clean browser screenshots bench loadtest

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/govqa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(BIN)/govqa
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

serve: $(BIN)/govqa ## install, (re)build the index of data/reports/ when missing or stale, serve on http://$(HOST):$(PORT)
	$(BIN)/govqa index --if-stale
	$(BIN)/govqa serve --host $(HOST) --port $(PORT)

index: $(BIN)/govqa ## rebuild the index of data/reports/
	$(BIN)/govqa index

test: $(VENV)/.dev browser ## install with dev extras, lint, run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/pytest

browser: ## Debian's Chromium and CJK fonts, for the browser tests and screenshots
	@command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

screenshots: $(VENV)/.dev browser ## regenerate docs/search-page.png, docs/ledger.png, docs/widget.png and docs/admin.png from the sample index
	$(BIN)/govqa index --if-stale
	$(BIN)/python docs/screenshots.py

bench: $(BIN)/govqa ## speed and memory benchmarks (govqa bench)
	$(BIN)/govqa index --if-stale
	$(BIN)/govqa bench

loadtest: $(BIN)/govqa ## 64 clients for 60 s of searches, answers and pages on a real server: 5xx, dropped connections, p99, memory
	$(BIN)/govqa index --if-stale
	$(BIN)/govqa bench --load

lint: $(VENV)/.dev ## ruff only
	$(BIN)/ruff check .

clean: ## remove the virtualenv and built indexes
	rm -rf $(VENV) var
