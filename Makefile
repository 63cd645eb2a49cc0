# Relay CRM: `make run` serves the app with demo data, `make test` lints and tests it.
# Works on a fresh machine: the only prerequisites are Python 3.11+ with pip, and make.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
MANAGE := $(VENV)/bin/python manage.py
# Written after a successful sync; lives inside .venv so deleting .venv resets it.
SYNCED := $(VENV)/.synced

# uv installs the locked dependencies into ./.venv, with the machine's own Python.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

# The app refuses to start without DJANGO_SECRET_KEY unless debug is on; a local run
# turns debug on unless told otherwise (DJANGO_DEBUG=0 make run).
run migrate seed: export DJANGO_DEBUG ?= 1

.PHONY: help install assets run test lint migrate seed clean screenshots bench chaos citus citus-stop citus-bench

help:
	@echo "make run      install, migrate, seed the demo account and serve on http://127.0.0.1:$(PORT)"
	@echo "make test     install, ruff check and format, migrations check, then pytest (PYTEST_ARGS=... passes arguments on)"
	@echo "make install  create .venv/ from uv.lock (again only when uv.lock or pyproject.toml change)"
	@echo "make lint     ruff check . and ruff format --check ."
	@echo "make migrate  apply migrations"
	@echo "make seed     apply migrations and seed the demo account (idempotent)"
	@echo "make assets   copy the front-end packages (npm, package-lock.json) into web/static/vendor/"
	@echo "make screenshots  PNGs of every main page (desktop and phone) into screenshots/"
	@echo "make citus    start a local Citus cluster (coordinator + 2 workers), migrate and distribute; prints DATABASE_URL"
	@echo "make citus-stop  stop it (data kept in .citus/)"
	@echo "make citus-bench  the cluster beside one PostgreSQL (SCALE=0.1), a rebalance and a tenant isolation under load"
	@echo "make clean    remove .venv/, collected static files and caches (keeps db.sqlite3)"

install: $(SYNCED)

# uv: the `uv` command if it works, else `python3 -m uv`, else installed with pip first.
$(SYNCED): pyproject.toml uv.lock
	@set -e; \
	if uv --version >/dev/null 2>&1; then uv=uv; \
	elif $(PYTHON) -m uv --version >/dev/null 2>&1; then uv="$(PYTHON) -m uv"; \
	else \
		echo "Installing uv with pip..."; \
		$(PYTHON) -m pip install --quiet --user uv \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv \
		|| $(PYTHON) -m pip install --quiet uv; \
		uv="$(PYTHON) -m uv"; \
	fi; \
	echo "$$uv sync --frozen --python $(PYTHON)"; \
	$$uv sync --frozen --python $(PYTHON)
	@touch $@

run: install assets
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) ensure_schedules
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	@echo "Relay CRM on http://127.0.0.1:$(PORT)/  (API docs /api/docs/, admin /admin/)"
	@echo "Demo login: demo / demo"
	@echo
	@# The background worker (CSV imports) runs beside the web server and stops with it.
	$(MANAGE) db_worker --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# Lint and tests both run; either failing fails the target.
test: install assets
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		url=$$(sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$$DATABASE_URL"); \
		case "$$DATABASE_URL" in \
			postgres*) echo "Testing on PostgreSQL (DATABASE_URL=$$url)";; \
			*) echo "Testing on DATABASE_URL=$$url";; \
		esac; \
	else echo "Testing on SQLite"; fi
	@# Gates first (each reports, none hides the others): lint, format, migrations in step
	@# with the models; then the suite.
	@lint=0; $(VENV)/bin/ruff check . || lint=$$?; \
	format=0; $(VENV)/bin/ruff format --check . || format=$$?; \
	migrations=0; DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run || migrations=$$?; \
	tests=0; $(VENV)/bin/pytest $(PYTEST_ARGS) || tests=$$?; \
	if [ $$lint -ne 0 ]; then echo "ruff check failed (see above)" >&2; fi; \
	if [ $$format -ne 0 ]; then echo "ruff format --check failed: run .venv/bin/ruff format ." >&2; fi; \
	if [ $$migrations -ne 0 ]; then echo "models changed without a migration: run manage.py makemigrations" >&2; fi; \
	if [ $$lint -ne 0 ] || [ $$format -ne 0 ] || [ $$migrations -ne 0 ] || [ $$tests -ne 0 ]; then exit 1; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Front-end packages from the npm registry (pinned in package-lock.json), copied into
# web/static/vendor/ (not committed).
VENDOR := web/static/vendor
assets: $(VENDOR)/.copied

$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/sortablejs/Sortable.min.js $(VENDOR)/Sortable.min.js
	@touch $@

# PNGs of every main page at desktop and phone width, with the demo data, in screenshots/.
SHOT_DB := /tmp/relay-screenshots-$(shell id -u).sqlite3
screenshots: install assets
	rm -f $(SHOT_DB)
	export DATABASE_URL=sqlite:///$(SHOT_DB) DJANGO_DEBUG=1; \
	$(MANAGE) migrate --noinput -v0 && $(MANAGE) seed_demo >/dev/null && \
	{ $(MANAGE) runserver 127.0.0.1:8899 --noreload >/dev/null 2>&1 & server=$$!; \
	  trap 'kill $$server 2>/dev/null' EXIT; sleep 3; \
	  SCREENSHOT_BASE_URL=http://127.0.0.1:8899 $(VENV)/bin/python bench/screenshots.py; }

# Benchmarks on PostgreSQL (BENCH_DATABASE_URL, default relay_bench on 127.0.0.1):
# generates SCALE × (1M contacts, ...), serves with gunicorn, measures over HTTP.
SCALE ?= 1
bench: install assets
	@# wrk (Debian's package) drives the throughput test; without it Python threads do.
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1; } \
		|| echo "bench: wrk is not installed; throughput is measured with Python threads"
	$(VENV)/bin/python bench/run.py --scale $(SCALE)

# Restart PostgreSQL under load and check what the clients saw (needs the local cluster).
chaos: install
	$(VENV)/bin/python bench/chaos.py

# A local Citus cluster (coordinator and two workers on ports 9700-9702, data in .citus/):
# installs Citus if missing, migrates and distributes the schema; the last line printed
# is its DATABASE_URL, for `make run` and `make test`.
citus: install
	scaleout/cluster.sh start

citus-stop:
	scaleout/cluster.sh stop

# The cluster beside one PostgreSQL (same data, SCALE=0.1 unless SCALE is given; SCALE=0.001
# is the smoke run), then a third worker rebalanced and the big account isolated under
# load (bench/citus_bench.py). Uses the cluster of `make citus` (CITUS_PORT, CITUS_DIR)
# and starts it if needed; results in bench-results/citus.md.
citus-bench: install assets
	@command -v wrk >/dev/null || echo "citus-bench: wrk is not installed; throughput is measured with Python threads"
	$(VENV)/bin/python bench/citus_bench.py --scale $(if $(filter file,$(origin SCALE)),0.1,$(SCALE))
