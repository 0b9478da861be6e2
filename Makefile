# CareLedger: `make run` starts the app on the embedded defaults; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(PY) -m flask --app app:create_app
# A PostgreSQL the suite also runs on when reachable (.ci/run starts one).
TEST_POSTGRES_URL ?= postgresql+psycopg://careledger:careledger@127.0.0.1:5432/careledger_test
# Everything but the browser, the sandbox (its own database) and the pure matcher runs again on
# PostgreSQL: a new test folder is included without anyone listing it.
PG_IGNORE := --ignore=tests/e2e --ignore=tests/sandbox --ignore=tests/matching

.PHONY: run test test-sqlite test-postgres browser-deps bench screenshots clean-venv

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.requirements $@

run: $(VENV)/.requirements
	@mkdir -p instance
	CARELEDGER_BASE_URL=http://$(HOST):$(PORT) $(FLASK) db upgrade
	CARELEDGER_BASE_URL=http://$(HOST):$(PORT) $(FLASK) demo ensure
	CARELEDGER_BASE_URL=http://$(HOST):$(PORT) $(FLASK) run --host $(HOST) --port $(PORT) --with-threads

# Both runs always happen; the target fails if either did.
test: $(VENV)/.requirements-dev browser-deps
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	exit $$status

# Two workers (pytest-xdist): the machine this is built for has 2 cores.
PYTEST_WORKERS ?= 2

test-sqlite:
	$(PY) -m pytest -q -n $(PYTEST_WORKERS)

# Runs the database-backed tests again on PostgreSQL when one answers; says so when it doesn't.
test-postgres:
	@if $(PY) scripts/pg_reachable.py "$(TEST_POSTGRES_URL)"; then \
	  echo "== PostgreSQL reachable: running database tests on it =="; \
	  CARELEDGER_TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(PY) -m pytest -q -n $(PYTEST_WORKERS) -m "not e2e" \
	    $(PG_IGNORE); \
	else \
	  echo "== No PostgreSQL at $(TEST_POSTGRES_URL): PostgreSQL run skipped (.ci/run starts one; or set TEST_POSTGRES_URL) =="; \
	fi

# Browser tests need Chromium. As root on Debian/Ubuntu it is installed; otherwise we say how.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "== Installing Chromium for the browser tests (apt-get) =="; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	else \
	  echo "== Chromium not found: browser tests will be SKIPPED. Install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH =="; \
	fi

# The Installation tab's walkthrough pictures, taken by the connect browser test in this version of
# the app. The only command that writes into the tree (so the tracked-files guard is off for it).
screenshots: $(VENV)/.requirements-dev browser-deps
	CARELEDGER_WALKTHROUGH_DIR=$(CURDIR)/static/img/walkthrough $(PY) -m pytest -q -p no:tests.tracked_files_guard \
	  tests/e2e/test_connect_quickbooks.py -k walkthrough

bench: $(VENV)/.requirements-dev
	@for b in bench/*_bench.py; do echo "== $$b"; $(PY) $$b; done

clean-venv:
	rm -rf $(VENV)
