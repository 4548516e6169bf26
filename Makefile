# quizhub — everything a fresh machine needs is installed by these targets.
#   make dev     run the whole thing locally on http://127.0.0.1:8787 (PORT overrides)
#   make test    every suite (unit, API, pipeline, local platform, deploy checks, browser)
#   make bench   latency and throughput of the save path (numbers in README)
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY ?= python3
UV := .tools/bin/uv
PYTHON := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: help install dev test lint format bench reliability chromium pyodide-wheels clean deploy-check

help:
	@echo "make dev | make test | make bench | make reliability | make lint | make format | make deploy-check | make clean"

$(UV):
	$(PY) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: .venv/.synced node_modules/.installed

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
chromium:
	@bash scripts/ensure-chromium.sh

# Pure-Python wheels the Pyodide harness installs (tests/pyodide/.wheels, gitignored; pinned by
# uv.lock's hashes). A no-op once they are there.
pyodide-wheels: | $(UV)
	.tools/bin/python scripts/fetch-pyodide-wheels.py

dev: .venv/.synced
	$(PYTHON) -m quizhub.local serve

test: install chromium pyodide-wheels
	$(PYTHON) -m ruff check src tests benchmarks reliability
	$(PYTHON) -m mypy
	QUIZHUB_REQUIRE_BROWSER=1 $(PYTHON) -m pytest $(PYTEST_ARGS)

lint: .venv/.synced
	$(PYTHON) -m ruff check src tests
	$(PYTHON) -m ruff format --check src tests
	$(PYTHON) -m mypy

format: .venv/.synced
	$(PYTHON) -m ruff format src tests
	$(PYTHON) -m ruff check --fix src tests

bench: .venv/.synced
	$(PYTHON) -m benchmarks.save_path

# The full reliability scorecard (rows 1-10, queue and workflow mode); a reduced run is in make test.
reliability: .venv/.synced
	$(PYTHON) -m reliability.scorecard

deploy-check: install
	scripts/node.sh npx wrangler deploy --dry-run -c wrangler.toml --outdir .wrangler/dry-api
	scripts/node.sh npx wrangler deploy --dry-run -c wrangler.consumer.toml --outdir .wrangler/dry-consumer

clean:
	rm -rf .venv .tools node_modules .wrangler .pytest_cache .ruff_cache .mypy_cache tests/.artifacts
