# Bản Bot — two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-pg install dev lint typecheck pytest pytest-pg services chromium lock bench clean rasa rasa-venv rasa-stop stack stack-stop

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml requirements.lock
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, serve on http://127.0.0.1:8080 with embedded defaults.
run: install
	$(VENV)/bin/banbot db upgrade
	$(VENV)/bin/banbot serve --host 127.0.0.1 --port 8080

## make test: install dev dependencies, make sure Redis, PostgreSQL, Chromium and Rasa's own
## environment (.venv-rasa, ~5-10 min the first time) are there, lint, type-check, test.
test: install services chromium rasa-venv lint typecheck pytest

services:
	bash scripts/ensure-services.sh

## Debian's Chromium for the workspace browser tests (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "make chromium: install Debian's chromium (needs root and apt-get)" >&2; exit 1; fi; }
	@echo "chromium: $$(command -v chromium)"

lint: install
	$(VENV)/bin/ruff check bot integrations tests bench
	$(VENV)/bin/ruff format --check bot integrations tests bench

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest -q --durations=15

## make test-pg: the whole suite again with every bot on its own PostgreSQL database
## (BANBOT_TEST_DATABASE=postgres, tests/conftest.py), two test processes (pytest-xdist).
test-pg: install services rasa-venv pytest-pg

pytest-pg: install
	BANBOT_TEST_DATABASE=postgres $(VENV)/bin/pytest -q --durations=15 -n 2 --dist loadgroup

bench: install
	$(PY) bench/conversation.py

RASA_PORT ?= 5005
rasa-venv:
	bash scripts/rasa-venv.sh

## make rasa: build .venv-rasa (once, ~5-10 min cold), train from nlu_data/ (cached by data
## hash), serve the Rasa HTTP API on 127.0.0.1:$(RASA_PORT). Then BANBOT_NLU=rasa make run.
rasa: rasa-venv
	bash scripts/rasa.sh train
	bash scripts/rasa.sh serve $(RASA_PORT)

rasa-stop:
	bash scripts/rasa.sh stop $(RASA_PORT)

## make stack: the production shape as local processes (docker-compose.yml without Docker):
## redis-server :6380, PostgreSQL (database banbot_stack), Rasa :5005, app on :8081 and :8082,
## worker; pid files and logs in var/stack/. STACK_RASA=off skips Rasa. make stack-stop ends it.
stack: install services rasa-venv
	bash scripts/stack.sh start

stack-stop:
	bash scripts/stack.sh stop

lock: $(PY)
	$(PY) -m pip freeze --exclude-editable | sed '1i # Exact versions of every installed package (pip freeze of .venv). Regenerate: make lock' > requirements.lock

clean:
	rm -rf $(VENV) var/*.db .pytest_cache .mypy_cache .ruff_cache
