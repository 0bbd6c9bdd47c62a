"""Shared fixtures.

Tests on the real snapshots need them fetched into data/external/: the session fixture `built` runs
fetch (from $ANALYSIS_MIRROR, or ../shared/data/external when that folder exists beside the checkout) and
build once, then tests read data/clean/current/.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, settings

from analysis.acquire import fetch
from analysis.core import paths
from analysis.store import build, locking

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MIRROR = ROOT.parent / "shared" / "data" / "external"


def mirror() -> Path:
    m = paths.mirror_dir() or (DEFAULT_MIRROR if DEFAULT_MIRROR.is_dir() else None)
    if m is None:
        raise RuntimeError("set ANALYSIS_MIRROR to the snapshot mirror (see README) to run the tests on real data")
    return m


def _fetch_and_build() -> None:
    fetch.fetch(mirror=mirror(), out=io.StringIO())
    build.build(out=io.StringIO())


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, pl.DataFrame]:
    """Fetch + build once per session; returns the clean tables by name.

    Under pytest-xdist (`make test` runs two workers) the first worker builds data/clean/ under the project's
    build lock and leaves a mark in the run's shared temp folder; the other waits for the lock and reads the
    same tables instead of rebuilding them underneath it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        done = tmp_path_factory.getbasetemp().parent / "built.done"  # one folder per run, shared by workers
        with locking.build_lock("tests: fetch + build", out=io.StringIO()):
            if not done.exists():
                _fetch_and_build()
                done.touch()
    else:
        _fetch_and_build()
    # names starting with "." are temporary files of an interrupted atomic write, not tables
    from analysis.store import tables

    return {p.stem: pl.read_parquet(p) for p in tables.table_files()}


def inline_registry(folder: Path, rows: str):
    """An organization registry from inline CSV rows (organization,aliases,country,kind,source), for step tests."""
    from analysis.curated import registry

    p = Path(folder) / "organizations.csv"
    p.write_text("organization,aliases,country,kind,source\n" + rows)
    return registry.load(p)


@pytest.fixture()
def scratch(tmp_path, monkeypatch) -> Path:
    """Point clean/reports/external outputs at a temporary folder (the raw CSVs stay the repo's)."""
    for var, sub in (("ANALYSIS_CLEAN_DIR", "clean"), ("ANALYSIS_REPORTS_DIR", "reports"),
                     ("ANALYSIS_EXTERNAL_DIR", "external")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    return tmp_path


os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

# Property tests give the same verdict on every run: the "ci" profile is derandomized (examples drawn from a
# fixed seed), draws a fixed number of examples and neither reads nor writes the example database. It is the
# default (and what `make test` and CI use); HYPOTHESIS_PROFILE=explore draws many more random examples
# (and keeps failures in .hypothesis/ to replay them) to look for new faults: `make explore`.
_PROFILE_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("ci", derandomize=True, max_examples=60, database=None, print_blob=True,
                          **_PROFILE_COMMON)
settings.register_profile("explore", max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "2000")),
                          **_PROFILE_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")


def _no_local_constants():
    """The ci profile draws no constants from the project's own modules. Hypothesis (6.13x and later) mixes into
    its examples literals found in the local modules present in sys.modules when a test runs; which of them are
    imported then depends on the tests the xdist worker happened to run before, so a derandomized test drew
    other examples, and once gave another verdict, from one run to the next. `make explore` keeps them."""
    from hypothesis.internal.conjecture import providers

    empty = providers.Constants()
    providers._get_local_constants = lambda: empty  # (the module's one source of local constants)
    return empty


if (os.environ.get("HYPOTHESIS_PROFILE") or "ci") == "ci":
    NO_LOCAL_CONSTANTS = _no_local_constants()


def _build_reports_into(out: Path, names: list[str]) -> Path:
    """Build the named reports from the clean tables into the folder `out` (as ANALYSIS_REPORTS_DIR), quietly."""
    from analysis.site import report

    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_REPORTS_DIR", str(out))
    try:
        assert report.build_reports(names=names, out=io.StringIO()) == 0
    finally:
        mp.undo()
    return out


