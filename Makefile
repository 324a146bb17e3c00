# Gridwork: `make run` serves the demo city, `make test` runs every check. `make help` lists the targets.
SHELL := /bin/bash
PORT ?= 8000
SCALE ?= city
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help setup run demo test test-sqlite test-postgres lint check bench messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed ## Create the virtual environment and install Python and front-end packages
	@mkdir -p var

# The task worker and the scheduler run beside the server and stop with it: when it exits, on Ctrl-C, or when
# this shell is killed (the server runs in the background so that the shell's traps fire at once).
run: setup ## Set up, migrate the SQLite database, load the demo city, serve on 127.0.0.1:$(PORT) with the task worker and scheduler
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_city --scale $(SCALE) --if-empty
	$(MANAGE) triage_train --if-missing
	$(MANAGE) demo_matters --if-empty
	$(MANAGE) analytics_rebuild --if-empty
	$(MANAGE) demo_volunteering --if-empty
	$(MANAGE) demo_cobuild --if-empty
	$(MANAGE) demo_ratings --if-empty
	$(MANAGE) demo_mediation --if-empty
	$(MANAGE) demo_centres --if-empty
	$(MANAGE) demo_activities --if-empty
	$(MANAGE) demo_serviceday --if-empty
	$(MANAGE) demo_deliberation --if-empty
	$(MANAGE) demo_socialorgs --if-empty
	$(MANAGE) demo_estates --if-empty
	$(MANAGE) demo_property --if-empty
	$(MANAGE) demo_gridvisits --if-empty
	$(MANAGE) demo_admission --if-empty
	$(MANAGE) demo_keytasks --if-empty
	$(MANAGE) demo_logins
	@pids=(); \
	trap 'kill $${pids[@]} 2>/dev/null; wait' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM HUP; \
	$(MANAGE) db_worker & pids+=($$!); \
	$(MANAGE) run_scheduler & pids+=($$!); \
	$(MANAGE) runserver 127.0.0.1:$(PORT) & pids+=($$!); \
	wait $$!

demo: setup ## Rebuild the demo database from scratch (SCALE=small|city); the old var/gridwork.sqlite3 is deleted
	rm -f var/gridwork.sqlite3 var/gridwork.sqlite3-wal var/gridwork.sqlite3-shm
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_city --scale $(SCALE)
	$(MANAGE) triage_train --if-missing
	$(MANAGE) demo_matters
	$(MANAGE) demo_volunteering
	$(MANAGE) demo_cobuild
	$(MANAGE) demo_ratings
	$(MANAGE) demo_mediation
	$(MANAGE) demo_centres
	$(MANAGE) demo_activities
	$(MANAGE) demo_serviceday
	$(MANAGE) demo_deliberation
	$(MANAGE) demo_socialorgs
	$(MANAGE) demo_estates
	$(MANAGE) demo_property
	$(MANAGE) demo_gridvisits
	$(MANAGE) demo_admission
	$(MANAGE) demo_keytasks

lint: setup ## ruff, mypy, bandit, Django's system checks and the missing-migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy gridwork config
	$(VENV)/bin/bandit --quiet --recursive gridwork config --exclude '*/tests/*,*/migrations/*' --severity-level medium
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

test: lint ## Every check: lint, pip-audit, then the whole suite on SQLite and on PostgreSQL (with the browser tests)
	scripts/audit-deps.sh
	scripts/system-deps.sh
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: setup ## The test suite on SQLite
	$(VENV)/bin/pytest

test-postgres: setup ## The test suite on a throwaway PostgreSQL cluster on loopback
	scripts/with-postgres.sh $(VENV)/bin/pytest

bench: setup ## The benchmarks in bench/ (see bench/README.md): locating, and intake over HTTP on SQLite and PostgreSQL
	scripts/system-deps.sh
	$(PY) bench/run.py

messages: setup ## Collect new strings into gridwork/locale/*/django.po and compile every .po to .mo
	cd gridwork && ../$(PY) ../manage.py makemessages --locale zh_Hans --no-obsolete --no-location --ignore "tests/*"
	cd gridwork && ../$(PY) ../manage.py compilemessages --locale zh_Hans

clean: ## Remove the virtual environment, node_modules and the local database
	rm -rf $(VENV) node_modules var staticfiles
