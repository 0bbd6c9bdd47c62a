"""`python -m analysis report`: execute the notebooks, export static HTML, write the index.

For each report of `notebooks/reports.toml` (or those named) that is out of date, the notebook runs with
its parameters (injected as papermill does) in a fresh kernel; nbconvert turns it into `reports/<name>.html`
with the code hidden (unless --show-code), and the executed notebook goes to `build/executed/<name>.ipynb` (a
build byproduct, outside the site: analysis.core.paths.executed_dir).
Reports run two at a time (`--jobs`, $ANALYSIS_REPORT_JOBS), longest first. A report is re-executed only
when its notebook, parameters, the package code / curated data, or the clean tables it read changed (hashes
recorded in reports/index.json; see `stale_reasons`); --force rebuilds all. Every output is written
atomically, and the pages, their data and the index switch as one set (analysis.site.generation). A notebook
that fails does not stop the others: the build exits non-zero, names the notebook and the cell, and the index
marks that report failed (a previous HTML of it is kept but flagged as stale, never presented as fresh); a
failed report is rebuilt next time.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import json
import os
import re
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from analysis.core import paths
from analysis.core.atomic import atomic_path, write_text
from analysis.site import (
    chart_data,
    findings,
    fingerprint,
    generation,
    index_page,
    kernels,
    provenance,
    robustness,
    shared_assets,
    table_package,
)
from analysis.site import pages as site
from analysis.site.kernels import KERNEL, WarmKernels
from analysis.site.report_specs import ReportSpec, load_specs, parse_value

__all__ = ["ReportSpec", "build_reports", "load_specs", "parse_value"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


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


# ---------------------------------------------------------------------------------------------------------
# Incremental builds: a report is re-executed only when one of its inputs changed. The inputs, hashed and
# recorded per report in reports/index.json under "inputs":
#   notebook    the notebook file (committed without outputs)
#   parameters  the parameters it runs with (reports.toml set + -p overrides), plus its title and --show-code
#   code        the package (analysis/**/*.py, analysis/site/templates/**), the curated data/curated/** files and
#               data/manifest.csv (citations and snapshot dates printed under the charts)
#   tables      the clean tables the notebook loaded through `analysis.store.tables.load` on its last run, each by
#               content hash (an unchanged notebook with unchanged code and inputs reads the same tables)
# A report whose last build failed, or whose HTML is missing, is always rebuilt; --force rebuilds all.
# ---------------------------------------------------------------------------------------------------------

JOBS_ENV = "ANALYSIS_REPORT_JOBS"
# run in the kernel after the notebook: which clean tables did it load, and the source_file values of their rows?
# (analysis.store.tables.record()), and which files did it publish beside its chart CSVs (analysis.site.report_files)?
# The cell is not kept.
_READS_PROBE = ("import json as _j\nfrom analysis.core import loaded as _t\nfrom analysis.site import report_files as _f\n"
                "print(_j.dumps(dict(_t.record(), published=_f.published())))")


def probe_record(cell) -> dict | None:
    """What the probe cell printed (_READS_PROBE: one JSON line), None if it printed no JSON object. The kernel
    sends its stdout in as many stream outputs as it flushed (every 0.2 s, and at the end of the cell): on a busy
    machine a flush can fall between print's two writes, the JSON and its newline, so the outputs are joined
    first."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    lines = text.strip().splitlines()
    try:
        record = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


_sha = fingerprint.sha
code_hash, table_hashes = fingerprint.code_hash, fingerprint.table_hashes


def report_inputs(spec: ReportSpec, params: dict, show_code: bool, code: str, tables: dict[str, str],
                  reads: list[str] | None) -> dict:
    """The recorded inputs of one report; `reads` None (unknown) makes it depend on every clean table."""
    nb_bytes = (paths.notebooks_dir() / spec.notebook).read_bytes()
    settings = json.dumps([params, spec.title, show_code], sort_keys=True, default=str)
    names = sorted(tables) if reads is None else sorted(reads)
    return dict(notebook=_sha(nb_bytes), parameters=_sha(settings.encode()), code=code,
                tables={t: tables.get(t, "missing") for t in names}, reads=reads)


