# The front door. `make run` sets everything up and serves the seeded site;
# `make test` sets everything up and runs the whole suite.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
DEMO_REPLIES ?= 300
DEMO_SEED ?= 1
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
# The suite runs in this many processes (pytest-xdist); 0 runs it in one.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

.DEFAULT_GOAL := help
.PHONY: help install run serve loadtest bench migrate seed demo test test-postgres test-clock lint format messages webmaster benchmark backup restore clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed; found " + sys.version.split()[0] if sys.version_info < (3, 11) else 0)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check '.[dev]'
	@rm -rf build *.egg-info $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## Create .venv and install the dependencies (only when pyproject.toml changed)

migrate: install ## Bring the database schema up to date
	$(BIN)/python manage.py migrate --noinput

seed: migrate ## Load the seeded MIA content (adds what is missing, never overwrites edits)
	$(BIN)/python manage.py seed_content

demo: seed ## Replace the demo debate: DEMO_REPLIES contributions (default 300), DEMO_SEED
	$(BIN)/python manage.py seed_demo --clear --replies $(DEMO_REPLIES) --seed $(DEMO_SEED)

run: seed ## Set up, seed and serve the site on http://127.0.0.1:$(PORT)
	@echo "The site: http://127.0.0.1:$(PORT)/  The editors' desk: http://127.0.0.1:$(PORT)/admin/ (make webmaster creates an account)"
	MIA_DEV_PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

serve: install ## Serve as in production (DEBUG off, gunicorn, static files collected) on http://127.0.0.1:$(PORT)
	PORT=$(PORT) $(BIN)/python bin/serve

test: install ## Run the whole test suite (DATABASE_URL picks the database; default SQLite)
	$(PYTEST) $(PYTEST_ARGS)

test-postgres: install ## Run the suite against the local PostgreSQL
	DATABASE_URL=$${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PYTEST) $(PYTEST_ARGS)

# Two clocks at which the date in Copenhagen is not the date in UTC: a winter night after 23:00
# UTC, and the first minutes of a summer day (22:00 UTC). faketime starts the clock there.
WINTER_NIGHT := 2026-11-27 23:30:00 UTC
SUMMER_MIDNIGHT := 2026-06-30 22:00:00 UTC

test-clock: install ## Run the suite at 23:30 UTC and at local midnight in summer (needs faketime)
	@command -v faketime >/dev/null || { echo "make test-clock needs faketime: apt-get install faketime"; exit 1; }
	faketime -m "$(WINTER_NIGHT)" $(PYTEST) $(PYTEST_ARGS)
	faketime -m "$(SUMMER_MIDNIGHT)" $(PYTEST) $(PYTEST_ARGS)

lint: install ## Check code style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Rewrite code in the house style with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Update the Danish translation catalogue and compile it
	$(BIN)/python manage.py makemessages -l da --no-location --no-obsolete --ignore='.venv/*' --ignore='tests/*'
	$(BIN)/python manage.py compilemessages -l da --ignore='.venv/*'

webmaster: migrate ## Create a webmaster account for the admin (asks for name, e-mail and password)
	$(BIN)/python manage.py createwebmaster

benchmark: seed ## Measure a question page as its thread grows; chart in var/benchmark-thread.png
	@$(BIN)/python -c 'import matplotlib' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check matplotlib
	$(BIN)/python manage.py benchmark_thread --plot var/benchmark-thread.png

bench: install ## Measure the public pages under load beside /health/ (BENCH_SECONDS); var/bench-pages.png
	@$(BIN)/python -c 'import matplotlib' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check matplotlib
	@command -v wrk >/dev/null || { test "$$(id -u)" = 0 && command -v apt-get >/dev/null && apt-get install -y -qq wrk >/dev/null; } || true
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

loadtest: install ## Serve as `make serve` does against PostgreSQL and check nothing is lost under load and faults
	@$(BIN)/python -c 'import aiosmtpd' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check '.[bench]'
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

backup: install ## Back up the PostgreSQL database and the uploaded files into BACKUP (default var/backups/<time>)
	$(BIN)/python bin/backup $(BACKUP)

restore: install ## Restore BACKUP=folder into the empty database DATABASE_URL names, and the files
	@test -n "$(BACKUP)" || { echo "Name the backup: make restore BACKUP=var/backups/..."; exit 1; }
	$(BIN)/python bin/restore $(BACKUP)

clean: ## Remove the environment, the local database and uploaded files
	rm -rf $(VENV) db.sqlite3 media staticfiles build *.egg-info
