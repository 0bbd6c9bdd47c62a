"""`python -m analysis report`: execute the notebooks with papermill, export static HTML, write the index.

For each report of `notebooks/reports.toml` (or those named): papermill runs the notebook with its
parameters into `reports/executed/<name>.ipynb`; nbconvert turns that into `reports/<name>.html` with the
code hidden (unless --show-code). Every output is written atomically. A notebook that fails does not stop
the others: the build exits non-zero, names the notebook and the cell, and the index marks that report
failed (a previous HTML of it is kept but flagged as stale, never presented as fresh).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from analysis import manifest, paths, site
from analysis.atomic import atomic_path, write_text

KERNEL = "python3"
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class ReportSpec:
    name: str
    notebook: str
    title: str
    datasets: list[str] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)


def parse_value(text: str):
    """A -p value: JSON when it parses (numbers, true/false, null, lists, quoted strings), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def load_specs(path: Path | None = None) -> list[ReportSpec]:
    path = path or paths.notebooks_dir() / "reports.toml"
    with open(path, "rb") as f:
        data = tomllib.load(f)
    specs = [ReportSpec(**r) for r in data.get("report", [])]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: report names repeat: {names}")
    for s in specs:
        if not (paths.notebooks_dir() / s.notebook).is_file():
            raise ValueError(f"{path}: report {s.name!r}: notebook {s.notebook!r} not found in notebooks/")
    return specs


def _index_path() -> Path:
    return paths.reports_dir() / "index.json"


def load_index() -> dict:
    p = _index_path()
    if p.exists():
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return {}
    return {}


def execute(spec: ReportSpec, params: dict, show_code: bool = False) -> Path:
    """Run one notebook and export its HTML; returns the HTML path. Raises on failure."""
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    out_dir = paths.reports_dir()
    executed = out_dir / "executed" / f"{spec.name}.ipynb"
    with atomic_path(executed) as tmp_nb:
        pm.execute_notebook(
            str(paths.notebooks_dir() / spec.notebook), str(tmp_nb), parameters=params,
            kernel_name=KERNEL, cwd=str(paths.notebooks_dir()), progress_bar=False, log_output=False,
            report_mode=False,
        )
        nb = nbformat.read(tmp_nb, as_version=4)
    from analysis import safety  # [reliability] data text in Markdown outputs is shown, never run
    safety.sanitize_notebook(nb)
    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=not show_code, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": spec.title}})
    target = out_dir / f"{spec.name}.html"
    write_text(target, body)
    site.finish_report(spec, target, executed)
    return target


def _failed_cell(exc: Exception) -> str:
    # papermill's PapermillExecutionError carries the cell index and the error
    idx = getattr(exc, "exec_count", None)
    cell = getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    where = f"cell {cell}" if cell is not None else "a cell"
    if idx is not None:
        where += f" (execution count {idx})"
    return f"{where}: {ename}: {evalue}"


def snapshot_dates(datasets: list[str]) -> dict[str, str]:
    entries = manifest.load()
    return {e.local_path: e.snapshot_date for e in entries if e.dataset in datasets}


def build_reports(names: list[str] | None = None, extra_params: dict | None = None, force: bool = False,
                  show_code: bool = False, out: TextIO = sys.stdout) -> int:
    specs = load_specs()
    if names:
        unknown = set(names) - {s.name for s in specs} - {Path(s.notebook).stem for s in specs}
        if unknown:
            print(f"error: unknown report(s) {sorted(unknown)}; known: {[s.name for s in specs]}", file=sys.stderr)
            return 2
        specs = [s for s in specs if s.name in names or (Path(s.notebook).stem in names and s.name == Path(s.notebook).stem)]
    index = load_index()
    reports = index.get("reports", {})
    failures = 0
    for spec in specs:
        params = {**spec.parameters, **(extra_params or {})}
        t0 = time.perf_counter()
        print(f"report {spec.name}: executing {spec.notebook} with {params or 'default parameters'}", file=out)
        entry = dict(name=spec.name, title=spec.title, notebook=spec.notebook, parameters=params,
                     snapshots=snapshot_dates(spec.datasets))
        try:
            execute(spec, params, show_code)
        except Exception as exc:  # noqa: BLE001 - any failure of one notebook is reported, others go on
            failures += 1
            msg = f"notebook {spec.notebook} (report {spec.name}) failed in {_failed_cell(exc)}"
            print(f"error: {msg}", file=sys.stderr)
            prev = reports.get(spec.name, {})
            entry.update(status="failed", error=msg, attempted_at=_now(),
                         built_at=prev.get("built_at") if prev.get("status") in ("ok", "failed") else None)
            entry["stale_html"] = (paths.reports_dir() / f"{spec.name}.html").exists()
        else:
            entry.update(status="ok", built_at=_now(), seconds=round(time.perf_counter() - t0, 1))
            print(f"report {spec.name}: wrote reports/{spec.name}.html ({entry['seconds']}s)", file=out)
        reports[spec.name] = entry
    known = {s.name for s in load_specs()}
    reports = {k: v for k, v in reports.items() if k in known}
    index = dict(built_at=_now(), reports=reports, headlines=headlines(), findings=site.findings())
    write_text(_index_path(), json.dumps(index, indent=2, default=str))
    write_text(paths.reports_dir() / "index.html", site.render_index(index))
    print(f"report: wrote reports/index.html ({len(reports)} reports, {failures} failed)", file=out)
    return 1 if failures else 0


HEADLINE_METRICS = ("eci", "lmarena_text_style_control")


def headlines() -> list[str]:
    """Key numbers stated on the index, measured from the clean tables at report time."""
    from analysis import tables
    from analysis.metrics import catchup, perf

    try:
        cap = tables.load("capability")
    except FileNotFoundError:
        return []
    out = []
    for metric in HEADLINE_METRICS:
        h = catchup.headline_gap(cap, metric)
        if h is not None:
            out.append(catchup.describe_headline(h).replace("**", "")
                       + f" Source: {', '.join(h['source_files'])}.")
    try:
        prices = tables.load("prices")
    except FileNotFoundError:
        return out
    h = perf.headline(cap, prices, "eci")
    if h is not None:
        out.append(h["text"])
    return out


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
