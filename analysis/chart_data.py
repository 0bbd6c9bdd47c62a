"""The data of a report's charts: every plotly chart of the executed notebook as a CSV a reader can download.

`write_chart_csvs` writes `chart-<n>.csv` (long format: one row per point of every trace) into the report's
build folder, `insert_download_links` puts the link right under its chart, `preview` keeps the first chart's
numeric traces for the index sparkline, `summary` the notebook's first paragraph for the index card.

A report's data files switch as one set with its page. Each build of a report writes its chart CSVs,
datapackage.json and preview.json into a new folder `reports/data/<report>/<build id>/`; the page links that
folder, so writing the page (one rename) switches page and data together. Then `reports/<report>` (the stable
path, a relative symlink) is pointed at the new folder in one more rename, and the report's older build
folders are removed. A run killed at any point leaves the previous page with its own data, or the new page
with its own; `sweep_builds` (under the build lock) removes the folders of killed runs.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

import numpy as np

from analysis import paths
from analysis.atomic import atomic_path
from analysis.chart_frames import CHART_DATA_MIME, LEGEND_ONLY_GROUPS, plain
from analysis.templating import esc

PLOTLY_MIME = "application/vnd.plotly.v1+json"
DOWNLOAD_TEXT = "Download this chart's data (CSV)"
SOURCE_END = "<!-- /chart-source -->"  # analysis.plots.SOURCE_END: where a chart's source note ends


BUILDS = "data"  # reports/data/<report>/<build id>/: the data files of one build of a report
_LINK_TMP = ".tmp-link"
_BUILD_REF = re.compile(r'href="' + BUILDS + r'/([A-Za-z0-9_-]+)/([0-9TZ]+-[0-9a-f]+)/')


def report_dir(name: str) -> Path:
    """reports/<name>: the stable path of the report's current data files (a symlink to its build folder)."""
    return paths.reports_dir() / name


def builds_dir(name: str, reports: Path | None = None) -> Path:
    return (reports or paths.reports_dir()) / BUILDS / name


def new_build_dir(name: str) -> Path:
    """A new, empty build folder for the data files of one build of report `name`."""
    build_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(4)
    d = builds_dir(name) / build_id
    d.mkdir(parents=True)
    return d


def href_base(build: Path) -> str:
    """The page's relative link to a build folder (pages live in reports/)."""
    return build.relative_to(paths.reports_dir()).as_posix()


def switch_current(name: str, build: Path) -> None:
    """Point reports/<name> at `build` in one rename, then remove the report's other build folders (call after
    the page that links `build` is written)."""
    link = report_dir(name)
    tmp = link.parent / f".{name}.{secrets.token_hex(4)}{_LINK_TMP}"
    os.symlink(os.path.relpath(build, link.parent), tmp, target_is_directory=True)
    if link.is_dir() and not link.is_symlink():  # a report folder of the layout before build folders
        shutil.rmtree(link)
    os.replace(tmp, link)
    for old in builds_dir(name).iterdir():
        if old.name != build.name and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def sweep_builds(reports: Path | None = None) -> list[Path]:
    """Remove what killed report runs left: build folders that neither a page links nor reports/<report> points
    to, and half-made symlinks. Call only under the build lock. Returns what it removed."""
    reports = Path(reports or paths.reports_dir())
    gone = [p for p in reports.glob(f".*{_LINK_TMP}") if p.is_symlink()]
    for p in gone:
        p.unlink(missing_ok=True)
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


def _as_column(value, n: int) -> list | None:
    """A per-point column of length n from a trace attribute (arrays as they are; a scalar repeated)."""
    v = decode_array(value)
    if v is None:
        return None
    if isinstance(v, list):
        return v if len(v) == n else None
    return [v] * n


def trace_points(trace: dict) -> int:
    """Number of points a trace draws (length of its longest data array among x, y, z, values, ...)."""
    n = 0
    for key in ("x", "y", "z", "values", "lat", "lon", "r", "theta", "a", "b"):
        v = decode_array(trace.get(key))
        if isinstance(v, list):
            n = max(n, len(v))
    return n


