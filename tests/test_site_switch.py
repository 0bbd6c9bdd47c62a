"""The report site switches as one set (analysis.site.generation), tested through the command line.

Each run is `python -m analysis report ...` in a subprocess (the command line, lock, staleness rule, generation and
index of the project; the notebooks' runs are stand-ins, tests/standin_report.py) that kills itself with SIGKILL
at one stop point of the switch (ANALYSIS_TEST_STOP_AT, analysis.core.faults): a page written into the new
generation, index.html written but not index.json, the generation complete but not switched, and right after
the switch. After each kill the site a reader sees is one complete set, the previous one or the new one (every
page, its data folder, index.html and index.json agree), and the next plain `report` brings it up to date:
it rebuilds exactly what is stale, says "up to date" only when that is true, and leaves no generation, build
folder or link of the killed run behind. Cases: `report release_pace -p period '"quarter"'`,
`report release_pace --output-name q -p period '"quarter"'`, and a cold `report --force`.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from functools import partial
from pathlib import Path

import polars as pl
import pytest
import standin_report

from analysis.core import faults
from analysis.site import chart_data, generation, report, table_package

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {s.name: s.parameters for s in report.load_specs()}  # each report's parameters
NAMES = sorted(DEFAULTS)
QUARTERLY = {**DEFAULTS["release_pace"], "period": "quarter"}  # release_pace's parameters with -p period
QUARTER = ["release_pace", "-p", "period", '"quarter"']
_RUN = ("import sys; sys.path.insert(1, 'tests'); import standin_report; "
        "sys.exit(standin_report.main(sys.argv[1:]))")


def _env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != faults.ENV}
    env.update(ANALYSIS_CLEAN_DIR=str(root / "clean"), ANALYSIS_REPORTS_DIR=str(root / "reports"),
               PYTHONUNBUFFERED="1", ANALYSIS_LOCK_TIMEOUT="120")
    return env


def _report(root: Path, *args: str, stop: str | None = None) -> str:
    """`report ARGS` on the site under `root`; with `stop`, killed at that stop point. Returns its stdout."""
    env = _env(root)
    if stop:
        env[faults.ENV] = stop
    p = subprocess.run([sys.executable, "-c", _RUN, "report", *args], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300)
    if stop:
        assert p.returncode == -signal.SIGKILL, (stop, p.returncode, p.stdout, p.stderr)
        assert f"stopping at {stop}" in p.stdout, p.stdout
    else:
        assert p.returncode == 0, (p.stdout, p.stderr)
    return p.stdout


def site_state(reports: Path) -> dict[str, dict] | None:
    """The set a reader sees, checked to be one complete set: {page name: its parameters}, or None when there is
    no site at all (nothing a reader could open). Every page the index lists is there and links its own build
    folder, which is the one the index records and the one reports/<name> shows; every page there is listed;
    index.html is the rendering of index.json."""
    if not (reports / "index.json").exists():
        assert not [p for p in reports.glob("*.html") if p.exists()]
        assert not [p for p in reports.iterdir() if p.is_dir() and p.name not in ("data", "assets", ".site")]
        return None
    index = json.loads((reports / "index.json").read_text(encoding="utf-8"))
    html = (reports / "index.html").read_text(encoding="utf-8")
    assert f'<meta name="index-built" content="{index["built_at"]}">' in html
    listed = {**index["reports"], **index.get("variants", {})}
    pages = {p.stem for p in reports.glob("*.html") if p.exists()} - {"index", "changes"}
    assert pages == {n for n, e in listed.items() if e["status"] == "ok"}, (pages, sorted(listed))
    assert (reports / "changes.html").is_file() and (reports / "changes.json").is_file()  # switched with the index
    state = {}
    for name in sorted(pages):
        entry, page = listed[name], (reports / f"{name}.html").read_text(encoding="utf-8")
        assert chart_data.page_build(name, reports) == entry["build"], name
        assert (reports / name).resolve() == (reports / "data" / name / entry["build"]).resolve(), name
        linked = re.findall(r'href="(data/[^"]+\.csv)"', page)
        assert linked and all((reports / f).is_file() for f in linked), name
        assert standin_report.params_html(entry["parameters"]) in page, name  # the page is the index's build
        state[name] = entry["parameters"]
    for name in index.get("variants", {}):
        assert f'href="{name}.html"' in html
    return state


def assert_tidy(reports: Path) -> None:
    """Nothing of a killed or older run is left: one generation, the build folders the current pages use, no link
    to nothing, no half-made link."""
    assert len(list(generation.generations_dir(reports).iterdir())) == 1
    for folder in (reports / "data").iterdir():
        # a page's data folder, or the clean-table package the site's `tables` link points to
        used = ((reports / table_package.NAME).resolve().name if folder.name == table_package.NAME
                else chart_data.page_build(folder.name, reports))
        assert [b.name for b in folder.iterdir()] == [used], folder.name
    assert not [p for p in reports.iterdir() if p.is_symlink() and not p.exists()]
    assert not list(reports.glob(".*tmp*")) and not list(generation.site_dir(reports).glob(".*tmp*"))


def _status(out: str) -> dict[str, str]:
    """{report: "up to date" | the reasons it was queued} from a run's console."""
    said = {}
    for name, what in re.findall(r"^report (\S+): (up to date|queued \(.*\))$", out, re.M):
        said[name] = what
    return said


