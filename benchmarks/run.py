"""Benchmark the build against the plain nbconvert baseline: `make bench` or `python benchmarks/run.py`.

Everything runs in one session into scratch folders (the checkout's own data/ and reports/ are not touched),
each stage in a fresh process, `--runs` times (each run is a cold build, a no-change rebuild, then the baseline with the
single reruns spread through it, so that a slow spell of the machine hits the project's stages and the baseline
alike). Printed: medians, the ratio
project / baseline (of the medians, and the range of each run's own), peak memory, the size of reports/.

Stages
  fetch+clean   `fetch` from $ANALYSIS_MIRROR + `build`, cold (empty external/ and clean/ every run).
  baseline      the plain way: `jupyter nbconvert --to html --execute --no-input` on each report's notebook,
                one after another, kernel python3. A report with a named parameter set runs on a copy of
                its notebook with the parameters injected by `papermill --prepare-only` (made once, untimed),
                so the baseline executes exactly the same cells as the project's build.
  cold          `python -m analysis report --force`: every report, clean tables present.
  no-change     `python -m analysis report` right after a build: nothing changed, nothing may execute.
  single        `python -m analysis report release_pace -p start_date <new date>`: one report, new parameters;
                `--reruns` of them per run (each with its own date, spread through the baseline's notebooks),
                their median kept as the run's figure.
  tests         `make test` (its data step, ruff, the suite on two xdist workers; the notebooks run inside it,
                tests/test_lab.py), once, after the other stages, wall and CPU time (--skip-tests leaves it out).
Also printed: the load average of the machine at the start and the end, the size of reports/ per report
(its HTML and chart CSVs; the executed notebooks are build byproducts kept outside reports/, in
build/executed/, and are printed apart) and of the shared assets, and the ratios against the plain path
measured in the same run (cold build / baseline; single report / baseline per notebook).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# peak resident memory of a stage = the largest process of it (the stage's own, or its largest child)
MEASURE = r"""
import json, resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "peak_mb": ru.ru_maxrss / 1024, "cpu_s": ru.ru_utime + ru.ru_stime}))
"""


CPU: list[float] = []  # CPU seconds (user + system, all processes) of each timed command, in order


def timed(cmd: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, float, str]:
    """Run cmd (through a small wrapper that reports the peak memory of its process tree's largest process
    and the CPU time of the whole tree, kernels included)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if res["code"] != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    CPU.append(res["cpu_s"])
    return seconds, res["peak_mb"], out.stdout + out.stderr


def folder_mb(path: Path, pattern: str = "*") -> float:
    """Size of the files under `path` matching `pattern`, each file once: the site's stable names are links into
    its current generation, and a generation hard-links the pages it carries over (analysis.site.generation)."""
    seen = {(st.st_dev, st.st_ino): st.st_size for p in path.rglob(pattern)
            if not p.is_symlink() and p.is_file() and (st := p.stat())}
    return sum(seen.values()) / 1e6