# Legend swatches of the partial-period note (analysis.plots.mark_partial) draw no data: no rows of their own
# (LEGEND_ONLY_GROUPS, from analysis.chart_frames).
_TAG = re.compile(r"<[^>]+>")
_HOVER_PART = re.compile(r"([^=%{}]+?)\s*=\s*%\{(x|y|z|text|hovertext|customdata\[(\d+)\])[^}]*\}")
FALLBACK = {"x": "horizontal axis value", "y": "vertical axis value", "z": "colour value"}


def _axis_title(layout: dict, trace: dict, axis: str) -> str:
    ref = trace.get(f"{axis}axis") or axis
    ax = layout.get(f"{axis}axis{ref[1:]}") or {}
    title = ax.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    return plain(title) if title else ""


def column_names(trace: dict, layout: dict, n_custom: int) -> dict[str, str]:
    """Readable names (with units where the chart gives them) of a trace's x, y, z and customdata columns: from
    the trace's `meta.columns`, else the labels of its hovertemplate ('Label=%{y}'), else its axis titles."""
    names: dict[str, str] = {}
    meta = trace.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("columns"), dict):
        names.update({k: plain(v) for k, v in meta["columns"].items()})
    segs: list[str] = []
    for seg in str(trace.get("hovertemplate") or "").split("<br>"):  # a label may hold a <br> of its own
        if segs and "%{" not in segs[-1] and "=" not in segs[-1]:
            segs[-1] += " " + seg
        else:
            segs.append(seg)
    for seg in segs:
        for m in _HOVER_PART.finditer(seg):
            label = plain(m.group(1))
            key = f"customdata_{m.group(3)}" if m.group(3) is not None else m.group(2)
            if label and key not in names:
                names[key] = label
    for axis in ("x", "y"):
        if axis not in names and (title := _axis_title(layout, trace, axis)):
            names[axis] = title
    for axis in ("x", "y", "z"):
        names.setdefault(axis, FALLBACK[axis])
    for i in range(n_custom):
        names.setdefault(f"customdata_{i}", f"detail {i + 1}")
    return names


def _custom_width(trace: dict) -> int:
    cd = decode_array(trace.get("customdata"))
    if isinstance(cd, list) and cd and isinstance(cd[0], (list, tuple)):
        return max(len(c) for c in cd if isinstance(c, (list, tuple)))
    return 1 if isinstance(cd, list) and cd else 0


def figure_rows(fig: dict) -> tuple[list[str], list[list]]:
    """Long-format rows for every point of every data trace: trace (the series' name), trace_index, trace_type,
    point, then one named column per plotted value (x, y, z and customdata under the names the chart gives them,
    see `column_names`), and the point's note and hover text when any trace has them. Cells carry no HTML."""
    layout = fig.get("layout") or {}
    traces = [(i, t) for i, t in enumerate(fig.get("data", []))
              if t.get("legendgroup") not in LEGEND_ONLY_GROUPS]
    header = ["trace", "trace_index", "trace_type", "point"]
    value_cols: list[str] = []
    per_trace = []
    for i, t in traces:
        n = trace_points(t)
        width = _custom_width(t)
        names = column_names(t, layout, width)
        cols = {k: _as_column(t.get(k), n) for k in ("x", "y", "z", "text", "hovertext")}
        cd = decode_array(t.get("customdata"))
        cd = cd if isinstance(cd, list) and len(cd) == n else None
        keys = [k for k in ("x", "y", "z") if cols[k]] + [f"customdata_{k}" for k in range(width if cd else 0)]
        for k in keys:
            if names[k] not in value_cols:
                value_cols.append(names[k])
        per_trace.append((i, t, n, names, cols, cd, keys))
    has_text = any(c["text"] and any(v not in (None, "") for v in c["text"]) for *_, c, _cd, _k in per_trace)
    has_hover = any(c["hovertext"] and any(v not in (None, "") for v in c["hovertext"]) for *_, c, _cd, _k in per_trace)
    header += value_cols + (["note"] if has_text else []) + (["hover"] if has_hover else [])
    rows = []
    for i, t, n, names, cols, cd, keys in per_trace:
        for j in range(n):
            cells = {}
            for k in keys:
                if k.startswith("customdata_"):
                    c = cd[j]
                    c = c if isinstance(c, (list, tuple)) else [c]
                    idx = int(k.removeprefix("customdata_"))
                    v = c[idx] if idx < len(c) else ""
                else:
                    v = cols[k][j]
                    v = "" if isinstance(v, list) and k == "z" else v
                cells.setdefault(names[k], v)
            row = [plain(t.get("name") or ""), i, t.get("type") or "scatter", j]
            row += [cells.get(c, "") for c in value_cols]
            if has_text:
                row.append(cols["text"][j] if cols["text"] else "")
            if has_hover:
                row.append(cols["hovertext"][j] if cols["hovertext"] else "")
            rows.append([_cell_value(v) for v in row])
    return header, rows


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


