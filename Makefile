# The two commands that matter: `make run` and `make test`. Both set up what they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
RUFF := $(VENV)/bin/ruff
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=portal.settings.test

.PHONY: help run test bench load lint format assets install install-dev chromium check clean

help:
	@echo "make run    set everything up and serve the portal on http://$(HOST):$(PORT)/ (SQLite)"
	@echo "make test   install test needs, lint, check, then test on SQLite and PostgreSQL"
	@echo "make bench  run the benchmarks and print their figures"
	@echo "make load   a 3-minute load test under gunicorn on loopback; prints the figures"
	@echo "make format reformat the code with ruff"

# --- set-up (each step is skipped when nothing it depends on changed) -------------------------
$(VENV)/.base: pyproject.toml requirements/constraints.txt
	@echo "==> Python environment ($(VENV)) with the portal's dependencies"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PIP) install -c requirements/constraints.txt -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.base
	@echo "==> Test and development dependencies"
	@$(PIP) install -c requirements/constraints.txt -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@echo "==> npm packages (GOV.UK Frontend, Sass, axe-core)"
	@npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

frontend/build/.built: node_modules/.installed scripts/build-assets.mjs $(wildcard frontend/scss/* frontend/js/* frontend/images/*)
	@echo "==> Front-end assets"
	@npm run --silent build
	@touch $@

$(VENV)/.load: $(VENV)/.dev
	@echo "==> Load-test dependencies (locust)"
	@$(PIP) install -c requirements/constraints.txt -e ".[dev,load]"
	@touch $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev
assets: frontend/build/.built

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "==> Installing Debian's chromium for browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# --- the two commands -------------------------------------------------------------------------
run: install assets
	@echo "==> Database (SQLite) and demo content"
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py load_demo_data
	@echo "==> Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	@$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev assets chromium
	@echo "==> ruff check and format"
	@$(RUFF) check .
	@$(RUFF) format --check .
	@echo "==> Dependency audit (pip-audit over requirements/constraints.txt)"
	@$(PY) scripts/audit_dependencies.py
	@echo "==> manage.py check and migrations"
	@$(TEST_SETTINGS) $(PY) manage.py check --fail-level WARNING
	@$(TEST_SETTINGS) $(PY) manage.py makemigrations --check --dry-run
	@echo "==> pytest on SQLite (unit, integration and browser tests)"
	@$(PY) -m pytest
	@echo "==> pytest on PostgreSQL (throwaway cluster on loopback)"
	@scripts/with-postgres.sh $(PY) -m pytest -m "not e2e"

bench: install-dev assets
	@echo "==> benchmarks on SQLite"
	@$(PY) -m pytest tests/bench -o addopts="" -s -q
	@echo "==> search benchmarks on PostgreSQL (throwaway cluster on loopback)"
	@scripts/with-postgres.sh $(PY) -m pytest tests/bench/test_bench_search.py -o addopts="" -s -q

load: install-dev assets $(VENV)/.load
	@scripts/load-test.sh

lint: install-dev
	@$(RUFF) check . && $(RUFF) format --check .

format: install-dev
	@$(RUFF) format . && $(RUFF) check --fix .

clean:
	rm -rf $(VENV) node_modules frontend/build static db.sqlite3
