"""Shared fixtures.

Tests on the real snapshots need them fetched into data/external/: the session fixture `built` runs
fetch (from $ANALYSIS_MIRROR, or ../shared/data/external when that folder exists beside the checkout) and
build once, then tests read data/clean/current/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, settings

from analysis import build, fetch, locking, paths

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
    return {p.stem: pl.read_parquet(p) for p in paths.tables_dir().glob("*.parquet") if not p.name.startswith(".")}


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


def _build_reports_into(out: Path, names: list[str]) -> Path:
    """Build the named reports from the clean tables into the folder `out` (as ANALYSIS_REPORTS_DIR), quietly."""
    from analysis import report

    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_REPORTS_DIR", str(out))
    try:
        assert report.build_reports(names=names, out=io.StringIO()) == 0
    finally:
        mp.undo()
    return out


@pytest.fixture(scope="session")
def build_reports_into():
    """`build_reports_into(folder, names)`: the named reports built into a folder of their own (module fixtures
    that need a built site of their own use it)."""
    return _build_reports_into