def notebook_tables(nb) -> list[dict | None]:
    """The table of every chart (in the order of `notebook_figures`): the frames its figure builder plotted,
    which the kernel put beside the chart's plotly JSON (analysis.chart_frames), or None for a chart without."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if PLOTLY_MIME in data:
                table = data.get(CHART_DATA_MIME)
                table = json.loads(table) if isinstance(table, str) else table
                out.append(table if isinstance(table, dict) and "columns" in table else None)
    return out


def chart_rows(fig: dict, table: dict | None) -> tuple[list[str], list[list]]:
    """(header, rows) of a chart's CSV: its builder's frames (`table`), else, for a figure built without them
    (one made in a notebook by hand), the points of its plotly JSON (`figure_rows`)."""
    if table is None:
        return figure_rows(fig)
    return list(table["columns"]), [[_cell_value(v) for v in r] for r in table["rows"]]


def write_chart_csvs(directory: Path, figures: list[tuple[dict, str | None]],
                     tables: list[dict | None] | None = None) -> list[Path]:
    """chart-<n>.csv of every chart into `directory` (a report's new build folder), each written atomically."""
    written = []
    tables = tables or [None] * len(figures)
    for n, ((fig, _), table) in enumerate(zip(figures, tables, strict=True), start=1):
        header, rows = chart_rows(fig, table)
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
        # below the figure's fixed-height wrapper and its source note (analysis.plots.source_html), not inside
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
        raise LicenceUnknown(f"{entry.local_path}: licence {text!r} has no entry in analysis.chart_data.SPDX "
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
    from analysis import manifest

    meta = (fig.get("layout") or {}).get("meta")
    files = meta.get("source_files") if isinstance(meta, dict) else None
    if not files:
        return list(report_sources.upstream), list(report_sources.curated)
    by_path = {e.local_path: e for e in manifest.load()}
    return [by_path[f] for f in files if f in by_path], [f for f in files if f not in by_path]


def datapackage(name: str, title: str, figures: list[tuple[dict, str | None]], sources,
                tables: list[dict | None] | None = None) -> dict:
    """A Frictionless tabular data package describing reports/<name>/chart-<n>.csv: per file its title (the
    chart's), sources (citation, upstream address, snapshot date), licences (`licence`: per upstream file its
    SPDX id or 'No licence found'; PROJECT_LICENCE for the project's curated files) and snapshot date, and its schema.
    The package's licences are its files' licences together: no licence of the package's own over them."""
    resources = []
    tables = tables or [None] * len(figures)
    for n, ((fig, _), table) in enumerate(zip(figures, tables, strict=True), start=1):
        header, rows = chart_rows(fig, table)
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
                      sources, tables: list[dict | None] | None = None) -> Path:
    """datapackage.json (atomically) in `directory`, describing the chart CSVs `write_chart_csvs` wrote there."""
    target = Path(directory) / "datapackage.json"
    pkg = datapackage(name, title, figures, sources, tables)
    with atomic_path(target) as tmp:
        Path(tmp).write_text(json.dumps(pkg, indent=1, default=str), encoding="utf-8")
    return target