@pytest.fixture(scope="module")
def standin_site(tmp_path_factory) -> Path:
    """Stand-in clean tables and every report of reports.toml built with its defaults by a stand-in `report`."""
    root = tmp_path_factory.mktemp("standin")
    tables = root / "clean" / "current"  # a plain folder standing in for the current generation
    tables.mkdir(parents=True)
    for i, name in enumerate(["models", "events"]):
        pl.DataFrame({"x": [i]}).write_parquet(tables / f"{name}.parquet")
    _report(root)
    return root


@pytest.fixture()
def site_copy(standin_site, tmp_path) -> Path:
    shutil.copytree(standin_site, tmp_path, symlinks=True, dirs_exist_ok=True)
    return tmp_path


def test_the_standin_site_is_one_complete_set(standin_site):
    reports = standin_site / "reports"
    assert site_state(reports) == DEFAULTS
    assert_tidy(reports)
    out = _report(standin_site)
    assert _status(out) == {n: "up to date" for n in NAMES}


@pytest.mark.parametrize("point", faults.POINTS)
def test_report_with_parameters_killed_at_each_point_of_the_switch(site_copy, point):
    """`report release_pace -p period '"quarter"'` killed: before the switch the defaults' set is whole and up to
    date; after it the quarterly set is whole and the next `report` rebuilds release_pace with its defaults."""
    reports = site_copy / "reports"
    before = site_state(reports)
    _report(site_copy, *QUARTER, stop=point)
    switched = point == "site:after-switch"
    assert site_state(reports) == ({**before, "release_pace": QUARTERLY} if switched else before)
    out = _report(site_copy)
    expect = {n: "up to date" for n in NAMES}
    if switched:
        expect["release_pace"] = "queued (parameters changed)"
    assert _status(out) == expect, out
    assert site_state(reports) == before
    assert_tidy(reports)


@pytest.mark.parametrize("point", faults.POINTS)
def test_variant_killed_at_each_point_of_the_switch(site_copy, point):
    """`report release_pace --output-name q -p period '"quarter"'` killed: before the switch there is no page q
    (and the index lists none); after it q is a page the index lists. The next `report` has nothing to rebuild,
    and keeps q exactly when the index lists it."""
    reports = site_copy / "reports"
    before = site_state(reports)
    _report(site_copy, *QUARTER, "--output-name", "q", stop=point)
    switched = point == "site:after-switch"
    assert site_state(reports) == ({**before, "q": QUARTERLY} if switched else before)
    out = _report(site_copy)
    assert _status(out) == {n: "up to date" for n in NAMES}, out
    assert site_state(reports) == ({**before, "q": QUARTERLY} if switched else before)
    assert_tidy(reports)
    assert (reports / "q.html").is_symlink() == (reports / "q").is_symlink() == switched
    assert (reports / "data" / "q").exists() == switched


