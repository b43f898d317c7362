# The two set-up commands of the README. Everything else is a helper target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.install-stamp
export TREMPLIN_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint system-deps web-test-deps

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) system-deps web-test-deps

# Debian packages the browser tests need (Chromium; never a downloaded browser). Best effort as non-root.
system-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "chromium could not be installed: browser tests will be skipped"; \
	fi

# axe-core for the accessibility test of the web pages (node_modules/ is git-ignored); skipped without npm.
web-test-deps:
	@if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then \
		npm install --no-save --no-audit --no-fund --silent axe-core >/dev/null \
			|| echo "axe-core could not be installed: the accessibility test will be skipped"; \
	fi

demo: install
	$(VENV)/bin/tremplin init
	$(VENV)/bin/tremplin sample load
	$(VENV)/bin/tremplin index
	@echo
	@echo "Staff key (sign in at http://$(HOST):$(PORT)/ with it):"
	@$(VENV)/bin/tremplin keys create --role staff --name demo-staff --if-missing
	@echo "API docs: http://$(HOST):$(PORT)/docs    health: http://$(HOST):$(PORT)/health"
	$(VENV)/bin/tremplin serve --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check matcher service tests benchmarks
	$(VENV)/bin/ruff format --check matcher service tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
