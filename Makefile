# 社区五单 — `make run` serves the demo; `make test` runs every test.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
TEST_DATABASE_URL_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: run test pytest pytest-pg jest screenshots release-check openapi labels install install-dev browser worker bench bench-quick bench-scale bench-stats drills cluster-drill clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: install  ## migrate, seed the demo world, serve on 127.0.0.1:5000 (SQLite, dev-mode login)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

worker: install  ## the supervision and notification worker
	$(BIN)/flask worker

browser:  ## Debian's chromium and a CJK font for the console's browser tests (needs root)
	@bash scripts/install-browser.sh

openapi: install
	@mkdir -p build
	$(BIN)/flask openapi write build/openapi.json

labels: install  ## the mini-program's and the console's label files, generated from the server's enums (app/labels.py)
	$(BIN)/flask labels write

pytest: install-dev
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

pytest-pg: install-dev  ## the Python suite against the local PostgreSQL
	TEST_DATABASE_URL=$(TEST_DATABASE_URL_PG) $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

jest: openapi node_modules/.installed
	OPENAPI_JSON=build/openapi.json npx jest --ci

screenshots: install-dev node_modules/.installed  ## the mini-program's page gallery: every page, role and state, normal and 关怀模式 → build/gallery/index.html
	$(BIN)/python scripts/gallery.py

# The committed release sample must pass, and the repository's own (development) config must be refused.
release-check:  ## the mini-program's release check: passes on scripts/release-sample, refuses the dev config
	node scripts/release-check.js --project scripts/release-sample/project.config.json --deploy scripts/release-sample/deploy.js
	@if node scripts/release-check.js >/dev/null 2>&1; then \
		echo "release-check accepted the development config; it must refuse it"; exit 1; \
	else echo "release-check: the development config is refused, as it should be"; fi

test: install-dev browser node_modules/.installed pytest jest release-check  ## everything: pytest (SQLite, with the mini-program's page gallery checks), the mini-program's jest tests and its release check

bench: install-dev  ## gunicorn on SQLite and PostgreSQL under wrk (installed if missing): rates, p50/p99 (fixed-rate runs: median of 3), SQL per request, worker RSS; JSON last
	RATELIMIT_ENABLED=false $(BIN)/python bench/run.py

bench-quick: install-dev  ## the same benchmark in under a minute (2k orders, 2 s per endpoint)
	RATELIMIT_ENABLED=false $(BIN)/python bench/run.py --quick

bench-scale: install-dev  ## list latency at 10k and 1M orders on PostgreSQL (gen-data timing included)
	$(BIN)/python bench/scale.py

bench-stats: install-dev  ## figures (GET /stats/summary) on 1M orders in PostgreSQL: community and county latency, rollups checked against the direct computation
	$(BIN)/python bench/stats_bench.py $(BENCH_ARGS)

drills: install-dev  ## reliability drills: 10k mixed requests, kill -9 of a worker, 32 SQLite writers, backup/restore
	$(BIN)/python bench/drills.py

cluster-drill: install-dev  ## PostgreSQL primary + streaming replica, Redis, two gunicorn nodes behind nginx, two workers: failures under load, counted (nginx installed if missing); JSON last
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null; } || { echo "cluster-drill needs nginx: apt-get install nginx (as root)"; exit 1; }
	$(BIN)/python bench/cluster_drill.py $(DRILL_ARGS)

clean:
	rm -rf build .pytest_cache
