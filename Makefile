# Two commands on a fresh clone: `make demo` and `make test`. Both bootstrap .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench generate clean

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

lint: $(STAMP)
	$(BIN)/ruff check qc tests $(wildcard bench)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test: lint unit

# Regenerate the checked-in rule pages and editor schemas (tests fail when either is stale).
generate: $(STAMP)
	$(BIN)/qc rules docs docs/rules
	$(BIN)/qc rules schemas schemas

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf build dist $(VENV)
