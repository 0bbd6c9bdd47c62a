"""The data of a report's charts: every plotly chart of the executed notebook as a CSV a reader can download.

`write_chart_csvs` writes `chart-<n>.csv` (long format: one row per point of every trace) into the report's
build folder from the chart's table (`notebook_tables`: the frames its figure builder plotted,
analysis.figures.chart_frames; nothing is read back from the plotly JSON, and a chart without its table fails the
report's build), `insert_download_links` puts the link right under its chart, `preview` keeps the first chart's
numeric traces for the index sparkline, `summary` the notebook's first paragraph for the index card.

A report's data files switch as one set with its page, and with the rest of the site. Each build of a report
writes its chart CSVs, datapackage.json and preview.json into a new folder `reports/data/<report>/<build id>/`
(`new_build_dir`), written once and never changed; the page links that folder. The page and the site
generation's link to the folder go into a new generation of the site, which becomes current in one rename
with the index (analysis.site.generation); `reports/<report>` is the stable path through it. `sweep_builds`
removes the build folders the current set does not use (killed runs', older builds').
"""

from __future__ import annotations

import base64
import csv
import json
import re
import secrets
import shutil
import time
from pathlib import Path

import numpy as np

from analysis.core import atomic, paths
from analysis.core.atomic import atomic_path
from analysis.figures.chart_frames import CHART_DATA_MIME, ChartDataError, plain
from analysis.site.templating import esc

PLOTLY_MIME = "application/vnd.plotly.v1+json"
DOWNLOAD_TEXT = "Download this chart's data (CSV)"
SOURCE_END = "<!-- /chart-source -->"  # analysis.figures.plots.SOURCE_END: where a chart's source note ends


BUILDS = "data"  # reports/data/<report>/<build id>/: the data files of one build of a report
_BUILD_REF = re.compile(r'href="' + BUILDS + r'/([A-Za-z0-9_-]+)/([0-9TZ]+-[0-9a-f]+)/')


def report_dir(name: str) -> Path:
    """reports/<name>: the stable path of the report's current data files (a symlink to its build folder)."""
    return paths.reports_dir() / name


def builds_dir(name: str, reports: Path | None = None) -> Path:
    return (reports or paths.reports_dir()) / BUILDS / name


def new_build_dir(name: str, reports: Path | None = None, create: bool = True) -> Path:
    """A new, empty build folder for the data files of one build of report `name` (`create` False: only its
    path, for a folder copied into place)."""
    build_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(4)
    d = builds_dir(name, reports) / build_id
    if create:
        d.mkdir(parents=True)
    else:
        d.parent.mkdir(parents=True, exist_ok=True)
    return d


def page_build(name: str, reports: Path | None = None) -> str | None:
    """The build id of the data folder the page reports/<name>.html links (None: no page, or it links none)."""
    page = Path(reports or paths.reports_dir()) / f"{name}.html"
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return None
    ids = {b for n, b in _BUILD_REF.findall(text) if n == name}
    return next(iter(ids)) if len(ids) == 1 else None


def href_base(build: Path) -> str:
    """The page's relative link to a build folder reports/data/<report>/<build id> (pages live in reports/)."""
    build = Path(build)
    return f"{BUILDS}/{build.parent.name}/{build.name}"


def sweep_builds(reports: Path | None = None) -> list[Path]:
    """Remove the build folders that neither a page of the current set links nor reports/<report> points to
    (older builds, killed runs'), and half-made symlinks. Call only under the build lock, or right after the
    site's switch (analysis.site.generation.tidy). Returns what it removed."""
    reports = Path(reports or paths.reports_dir())
    gone = atomic.remove_stale_links(reports)
    root = reports / BUILDS
    if not root.is_dir():
        return gone
    used: set[tuple[str, str]] = set()
    for page in reports.glob("*.html"):
        try:
            used.update(_BUILD_REF.findall(page.read_text(encoding="utf-8")))
        except OSError:
            continue
    for folder in root.iterdir():
        link = reports / folder.name
        current = link.resolve().name if link.is_symlink() else None
        for build in folder.iterdir():
            if build.is_dir() and build.name != current and (folder.name, build.name) not in used:
                shutil.rmtree(build, ignore_errors=True)
                gone.append(build)
        if not any(folder.iterdir()):  # a report (or variant) the current set does not have
            folder.rmdir()
    return gone


