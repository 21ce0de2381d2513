# Redline: the two commands of the README.
#   make run   -> set up, load every official list (offline from ../shared/data when present), show
#                 them, screen the example parties and the example shipments (CSV results + HTML report)
#   make test  -> set up, lint (ruff), type-check (mypy), run the tests (pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Where `make run` reads the official files from. Defaults to the project's offline
# snapshot beside the repository; empty means "download from the official URLs".
REDLINE_DATA_DIR ?= $(if $(wildcard ../shared/data),../shared/data,)

.PHONY: run test setup native lint typecheck unit bench screenshots clean

# The checkout is installed editable as plain sources, then the matching core is
# compiled in place with mypyc (setup.py), again whenever its sources change: Python
# would otherwise import the old compiled modules (redline.match.native refuses to).
NATIVE_SOURCES := $(wildcard src/redline/match/*.py)

$(BIN)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	REDLINE_PURE=1 $(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(BIN)/.native: $(BIN)/.installed setup.py $(NATIVE_SOURCES)
	$(BIN)/python setup.py --quiet build_ext --inplace --force --build-temp build/native
	touch $@

native: $(BIN)/.native

setup: $(BIN)/.installed $(BIN)/.native

run: setup
ifneq ($(strip $(REDLINE_DATA_DIR)),)
	$(BIN)/redline update --from-dir $(REDLINE_DATA_DIR)
else
	$(BIN)/redline update
endif
	$(BIN)/redline sources
	$(BIN)/redline screen-file examples/parties.csv --output out/parties.jsonl
	$(BIN)/redline batch examples/shipments.csv --output out/shipments.csv --report out/report.html

lint: setup
	$(BIN)/ruff check src tests bench scripts setup.py
	$(BIN)/ruff format --check src tests bench scripts setup.py

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q

test: lint typecheck unit

# Retake the pictures of docs/ and the README with the browser tests.
screenshots: setup
	REDLINE_SCREENSHOTS=1 $(BIN)/pytest -q tests/web/test_browser.py tests/batch/test_report_browser.py

bench: setup
	$(BIN)/python bench/load_sources.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build src/*.so src/redline/match/*.so
