"""Failures and concurrency: half downloads, killed builds, two builds at once, a failing notebook.

Only 127.0.0.1 traffic; every server and subprocess here is bounded and stopped by the test.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

from analysis.acquire import fetch
from analysis.acquire.manifest import Entry
from analysis.core import paths
from analysis.site import report
from analysis.store import locking

ROOT = Path(__file__).resolve().parent.parent


# --- a download that stops halfway -------------------------------------------------------------------

BODY = b"Model,Organization\n" + b"m,o\n" * 5000


class _CutHandler(http.server.BaseHTTPRequestHandler):
    """Announces the whole body, sends half of it, then closes the connection."""

    def do_GET(self):  # noqa: N802 - http.server API
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[: len(BODY) // 2])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):  # keep the test output quiet
        pass


class _NoLengthHandler(_CutHandler):
    """No Content-Length: the cut is only visible through the sha256."""

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.end_headers()
        self.wfile.write(BODY[: len(BODY) // 2])
        self.close_connection = True


@pytest.fixture(params=[_CutHandler, _NoLengthHandler], ids=["short-content-length", "no-content-length"])
def cutting_server(request):
    server = http.server.HTTPServer(("127.0.0.1", 0), request.param)
    server.timeout = 5
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/x.csv"
    finally:
        server.shutdown()
        server.server_close()
        t.join(5)


def test_download_cut_halfway_leaves_no_partial_snapshot(cutting_server, tmp_path):
    e = Entry(local_path="up/x.csv", dataset="t", url=cutting_server, sha256=hashlib.sha256(BODY).hexdigest(),
              bytes=len(BODY), license="CC BY 4.0", citation="test", snapshot_date="2026-01-01",
              upstream_repo="", upstream_path="", commit="", derived_from="")
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(mirror=None, entries=[e], dest=tmp_path, out=io.StringIO(), timeout=5)
    assert "up/x.csv" in str(err.value)
    assert not (tmp_path / "up" / "x.csv").exists()
    assert list((tmp_path / "up").iterdir()) == []  # no temporary file either


# --- the build lock ----------------------------------------------------------------------------------

def test_lock_makes_a_second_build_wait_then_go(scratch):
    held = threading.Event()
    release = threading.Event()
    order = []

    def first():
        with locking.build_lock("first", timeout=5):
            held.set()
            order.append("first in")
            release.wait(5)
            order.append("first out")

    t = threading.Thread(target=first)
    t.start()
    held.wait(5)
    err = io.StringIO()
    threading.Timer(0.3, release.set).start()
    with locking.build_lock("second", timeout=5, out=err):
        order.append("second in")
    t.join(5)
    assert order == ["first in", "first out", "second in"]
    assert "second: waiting for another build to finish" in err.getvalue()
    assert f"pid {os.getpid()}" in err.getvalue()


def test_lock_times_out_with_a_clear_message(scratch):
    from analysis.cli import main

    held, release = threading.Event(), threading.Event()

    def holder():
        with locking.build_lock("build", timeout=5):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    try:
        with pytest.raises(locking.LockTimeout, match="another build still holds"):
            with locking.build_lock("report", timeout=0.3, out=io.StringIO()):
                pass
        os.environ["ANALYSIS_LOCK_TIMEOUT"] = "0.2"
        try:
            assert main(["build", "--table", "organizations"]) == 1
        finally:
            del os.environ["ANALYSIS_LOCK_TIMEOUT"]
    finally:
        release.set()
        t.join(5)


# --- killed builds and concurrent builds (subprocesses on a scratch copy) --------------------------------

def _env(base: Path) -> dict:
    env = dict(os.environ)
    env.update(ANALYSIS_EXTERNAL_DIR=str(base / "external"), ANALYSIS_CLEAN_DIR=str(base / "clean"),
               ANALYSIS_REPORTS_DIR=str(base / "reports"), ANALYSIS_LOCK_TIMEOUT="120")
    return env


def _run(args: list[str], env: dict, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def prebuilt(built, tmp_path_factory) -> Path:
    """A scratch copy of the fetched snapshots with a complete build of every table."""
    base = tmp_path_factory.mktemp("killbase")
    shutil.copytree(paths.external_dir(), base / "external", symlinks=True)
    p = _run(["build"], _env(base))
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    return base


def _clean_outputs_readable(clean: Path) -> dict[str, int]:
    counts = {}
    for f in sorted((clean / "current").rglob("*.parquet")):
        if f.name.startswith("."):  # a temporary file of the killed run (removed by the next locked run)
            continue
        counts[f.relative_to(clean / "current").as_posix()] = len(pl.read_parquet(f))  # raises if half-written
    return counts


def test_killed_build_leaves_previous_tables_complete(prebuilt, tmp_path):
    """SIGKILL `python -m analysis build` at several points of a run: after its k-th cleaning step has reported
    (a condition the build itself signals, so the kill lands mid-build on a busy machine as on a quiet one)."""
    killed = 0
    for i, k in enumerate((1, 4, 8, 12, 16, 20)):
        base = tmp_path / f"run{i}"
        shutil.copytree(prebuilt, base, symlinks=True)
        before = _clean_outputs_readable(base / "clean")
        assert before["models.parquet"] > 1000 and len(before) >= 8
        p = _run(["build"], {**_env(base), "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        steps = 0
        for out_line in p.stdout:  # blocks until the build prints: no clock involved
            steps += out_line.lstrip().startswith("step ")
            if steps == k:
                break
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.communicate(timeout=120)
        killed += p.returncode == -signal.SIGKILL
        # the same snapshots: a finished build writes the same rows; a killed one leaves the old complete files
        assert _clean_outputs_readable(base / "clean") == before, f"after a kill at step {k}"
    assert killed >= 3, "the build finished before most kills: the test no longer interrupts it"
    # the kernel dropped the flock with the killed process: the next build runs at once, and removes any
    # temporary file the killed one left
    (base / "clean" / ".models.leftover.tmp.parquet").write_bytes(b"PAR1 half")
    q = _run(["build", "--table", "models"], _env(base))
    _, err = q.communicate(timeout=120)
    assert q.returncode == 0 and "waiting" not in err, err
    assert "removed 1 temporary file(s)" in err or "temporary file(s)" in err
    assert not list((base / "clean").glob(".*.tmp*"))


def _current_set(clean: Path) -> tuple[str, dict[str, str]]:
    """What a reader sees: the build id of the generation `current` points to, and the sha256 of every file
    in it, each checked against that generation's own build.json (so all files are of that one build)."""
    gen = (clean / "current").resolve(strict=True)
    manifest = json.loads((gen / "build.json").read_text())
    files = {f.relative_to(gen).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in gen.rglob("*")
             if f.is_file() and f.name != "build.json"}
    assert files == manifest["files"], "the current generation holds files of another build"
    return manifest["build_id"], files


