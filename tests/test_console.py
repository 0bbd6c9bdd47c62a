"""The console of `fetch`, `build` and `report`: short lines, no kernel transport warning, honest progress."""

import os
import re
import subprocess
import sys
from pathlib import Path

from analysis.store import build

ROOT = Path(__file__).resolve().parent.parent


def _run(*argv, env=None):
    proc = subprocess.run([sys.executable, "-m", "analysis", *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=900)
    return proc.returncode, (proc.stdout + proc.stderr).splitlines()


def test_build_prints_short_lines_and_puts_long_lists_in_a_file(built):
    rc, lines = _run("build")
    assert rc == 0, lines[-5:]
    assert all(len(line) <= 200 for line in lines), max(lines, key=len)[:300]
    assert any(line.startswith("  step ") for line in lines)
    # the long list (every unlinked name with its reason) goes to a file whose path the build prints
    path = next(line.split("unlinked names with their reasons: ")[1] for line in lines
                if "unlinked names with their reasons: " in line)
    text = (ROOT / path).read_text(encoding="utf-8")
    assert len(text.splitlines()) > 100 and "moving alias (no sourced target)" in text


def test_print_long_keeps_short_text_on_the_console(tmp_path):
    import io

    out = io.StringIO()
    build.print_long("a\nb", tmp_path / "x.txt", out)
    assert out.getvalue() == "a\nb\n" and not (tmp_path / "x.txt").exists()
    build.print_long("y" * 500, tmp_path / "x.txt", out)
    assert all(len(line) <= 200 for line in out.getvalue().splitlines())
    assert (tmp_path / "x.txt").read_text() == "y" * 500 + "\n"


def test_report_build_progress_and_no_transport_warning(built, tmp_path):
    rc, lines = _run("report", "policy_timeline", "policy_timeline_china_chips", "-j", "1", "--force",
                     env={"ANALYSIS_REPORTS_DIR": str(tmp_path)})
    assert rc == 0, lines[-5:]
    assert all(len(line) <= 200 for line in lines), max(lines, key=len)
    assert not [line for line in lines if "WARNING" in line or "without encryption" in line], lines
    events = [(m.group(1), m.group(2)) for line in lines
              if (m := re.match(r"report (\S+): (queued|running|done)", line))]
    # one at a time (-j 1): both queued first, then each runs and is done before the next one runs
    assert [e for _, e in events] == ["queued", "queued", "running", "done", "running", "done"], lines
    assert all(re.search(r"\(\d+(\.\d+)?s\)$", line) for line in lines if ": done" in line), lines
