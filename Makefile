# thousand-models: `make reports` builds every report from the data; `make test` runs the tests.
# Snapshots come from $ANALYSIS_MIRROR when set (a local mirror, e.g. ../shared/data/external), else from
# their pinned upstream URLs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install lock data reports test nbval explore lint lab bench chromium clean

# Pinned versions (docs/install.md). requirements.lock holds the exact version and sha256 hashes of every package
# the project, its tests and its installer use, for CPython 3.11 on Linux x86_64 (the CI machine); pyproject.toml
# keeps the ranges the code supports. The lock is written and installed with uv rather than pip-tools: one tool
# both resolves for a stated target (--python-version, --python-platform: the lock does not depend on the machine
# it is made on) and installs it exactly (`uv pip sync` also removes what the lock does not name, so a changed
# lock never leaves old packages behind), it takes hashes from the index without downloading every file, and it
# is fast on a small machine. uv itself comes from PyPI (pip installs the version the lock names) and is locked
# like everything else.
#
# install: the locked packages exactly (hashes checked), then the project itself with --no-deps and without build
# isolation (the locked setuptools builds it), so nothing is resolved again; `uv pip check` fails when the lock
# no longer satisfies pyproject.toml's ranges (run `make lock`). A changed lock or pyproject.toml reinstalls.
# lock: re-resolve pyproject.toml's ranges (+ its [test] extra and requirements-tools.in) and rewrite the lock,
# every package at its newest allowed version. `make lock LOCK_UPGRADE=` keeps the locked versions where they
# still fit (after adding a dependency); `make lock LOCK_UPGRADE='--upgrade-package polars'` upgrades one.
LOCK        := requirements.lock
LOCK_PYTHON := 3.11.7
LOCK_UPGRADE ?= --upgrade
UV          := $(BIN)/uv
UV_VERSION  := $(shell sed -n 's/^uv==\([^ \\]*\).*/\1/p' $(LOCK) 2>/dev/null)

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv$(if $(UV_VERSION),==$(UV_VERSION))'

$(STAMP): $(LOCK) pyproject.toml | $(UV)
	@$(BIN)/python -c 'import sys; sys.version_info[:2] == (3, 11) or print("warning: requirements.lock is made for Python 3.11, .venv runs", sys.version.split()[0], "(docs/install.md)")'
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes --compile-bytecode $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation --compile-bytecode -e .
	$(UV) pip check --quiet --python $(BIN)/python
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (thousand-models)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

lock: | $(UV)
	$(UV) pip compile --quiet pyproject.toml requirements-tools.in --extra test $(LOCK_UPGRADE) --generate-hashes \
	  --python-version $(LOCK_PYTHON) --python-platform x86_64-unknown-linux-gnu \
	  --custom-compile-command 'make lock' --output-file $(LOCK)

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
	$(BIN)/lint-imports
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest $(PYTEST_DIST) $(PYTEST_PLUGINS) tests

nbval: data
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax -p no:cacheprovider notebooks

explore: data
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest tests/test_bad_input.py -k property

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/lint-imports

# jupyter refuses to run as root unless told to: pass --allow-root only when running as root
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: data
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/

bench: data
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf data/clean reports/*.html reports/index.json reports/executed reports/assets build/executed standalone