# --- chart data ----------------------------------------------------------------------------------

def decode_array(value):
    """Plotly JSON arrays, including the typed-array form {"dtype", "bdata", "shape"} of plotly >= 6."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if value.get("shape"):
            shape = [int(s) for s in str(value["shape"]).split(",")]
            arr = arr.reshape(shape)
        return arr.tolist()
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


def trace_points(trace: dict) -> int:
    """Number of points a trace draws (length of its longest data array among x, y, z, values, ...)."""
    n = 0
    for key in ("x", "y", "z", "values", "lat", "lon", "r", "theta", "a", "b"):
        v = decode_array(trace.get(key))
        if isinstance(v, list):
            n = max(n, len(v))
    return n


def _cell_value(v):
    """A CSV cell: lists joined with '; ', None empty, text without HTML, everything else as is."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(str(_cell_value(x)) for x in v)
    if isinstance(v, str):
        return plain(v) if ("<" in v or "&" in v) else v
    return v


def notebook_figures(nb) -> list[tuple[dict, str | None]]:
    """(plotly figure JSON, id of its div in the HTML output when there is one) for every chart, in order."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            fig = data[PLOTLY_MIME]
            fig = json.loads(fig) if isinstance(fig, str) else fig
            div = None
            m = re.search(r'<div id="([^"]+)" class="plotly-graph-div"', str(data.get("text/html", "")))
            if m:
                div = m.group(1)
            out.append((fig, div))
    return out


class ChartTableMissing(ChartDataError):
    """A chart of an executed notebook without the table of its builder's frames: the report build fails. IPython
    only prints an error raised by a display formatter (the chart is then shown without its table), so the
    build reads the executed notebook for it. `cell_index`, `ename`, `evalue`: as a failed cell's error."""

    def __init__(self, message: str, cell_index: int):
        super().__init__(message)
        self.cell_index, self.ename, self.evalue = cell_index, "ChartDataError", message


def _chart_title(fig: dict) -> str:
    title = (fig.get("layout") or {}).get("title") or {}
    return plain(title.get("text", "") if isinstance(title, dict) else title)


def notebook_tables(nb) -> list[dict]:
    """The table of every chart (in the order of `notebook_figures`): the frames its figure builder plotted,
    which the kernel put beside the chart's plotly JSON (analysis.figures.chart_frames). Raises ChartTableMissing for
    the first chart without one, or for a chart table the kernel failed to make (an error output of
    ChartDataError in a cell: IPython reports a display formatter's error without failing the cell)."""
    out = []
    for index, cell in enumerate(nb.cells):
        failed = [o.get("evalue", "") for o in cell.get("outputs", [])
                  if o.get("output_type") == "error" and o.get("ename") == "ChartDataError"]
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            table = data.get(CHART_DATA_MIME)
            table = json.loads(table) if isinstance(table, str) else table
            if not (isinstance(table, dict) and "columns" in table and "rows" in table):
                fig = data[PLOTLY_MIME]
                fig = json.loads(fig) if isinstance(fig, str) else fig
                why = (re.sub(r"^chart '.*?': ", "", failed[0]) if failed  # its title is named already
                       else "its figure builder attached no frame (analysis.figures.chart_frames.attach)")
                raise ChartTableMissing(f"chart {len(out) + 1} ({_chart_title(fig)[:60]!r}) has no data table: {why}",
                                        index)
            out.append(table)
        if failed:  # a chart table failed where no chart was shown
            raise ChartTableMissing(f"chart {len(out) + 1}: {failed[0]}", index)
    return out


