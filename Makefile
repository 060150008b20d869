# Varde — two commands: `make run` (install, migrate, demo data, serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_PY   := $(VENV)/.installed
STAMP_DEV  := $(VENV)/.installed-dev
STAMP_NODE := node_modules/.installed
MO     := varde/locale/nb/LC_MESSAGES/django.mo
PO     := varde/locale/nb/LC_MESSAGES/django.po

.PHONY: help install install-dev run test test-fast lint typecheck messages lock clean

help:
	@echo "make run    install everything, migrate SQLite, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test   lint, type-check and run the whole test suite (DATABASE_URL selects PostgreSQL)"
	@echo "make lock   re-pin Python dependencies into requirements/lock.txt"

# `make run` installs the runtime lock; `make test` the runtime + development lock (tests, PySpark, linters).
$(STAMP_PY): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(STAMP_DEV): $(STAMP_PY) requirements/dev-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev-lock.txt
	@touch $@

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(MO): $(PO)
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

messages: $(STAMP_PY) $(MO)

install: $(STAMP_PY) $(STAMP_NODE) messages

run: install
	$(BIN)/varde demo
	$(BIN)/varde serve

install-dev: install $(STAMP_DEV)

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP_DEV)
	VARDE_ENV=test $(BIN)/mypy varde config

test: install-dev
	@scripts/ensure-chromium
	$(MAKE) --no-print-directory lint typecheck
	VARDE_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

test-fast: install-dev
	VARDE_ENV=test $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements/lock.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements/dev-lock.txt

clean:
	rm -rf $(VENV) node_modules var