@pytest.mark.parametrize("point", faults.POINTS)
def test_cold_build_killed_at_each_point_of_the_switch(standin_site, tmp_path, point):
    """A cold `report --force` (no site yet) killed: before the switch there is no site at all (nothing to open,
    and the next `report` builds every report, "never built"); after it the whole set is there and the next
    `report` finds it up to date."""
    shutil.copytree(standin_site / "clean", tmp_path / "clean", symlinks=True)
    reports = tmp_path / "reports"
    _report(tmp_path, "--force", stop=point)
    switched = point == "site:after-switch"
    assert site_state(reports) == (DEFAULTS if switched else None)
    out = _report(tmp_path)
    assert _status(out) == {n: "up to date" if switched else "queued (never built)" for n in NAMES}, out
    assert site_state(reports) == DEFAULTS
    assert_tidy(reports)


def test_an_index_put_back_beside_a_newer_page_is_not_up_to_date(site_copy):
    """The issue's reproduction without a kill: save index.json, `report release_pace -p period '"quarter"'`, put
    the saved index back, `report`. The page is not the build the index records: release_pace is rebuilt with its
    defaults, not called up to date, and the site is one set again."""
    reports = site_copy / "reports"
    before = site_state(reports)
    saved = (reports / "index.json").read_bytes()
    _report(site_copy, *QUARTER)
    assert site_state(reports) == {**before, "release_pace": QUARTERLY}
    (reports / "index.json").write_bytes(saved)  # through the link: the current generation's index.json
    out = _report(site_copy)
    said = _status(out)
    assert said.pop("release_pace") == "queued (its page is not the build the index records)", out
    assert said == {n: "up to date" for n in NAMES if n != "release_pace"}
    assert site_state(reports) == before
    assert_tidy(reports)


def test_a_site_from_before_generations_is_taken_over_unchanged(site_copy):
    """A site whose index, pages and data links are plain files and links at the top of reports/ (as written before
    site generations): the next run takes it over as it is (what a reader sees is the same bytes), and then
    switches as one set."""
    reports = site_copy / "reports"
    before = site_state(reports)
    for top in sorted(reports.iterdir()):  # the layout before generations: real files, links into data/
        if top.is_symlink() and os.readlink(top).startswith(".site/"):
            real = top.resolve()
            top.unlink()
            if real.is_dir():
                os.symlink(os.path.relpath(real, reports), top)
            else:
                shutil.copy2(real, top)
    shutil.rmtree(generation.site_dir(reports))
    seen = {p.name: p.read_bytes() for p in reports.glob("*.html")}
    out = _report(site_copy)
    assert _status(out) == {n: "up to date" for n in NAMES}, out
    assert all((reports / n).is_symlink() for n in seen)
    assert {n: (reports / n).read_bytes() for n in seen if n != "index.html"} == {
        n: b for n, b in seen.items() if n != "index.html"}
    assert site_state(reports) == before
    assert_tidy(reports)


def test_the_site_is_served_over_http_through_its_links(standin_site):
    """`python -m http.server` in reports/ serves the pages, the index and the data files through the links."""
    reports = standin_site / "reports"
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(reports))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        page = urllib.request.urlopen(base + "release_pace.html").read().decode()
        csv_link = re.search(r'href="(data/release_pace/[^"]+/chart-1\.csv)"', page).group(1)
        for path in ("index.html", "index.json", csv_link, "release_pace/chart-1.csv", "release_pace/datapackage.json"):
            assert urllib.request.urlopen(base + path).status == 200, path
    finally:
        server.shutdown()
        server.server_close()
