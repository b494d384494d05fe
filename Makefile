# Tandem's developer and CI entry points. GNU make; everything runs from the project's .venv.
# `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
TANDEM := $(BIN)/tandem

# Tests never touch the developer's data: a throwaway data directory (secret key, static root,
# and the SQLite file if a test opens it outside pytest-django's test database).
TEST_DATA_DIR := $(CURDIR)/var/test
TEST_ENV := TANDEM_DATA_DIR=$(TEST_DATA_DIR)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
CLASSROOM_ARGS ?=
LOAD_ARGS ?=
DISTRICT_ARGS ?=
LOOP_ARGS ?=
DISTRICT_URL ?= postgres://postgres@127.0.0.1:5432/tandem_district
LINT_PATHS := src tests bench
VENDOR_DIR := src/tandem/core/static/vendor

.PHONY: help run serve demo test test-fast test-browser test-postgres test-postgres-browser screens lint format typecheck \
        imports migrations-check bench bench-kt bench-diagnostic bench-interop bench-load \
        bench-classroom bench-district bench-grid bench-loop bench-spark bench-equity bench-leaders bench-schedule conformance java vendor messages clean install install-dev

help: ## list the targets
	@echo "Tandem — make targets:"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "} {printf "  make %-17s %s\n", $$1, $$2}'

# ---- environment -----------------------------------------------------------------------------

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,spark]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## install Tandem into .venv (only when pyproject.toml changed)
# The dev install includes the `spark` extra for the Spark calibration tests (tests/spark):
# about 0.5 GB to download — pyspark's source package with its jars (~450 MB) most of it,
# pyarrow ~45 MB, pandas ~12 MB — and ~740 MB installed. Those tests also need Java.
install-dev: $(VENV)/.installed-dev java ## install Tandem with the development tools (and Java for Spark)

# Spark needs a Java 17+ runtime; Debian's default-jre-headless is one (bookworm: OpenJDK 17).
java: ## make sure a Java runtime is installed (apt-get as root, else say how)
	@if command -v java >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -q && apt-get install -y -q --no-install-recommends default-jre-headless; \
	else \
	  echo "Java is missing (Spark tests will skip): sudo apt-get install default-jre-headless"; \
	fi

# ---- running ---------------------------------------------------------------------------------

# `tandem serve` prints the time from TANDEM_STARTED (here: when `make run` began, installing
# included) to its first answered page.
run: export TANDEM_STARTED := $(shell date +%s.%N)
run: demo ## install, migrate, seed the demo school, serve on http://127.0.0.1:8000
	$(TANDEM) serve

serve: $(VENV)/.installed ## serve without seeding (migrating and collecting static files if needed)
	$(TANDEM) serve

demo: $(VENV)/.installed ## migrate and seed the demo school (idempotent; calibrated in the background)
	$(TANDEM) demo

# ---- checks ----------------------------------------------------------------------------------

test: $(VENV)/.installed-dev ## everything CI runs on SQLite: lint, types, imports, migrations, tests
	$(MAKE) lint
	$(MAKE) typecheck
	$(MAKE) imports
	$(MAKE) migrations-check
	$(MAKE) test-fast
	$(MAKE) test-browser

lint: $(VENV)/.installed-dev ## ruff check and ruff format --check
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(VENV)/.installed-dev ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

typecheck: $(VENV)/.installed-dev ## mypy (strict on the engine)
	$(TEST_ENV) $(BIN)/mypy src

imports: $(VENV)/.installed-dev ## import-linter contracts (pure engine, layered apps)
	$(BIN)/lint-imports

migrations-check: $(VENV)/.installed-dev ## fail if a model change has no migration
	$(TEST_ENV) $(TANDEM) manage makemigrations --check --dry-run

test-fast: $(VENV)/.installed-dev ## the pytest suite without the browser tests, in parallel
	mkdir -p $(TEST_DATA_DIR)
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

