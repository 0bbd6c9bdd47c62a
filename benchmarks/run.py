"""Benchmark: time and peak memory of fetch + clean, and of the full report build.

Run with `make bench` or `python benchmarks/run.py [--runs N]`. Each stage runs in a fresh subprocess
into scratch folders (the checkout's own data/clean and reports/ are not touched); the script prints the
median wall time over the runs and the peak resident memory of the stage's process tree.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STAGE = r"""
import json, resource, sys, io
from analysis import build, fetch, paths, report
stage = sys.argv[1]
if stage == "fetch_clean":
    fetch.fetch(mirror=paths.mirror_dir(), out=io.StringIO())
    build.build(out=io.StringIO())
else:
    code = report.build_reports(force=True, out=io.StringIO())
    assert code == 0, "report build failed"
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"self_mb": self_kb / 1024, "children_mb": child_kb / 1024}))
"""


def run_stage(stage: str, env: dict) -> tuple[float, dict]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", STAGE, stage], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return time.perf_counter() - t0, json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not os.environ.get("ANALYSIS_MIRROR"):
        print("note: ANALYSIS_MIRROR is not set; fetch will download from the upstream URLs", file=sys.stderr)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ANALYSIS_EXTERNAL_DIR": f"{tmp}/external", "ANALYSIS_CLEAN_DIR": f"{tmp}/clean",
               "ANALYSIS_REPORTS_DIR": f"{tmp}/reports"}
        for stage in ("fetch_clean", "reports"):
            times, mems = [], []
            for i in range(args.runs):
                if stage == "fetch_clean":  # cold: empty scratch folders every run
                    subprocess.run(["rm", "-rf", f"{tmp}/external", f"{tmp}/clean"], check=True)
                seconds, mem = run_stage(stage, env)
                times.append(seconds)
                mems.append(max(mem["self_mb"], mem["children_mb"]))
                print(f"  {stage:<12} run {i + 1}: {seconds:6.2f} s, peak {mems[-1]:7.1f} MB", flush=True)
            results[stage] = dict(median_s=statistics.median(times), peak_mb=max(mems))
        size = sum(p.stat().st_size for p in Path(f"{tmp}/reports").rglob("*.html"))
    print()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for stage, r in results.items():
        print(f"{stage:<12} median {r['median_s']:6.2f} s   peak memory {r['peak_mb']:7.1f} MB")
    print(f"reports/     {size / 1e6:6.1f} MB of HTML")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
