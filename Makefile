# Pasar OPOP: two commands do everything on a fresh machine.
#   make run    create the venv, install, migrate the SQLite database, load demo data, serve :5000
#   make test   install the test tools, lint, type-check and run the whole suite
#               (SQLite; and PostgreSQL too when TEST_DATABASE_URL names a server, with the
#               browser, multi-server and Redis tests; TEST_REDIS_URL defaults to db 15 of the
#               local Redis)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_WORKERS ?= 2
TEST_DATABASE_URL ?=
TEST_REDIS_URL ?=

export FLASK_APP := wsgi.py

.PHONY: run test test-sqlite test-postgres lint install install-dev translations worker clean lock mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files (every package pinned, with its hashes), so development, the
# tests, CI and production run exactly the same packages. `make lock` rebuilds them after an
# edit of requirements.txt or requirements-dev.txt.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(VENV)/.installed $@

LOCK_TOOLS := .venv-lock
PIP_COMPILE := $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links

lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/pip install --quiet pip-tools; }
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements-dev.txt

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: $(VENV)/.installed
	PYBABEL=$(BIN)/pybabel sh scripts/translations.sh compile >/dev/null

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask regions load --province 35
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-sqlite: install-dev translations
	env -u TEST_DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-postgres: install-dev translations
	@test -n "$(TEST_DATABASE_URL)" || { echo "TEST_DATABASE_URL is not set"; exit 2; }
	@test -n "$(TEST_REDIS_URL)" || { echo "TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)"; exit 2; }
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" TEST_REDIS_URL="$(TEST_REDIS_URL)" \
		$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test: lint test-sqlite
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		$(MAKE) --no-print-directory test-postgres TEST_DATABASE_URL="$(TEST_DATABASE_URL)" \
			TEST_REDIS_URL="$(or $(TEST_REDIS_URL),redis://127.0.0.1:6379/15)"; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI requires TEST_DATABASE_URL: the PostgreSQL suite must run"; exit 2; \
	else \
		echo "Note: PostgreSQL suite not run; set TEST_DATABASE_URL=postgresql://user@host:port/db"; \
	fi

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) .pytest_cache .mypy_cache .ruff_cache test-artifacts

# Mutation testing of the money and stock rules (issue 18): mutmut 3 on the functions, then the
# state tables' own mutants, then the score of each module (target 95%). Slow; never in CI.
mutation: install-dev translations
	$(BIN)/mutmut run --max-children $(PYTEST_WORKERS)
	$(BIN)/python scripts/table_mutants.py --jobs $(PYTEST_WORKERS)
	$(BIN)/python scripts/mutation_report.py