test-browser: $(VENV)/.installed-dev ## end-to-end tests in Chromium (not under xdist)
	mkdir -p $(TEST_DATA_DIR)
	$(TEST_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -p no:xdist -m browser tests/browser $(PYTEST_ARGS)

# Writes docs/screens/*.png: student and guardian pages at 360x740 and 1280x800 on a demo school.
screens: $(VENV)/.installed-dev ## screenshots of the student and guardian pages for the README (docs/screens/)
	mkdir -p $(TEST_DATA_DIR)
	$(TEST_ENV) SCREENS=1 DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -p no:xdist -q tests/browser/test_screens.py

test-postgres: $(VENV)/.installed-dev ## the pytest suite against PostgreSQL (POSTGRES_URL, default the local test DB)
	mkdir -p $(TEST_DATA_DIR)
	$(TEST_ENV) DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

# The browser tests are database-agnostic pages over the same services; CI runs them once, on
# SQLite (make test). This runs them on PostgreSQL too, for a change to a query's behaviour.
test-postgres-browser: $(VENV)/.installed-dev ## the browser tests against PostgreSQL
	mkdir -p $(TEST_DATA_DIR)
	$(TEST_ENV) DATABASE_URL=$(POSTGRES_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(BIN)/pytest -p no:xdist -m browser tests/browser $(PYTEST_ARGS)

# ---- benchmarks ------------------------------------------------------------------------------

bench: bench-kt bench-diagnostic bench-interop bench-load bench-classroom bench-spark bench-equity ## all benchmarks

bench-kt: $(VENV)/.installed-dev ## knowledge-tracing benchmark on public data (bench/kt.py)
	$(PY) bench/kt.py

bench-diagnostic: $(VENV)/.installed-dev ## diagnostic placement in simulation over the K-8 standards (bench/diagnostic.py)
	$(PY) bench/diagnostic.py

bench-interop: $(VENV)/.installed-dev ## OneRoster import and xAPI statements/s on SQLite and PostgreSQL (bench/interop.py)
	$(PY) bench/interop.py

bench-load: $(VENV)/.installed-dev ## 30/100/300 students at once on SQLite and PostgreSQL, Locust (bench/load.py; LOAD_ARGS=...)
	$(PY) bench/load.py $(LOAD_ARGS)

bench-loop: $(VENV)/.installed-dev ## CPU and queries of each practice request, one at a time (bench/loop.py; LOOP_ARGS=...)
	$(PY) bench/loop.py $(LOOP_ARGS)

bench-district: $(VENV)/.installed-dev ## pages timed on a generated district (bench/district.py; DISTRICT_URL, DISTRICT_ARGS)
	mkdir -p var/bench/district
	TANDEM_DATA_DIR=$(CURDIR)/var/bench/district DATABASE_URL=$(DISTRICT_URL) $(PY) bench/district.py $(DISTRICT_ARGS)

bench-grid: $(VENV)/.installed-dev ## class grid, 150 students × 300 competencies: server time and queries, new vs old (bench/grid.py; GRID_ARGS=...)
	$(PY) bench/grid.py $(GRID_ARGS)

bench-classroom: $(VENV)/.installed-dev ## a simulated school year, Tandem vs grade order (bench/classroom.py; CLASSROOM_ARGS=--quick)
	$(PY) bench/classroom.py $(CLASSROOM_ARGS)

LEADERS_URL ?= postgres://postgres@127.0.0.1:5432/tandem_leaders
bench-leaders: $(VENV)/.installed-dev ## leaders' pages timed on a generated 2,000-student district (bench/leaders.py; LEADERS_URL)
	mkdir -p var/bench/leaders
	TANDEM_DATA_DIR=$(CURDIR)/var/bench/leaders DATABASE_URL=$(LEADERS_URL) $(PY) bench/leaders.py

bench-equity: $(VENV)/.installed-dev ## equity audit and "did a change help?" on 200+200 simulated schools (bench/equity.py)
	$(PY) bench/equity.py

SCHEDULE_ARGS ?=
bench-schedule: $(VENV)/.installed-dev ## flex schedule for 1,500 students: CP-SAT vs first-come-first-served (bench/schedule.py)
	$(PY) bench/schedule.py $(SCHEDULE_ARGS)

# Not part of `make test`: needs node/npm and ../shared/xapi-conformance-suite (skips without).
conformance: | $(PY) ## ADL xAPI LRS conformance suite at 1.0.3 and 2.0.0 on a fresh server (bench/conformance.py)
	$(PY) bench/conformance.py

SPARK_ARGS ?=
bench-spark: $(VENV)/.installed-dev java ## calibration as a Spark job: ASSIST09 equality, local[1,2,4] scaling (bench/spark.py; SPARK_ARGS=--rows 10000000)
	$(PY) bench/spark.py $(SPARK_ARGS)

# ---- assets and housekeeping -----------------------------------------------------------------

vendor: ## refresh vendored front-end files from package-lock.json (needs npm; run rarely)
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p $(VENDOR_DIR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR_DIR)/htmx.min.js
	cp node_modules/htmx.org/LICENSE $(VENDOR_DIR)/htmx.LICENSE.txt  # .txt: packaged by pyproject's package-data
	mkdir -p tests/browser/vendor  # axe-core: test-only (accessibility checks), never served
	cp node_modules/axe-core/axe.min.js tests/browser/vendor/axe.min.js
	cp node_modules/axe-core/LICENSE tests/browser/vendor/axe-core.LICENSE.txt
	@echo "vendored htmx.org $$(node -p "require('./node_modules/htmx.org/package.json').version")," \
		"axe-core $$(node -p "require('./node_modules/axe-core/package.json').version") (tests only)"

messages: ## refresh the Spanish catalog from the code and templates, then compile it (needs gettext)
	cd src/tandem && $(TEST_ENV) PYTHONPATH=$(CURDIR)/src $(CURDIR)/$(PY) -m django makemessages -l es \
		--no-location --no-obsolete --ignore 'static/*' --settings=tandem.settings
	cd src/tandem && $(TEST_ENV) PYTHONPATH=$(CURDIR)/src $(CURDIR)/$(PY) -m django compilemessages \
		--settings=tandem.settings
	@echo "untranslated: $$(msgattrib --untranslated src/tandem/locale/es/LC_MESSAGES/django.po | grep -c '^msgid' || true)"

clean: ## remove caches, test data and node_modules (keeps .venv and var/ data)
	rm -rf $(TEST_DATA_DIR) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis test-results
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