def stale_reasons(spec: ReportSpec, params: dict, show_code: bool, prev: dict | None, code: str,
                  tables: dict[str, str]) -> list[str]:
    """Why the report must be rebuilt; empty when its last successful build is still current."""
    if not prev:
        return ["never built"]
    if prev.get("status") != "ok":
        return ["its last build failed"]
    if not (paths.reports_dir() / f"{spec.name}.html").exists():
        return ["its HTML is missing"]
    if prev.get("build") and chart_data.page_build(spec.name) != prev["build"]:
        # the page on disk is another build's than the index records (an older index.json put back by hand; a run
        # switches page and index together, analysis.site.generation): the page says what it was built from
        return ["its page is not the build the index records"]
    old = prev.get("inputs")
    if not old:
        return ["no input hashes recorded"]
    new = report_inputs(spec, params, show_code, code, tables, old.get("reads"))
    reasons = [f"{what} changed" for what, key in (("notebook", "notebook"), ("parameters", "parameters"),
                                                   ("package code or curated data", "code"))
               if new[key] != old.get(key)]
    changed = sorted(t for t in set(new["tables"]) | set(old.get("tables", {}))
                     if new["tables"].get(t) != old.get("tables", {}).get(t))
    if changed:
        reasons.append(f"clean table(s) {', '.join(changed)} changed")
    return reasons


class NotebookFailed(Exception):
    """A cell raised: carries the cell index and the error like papermill's PapermillExecutionError."""

    def __init__(self, cell_index: int | None, exec_count: int | None, ename: str, evalue: str):
        super().__init__(f"{ename}: {evalue}")
        self.cell_index, self.exec_count, self.ename, self.evalue = cell_index, exec_count, ename, evalue


@dataclass
class Built:
    html: Path
    reads: list[str] | None  # clean tables the notebook loaded (None: unknown)
    snapshots: dict[str, str]  # snapshot date of each upstream file behind the loaded rows (analysis.site.provenance)
    build: str | None = None  # the data folder (reports/data/<report>/<build>) the written page links


_local = threading.local()

def _new_exporter(show_code: bool):
    """The report's HTMLExporter, warmed up: one export of a two-cell notebook compiles the templates and makes
    nbconvert's lazy imports (half the time of a report's first export), while the kernel still runs cells."""
    import nbformat
    from nbconvert import HTMLExporter

    from analysis.site import templating

    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=not show_code, exclude_input_prompt=True, exclude_output_prompt=True)
    # the templates (nbconvert's and the report's) compiled once, kept in Jinja's own cache as the site's are
    # (templating.bytecode_cache): compiling them is a third of the exporter's start
    exporter.environment.bytecode_cache = templating.bytecode_cache()
    v4 = nbformat.v4
    out = v4.new_output("display_data", data={"text/html": "<p>x</p>", "text/markdown": "*x*"})
    exporter.from_notebook_node(v4.new_notebook(cells=[v4.new_markdown_cell("# x"), v4.new_code_cell(
        "x", outputs=[out])]), resources={"metadata": {"name": "x"}})
    # nbconvert is the last of the build's large imports: what is alive now (modules, classes, templates) lives as
    # long as the process, and is left out of the garbage collector's later passes (the standard library's
    # gc.freeze; without it each full collection walks it all again: most of a second of a full build)
    gc.freeze()
    return exporter


def _exporter(show_code: bool, ready=None):
    """One HTMLExporter per thread and setting (building one imports nbconvert and loads the templates: seconds).
    `ready`: a future of one built meanwhile in another thread (execute starts it while the kernel runs)."""
    cache = _local.__dict__.setdefault("exporters", {})
    if show_code not in cache:
        cache[show_code] = ready.result() if ready is not None else _new_exporter(show_code)
    return cache[show_code]


