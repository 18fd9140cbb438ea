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

.PHONY: run test test-sqlite test-postgres lint install install-dev translations worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: $(VENV)/.installed
	PYBABEL=$(BIN)/pybabel sh scripts/translations.sh compile >/dev/null

run: install translations
	$(BIN)/flask db upgrade
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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