def rewrite_csv(path: Path, fn) -> None:
    """Rewrite the CSV at `path` in place: `fn(rows)` edits the list of rows (header first)."""
    import csv

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    fn(rows)
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _injected_build(root: Path, edits: dict[str, object]) -> dict[str, str]:
    """A scratch project under `root`: copies of the fetched snapshots (`external/`) and the curated files
    (`curated/`), each CSV named in `edits` (path under root -> `fn(rows)`) rewritten, then `analysis build`
    run on it in a subprocess. Returns the environment that points the CLI at it (for `analysis report`)."""
    import subprocess
    import sys

    shutil.copytree(paths.external_dir(), root / "external", copy_function=shutil.copy)
    shutil.copytree(paths.curated_dir(), root / "curated")
    for rel, fn in edits.items():
        rewrite_csv(root / rel, fn)
    env = dict(os.environ)
    for var, sub in (("ANALYSIS_EXTERNAL_DIR", "external"), ("ANALYSIS_CURATED_DIR", "curated"),
                     ("ANALYSIS_CLEAN_DIR", "clean"), ("ANALYSIS_REPORTS_DIR", "reports")):
        env[var] = str(root / sub)
    done = subprocess.run([sys.executable, "-m", "analysis", "build"], env=env, cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return env


@pytest.fixture(scope="session")
def injected_build():
    """`injected_build(root, edits)`: a scratch project with rewritten input CSVs, built (see _injected_build)."""
    return _injected_build


@pytest.fixture(scope="session")
def csv_rewriter():
    """`csv_rewriter(path, fn)`: rewrite a CSV in place through `fn(rows)`."""
    return rewrite_csv


@pytest.fixture(scope="session")
def build_reports_into():
    """`build_reports_into(folder, names)`: the named reports built into a folder of their own (module fixtures
    that need a built site of their own use it)."""
    return _build_reports_into


def _run_dir(tmp_path_factory) -> Path:
    """A folder of this run shared by its xdist workers (the workers' base temp folders are in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # released when the file closes (or the worker dies)
        yield


def _project_site(names: list[str]) -> Path | None:
    """The project's own reports/ when it holds a built site of exactly these reports (the README's quick start
    builds it with `make reports` before `make test`), else None."""
    site = paths.ROOT / "reports"
    pages = {p.stem for p in site.glob("*.html")} - {"index"}
    return site if (site / "index.json").is_file() and (site / "index.html").is_file() and pages == set(names) \
        else None


@pytest.fixture(scope="session")
def site(built, tmp_path_factory) -> Path:
    """Every report of notebooks/reports.toml built from the clean tables, into one reports folder that every
    test reading a built site shares (provenance, shared assets, report pages and index, tables).

    It starts as a copy of the project's reports/ when `make reports` has built it (with its executed notebooks,
    build/executed/), and `analysis report` then brings the copy up to date by the build's own rule: a report
    whose notebook, parameters, package code, curated files or clean tables differ from those it was built from
    runs again; on a fresh checkout every report runs. Tests must not change it: one that writes into a site
    (a variant, a rebuild, a killed run) works on `copy_site(site, folder)`. Under pytest-xdist the first
    worker that asks builds it under a file lock in the run's shared temp folder; the other waits for that
    lock and uses the same folder."""
    from analysis.site import report

    root = _run_dir(tmp_path_factory) / "shared-site"
    out, done = root / "reports", root / "site.done"
    names = [s.name for s in report.load_specs()]
    with _file_lock(root.with_name("shared-site.lock")):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            project = _project_site(names)
            if project is not None:
                _copy_site(project, out, executed_src=paths.ROOT / "build" / "executed")
            _build_reports_into(out, names)
            done.touch()
    return out


@pytest.fixture(scope="session")
def injected_site(built, tmp_path_factory) -> Path:
    """One scratch project with the untrusted markup of tests/injected_markup.py in its inputs, built, with the
    reports those suites read (injected_markup.REPORTS) and the index; returns its root (clean/, reports/).

    Built once per run for test_security.py and test_markup_from_data.py (one `analysis build` and one
    `analysis report` in subprocesses: the registry and crosswalk are cached per process); under pytest-xdist
    the first worker that asks builds it under a file lock in the run's shared temp folder. Read only."""
    import subprocess
    import sys

    import injected_markup

    root = _run_dir(tmp_path_factory) / "injected-site"
    done = root.with_name("injected-site.done")
    with _file_lock(root.with_name("injected-site.lock")):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            env = _injected_build(root, injected_markup.EDITS)
            run = subprocess.run([sys.executable, "-m", "analysis", "report", *injected_markup.REPORTS], env=env,
                                 cwd=paths.ROOT, capture_output=True, text=True, timeout=900)
            assert run.returncode == 0, run.stderr
            done.touch()
    return root


