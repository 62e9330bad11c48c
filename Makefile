# smsadmin — `make run` for a demo against the built-in sandbox, `make test` for the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SANDBOX_PORT ?= 8001
SITE_ADDR ?= 127.0.0.1:8000
# Where `make run` keeps its generated secrets (a test points it elsewhere).
DOTENV ?= .env
export SMSADMIN_SANDBOX_KEY ?= sandbox-demo-key
SANDBOX_URL := http://127.0.0.1:$(SANDBOX_PORT)/api

.PHONY: help install messages run test test-sqlite test-postgres test-container test-container-red lint format bench screenshots clean

help:
	@echo "make run    start the sandbox and the site on http://$(SITE_ADDR)"
	@echo "make test   lint, then the whole suite on SQLite and on PostgreSQL, browser tests included"
	@echo "make test-container   build the image and run it and docker-compose.yml with podman"
	@echo "make lint | format | bench | screenshots | clean"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then \
		echo "Installing python3-venv (needed to create .venv)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# Compiled catalogues are built here, never committed (.gitignore).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

locale/%.mo: locale/%.po
	@scripts/ensure-gettext
	msgfmt --check -o $@ $<

messages: $(MO_FILES)

install: $(STAMP) $(MO_FILES)

$(DOTENV): | $(STAMP)
	$(PY) -m smsadmin.devtools write-dotenv $(DOTENV)

# The environment wins over the .env file, so every process of the run (site,
# sync, bootstrap) talks to the sandbox on SANDBOX_PORT, whatever .env says.
run: export SOCIOSTACKS_API_URL := $(SANDBOX_URL)
run: export SMSADMIN_DOTENV := $(abspath $(DOTENV))
run: install $(DOTENV)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py bootstrap_demo --sandbox-url $(SANDBOX_URL)
	@trap 'kill 0' EXIT; \
	$(PY) -m smsadmin.sandbox --port $(SANDBOX_PORT) --api-key $$SMSADMIN_SANDBOX_KEY & \
	SMSADMIN_SYNC_INTERVAL=30 $(PY) manage.py jobs_worker --no-reload -v 0 & \
	echo "smsadmin on http://$(SITE_ADDR), talking to the sandbox at $(SANDBOX_URL)  (Ctrl-C stops the site, the sandbox and the jobs worker)"; \
	$(PY) manage.py runserver $(SITE_ADDR)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy smsadmin
	$(VENV)/bin/bandit -q -c pyproject.toml -r smsadmin -ll
	scripts/check-translations

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The browser tests need Debian's chromium; PostgreSQL is used where found,
# else installed and started on a private port (scripts/ensure-postgres).
test: install lint
	scripts/ensure-chromium
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	env -u DATABASE_URL $(PY) -m pytest -n 2 -m "not postgres" --dist loadgroup

test-postgres: install
	DATABASE_URL="$$(scripts/ensure-postgres)" $(PY) -m pytest -n 2 -m "not e2e" --database-tests-only

# The Docker image and docker-compose.yml, built and run with podman (no Docker
# engine here): scripts/container/test, checks in tests/container.
test-container: install
	scripts/container/test

# The same, plus two broken Dockerfiles (no USER, no collectstatic) that must fail.
test-container-red: install
	SMSADMIN_CONTAINER_RED=1 scripts/container/test

bench: install
	$(PY) bench/run_all.py

screenshots: install
	scripts/ensure-chromium
	$(PY) -m pytest tests/e2e/test_screenshots.py -p no:xdist --screenshots docs/screenshots

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
