"""The data of a report's charts: every plotly chart of the executed notebook as a CSV a reader can download.

`write_chart_csvs` writes `reports/<report>/chart-<n>.csv` (long format: one row per point of every trace),
`insert_download_links` puts the link right under its chart, `preview` keeps the first chart's numeric traces
for the index sparkline, `summary` the notebook's first paragraph for the index card.
"""

from __future__ import annotations

import base64
import csv
import json
import re
from pathlib import Path

import numpy as np

from analysis import paths
from analysis.atomic import atomic_path, remove_stale_temps
from analysis.templating import esc

PLOTLY_MIME = "application/vnd.plotly.v1+json"
DOWNLOAD_TEXT = "Download this chart's data (CSV)"


def report_dir(name: str) -> Path:
    return paths.reports_dir() / name


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


def figure_rows(fig: dict) -> tuple[list[str], list[list]]:
    """Long-format rows for every point of every trace: trace, name, type, point, x, y[, z], text, hover, customdata."""
    traces = fig.get("data", [])
    extra_custom = 0
    for t in traces:
        cd = decode_array(t.get("customdata"))
        if isinstance(cd, list) and cd and isinstance(cd[0], list):
            extra_custom = max(extra_custom, len(cd[0]))
        elif isinstance(cd, list) and cd:
            extra_custom = max(extra_custom, 1)
    has_z = any(t.get("z") is not None for t in traces)
    header = ["trace", "trace_name", "trace_type", "point", "x", "y"] + (["z"] if has_z else [])
    header += ["text", "hovertext"] + [f"customdata_{i}" for i in range(extra_custom)]
    rows = []
    for i, t in enumerate(traces):
        n = trace_points(t)
        cols = {k: _as_column(t.get(k), n) for k in ("x", "y", "z", "text", "hovertext")}
        cd = decode_array(t.get("customdata"))
        cd = cd if isinstance(cd, list) and len(cd) == n else None
        for j in range(n):
            row = [i, t.get("name") or "", t.get("type") or "scatter", j]
            row += [cols["x"][j] if cols["x"] else "", cols["y"][j] if cols["y"] else ""]
            if has_z:
                row.append(cols["z"][j] if cols["z"] and not isinstance(cols["z"][j], list) else "")
            row += [cols["text"][j] if cols["text"] else "", cols["hovertext"][j] if cols["hovertext"] else ""]
            if extra_custom:
                c = cd[j] if cd else None
                c = c if isinstance(c, list) else ([c] if c is not None else [])
                row += [c[k] if k < len(c) else "" for k in range(extra_custom)]
            rows.append([_cell_value(v) for v in row])
    return header, rows


def _cell_value(v):
    """A CSV cell: lists joined with '; ', None empty, everything else as is."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(str(_cell_value(x)) for x in v)
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


def write_chart_csvs(name: str, figures: list[tuple[dict, str | None]]) -> list[Path]:
    """reports/<name>/chart-<n>.csv, each written atomically; the CSVs of charts the report no longer has and
    the temporary files of a killed run (.chart-*.tmp.csv; the build holds the lock) are removed."""
    d = report_dir(name)
    d.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(d)
    keep = {f"chart-{n}.csv" for n in range(1, len(figures) + 1)}
    for old in d.glob("chart-*.csv"):
        if old.name not in keep:
            old.unlink()
    written = []
    for n, (fig, _) in enumerate(figures, start=1):
        header, rows = figure_rows(fig)
        target = d / f"chart-{n}.csv"
        with atomic_path(target) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        written.append(target)
    return written


def insert_download_links(body: str, name: str, figures: list[tuple[dict, str | None]]) -> str:
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
        title = ((fig.get("layout") or {}).get("title") or {})
        title = title.get("text", "") if isinstance(title, dict) else str(title)
        label = re.sub(r"<[^>]+>", " ", title).strip()
        inserts.append((end, f'\n<p class="chart-download" data-chart="{n}"><a href="{esc(name)}/chart-{n}.csv" '
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
