# quizhub — everything a fresh machine needs is installed by these targets.
#   make dev     run the whole thing locally on http://127.0.0.1:8787 (PORT overrides)
#   make test    every suite (unit, API, pipeline, local platform, deploy checks, browser, the
#                browser code's unit tests) and the documentation, built with warnings as errors
#   make docs    the documentation site (docs/ → docs/_build/html)
#   make bench   latency and throughput of the save path, search, play analytics, images and
#                preview cards, written to docs/measured/
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY ?= python3
UV := .tools/bin/uv
PYTHON := .venv/bin/python
PYTEST_ARGS ?=
PY_PATHS := src tests benchmarks reliability scripts

.PHONY: help install dev test test-js lint format docs bench reliability chromium postgres \
	pyodide-wheels clean deploy-check deploy cf-setup wrangler-dev conformance eval-search bench-push \
	analytics-migrate pylock

help:
	@echo "make dev | make test | make docs | make bench | make bench-push | make reliability"
	@echo "make lint | make format | make clean | make conformance | make eval-search | make test-js"
	@echo "make wrangler-dev | make cf-setup | make deploy | make deploy-check"
	@echo "make pylock (pywrangler's lock, pylock.toml, from uv.lock)"
	@echo "make analytics-migrate (the analytics Postgres schema; ANALYTICS_DATABASE_URL picks the server)"
	@echo "Documentation: docs/ (make docs builds it into docs/_build/html/index.html)"

$(UV):
	$(PY) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

# `make dev` needs only what serving needs; `make test` installs every dependency group.
.venv/.synced-serve: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --no-default-groups --group serve
	@touch $@

.venv/.synced-all: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-groups
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Swagger UI for /api/docs (pinned, integrity-checked; public/docs/vendor/ is gitignored).
public/docs/vendor/.version: scripts/docs-assets.py
	$(PY) scripts/docs-assets.py

install: .venv/.synced-all node_modules/.installed public/docs/vendor/.version

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
chromium:
	@bash scripts/ensure-chromium.sh

# Debian's PostgreSQL server (15 on bookworm) for the analytics suite: production reaches
# Postgres through Hyperdrive, which supports majors 9.0-17; the embedded wheel is 18
# (docs/hyperdrive.md).
postgres:
	@bash scripts/ensure-postgres.sh

# Pure-Python wheels the Pyodide harness installs (tests/pyodide/.wheels, gitignored; pinned by
# uv.lock's hashes). A no-op once they are there.
pyodide-wheels: | $(UV)
	.tools/bin/python scripts/fetch-pyodide-wheels.py

dev: .venv/.synced-serve public/docs/vendor/.version
	$(PYTHON) -m quizhub.local serve

# Play analytics' Postgres schema (analytics/migrations/, not D1's migrations/): the embedded
# PostgreSQL under the data dir, or ANALYTICS_DATABASE_URL=postgres://… (production: the origin
# database behind Hyperdrive). `make dev` and the test session apply them too.
analytics-migrate: .venv/.synced-serve
	$(PYTHON) -m quizhub.local analytics-migrate

# The gates: formatting, lint (line length 100, no blanket ignores) and mypy --strict; for the
# browser code (public/, plain ES modules loaded as they are), TypeScript's checker over its JSDoc
# (strict, no emit: tsconfig.json) and ESLint with no warnings allowed (eslint.config.js).
lint: .venv/.synced-all node_modules/.installed
	$(PYTHON) -m ruff format --check $(PY_PATHS)
	$(PYTHON) -m ruff check $(PY_PATHS)
	$(PYTHON) -m mypy
	scripts/node.sh tsc -p tsconfig.json
	scripts/node.sh eslint --max-warnings 0 .
	scripts/node.sh stylelint --max-warnings 0 "public/assets/*.css" "public/admin/*.css"

# The browser code's unit tests (tests/js/*.test.mjs) under Node's test runner; site-imports.mjs
# resolves the modules' /admin/… and /assets/… imports to public/.
test-js: node_modules/.installed
	scripts/node.sh node --import ./tests/js/site-imports.mjs --test "tests/js/*.test.mjs"

# The documentation site: Sphinx + MyST (Markdown) + Furo, docs/ → docs/_build/html (gitignored).
# -W --keep-going: every warning (a broken link or anchor, a missing include) fails the build,
# after listing them all; -n also reports references that resolve nowhere.
docs: .venv/.synced-all
	$(PYTHON) -m sphinx -W --keep-going -n -q -b html docs docs/_build/html

test: install chromium postgres pyodide-wheels lint docs test-js
	QUIZHUB_REQUIRE_BROWSER=1 $(PYTHON) -m pytest $(PYTEST_ARGS)