def chart_rows(table: dict) -> tuple[list[str], list[list]]:
    """(header, rows) of a chart's CSV: the table of its builder's frames (`notebook_tables`), cells as CSV cells."""
    return list(table["columns"]), [[_cell_value(v) for v in r] for r in table["rows"]]


def write_chart_csvs(directory: Path, tables: list[dict]) -> list[Path]:
    """chart-<n>.csv of every chart table (`notebook_tables`) into `directory` (a report's new build folder),
    each written atomically."""
    written = []
    for n, table in enumerate(tables, start=1):
        header, rows = chart_rows(table)
        target = Path(directory) / f"chart-{n}.csv"
        with atomic_path(target) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        written.append(target)
    return written


def insert_download_links(body: str, base: str, figures: list[tuple[dict, str | None]]) -> str:
    """Put a CSV link right under each chart: after the script that draws the div of that chart."""
    divs = list(re.finditer(r'<div[^>]*\bclass="plotly-graph-div"[^>]*>', body))
    ids = {}
    for m in divs:
        i = re.search(r'\bid="([^"]+)"', m.group(0))
        if i:
            ids[i.group(1)] = m
    inserts = []
    for n, (fig, div_id) in enumerate(figures, start=1):
        m = ids.get(div_id) if div_id else (divs[n - 1] if n - 1 < len(divs) else None)
        if m is None:
            continue
        end = body.find("</script>", m.end())
        if end < 0:
            continue
        end += len("</script>")
        # below the figure's fixed-height wrapper and its source note (analysis.figures.plots.source_html), not inside
        after = re.match(r"\s*</div>", body[end:])
        if after and body[end + after.end():].lstrip().startswith('<div class="chart-source"'):
            close = body.find(SOURCE_END, end)
            end = close + len(SOURCE_END) if close >= 0 else end
        title = ((fig.get("layout") or {}).get("title") or {})
        title = title.get("text", "") if isinstance(title, dict) else str(title)
        label = re.sub(r"<[^>]+>", " ", title).strip()
        inserts.append((end, f'\n<p class="chart-download" data-chart="{n}"><a href="{esc(base)}/chart-{n}.csv" '
                             f'download>{esc(DOWNLOAD_TEXT)}</a>'
                             + (f' <span style="color:#666">— {esc(label[:120])}</span>' if label else "")
                             + "</p>"))
    for pos, text in sorted(inserts, reverse=True):
        body = body[:pos] + text + body[pos:]
    return body


# --- preview for the index -------------------------------------------------------------------------

def preview(figures: list[tuple[dict, str | None]], max_traces: int = 4) -> dict | None:
    """The first chart's numeric traces, for the index sparkline: [{name, color, y}] (x only orders points)."""
    for fig, _ in figures:
        series = []
        for t in fig.get("data", []):
            y = decode_array(t.get("y"))
            if not isinstance(y, list) or len(y) < 2:
                continue
            ys = [v for v in y if isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)]
            if len(ys) < 2:
                continue
            color = ((t.get("line") or {}).get("color") or (t.get("marker") or {}).get("color"))
            series.append(dict(name=str(t.get("name") or ""), color=color if isinstance(color, str) else None,
                               y=ys[:400]))
            if len(series) >= max_traces:
                break
        if series:
            title = ((fig.get("layout") or {}).get("title") or {})
            title = title.get("text", "") if isinstance(title, dict) else str(title)
            return dict(title=re.sub(r"<[^>]+>", " ", title).strip(), series=series)
    return None