def _copy_site(src: Path, dst: Path, executed_src: Path | None = None) -> Path:
    """A copy of the built reports folder `src` at `dst` (which may exist, empty), with its executed notebooks
    and sources records (analysis.core.paths.executed_dir of each folder, or `executed_src`), to change without
    touching `src`."""
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)  # reports/<name>: relative links
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("ANALYSIS_REPORTS_DIR", str(src))
        executed_src = executed_src or paths.executed_dir()
        mp.setenv("ANALYSIS_REPORTS_DIR", str(dst))
        executed_dst = paths.executed_dir()
    finally:
        mp.undo()
    if executed_src.is_dir() and executed_src != executed_dst:
        shutil.copytree(executed_src, executed_dst, dirs_exist_ok=True)
    return dst


@pytest.fixture(scope="session")
def copy_site():
    """`copy_site(site, folder)`: a copy of a built reports folder, with its executed notebooks, to change."""
    return _copy_site


# --- order of the work on the xdist workers (`make test`: -n 2 --dist loadfile --no-loadscope-reorder) ----------
# Each file runs on one worker, in order (its module fixtures are built once). The slowest files are queued first
# (longest-processing-time-first), so no slow file starts last and serializes the end of the run; in each file
# the tests keep their order. Figures from `pytest --durations`; a file not named here runs after these.
SLOW_FIRST = ["test_failures.py", "test_shared_assets.py", "test_security.py", "test_markup_from_data.py",
              "test_lab.py", "test_console.py", "test_params.py", "test_notebooks.py", "test_price_war_notebook.py",
              "test_adoption_notebook.py", "test_catch_up_notebook.py", "test_performance_per_dollar_notebook.py",
              "test_policy.py", "test_provenance.py", "test_reports.py", "test_variants.py", "test_kernels.py",
              "test_bad_input.py"]


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        name = Path(str(item.path)).name
        return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: collection order within a file


# --- one headless Chromium page per worker, network cut -------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class OfflinePage:
    """One headless Chromium page that the browser tests of a module share: every request goes through a route
    that lets file:// loads through and aborts anything else (recorded in `external`); `requests` lists every
    URL the last page asked for, `errors` its page errors and console errors, `dialogs` the dialogs it opened
    (dismissed). `open(path)` loads one page into it, after clearing those lists.

    The page is reused because a new tab is a new renderer process that compiles plotly.js (4.7 MB) again: 2 s
    per report on this machine, against 0.4 s when one tab navigates from report to report (each navigation
    is a new document: the last page's scripts, globals and listeners are gone; the route still sees every
    request, since routing turns the HTTP cache off)."""

    def __init__(self) -> None:
        assert CHROMIUM, "Chromium is not installed: `apt-get install chromium` (the README's test command does it)"
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.page = self.browser.new_page(viewport={"width": 1200, "height": 900})
        self.requests: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file://"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def open(self, path: Path, width: int = 1200, height: int = 900):
        for seen in (self.requests, self.external, self.errors, self.dialogs):
            seen.clear()
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.goto(Path(path).as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


@pytest.fixture(scope="module")
def offline_page():
    """The module's one `OfflinePage` (started on first use, closed after the module's last test)."""
    p = OfflinePage()
    yield p
    p.close()


def eci_releases(rows: list[dict], reg, today=None) -> list[dict]:
    """The crosswalk's ECI records (analysis.curated.crosswalk.eci_records) from inline ECI rows (dicts with the file's
    columns; a missing 'ECI Score' is 100), through the ECI step itself: the one rule for that file."""
    import csv
    import datetime as dt

    from analysis.acquire.readers import parse_csv_text
    from analysis.clean import eci
    from analysis.clean.common import Sources
    from analysis.curated import crosswalk

    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=eci.REQUIRED, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "100" if c == "ECI Score" else "") for c in eci.REQUIRED})
    src = Sources({eci.SOURCE: parse_csv_text(eci.SOURCE, out.getvalue())}, {eci.SOURCE: dt.date(2026, 7, 1)})
    return crosswalk.eci_records(eci.clean(src, registry=reg, today=today))
