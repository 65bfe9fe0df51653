# Two commands for a fresh machine:  `make run` (set up, demo data, server on :8000)  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist; 2 here); `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= auto
# `make test` must not pick up a settings module exported in the shell.
TEST_ENV := env -u DJANGO_SETTINGS_MODULE

.PHONY: run test install runtime-packages system-packages lint bench

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

# Debian packages: WeasyPrint's Pango and fonts for the PDF checklist; Chromium for the browser
# tests (Playwright cannot download a browser here). Installed only when missing.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := $(RUNTIME_DEBS) chromium
define apt_install_missing
	@missing=$$(for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || echo $$pkg; done); \
	if [ -n "$$missing" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

runtime-packages:
	$(call apt_install_missing,$(RUNTIME_DEBS))

system-packages:
	$(call apt_install_missing,$(TEST_DEBS))

# One command, no broker to install: honcho starts the web server and a Celery worker (with its beat)
# from Procfile.dev; they talk through a folder (.run/broker, Celery's filesystem transport).
run: install runtime-packages
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py rebuild_report_figures
	mkdir -p .run/broker .run/broker-done .run/broker-control
	DEBUG=true PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev -p $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run

test: install system-packages lint
	$(TEST_ENV) $(BIN)/pytest --numprocesses=$(TEST_WORKERS) $(PYTEST_ARGS)

# The benchmarks (not tests), into fresh databases: the worklist with 5,000 episodes on SQLite and
# PostgreSQL, the completion report with 50,000 episodes and 1M tasks on PostgreSQL, two app servers
# sharing one database and one Redis, and the ward's load test against gunicorn (benchmarks/README.md).
bench: install
	$(BIN)/python benchmarks/worklist.py --database both
	$(BIN)/python benchmarks/reports.py
	$(BIN)/python benchmarks/two_servers.py
	$(BIN)/python benchmarks/loadtest.py
