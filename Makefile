# Two commands for a fresh machine:  `make run` (set up, demo data, server on :8000)  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# `make test` must not pick up a settings module exported in the shell.
TEST_ENV := env -u DJANGO_SETTINGS_MODULE

.PHONY: run test install system-packages lint bench

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

# Debian packages the tests need: Chromium for the browser tests (Playwright cannot download one here).
system-packages:
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run

test: install system-packages lint
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The worklist benchmark (not a test): 5,000 episodes into fresh databases, SQLite then PostgreSQL.
bench: install
	$(BIN)/python benchmarks/worklist.py --database sqlite
	$(BIN)/python benchmarks/worklist.py --database postgresql