def _parameterize(notebook: Path, params: dict):
    """Inject the parameters after the `parameters` cell, exactly as papermill does."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    return parameterize_notebook(load_notebook_node(str(notebook)), params, kernel_name=KERNEL, language="python")


def _strip_plotly_html(nb):
    """The executed notebook keeps plotly's JSON output (what JupyterLab draws) but not the text/html copy
    with plotly.js embedded: the HTML report has that, and a second 4.7 MB copy per report is waste."""
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "application/vnd.plotly.v1+json" in data and "text/html" in data:
                del data["text/html"]
    return nb


def _html_outputs_only(nb):
    """The notebook as the HTML export sees it: a chart's plotly JSON output dropped where its text/html copy is
    there (nbconvert shows the HTML one and never the JSON, but deep-copies the whole notebook first: the charts'
    nested JSON was half of the export's time). Cells and outputs are shallow copies; `nb` is not changed."""
    lite = copy.copy(nb)
    lite.cells = []
    for cell in nb.cells:
        if cell.get("outputs"):
            cell = copy.copy(cell)
            cell["outputs"] = [_without_plotly_json(o) for o in cell["outputs"]]
        lite.cells.append(cell)
    return lite


def _without_plotly_json(output):
    data = output.get("data")
    if not data or "application/vnd.plotly.v1+json" not in data or "text/html" not in data:
        return output
    output = copy.copy(output)
    output["data"] = type(data)({k: v for k, v in data.items() if k != "application/vnd.plotly.v1+json"})
    return output


def execute(spec: ReportSpec, params: dict, show_code: bool = False, warm: WarmKernels | None = None) -> Built:
    """Run one notebook in a fresh kernel and export its HTML (and the executed notebook). Raises on failure.

    nbclient drives the kernel directly (papermill would rewrite the whole executed notebook, plotly.js and
    all, after every cell); the parameters are injected by papermill's own function, so the executed
    notebook is the one papermill would produce. The kernel was started ahead by the build (`warm`, a background
    thread: analysis.site.kernels), so it boots while this thread imports nbclient and papermill and prepares the
    notebook.
    """
    own = warm is None
    warm = warm or WarmKernels()
    reserved = [warm.reserve()]
    try:
        return _execute(spec, params, show_code, reserved, warm.retire)
    finally:
        for kernel in reserved:  # a kernel not taken (the notebook could not be prepared) is stopped
            WarmKernels.stop(kernel)
        if own:
            warm.close()


def _execute(spec: ReportSpec, params: dict, show_code: bool, reserved: list, retire) -> Built:
    import asyncio

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = _parameterize(paths.notebooks_dir() / spec.notebook, params)
    nb.cells.append(nbformat.v4.new_code_cell(_READS_PROBE))
    # the first export of this thread needs an exporter: build it while the kernel runs the cells
    # (this process only waits on the kernel meanwhile; started after the parameters are injected, so the two do
    # not share this process's one interpreter lock)
    ready = None
    if show_code not in _local.__dict__.get("exporters", {}):
        ready = Future()

        def build_exporter() -> None:
            try:
                ready.set_result(_new_exporter(show_code))
            except BaseException as exc:  # noqa: BLE001 - raised where the export needs it
                ready.set_exception(exc)

        threading.Thread(target=build_exporter, name="exporter", daemon=True).start()

    async def run() -> None:
        km = reserved.pop()  # None if it could not be started ahead: it starts here, and says why it cannot
        try:
            if km is None:
                km = await kernels.start()
            client = NotebookClient(nb, km=km, kernel_name=KERNEL, timeout=None, allow_errors=False,
                                    resources={"metadata": {"path": str(paths.notebooks_dir())}})
            async with kernels.ready_client(km, timeout=client.startup_timeout) as kc:
                client.kc = kc  # nbclient runs the cells with this client (it starts one only when none is set)
                await client.async_execute()
        finally:
            # the kernel is the build's, not the client's: killed once the last cell is done (every output is in;
            # a graceful shutdown costs about a second per report, and nothing of the kernel is kept), in the
            # background while this thread exports (WarmKernels.retire)
            if km is not None:
                retire(km)

    try:
        asyncio.run(run())
    except CellExecutionError as exc:
        idx = next((i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error"
                                                             for o in c.get("outputs", []))), None)
        count = nb.cells[idx].get("execution_count") if idx is not None else None
        raise NotebookFailed(idx, count, exc.ename, exc.evalue) from None
    record = probe_record(nb.cells.pop())
    if record is None:
        raise RuntimeError(f"report {spec.name}: the kernel did not say which tables it loaded")
    published = record.pop("published", None) or {}  # files for the build folder, not part of the sources record
    sources = provenance.report_sources(record)  # raises on a source_file outside the manifest
    out_dir = paths.reports_dir()
    from analysis.core import safety

    safety.sanitize_notebook(nb)
    body, _ = _exporter(show_code, ready).from_notebook_node(_html_outputs_only(nb),
                                                             resources={"metadata": {"name": spec.title}})
    body = shared_assets.share_stylesheet(body)  # one JupyterLab stylesheet for the site (reports/assets/)
    target = out_dir / f"{spec.name}.html"
    executed = paths.executed_dir() / f"{spec.name}.ipynb"
    write_text(provenance.record_path(spec.name), json.dumps(record, indent=1))
    meta = site.finish_report(spec, target, body, sources, nb, published)  # the full executed notebook (charts' ids)
    with atomic_path(executed) as tmp_nb:  # written once, without the charts' HTML copies
        nbformat.write(_strip_plotly_html(nb), tmp_nb)
    return Built(target, record["tables"], sources.snapshot_dates(), meta.get("build"))