def summary(nb) -> str:
    """First markdown paragraph of the notebook that is not a heading (plain text)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for para in re.split(r"\n\s*\n", cell.source):
            p = para.strip()
            if p and not p.startswith("#"):
                p = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", p)
                # drop emphasis and code marks, not underscores inside names (policy_events.csv)
                p = re.sub(r"(\*\*|\*|`)", "", p)
                p = re.sub(r"(?<![\w])_([^_]+)_(?![\w])", r"\1", p)
                return " ".join(p.split())
    return ""


# --- datapackage.json beside a report's chart CSVs ------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def field_type(values: list) -> str:
    """Table Schema type of a CSV column: integer, number, date, datetime or string (empty cells ignored)."""
    vals = [v for v in values if v not in ("", None)]
    if not vals:
        return "string"
    if all(isinstance(v, bool) for v in vals):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return "number"
    if all(isinstance(v, str) and _DATE.match(v) for v in vals):
        return "date"
    if all(isinstance(v, str) and _DATETIME.match(v) for v in vals):
        return "datetime"
    return "string"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-") or "other"


# The manifest's licence texts (data/manifest.csv, column license) as SPDX ids. Curated: a text not listed here
# stops the build (LicenceUnknown), so a new upstream is read by a person before anything is said of its licence.
# A text maps to None when the file itself carries no licence: the reader gets "no licence found", never the
# licence of a neighbouring thing (a scraper's repository, the work the file copies, this project).
SPDX = {
    "CC BY 4.0": "CC-BY-4.0",  # Epoch AI's data pages state CC BY 4.0
    "CC-BY-4.0": "CC-BY-4.0",  # the same, written as its SPDX id
    "Apache-2.0": "Apache-2.0",  # the upstream repository's LICENSE
    "MIT (upstream BerriAI/litellm)": "MIT",  # the file is part of litellm, whose repository is MIT-licensed
    "MIT (anomalyco/models.dev repository LICENSE)": "MIT",  # models.dev's TOML data, in an MIT repository
    # the repository's MIT covers its code; the LMArena data it holds state no licence
    "MIT (repository LICENSE; underlying LMArena leaderboard data: no licence stated)": None,
    # the scraper repository is MIT; Artificial Analysis asks for attribution and states no licence for the data
    "Artificial Analysis data (attribution to https://artificialanalysis.ai/ requested); scrape repo MIT": None,
    "none seen (no LICENSE in repo)": None,
    "none seen (no LICENSE in repo; README says nothing about reuse)": None,
    # the file has no licence; the Epoch AI figures it restates are CC BY 4.0 (credited in the sources, not as
    # the file's licence)
    "none seen (no LICENSE in repo); the data insight is Epoch AI's, CC BY 4.0": None,
    "no licence stated (LiveBench results)": None,
    "no licence stated (LMArena leaderboard data)": None,
}
SPDX_URL = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
            "Apache-2.0": "https://www.apache.org/licenses/LICENSE-2.0", "MIT": "https://opensource.org/licenses/MIT"}
NO_LICENCE = "No licence found"


class LicenceUnknown(ValueError):
    """A manifest licence text without an entry in chart_data.SPDX."""


def licence(entry) -> dict:
    """The Frictionless licence entry of one manifest file: its SPDX id (name, path, and the manifest's text as
    title), or an explicit no-licence entry (title 'No licence found: ...', path the upstream it was read from,
    no name)."""
    text = entry.license
    if text not in SPDX:
        raise LicenceUnknown(f"{entry.local_path}: licence {text!r} has no entry in analysis.site.chart_data.SPDX "
                             "(add its SPDX id, or None when the file carries no licence)")
    spdx = SPDX[text]
    if spdx is None:
        where = entry.url or (f"https://github.com/{entry.upstream_repo}" if entry.upstream_repo else "")
        out = {"title": f"{NO_LICENCE}: {entry.local_path} (manifest: {text})"}
        return {**out, "path": where} if where else {**out, "path": entry.local_path}
    return {"name": spdx, "path": SPDX_URL[spdx], "title": text}


# The curated files are written by this project (data/curated/, one cited source per row). The project states a
# licence for its code (MIT) only, none for its data: so they too are "no licence found" until it states one.
PROJECT_LICENCE = {"title": f"{NO_LICENCE}: data/curated/ files of this project (the project licenses its code, "
                            "MIT, and states no licence for its curated data)", "path": "data/curated/"}


def _figure_sources(fig: dict, report_sources) -> tuple[list, list[str]]:
    """(manifest entries, curated files) of one chart: the files its source note names (`layout.meta`), else the
    report's sources."""
    from analysis.acquire import manifest

    meta = (fig.get("layout") or {}).get("meta")
    files = meta.get("source_files") if isinstance(meta, dict) else None
    if not files:
        return list(report_sources.upstream), list(report_sources.curated)
    by_path = {e.local_path: e for e in manifest.load()}
    return [by_path[f] for f in files if f in by_path], [f for f in files if f not in by_path]