def report_sizes(reports: Path, names: list[str]) -> dict[str, float]:
    """MB per report in reports/: its HTML and its chart CSV folder (shared assets apart)."""
    out = {}
    for name in names:
        parts = [reports / f"{name}.html", reports / "executed" / f"{name}.ipynb"]  # (executed/: older layout)
        size = sum(p.stat().st_size for p in parts if p.is_file())
        if (reports / name).is_dir():
            size += folder_mb(reports / name) * 1e6
        out[name] = size / 1e6
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of each stage (default 3)")
    ap.add_argument("--reruns", type=int, default=5, help="single reruns per run, their median kept (default 5)")
    ap.add_argument("--skip-baseline", action="store_true", help="only the project's stages")
    ap.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args()
    if not 1 <= args.reruns <= 28:
        ap.error("--reruns: 1 to 28")
    if not os.environ.get("ANALYSIS_MIRROR"):
        print("note: ANALYSIS_MIRROR is not set; fetch will download from the upstream URLs", file=sys.stderr)
    sys.path.insert(0, str(ROOT))
    from analysis.site import report

    py = [sys.executable]
    load_start = os.getloadavg()
    res: dict[str, list] = {k: [] for k in ("fetch_clean", "baseline", "cold", "no_change", "single")}
    per_job: dict[str, list[float]] = {}  # each notebook's own baseline time, per run
    mem: dict[str, list] = {k: [] for k in res}
    cpu: dict[str, list] = {k: [] for k in res}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        t = Path(tmp)
        # every stage runs as a user's machine runs it, whatever this shell sets: Python writes bytecode (make
        # unexports PYTHONDONTWRITEBYTECODE for every target too), and the package is compiled before the first
        # stage, so no stage times the compilation of a module changed since the last run (with the variable set,
        # every process, the report kernels and the baseline's kernels included, compiles those modules again)
        env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
               "ANALYSIS_EXTERNAL_DIR": str(t / "external"), "ANALYSIS_CLEAN_DIR": str(t / "clean"),
               "ANALYSIS_REPORTS_DIR": str(t / "reports"), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        subprocess.run([*py, "-m", "compileall", "-q", str(ROOT / "analysis")], env=env, check=True)

        for i in range(args.runs):
            shutil.rmtree(t / "external", ignore_errors=True)
            shutil.rmtree(t / "clean", ignore_errors=True)
            s1, m1, _ = timed([*py, "-m", "analysis", "fetch"], env)
            s2, m2, _ = timed([*py, "-m", "analysis", "build"], env)
            res["fetch_clean"].append(s1 + s2)
            cpu["fetch_clean"].append(sum(CPU[-2:]))
            mem["fetch_clean"].append(max(m1, m2))
            print(f"  fetch+clean run {i + 1}: {s1 + s2:6.2f} s (fetch {s1:.2f}, build {s2:.2f}), "
                  f"peak {max(m1, m2):6.0f} MB", flush=True)

        # the baseline's notebooks: the originals, or papermill-prepared copies for named parameter sets
        specs = report.load_specs()
        nb_dir = t / "baseline_nb"
        nb_dir.mkdir()
        jobs = []
        for s in specs:
            src = ROOT / "notebooks" / s.notebook
            if s.parameters:
                dst = nb_dir / f"{s.name}.ipynb"
                subprocess.run([str(BIN / "papermill"), "--prepare-only", "-k", "python3", str(src), str(dst),
                                "-y", json.dumps(s.parameters)], check=True, capture_output=True, env=env)
                src = dst
            jobs.append((s.name, src))

        # one untimed build first, so that no timed stage is the session's first run on the machine (the first
        # run's cold build was the slowest of its benchmark when it came first)
        subprocess.run([*py, "-m", "analysis", "report", "--force"], env=env, check=True, capture_output=True)
        print("  warm-up build (untimed) done", flush=True)

        for i in range(args.runs):
            sec, m, log = timed([*py, "-m", "analysis", "report", "--force"], env)
            res["cold"].append(sec)
            cpu["cold"].append(CPU[-1])
            mem["cold"].append(m)
            print(f"  cold build  run {i + 1}: {sec:6.2f} s, peak {m:6.0f} MB", flush=True)

            sec, m, log = timed([*py, "-m", "analysis", "report"], env)
            assert f"{len(specs)} reports, 0 executed, 0 failed" in log, log
            res["no_change"].append(sec)
            cpu["no_change"].append(CPU[-1])
            mem["no_change"].append(m)
            print(f"  no-change   run {i + 1}: {sec:6.2f} s (0 notebooks executed)", flush=True)

            # the single reruns are spread evenly through the baseline's notebooks, not run in a row after it: a
            # slow spell of the machine then slows a rerun and the notebooks around it alike, instead of all the
            # reruns or none. A rerun is short beside a whole baseline, so each run times `--reruns` of them (each
            # with its own new date) and keeps their median.
            schedule: list[tuple[str, Path | None]] = [] if args.skip_baseline else list(jobs)
            n = len(schedule)
            for j in reversed(range(args.reruns)):  # the last first: the earlier places do not move
                schedule.insert(round((j + 0.5) * n / args.reruns), ("", None))
            times, cpus, peaks, dates = [], [], [], []
            total, peak, baseline_cpu = 0.0, 0.0, 0.0
            shutil.rmtree(t / "baseline", ignore_errors=True)
            for name, nb in schedule:
                if nb is None:  # a single rerun
                    date = f"{2016 + i}-01-{1 + len(dates):02d}"
                    sec, m, log = timed([*py, "-m", "analysis", "report", "release_pace", "-p", "start_date", date],
                                        env)
                    assert "1 executed, 0 failed" in log, log
                    times.append(sec)
                    cpus.append(CPU[-1])
                    peaks.append(m)
                    dates.append(date)
                    continue
                sec, m, _ = timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--execute", "--no-input",
                                   "--ExecutePreprocessor.kernel_name=python3", "--ExecutePreprocessor.timeout=-1",
                                   "--output-dir", str(t / "baseline"), "--output", name, str(nb)], env,
                                  cwd=nb.parent)
                total, peak, baseline_cpu = total + sec, max(peak, m), baseline_cpu + CPU[-1]
                per_job.setdefault(name, []).append(sec)
            if not args.skip_baseline:
                res["baseline"].append(total)
                cpu["baseline"].append(baseline_cpu)
                mem["baseline"].append(peak)
                print(f"  baseline    run {i + 1}: {total:6.2f} s, peak {peak:6.0f} MB", flush=True)
            res["single"].append(statistics.median(times))
            cpu["single"].append(statistics.median(cpus))
            mem["single"].append(max(peaks))
            print(f"  single      run {i + 1}: {statistics.median(times):6.2f} s median of "
                  f"{', '.join(f'{x:.2f}' for x in times)} (release_pace, start_date {', '.join(dates)})", flush=True)

        per_report = report_sizes(t / "reports", [s.name for s in specs])
        assets_mb = folder_mb(t / "reports" / "assets") if (t / "reports" / "assets").is_dir() else 0.0
        html_mb = folder_mb(t / "reports", "*.html")
        all_mb = folder_mb(t / "reports")
        largest = max((t / "reports").glob("*.html"), key=lambda p: p.stat().st_size)
        largest_mb = largest.stat().st_size / 1e6
        index_mb = folder_mb(t / "reports", "index.*")
        executed = t / "reports.executed"  # analysis.core.paths.executed_dir beside ANALYSIS_REPORTS_DIR
        executed_mb = folder_mb(executed) if executed.is_dir() else 0.0

    tests_s = tests_cpu = None
    if not args.skip_tests:
        # `make test` itself (its data step, ruff, then the suite on two xdist workers; the notebooks run top to
        # bottom inside it, tests/test_lab.py: make test has no separate nbval pass)
        env_t = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        tests_s, _, log = timed(["make", "-s", "test"], env_t)
        tests_cpu = CPU[-1]
        summary = next((ln for ln in reversed(log.splitlines()) if " passed" in ln or " failed" in ln), "?")
        print(f"  test suite  (as make test): {tests_s:6.1f} s wall, {tests_cpu:6.1f} s CPU ({summary.strip()})",
              flush=True)
    load_end = os.getloadavg()
    med = {k: statistics.median(v) for k, v in res.items() if v}
    peak = {k: max(v) for k, v in mem.items() if v}
    cpu_med = {k: statistics.median(v) for k, v in cpu.items() if v}
    print()
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}; "
          f"{args.runs} runs each, medians; {len(specs)} reports")
    labels = dict(fetch_clean="fetch + clean", baseline="baseline (nbconvert)", cold="cold build",
                  no_change="no-change rebuild", single="single report -p")
    for k, v in med.items():
        print(f"  {labels[k]:<22} {v:7.2f} s wall  {cpu_med[k]:7.2f} s CPU   peak memory {peak[k]:7.0f} MB")
    if "baseline" in med:
        per_nb = med["baseline"] / len(specs)
        # each run's own ratios too (its build came right before its baseline, its reruns ran among the baseline's
        # notebooks): their median is the paired reading, their range how much the machine's speed moved
        cold_r = [c / b for c, b in zip(res["cold"], res["baseline"], strict=True)]
        single_r = [s1 / (b / len(specs)) for s1, b in zip(res["single"], res["baseline"], strict=True)]
        print(f"  ratio cold / baseline  {med['cold'] / med['baseline']:7.3f} wall, "
              f"{cpu_med['cold'] / cpu_med['baseline']:.2f} CPU   (compass <= 0.25 wall; runs "
              f"{min(cold_r):.3f}-{max(cold_r):.3f}, median {statistics.median(cold_r):.3f})")
        print(f"  baseline per notebook  {per_nb:7.2f} s")
        print(f"  ratio single / baseline per notebook {med['single'] / per_nb:6.3f} wall (compass <= 0.50; runs "
              f"{min(single_r):.3f}-{max(single_r):.3f}, median {statistics.median(single_r):.3f})")
        # the rerun against the plain path's run of the same notebook (release_pace) in the same run
        same_r = [s1 / b for s1, b in zip(res["single"], per_job["release_pace"], strict=True)]
        print(f"  baseline release_pace  {statistics.median(per_job['release_pace']):7.2f} s; ratio single / "
              f"baseline of the same notebook {statistics.median(same_r):6.3f} wall (runs "
              f"{min(same_r):.3f}-{max(same_r):.3f})")
        for name, secs in per_job.items():
            print(f"    baseline {name:<36} {statistics.median(secs):6.2f} s")
    if tests_s is not None:
        print(f"  test suite             {tests_s:7.1f} s wall {tests_cpu:7.1f} s CPU (`make test`: data step, ruff, "
              f"pytest -n 2; target <= 180 s)")
    print(f"  reports/               {all_mb:7.1f} MB in all ({html_mb:.1f} MB of HTML, largest {largest.name} "
          f"{largest_mb:.2f} MB; shared assets {assets_mb:.1f} MB; target <= 12 MB for 10 reports)")
    first10 = list(per_report)[:10]  # the 10 reports of issue 18 (the first ten of reports.toml)
    if len(first10) == 10:
        mb10 = sum(per_report[n] for n in first10) + assets_mb + index_mb
        print(f"  reports/ for the first 10 reports {mb10:.1f} MB (theirs + shared assets + index; target <= 12 MB)")
    for name, mb in per_report.items():
        print(f"    {name:<36} {mb:6.2f} MB (HTML + chart CSVs)")
    print(f"  executed notebooks     {executed_mb:7.1f} MB (build byproducts, outside reports/)")
    print(f"  load average           {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end "
          f"({os.cpu_count()} cores)")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(runs=res, cpu_s=cpu, peak_mb=peak, median_s=med, reports_mb=all_mb,
                                                   html_mb=html_mb, assets_mb=assets_mb, per_report_mb=per_report,
                                                   executed_mb=executed_mb,
                                                   tests_s=tests_s, tests_cpu_s=tests_cpu,
                                                   load=[load_start, load_end],
                                                   cores=os.cpu_count()), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