# Each kill point runs the real CLI in a subprocess with one function wrapped to SIGKILL the process there.
_KILL_AT = {
    # just after the first table of the new build is renamed into place (the fault the issue found)
    "after-first-table": ("analysis.store.build", "write_parquet", 1, "after"),
    # every file written and build.json flushed, the switch not yet made
    "before-switch": ("analysis.store.generations", "_fsync_dir", 1, "before"),
    # switched (the rename is followed by the second _fsync_dir), the old generation not yet removed
    "after-switch": ("analysis.store.generations", "_fsync_dir", 2, "after"),
}
_KILLER = """
import importlib, os, signal, sys
module, name, nth, when = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
mod = importlib.import_module(module)
real, calls = getattr(mod, name), []
def wrapped(*a, **k):
    calls.append(1)
    if len(calls) == nth and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    result = real(*a, **k)
    if len(calls) == nth and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(mod, name, wrapped)
from analysis.cli import main
sys.exit(main(["build"]))
"""


@pytest.mark.parametrize("point", list(_KILL_AT))
def test_build_killed_at_a_fixed_point_leaves_one_complete_build(prebuilt, tmp_path, point):
    """SIGKILL the build at a fixed point: readers see the previous complete set of outputs (or, once
    switched, the new complete set), never tables of two builds; the next build removes what was left."""
    base = tmp_path / "k"
    shutil.copytree(prebuilt, base, symlinks=True)
    clean = base / "clean"
    old_id, old_files = _current_set(clean)
    assert {"models.parquet", "bookkeeping/quarantine.parquet", "bookkeeping/row_counts.parquet",
            "bookkeeping/unlinked_names.csv", "derived/price_conflicts.parquet"} <= set(old_files)
    old_rows = pl.read_parquet(clean / "current" / "models.parquet").height
    p = subprocess.run([sys.executable, "-c", _KILLER, *map(str, _KILL_AT[point])], cwd=ROOT, env=_env(base),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == -signal.SIGKILL, p.stderr
    new_id, new_files = _current_set(clean)
    gens = sorted(d.name for d in (clean / "generations").iterdir())
    if point == "after-switch":
        assert new_id != old_id and set(new_files) == set(old_files)
        assert old_id in gens and len(gens) == 2  # the old generation is still there, unused
    else:
        assert (new_id, new_files) == (old_id, old_files)  # exactly the previous build, every file
        assert len(gens) == 2  # plus the unfinished one of the killed build
    # readers through the one path function see that set
    env = _env(base)
    r = subprocess.run([sys.executable, "-c", "from analysis.core import paths; from analysis.store import tables; import json;"
                        "print(json.dumps([str(paths.tables_dir()), tables.load('models').height]))"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    shown_dir, rows = json.loads(r.stdout)
    assert Path(shown_dir).name == new_id and rows == old_rows
    # the next locked run removes the unfinished or old generation, keeping the current one
    q = subprocess.run([sys.executable, "-m", "analysis", "build", "--table", "organizations"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=120)
    assert q.returncode == 0, q.stderr
    assert "build generation(s)" in q.stderr
    last_id, last_files = _current_set(clean)
    assert [d.name for d in (clean / "generations").iterdir()] == [last_id]
    assert set(last_files) == set(old_files)  # the partial build carried the other tables over


def test_two_builds_at_once_do_not_corrupt_each_other(prebuilt, tmp_path):
    base = tmp_path
    shutil.copytree(prebuilt, base, dirs_exist_ok=True, symlinks=True)
    env = _env(base)
    a = _run(["build"], env)
    b = _run(["build"], env)
    (_, err_a), (_, err_b) = a.communicate(timeout=180), b.communicate(timeout=180)
    assert a.returncode == 0 and b.returncode == 0, (err_a, err_b)
    assert "waiting for another build to finish" in err_a + err_b  # one queued behind the other
    counts = _clean_outputs_readable(base / "clean")
    rc = pl.read_parquet(base / "clean" / "current" / "bookkeeping" / "row_counts.parquet").filter(
        pl.col("table") == "models")
    assert counts["models.parquet"] == pl.read_parquet(prebuilt / "clean" / "current" / "models.parquet").height
    assert (rc["rows_in"] == rc["rows_used"] + rc["rows_quarantined"]).all()
    assert not list((base / "clean").glob(".*.tmp*"))  # no temporary file left by either


# --- reports: a killed report build, a failing notebook ---------------------------------------------------

@pytest.fixture(scope="module")
def good_report(site) -> Path:
    """A good build of the reports (the run's shared site: the tests below work on copies of it)."""
    return site


def _html_complete(path: Path) -> bool:
    return path.read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_killed_report_build_keeps_the_previous_html(good_report, copy_site, tmp_path):
    """SIGKILL `python -m analysis report release_pace -p period '"quarter"'` mid-run, at points the build itself
    signals (no clock): while the notebook runs (after it says 'running'), and at stop points of the site's
    switch (analysis.core.faults: index.html of the new set written but not index.json; right after the switch).
    Every page stays complete and links its own data files, the index records the build the page is, and the next
    plain `report` rebuilds release_pace only when the quarterly set was switched in."""
    from analysis.core import faults
    from analysis.site import chart_data

    copy_site(good_report, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.html")}
    env = dict(os.environ, ANALYSIS_REPORTS_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    env.pop(faults.ENV, None)
    killed = 0
    for point in ("running", "site:index-html", "site:after-switch"):
        args = ["report", "release_pace", "-p", "period", '"quarter"']
        if point == "running":
            p = _run(args, env, start_new_session=True)
            for out_line in p.stdout:  # blocks until the build prints
                if ": running " in out_line:
                    break
            assert p.poll() is None, "the report finished before it could be killed"
            os.killpg(p.pid, signal.SIGKILL)
        else:
            p = _run(args, dict(env, **{faults.ENV: point}), start_new_session=True)
        out, _err = p.communicate(timeout=300)
        killed += p.returncode == -signal.SIGKILL
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)  # a kernel the killed build had started
        for name in before:
            assert _html_complete(tmp_path / name), (point, name)
        page = (tmp_path / "release_pace.html").read_text(encoding="utf-8")  # and its data files are its own
        linked = re.findall(r'href="(data/release_pace/[^"]+/chart-\d+\.csv)"', page)
        assert linked and all((tmp_path / f).is_file() for f in linked), point
        index = json.loads((tmp_path / "index.json").read_text())
        entry = index["reports"]["release_pace"]
        assert chart_data.page_build("release_pace", tmp_path) == entry["build"], point
        assert entry["parameters"].get("period") == ("quarter" if point == "site:after-switch" else None), point
        p = _run(["report", "release_pace"], env)
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert ("release_pace: up to date" in out) == (point != "site:after-switch"), (point, out)
    assert killed == 3, f"only {killed} of 3 runs were killed mid-run: the test did not exercise the guarantee"


def test_failing_notebook_end_to_end(good_report, copy_site, tmp_path, capfd, monkeypatch):
    """A deliberately bad parameter in one report: non-zero exit, notebook + cell named, the other report
    built, the index marks the failed one and flags its previous HTML as stale."""
    from analysis.cli import main

    real = report.load_specs()
    specs = {s.name: s for s in real}
    bad = report.ReportSpec(**{**specs["release_pace"].__dict__, "parameters": {"period": "fortnight"}})
    monkeypatch.setattr(report, "load_specs", lambda *a, **k: [bad, specs["release_pace_language_quarterly"]])
    # the CLI rejects a bad parameter before any run (tests/test_params.py); skip that check here so the
    # notebook itself fails, in its validation cell
    monkeypatch.setattr(report, "check_parameters", lambda *a, **k: None)
    copy_site(good_report, tmp_path)
    old = (tmp_path / "release_pace.html").read_bytes()
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path))
    code = main(["report", "--force"])
    err = capfd.readouterr().err
    assert code == 1
    assert "notebook release_pace.ipynb (report release_pace) failed in cell" in err
    assert "period" in err or "fortnight" in err
    index = json.loads((tmp_path / "index.json").read_text())
    other = index["reports"]["release_pace_language_quarterly"]
    assert other["status"] == "ok" and _html_complete(tmp_path / "release_pace_language_quarterly.html")
    r = index["reports"]["release_pace"]
    assert r["status"] == "failed" and r["stale_html"] is True and "cell" in r["error"]
    # the previous good HTML is kept, unchanged, but the index never presents it as fresh
    assert (tmp_path / "release_pace.html").read_bytes() == old
    html = (tmp_path / "index.html").read_text()
    card = html.split('<section class="card" data-report="release_pace"')[1].split("</section>")[0]
    assert 'data-status="failed"' in card and "STALE" in card and "(stale)" in card
    assert "built " not in card.split("FAILED")[0]


def test_next_run_removes_temporary_files_of_a_killed_report_write(scratch):
    """A killed report write leaves .<name>.*.tmp.* files in reports/, the executed notebooks' folder and the
    per-report chart folders; the next run that takes the lock removes all of them (and nothing else)."""
    from analysis.store import locking
    rep = scratch / "reports"
    left = [rep / ".index.abc.tmp.json", paths.executed_dir() / ".x.abc.tmp.ipynb",
            rep / "catch_up" / ".chart-1.abc.tmp.csv"]
    keep = rep / "catch_up" / "chart-1.csv"
    for p in [*left, keep]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("half", encoding="utf-8")
    out = io.StringIO()
    with locking.build_lock("report", out=out):
        pass
    assert [p for p in left if p.exists()] == [] and keep.exists()
    assert "removed 3 temporary file(s)" in out.getvalue()


def test_a_page_the_index_does_not_record_is_rebuilt(good_report, copy_site, tmp_path):
    """The page is replaced but the index is not (a run killed between them, or the issue's reproduction: the
    index put back after a run with other parameters): the next plain `report` sees that the page is not the
    build the index records and rebuilds it, instead of calling it up to date."""
    from analysis.site import chart_data

    copy_site(good_report, tmp_path)
    env = dict(os.environ, ANALYSIS_REPORTS_DIR=str(tmp_path))
    saved = (tmp_path / "index.json").read_bytes()
    recorded = json.loads(saved)["reports"]["release_pace"]["build"]
    assert chart_data.page_build("release_pace", tmp_path) == recorded
    p = _run(["report", "release_pace", "-p", "period", '"quarter"'], env)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert chart_data.page_build("release_pace", tmp_path) != recorded
    (tmp_path / "index.json").write_bytes(saved)  # the previous index beside the new page
    p = _run(["report", "release_pace"], env)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert "its page is not the build the index records" in out and "release_pace: up to date" not in out
    index = json.loads((tmp_path / "index.json").read_text())
    assert chart_data.page_build("release_pace", tmp_path) == index["reports"]["release_pace"]["build"]