format: .venv/.synced-all
	$(PYTHON) -m ruff format $(PY_PATHS)
	$(PYTHON) -m ruff check --fix $(PY_PATHS)

bench: .venv/.synced-all node_modules/.installed chromium
	$(PYTHON) -m benchmarks.save_path
	$(PYTHON) -m benchmarks.consumer_bench
	$(PYTHON) -m benchmarks.dev_server_bench
	$(PYTHON) -m benchmarks.search_bench
	$(PYTHON) -m benchmarks.analytics_bench
	$(PYTHON) -m benchmarks.image_bench
	$(PYTHON) -m benchmarks.card_bench
	$(PYTHON) -m benchmarks.lighthouse_bench
	$(PYTHON) -m benchmarks.startup

# Live status vs polling in a real browser: 저장하기 → "저장 완료" on screen, p50/p95 of 25 saves
# per mode against the dev server with 10 ms per binding call (written to docs/measured/push.md).
# Not in make test.
bench-push: .venv/.synced-all chromium
	$(PYTHON) -m benchmarks.push_bench

# Search quality on the judged Korean eval set (search_eval/): keyword, vector and hybrid, and the
# no-answer cut swept. EMBEDDER=workers-ai measures production's bge-m3 (needs an account:
# docs/korean-search.md). Writes docs/measured/search-quality*.md and search-cut-sweep*.md.
EMBEDDER ?= local
eval-search: .venv/.synced-all
	$(PYTHON) -m benchmarks.eval_search --embedder $(EMBEDDER)

# The full reliability scorecard (rows 1-20, queue and workflow mode, defined in
# docs/reliability.md), written to docs/measured/scorecard.md. A reduced run, writing nothing, is
# in make test.
reliability: .venv/.synced-all
	$(PYTHON) -m reliability.scorecard

# The Pyodide/Miniflare harness alone: one line per check group, then `N passed, N failed`.
conformance: install pyodide-wheels
	scripts/node.sh node tests/pyodide/harness.mjs

# pywrangler's lock (committed): the runtime dependencies at uv.lock's versions
# (docs/deploy-lock.md).
pylock: | $(UV)
	.tools/bin/python scripts/pylock.py

# Offline checks of the configs, not a deploy: both configs share the runtime keys, pylock.toml is
# uv.lock's, pywrangler finds the project's uv and wrangler by name, wrangler accepts both configs
# (dry run), and the dry-run bundles' sizes against the 64 MiB limit. Nothing is vendored here.
deploy-check: install
	@echo "deploy-check: checks the configs and pylock.toml offline (no upload, nothing vendored)"
	$(PYTHON) scripts/deploy_check.py configs
	.tools/bin/python scripts/pylock.py --check
	scripts/pywrangler.sh --check-tools
	rm -rf .wrangler/dry-consumer .wrangler/dry-api
	scripts/node.sh npx wrangler deploy --dry-run -c wrangler.consumer.toml --outdir .wrangler/dry-consumer
	scripts/node.sh npx wrangler deploy --dry-run -c wrangler.toml --outdir .wrangler/dry-api
	$(PYTHON) scripts/deploy_check.py bundles .wrangler/dry-consumer .wrangler/dry-api

# One time, after `scripts/node.sh npx wrangler login`: D1, KV, R2 and the queues; prints ids.
cf-setup: install
	$(PYTHON) scripts/cf_setup.py

# Production: remote migrations, then the consumer Worker (it owns the queue consumers and the
# Workflow class), then the API Worker. pywrangler vendors [project.dependencies] first, pinned by
# pylock.toml (written from uv.lock); nothing is uploaded unless python_modules/ holds uv.lock's
# versions. pywrangler's sync rewrites pylock.toml for Pyodide: the last step writes it back.
deploy: install
	$(PYTHON) scripts/deploy_check.py configs
	.tools/bin/python scripts/pylock.py
	scripts/node.sh npx wrangler d1 migrations apply DB --remote -c wrangler.toml
	scripts/pywrangler.sh sync
	.tools/bin/python scripts/pylock.py --vendored python_modules
	scripts/pywrangler.sh deploy -c wrangler.consumer.toml
	scripts/pywrangler.sh deploy -c wrangler.toml
	.tools/bin/python scripts/pylock.py

# `wrangler dev` for both Workers in ONE session (queues and the Workflow connect), on local
# bindings with migrations applied. Needs the network once (workerd's Python runtime).
wrangler-dev: install
	.tools/bin/python scripts/pylock.py
	scripts/node.sh npx wrangler d1 migrations apply DB --local -c wrangler.toml
	scripts/pywrangler.sh dev --local -c wrangler.toml -c wrangler.consumer.toml

clean:
	rm -rf .venv .tools node_modules .wrangler .pytest_cache .ruff_cache .mypy_cache tests/.artifacts \
		docs/_build