def datapackage(name: str, title: str, figures: list[tuple[dict, str | None]], sources,
                tables: list[dict]) -> dict:
    """A Frictionless tabular data package describing reports/<name>/chart-<n>.csv: per file its title (the
    chart's), sources (citation, upstream address, snapshot date), licences (`licence`: per upstream file its
    SPDX id or 'No licence found'; PROJECT_LICENCE for the project's curated files) and snapshot date, and its schema.
    The package's licences are its files' licences together: no licence of the package's own over them."""
    resources = []
    for n, ((fig, _), table) in enumerate(zip(figures, tables, strict=True), start=1):
        header, rows = chart_rows(table)
        upstream, curated = _figure_sources(fig, sources)
        chart_title = ((fig.get("layout") or {}).get("title") or {})
        chart_title = chart_title.get("text", "") if isinstance(chart_title, dict) else str(chart_title)
        srcs = [{"title": e.citation, "path": e.url or (f"https://github.com/{e.upstream_repo}" if e.upstream_repo
                                                         else e.local_path),
                 "snapshot_date": e.snapshot_date, "file": e.local_path} for e in upstream]
        srcs += [{"title": f"{f} (curated by this project, one cited source per row)", "file": f} for f in curated]
        licences = {}
        for e in upstream:
            lic = licence(e)
            licences.setdefault(lic.get("name") or lic["title"], lic)
        if curated:
            licences.setdefault(PROJECT_LICENCE["title"], PROJECT_LICENCE)
        meta = (fig.get("layout") or {}).get("meta")
        resources.append({
            "name": f"chart-{n}", "path": f"chart-{n}.csv", "profile": "tabular-data-resource",
            "title": plain(chart_title) or f"Chart {n}", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": plain(meta.get("source_full", "")) if isinstance(meta, dict) else "",
            "sources": srcs, "licenses": list(licences.values()),
            "snapshot_date": max((e.snapshot_date for e in upstream), default=None),
            "schema": {"fields": [{"name": h, "type": field_type([r[k] for r in rows])}
                                  for k, h in enumerate(header)]},
        })
    return {"profile": "tabular-data-package", "name": _slug(name), "title": plain(title),
            "description": "The data of each chart of the report, one CSV per chart, long format: one row per "
                           "point of every series (column trace).",
            "licenses": list({(lic.get("name") or lic["title"]): lic
                              for r in resources for lic in r["licenses"]}.values()),
            "resources": resources}


def write_datapackage(directory: Path, name: str, title: str, figures: list[tuple[dict, str | None]],
                      sources, tables: list[dict]) -> Path:
    """datapackage.json (atomically) in `directory`, describing the chart CSVs `write_chart_csvs` wrote there."""
    target = Path(directory) / "datapackage.json"
    pkg = datapackage(name, title, figures, sources, tables)
    with atomic_path(target) as tmp:
        Path(tmp).write_text(json.dumps(pkg, indent=1, default=str), encoding="utf-8")
    return target