def _failed_cell(exc: Exception) -> str:
    # NotebookFailed (and papermill's PapermillExecutionError) carry the cell index and the error
    idx = getattr(exc, "exec_count", None)
    cell = getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    where = f"cell {cell}" if cell is not None else "a cell"
    if idx is not None:
        where += f" (execution count {idx})"
    return f"{where}: {ename}: {evalue}"


def default_jobs() -> int:
    """Notebooks run at once: $ANALYSIS_REPORT_JOBS, else 2 (or 1 on a single core)."""
    env = os.environ.get(JOBS_ENV)
    return max(1, int(env)) if env else min(2, os.cpu_count() or 1)


def _select(specs: list[ReportSpec], names: list[str]) -> tuple[list[ReportSpec], set[str]]:
    """Reports by name, or by notebook (`release_pace`, `release_pace.ipynb`, `notebooks/release_pace.ipynb`:
    the report named like the notebook)."""
    wanted = {Path(n).name.removesuffix(".ipynb") if n.endswith(".ipynb") else n for n in names}
    chosen = [s for s in specs if s.name in wanted]
    unknown = wanted - {s.name for s in chosen}
    return chosen, unknown


def _line(text: str, limit: int = 200) -> str:
    """One console line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_parameters(specs: list[ReportSpec], extra_params: dict) -> str | None:
    """The first bad parameter (unknown -p name, or a value its notebook's spec rejects), as one line."""
    from analysis.site import params as nbparams

    for spec in specs:
        notebook = spec.notebook.removesuffix(".ipynb")
        try:
            nbparams.check_names(notebook, extra_params)
            nbparams.check_names(notebook, spec.parameters)
            # the checks across parameters read the data: for a user's -p values (a named set is built and tested)
            nbparams.validate(notebook, {**spec.parameters, **extra_params}, across=bool(extra_params))
        except nbparams.ParamError as exc:
            return f"report {spec.name}: {exc}"
    return None


_VARIANT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


def build_variant(spec: ReportSpec, output_name: str, extra_params: dict, show_code: bool = False,
                  out: TextIO = sys.stdout) -> int:
    """A user's variant of one report: reports/<output_name>.html (+ its CSVs), listed in the index's own
    "variants" section. The site's default reports and the rest of the index are left as they are."""
    known = {s.name for s in load_specs()}
    reserved = ("index", "executed", chart_data.BUILDS, "assets", table_package.NAME)  # the site's own names
    if not _VARIANT_NAME.fullmatch(output_name) or output_name in known or output_name in reserved:
        why = "is a default report" if output_name in known else "is not a plain name (letters, digits, _ and -)"
        print(f"error: --output-name {output_name!r} {why}; choose another name", file=sys.stderr)
        return 2
    index_page.repair()
    params = {**spec.parameters, **extra_params}
    variant = ReportSpec(name=output_name, notebook=spec.notebook, title=f"{spec.title} (variant {output_name})",
                         parameters=params)
    entry = dict(name=output_name, title=variant.title, notebook=spec.notebook, parameters=params,
                 base=spec.name, snapshots=provenance.snapshot_dates(output_name))
    print(_line(f"report {output_name}: running {spec.notebook} with {params}"), file=out)
    t0 = time.perf_counter()
    # the variant's page and data and the index that lists it switch as one set (analysis.site.generation)
    with generation.publishing() as gen:
        try:
            built = execute(variant, params, show_code)
        except Exception as exc:  # noqa: BLE001 - reported in one line, the index keeps the failure
            msg = f"notebook {spec.notebook} (variant {output_name}) failed in {_failed_cell(exc)}"
            print(_line(f"error: {msg}"), file=sys.stderr)
            entry.update(status="failed", error=msg, attempted_at=_now())
        else:
            seconds = round(time.perf_counter() - t0, 1)
            entry.update(status="ok", built_at=_now(), seconds=seconds, snapshots=built.snapshots, build=built.build)
            print(f"report {output_name}: wrote reports/{output_name}.html ({seconds}s)", file=out)
        index = load_index()
        index.setdefault("reports", {})
        index.setdefault("built_at", _now())
        index.setdefault("variants", {})[output_name] = entry
        index_page.write_index(index, gen.path)  # index.html, then index.json, into the new generation
    print("report: listed the variant in reports/index.html", file=out)
    return 0 if entry["status"] == "ok" else 1


def build_reports(names: list[str] | None = None, extra_params: dict | None = None, force: bool = False,
                  show_code: bool = False, out: TextIO | None = None, jobs: int | None = None,
                  output_name: str | None = None, warm: WarmKernels | None = None) -> int:
    """Build the reports (all, or `names`) that are stale; `warm`: kernels the caller started ahead (WarmKernels;
    closed here, with any this build starts)."""
    out = out or sys.stdout  # looked up at call time (a redirected or captured stdout)
    # a site generation a killed run never switched to, build folders the current set does not use (under the lock)
    gone = generation.sweep()
    if gone:
        print(f"removed {len(gone)} unfinished site generation(s) or report build folder(s) left by an interrupted "
              "run", file=out)
    warm = warm or WarmKernels()
    try:
        return _build_reports(names, extra_params, force, show_code, out, jobs, output_name, warm)
    finally:
        warm.close()  # kernels of notebooks that never started (the reports were up to date, a bad parameter)


def _build_reports(names, extra_params, force, show_code, out, jobs, output_name, warm: WarmKernels) -> int:
    specs = load_specs()
    if names:
        specs, unknown = _select(specs, names)
        if unknown:
            print(f"error: unknown report(s) {sorted(unknown)}; known: {[s.name for s in load_specs()]}",
                  file=sys.stderr)
            return 2
    bad = check_parameters(specs, extra_params or {})
    if bad:
        print(f"error: {bad}", file=sys.stderr)
        return 2
    if output_name is not None:
        if len(specs) != 1 or not names:
            print("error: --output-name needs exactly one report name", file=sys.stderr)
            return 2
        return build_variant(specs[0], output_name, extra_params or {}, show_code, out)
    index_page.repair()  # a killed run's index pair and temporary files
    index = load_index()
    reports = index.get("reports", {})
    code, tables = code_hash(), table_hashes()
    shared_assets.ensure_asset()  # the one plotly.js every report loads (reports/assets/)
    todo = []
    for spec in specs:
        params = {**spec.parameters, **(extra_params or {})}
        reasons = ["--force"] if force else stale_reasons(spec, params, show_code, reports.get(spec.name),
                                                           code, tables)
        if reasons:
            todo.append((spec, params, reasons))
        else:
            print(f"report {spec.name}: up to date", file=out)
    # longest first (by the last build's time), so the last notebook to start is a short one
    todo.sort(key=lambda t: -(reports.get(t[0].name, {}).get("seconds") or 0))
    failures = 0
    n_jobs = max(1, min(jobs or default_jobs(), len(todo) or 1))
    # the first notebooks' kernels boot now, while the rest sets up; each later one starts as a notebook takes
    # the last waiting kernel, so it boots while the notebooks before it run
    warm.plan(len(todo), ahead=n_jobs)
    started = {}
    say_lock = threading.Lock()

    def say(text: str) -> None:  # one whole line per write: worker threads print too
        with say_lock:
            out.write(_line(text) + "\n")
            out.flush()

    def run(spec: ReportSpec, params: dict) -> Built:
        started[spec.name] = time.perf_counter()
        shown = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in params.items()) or "defaults"
        say(f"report {spec.name}: running {spec.notebook} ({shown})")
        try:
            built = execute(spec, params, show_code, warm=warm)
        except BaseException:
            say(f"report {spec.name}: failed ({time.perf_counter() - started[spec.name]:.1f}s)")
            raise
        # said by the worker itself, the moment it finishes (the next queued report starts right after)
        say(f"report {spec.name}: done, wrote reports/{spec.name}.html "
            f"({round(time.perf_counter() - started[spec.name], 1)}s)")
        return built

    # every page this run builds, the pages it does not, their data folders and the index switch as one set,
    # when the block ends (analysis.site.generation)
    with generation.publishing() as gen:
        with ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="report") as pool:
            futures = {}
            for spec, _params, reasons in todo:
                say(f"report {spec.name}: queued ({'; '.join(reasons)})")
            for spec, params, _reasons in todo:
                futures[pool.submit(run, spec, params)] = (spec, params)
            for fut in as_completed(futures):
                spec, params = futures[fut]
                entry = dict(name=spec.name, title=spec.title, notebook=spec.notebook, parameters=params)
                try:
                    built = fut.result()
                except Exception as exc:  # noqa: BLE001 - any failure of one notebook is reported, others go on
                    failures += 1
                    msg = f"notebook {spec.notebook} (report {spec.name}) failed in {_failed_cell(exc)}"
                    print(_line(f"error: {msg}"), file=sys.stderr)
                    prev = reports.get(spec.name, {})
                    entry.update(status="failed", error=msg, attempted_at=_now(),
                                 built_at=prev.get("built_at") if prev.get("status") in ("ok", "failed") else None)
                    entry["stale_html"] = gen.page(spec.name).exists()  # its last page, carried over
                    entry["snapshots"] = provenance.snapshot_dates(spec.name)  # of its last successful build
                else:
                    seconds = round(time.perf_counter() - started[spec.name], 1)
                    entry.update(status="ok", built_at=_now(), seconds=seconds, snapshots=built.snapshots,
                                 inputs=report_inputs(spec, params, show_code, code, tables, built.reads),
                                 build=built.build)
                reports[spec.name] = entry
        known = {s.name for s in load_specs()}
        reports = {k: v for k, v in reports.items() if k in known}
        key = findings_key(code, tables)
        if index.get("findings_key") == key and "findings" in index and "claims" in index:
            found, said = index["findings"], index["claims"]  # same tables, code and reports.toml: same numbers
        else:
            found, said = findings.findings(), robustness.front_page()
        index = dict(built_at=_now(), reports=reports, headlines=[], findings=found, claims=said, findings_key=key,
                     **({"variants": index["variants"]} if index.get("variants") else {}))
        table_package.publish(gen)  # the clean tables as a download (kept when their inputs did not change)
        index_page.write_index(index, gen.path)  # index.html, then index.json, into the new generation
    print(f"report: wrote reports/index.html ({len(reports)} reports, {len(todo)} executed, {failures} failed)",
          file=out)
    return 1 if failures else 0


findings_key = fingerprint.findings_key


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
