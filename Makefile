# Two entry points (see README): `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast templates demo-data clean

$(BIN)/hoso: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

DEMOS := binh-trung-2024 le-chan-2026

demo: $(BIN)/hoso
	$(BIN)/python scripts/make_sample_keys.py inputs/le-chan-2026/ky-so-mau
	$(BIN)/hoso build $(addprefix inputs/,$(DEMOS))

test: $(BIN)/hoso
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# While working: lint, types and the tests that need no LibreOffice, browser or child process.
test-fast: $(BIN)/hoso
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -m "not slow" -q

templates: $(BIN)/hoso
	$(BIN)/python scripts/build_templates.py

demo-data: $(BIN)/hoso
	$(BIN)/python scripts/make_demo_data.py

clean:
	rm -rf $(VENV) outputs build *.egg-info
