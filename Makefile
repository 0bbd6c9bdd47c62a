# thousand-models: `make reports` builds every report from the data; `make test` runs the tests.
# Snapshots come from $ANALYSIS_MIRROR when set (a local mirror, e.g. ../shared/data/external), else from
# their pinned upstream URLs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install data reports test nbval explore lint lab bench chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (thousand-models)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

data: $(STAMP)
	$(BIN)/python -m analysis fetch
	$(BIN)/python -m analysis build

reports: data
	$(BIN)/python -m analysis dictionary
	$(BIN)/python -m analysis report

# Headless Chromium for the browser tests (Debian's package; needs root or sudo).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

# Two xdist workers, one test file per worker at a time; tests/conftest.py queues the slowest files first (kept in
# that order by --no-loadscope-reorder), so the two workers end together.
PYTEST_DIST := -n 2 --dist loadfile --no-loadscope-reorder
# nbval is a pytest plugin that imports nbformat (and jsonschema) in every worker at start-up:
# the suite does not use it (`make nbval` does), so it is not loaded there.
PYTEST_PLUGINS := -p no:nbval
# Python may write bytecode: with PYTHONDONTWRITEBYTECODE set (some machines set it), every worker and every
# kernel compiles the package again and pytest rewrites the assertions of every test module and plugin again
# (3 s per process).
unexport PYTHONDONTWRITEBYTECODE

# property tests: the derandomized "ci" profile (same examples, same verdict, every run); `make explore`
# draws many random examples instead (HYPOTHESIS_EXAMPLES, default 2000) to look for new faults.
# Every notebook runs top to bottom in the python3 kernel inside the suite (tests/test_lab.py, which also checks
# what `nbval --nbval-lax` checks: no cell errors, and no notebook has an NBVAL_CHECK_OUTPUT cell), so the suite
# does not run them a second time under nbval; `make nbval` runs nbval on its own.
test: data chromium
	$(BIN)/ruff check analysis tests benchmarks
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest $(PYTEST_DIST) $(PYTEST_PLUGINS) tests

nbval: data
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax -p no:cacheprovider notebooks

explore: data
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest tests/test_bad_input.py -k property

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks

# jupyter refuses to run as root unless told to: pass --allow-root only when running as root
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: data
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/

bench: data
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf data/clean reports/*.html reports/index.json reports/executed reports/assets build/executed standalone
