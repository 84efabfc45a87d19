# Two commands on a fresh clone: `make demo` and `make test`. Both bootstrap .venv when it is missing.
# `make test` is lint plus the fast tests (a few minutes); `make test-slow` the browser, Dask, wheel and
# scale tests; `make test-all` both (what CI runs, through .ci/run).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two pytest-xdist workers, a test file per worker (module fixtures such as a Dask cluster start once).
# `make test PYTEST_JOBS=` runs the tests in one process.
PYTEST_JOBS ?= -n 2 --dist loadfile

.PHONY: demo test test-slow test-all lint typecheck unit unit-slow bench generate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p build
	@# The sample corpus fails the gate on purpose (exit 1): keep `make demo` green, but not on exit 2 (an error).
	$(BIN)/qc check samples/ --format json --output build/report.json --html build/report.html || test $$? -eq 1
	$(BIN)/qc check samples/ || test $$? -eq 1
	@echo "JSON report written to build/report.json"
	@echo "HTML report written to build/report.html (self-contained: open it from disk)"
	$(BIN)/qc fix samples/ --out build/fixed --overwrite
	$(BIN)/qc fix samples/ --diff --limit 2

lint: $(STAMP)
	$(BIN)/ruff check qc tests $(wildcard bench)
	$(BIN)/mypy

# The markers are registered in pyproject.toml ([tool.pytest.ini_options]); `slow` covers every slow kind.
unit: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_JOBS) -m "not slow"

unit-slow: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_JOBS) -m slow

test: lint unit

test-slow: unit-slow

test-all: lint unit unit-slow

# Regenerate the checked-in rule pages and editor schemas (tests fail when either is stale).
generate: $(STAMP)
	$(BIN)/qc rules docs docs/rules
	$(BIN)/qc rules schemas schemas

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf build dist $(VENV)
