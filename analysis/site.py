"""The reader's side of the report build: front page, navigation, provenance, chart data downloads.

`report.py` executes the notebooks; this module shapes what a reader gets:

- `finish_report(spec, html_path, executed_path)` runs after each successful notebook export: it writes
  the data of every plotly chart of the executed notebook to `reports/<report>/chart-<n>.csv` and links
  it right under its chart, adds a navigation bar (index and sibling reports) at the top and a provenance
  block (sources, snapshot dates, licences, required attribution, how to cite) at the end, and keeps a
  small preview (`reports/<report>/preview.json`) for the index card.
- `render_index(index)` writes the front page: key findings measured at build time from the clean tables,
  one card per report (summary, sparkline preview, parameters, snapshot dates, status).

Everything data-derived is HTML-escaped; only http(s) URLs become links; nothing loads from the network.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import json
import re
from pathlib import Path

import numpy as np

from analysis import manifest, paths
from analysis.atomic import write_text

PLOTLY_MIME = "application/vnd.plotly.v1+json"
DOWNLOAD_TEXT = "Download this chart's data (CSV)"
PROJECT = "thousand-models"
PROJECT_CITATION = (
    "thousand-models contributors, \u201cthousand-models: data on the US\u2013China AI race\u201d, "
    "version {version}, report \u201c{title}\u201d built {built}. Code MIT licence; the data keep their "
    "upstream licences listed above."
)
CC_BY = "https://creativecommons.org/licenses/by/4.0/"

# Curated project files (data/curated/) that feed the clean tables each manifest dataset is read through.
RAW_FILES = {
    "epoch_models": ["organizations.csv"],
    "epoch_eci": ["organizations.csv", "model_crosswalk_capability.csv"],
    "artificial_analysis": ["organizations.csv", "model_crosswalk_capability.csv"],
    "lmarena": ["organizations.csv", "model_crosswalk_capability.csv"],
    "livebench": ["organizations.csv", "model_crosswalk_capability.csv"],
    "policy": ["policy_events.csv", "genai_filings.csv"],
    "llm_prices": ["organizations.csv", "price_providers.csv", "model_crosswalk.csv", "fx_usd_cny.csv"],
    "llm_prices_cn": ["organizations.csv", "price_providers.csv", "model_crosswalk.csv", "fx_usd_cny.csv"],
    "llm_price_cn_tables": ["organizations.csv", "price_providers.csv", "model_crosswalk.csv", "fx_usd_cny.csv"],
    "litellm": ["organizations.csv", "price_providers.csv", "model_crosswalk.csv", "fx_usd_cny.csv"],
    "adoption": ["organizations.csv"],
    "epoch_price_trends": ["epoch_price_excluded_models.csv", "published_figures.csv"],
}

CSS = """
nav.site-nav{font-family:Inter,Helvetica,Arial,sans-serif;font-size:14px;padding:0.6em 1em;border-bottom:1px solid #ddd;
  display:flex;flex-wrap:wrap;gap:0.3em 1em;background:#fafafa}
nav.site-nav a{color:#1f5fa8;text-decoration:none}nav.site-nav a[aria-current]{font-weight:bold;color:#222}
p.chart-download{font-family:Inter,Helvetica,Arial,sans-serif;font-size:13px;margin:0.2em 0 1.2em 0}
section.provenance{font-family:Inter,Helvetica,Arial,sans-serif;font-size:14px;max-width:1100px;margin:2em auto;
  padding:0.5em 1.5em 1em 1.5em;border-top:2px solid #ddd}
section.provenance table{border-collapse:collapse;width:100%;font-size:13px}
section.provenance td,section.provenance th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
section.provenance code,section.provenance a{word-break:break-all}
"""


# In a narrow window, legends wrap onto more rows: give them room above the plot and smaller type.
NARROW_JS = """<script>
(function () {
  function fit() {
    if (window.innerWidth >= 700 || typeof Plotly === "undefined") return;
    document.querySelectorAll(".plotly-graph-div").forEach(function (gd) {
      if (!gd.layout || gd.dataset.narrow) return;
      gd.dataset.narrow = "1";
      var r = (gd.layout.margin && gd.layout.margin.r > 200) ? {"legend.orientation": "h", "legend.x": 0,
        "legend.y": -0.3, "legend.yanchor": "top", "margin.r": 20} : {};
      r["margin.t"] = 160; r["title.font.size"] = 13; r["legend.font.size"] = 10;
      r["margin.l"] = 45;
      Plotly.relayout(gd, r);
    });
  }
  window.addEventListener("load", fit);
  window.addEventListener("resize", fit);
})();
</script>
"""
CSS += """
.jp-OutputArea-output{max-width:100%;overflow-x:auto}
.plotly-graph-div{max-width:100%}
"""


# --- small helpers ---------------------------------------------------------------------------------

def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None (no javascript:, data:, file: links)."""
    if url and re.match(r"^https?://[^\s\"'<>]+$", url.strip()):
        return url.strip()
    return None


def link(url: str | None, text: str) -> str:
    u = safe_url(url)
    return f'<a href="{esc(u)}">{esc(text)}</a>' if u else esc(text)


_URL = re.compile(r"https?://[^\s\"'<>;,)]+")


def linkify(text: str) -> str:
    """Escape `text` and turn the http(s) URLs in it into links."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".")
        out.append(esc(text[pos:m.start()]))
        out.append(link(url, url))
        pos = m.start() + len(url)
    out.append(esc(text[pos:]))
    return "".join(out)


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
    d = report_dir(name)
    d.mkdir(parents=True, exist_ok=True)
    for old in d.glob("chart-*.csv"):
        old.unlink()
    written = []
    for n, (fig, _) in enumerate(figures, start=1):
        header, rows = figure_rows(fig)
        target = d / f"chart-{n}.csv"
        with open(target, "w", newline="", encoding="utf-8") as f:
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


_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|rgba?\([0-9., ]+\)|[a-z]+)$")


def sparkline_svg(prev: dict | None, width: int = 240, height: int = 56) -> str:
    if not prev:
        return ""
    lines = []
    for s in prev["series"]:
        y = s["y"]
        lo, hi = min(y), max(y)
        span = (hi - lo) or 1.0
        pts = " ".join(f"{width * i / (len(y) - 1):.1f},{height - 4 - (height - 8) * (v - lo) / span:.1f}"
                       for i, v in enumerate(y))
        color = s.get("color") if s.get("color") and _COLOR.match(s["color"]) else "#555"
        lines.append(f'<polyline fill="none" stroke="{esc(color)}" stroke-width="1.5" points="{pts}">'
                     f"<title>{esc(s['name'])}</title></polyline>")
    return (f'<svg class="spark" role="img" aria-label="{esc("Preview: " + prev.get("title", ""))}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(lines)}</svg>')


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


# --- provenance ------------------------------------------------------------------------------------

def _licence_note(licence: str) -> str:
    low = licence.lower()
    if "cc by" in low or "cc-by" in low:
        return (f'CC BY 4.0: credit given here as the licence asks; '
                f'<a href="{CC_BY}">licence</a>; this project cleaned, filtered and aggregated the data.')
    if "mit" in low:
        return "MIT: copyright and permission notice of the upstream repository apply."
    if "no licence" in low or "none seen" in low:
        return ("No licence stated upstream: used for analysis and commentary, with credit; the upstream files are "
                "not redistributed.")
    if "attribution" in low:
        return "Attribution requested by the source: given here."
    return ""


_COMMIT = re.compile(r" at [0-9a-f]{7,40}\b")


def raw_files_for(datasets: list[str]) -> list[str]:
    seen = []
    for d in datasets:
        for f in RAW_FILES.get(d, []):
            if f not in seen:
                seen.append(f)
    return seen


def _raw_row_count(name: str) -> int | None:
    p = paths.raw_dir() / name
    if not p.exists():
        return None
    with open(p, newline="", encoding="utf-8") as f:
        return max(sum(1 for _ in csv.reader(f)) - 1, 0)


def sources(datasets: list[str]) -> list[manifest.Entry]:
    return [e for e in manifest.load() if e.dataset in datasets]


def provenance_html(spec, built: str | None = None) -> str:
    entries = sources(spec.datasets)
    rows = []
    for e in sorted(entries, key=lambda e: (e.dataset, e.local_path)):
        name = e.citation.split(";")[0]
        up = e.url or (f"https://github.com/{e.upstream_repo}" if e.upstream_repo else "")
        label = (f"{e.upstream_repo} @ {e.commit[:7]}: {e.upstream_path}" if e.upstream_repo and e.commit
                 else up)
        where = link(up, label) if up else esc("derived file, from a mirror only: " + e.derived_from)
        rows.append(f"<tr><td>{linkify(name)}<br><code>{esc(e.local_path)}</code></td><td>{where}</td>"
                    f"<td>{esc(e.snapshot_date)}</td><td>{esc(e.license)}</td></tr>")
    raws = []
    for f in raw_files_for(spec.datasets):
        n = _raw_row_count(f)
        if n is None:
            continue
        raws.append(f"<li><code>data/curated/{esc(f)}</code> ({n} rows, each citing its own source): curated by this "
                    f"project, MIT licence</li>")
    credits = {}  # one credit per work: the same citation at other commits/dates is the same credit
    for e in entries:
        key = (_COMMIT.sub("", e.citation), e.license)
        credits.setdefault(key, e)
    credit_items = "".join(
        f"<li>{linkify(cit)} \u2014 {esc(lic)}. {_licence_note(lic)}</li>" for cit, lic in credits)
    version = _version()
    cite = PROJECT_CITATION.format(version=version, title=spec.title, built=built or _today())
    return f"""
<section class="provenance" id="provenance" data-report="{esc(spec.name)}">
<h2>Where the numbers come from</h2>
<p>Every chart and number of this report is computed from these pinned snapshots (sha256 in
<code>data/manifest.csv</code>; each clean row keeps its upstream file and record number) and from the
project's curated files. Snapshot date = the date the data runs to.</p>
<table><thead><tr><th>source</th><th>upstream (pinned)</th><th>snapshot date</th><th>licence</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
{('<p>Curated project data:</p><ul>' + ''.join(raws) + '</ul>') if raws else ''}
<h3>Attribution</h3>
<ul class="attribution">{credit_items}</ul>
<h3>How to cite</h3>
<p class="cite">{esc(cite)}</p>
</section>
"""


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("thousand-models")
    except Exception:  # noqa: BLE001 - an uninstalled checkout still builds
        return "dev"


def _today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")


# --- navigation ------------------------------------------------------------------------------------

def nav_html(current: str | None = None) -> str:
    from analysis import report

    items = ['<a href="index.html">All reports</a>']
    for s in report.load_specs():
        cur = ' aria-current="page"' if s.name == current else ""
        items.append(f'<a href="{esc(s.name)}.html"{cur} title="{esc(s.title)}">{esc(_short(s.title))}</a>')
    return f'<nav class="site-nav" aria-label="reports">{"".join(items)}</nav>'


def _short(title: str) -> str:
    return title if len(title) <= 48 else title[:46].rstrip() + "\u2026"


# --- the hook --------------------------------------------------------------------------------------

def finish_report(spec, html_path: Path, executed_path: Path) -> dict:
    """Post-process one exported report: chart CSVs + links, nav bar, provenance block, index preview."""
    import nbformat

    nb = nbformat.read(executed_path, as_version=4)
    figures = notebook_figures(nb)
    write_chart_csvs(spec.name, figures)
    body = Path(html_path).read_text(encoding="utf-8")
    body = insert_download_links(body, spec.name, figures)
    body = body.replace("</head>", f"<style>{CSS}</style>\n</head>", 1)
    body = body.replace("</body>", NARROW_JS + "</body>", 1) if "</body>" in body else body + NARROW_JS
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + nav_html(spec.name), body, count=1)
    idx = body.rfind("</body>")
    block = provenance_html(spec)
    body = body[:idx] + block + body[idx:] if idx >= 0 else body + block
    write_text(Path(html_path), body)
    meta = dict(charts=len(figures), summary=summary(nb), preview=preview(figures),
                points=[[trace_points(t) for t in f.get("data", [])] for f, _ in figures])
    write_text(report_dir(spec.name) / "preview.json", json.dumps(meta, default=str))
    return meta


# --- the front page --------------------------------------------------------------------------------

def _load_meta(name: str) -> dict:
    p = report_dir(name) / "preview.json"
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def variants_html(index: dict) -> str:
    """The index's section of user variants (`report NAME -p ... --output-name VARIANT`); empty if none."""
    e = esc
    variants = index.get("variants") or {}
    if not variants:
        return ""
    items = []
    for v in sorted(variants.values(), key=lambda v: v["name"]):
        params = ", ".join(f"{e(k)} = {e(json.dumps(x, ensure_ascii=False))}" for k, x in v["parameters"].items())
        head = (f'<a href="{e(v["name"])}.html">{e(v["name"])}</a>' if v["status"] == "ok"
                else f'{e(v["name"])} <span class="failed">FAILED: {e(v.get("error", ""))}</span>')
        items.append(f'<li data-variant="{e(v["name"])}">{head}: variant of {e(v["base"])} '
                     f'(<code>notebooks/{e(v["notebook"])}</code>); parameters: {params or "defaults"}</li>')
    return (f'<section class="card variants" data-section="variants"><h2>Your variants</h2>'
            f'<p class="meta">Built with <code>python -m analysis report NAME -p ... --output-name VARIANT</code>, '
            f'beside the default reports.</p><ul>{"".join(items)}</ul></section>\n')


def render_index(index: dict) -> str:
    e = esc
    titles = {r["name"]: r["title"] for r in index["reports"].values()}
    cards = []
    for r in sorted(index["reports"].values(), key=lambda r: r["name"]):
        params = ", ".join(f"{e(k)} = {e(json.dumps(v, ensure_ascii=False))}" for k, v in r["parameters"].items())
        snaps = "".join(f"<li><code>{e(p)}</code>: data to {e(d)}</li>" for p, d in sorted(r["snapshots"].items()))
        newest = max(r["snapshots"].values()) if r["snapshots"] else ""
        meta = _load_meta(r["name"]) if r["status"] == "ok" or r.get("stale_html") else {}
        if r["status"] == "ok":
            status = f'<span class="ok">built {e(r["built_at"])}</span>'
            head = f'<a href="{e(r["name"])}.html">{e(r["title"])}</a>'
        else:
            status = (f'<span class="failed">FAILED at {e(r["attempted_at"])}: {e(r["error"])}</span>'
                      + (" \u2014 the HTML below is from an earlier build and is STALE" if r.get("stale_html") else ""))
            head = (f'<a href="{e(r["name"])}.html">{e(r["title"])} (stale)</a>' if r.get("stale_html")
                    else e(r["title"]))
        charts = (f' \u00b7 {int(meta["charts"])} charts, each with its data as CSV' if meta.get("charts") else "")
        cards.append(f"""<section class="card" data-report="{e(r['name'])}" data-status="{e(r['status'])}">
<div class="card-head"><h2>{head}</h2>{sparkline_svg(meta.get('preview'))}</div>
<p class="summary">{e(meta.get('summary', ''))}</p>
<p>{status}{charts}</p>
<p class="meta">Notebook <code>notebooks/{e(r['notebook'])}</code>; parameters: {params or 'defaults'}; data up to
{e(newest) or 'n/a'}</p>
<details><summary>Data snapshots</summary><ul>{snaps}</ul></details></section>""")
    findings = index.get("findings") or []
    items = []
    for f in findings:
        rep = f.get("report")
        where = (f' <a href="{e(rep)}.html">{e(titles.get(rep, rep))}</a>' if rep in titles else "")
        items.append(f'<li data-report="{e(rep or "")}"><strong>{e(f["value"])}</strong> {e(f["text"])} '
                     f'<span class="date">({e(f["date"])})</span>{where}</li>')
    for t in index.get("headlines") or []:
        items.append(f"<li>{e(t)}</li>")
    findings_html = (f'<section class="card findings" data-section="headlines"><h2>Key findings</h2>'
                     f'<p class="meta">Measured at build time from the clean tables; each line names its date '
                     f'and the report it comes from.</p><ul>{"".join(items)}</ul></section>' if items else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>thousand-models reports</title>
<style>body{{font-family:Inter,Helvetica,Arial,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}}
.card{{border:1px solid #ddd;border-radius:6px;padding:0.5em 1em;margin:1em 0}}.ok{{color:#1a7f37}}
.failed{{color:#b42318;font-weight:bold}}code{{background:#f4f4f4;padding:0 3px}}
.card-head{{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:0.5em}}
.card-head h2{{font-size:1.15em;margin:0.3em 0;flex:1 1 300px}}.spark{{flex:0 0 auto;max-width:100%}}
.findings li{{margin:0.3em 0}}.date,.meta{{color:#555;font-size:0.92em}}</style></head>
<body><h1>thousand-models: reports</h1>
<p>Data on the US\u2013China AI race, cleaned from pinned upstream snapshots. Index built {e(index['built_at'])}.
Every report ends with its sources, licences and how to cite it; every chart's data can be downloaded as CSV.
Works offline.</p>
{findings_html}
{''.join(cards)}
{variants_html(index)}</body></html>
"""


# --- findings from the clean tables ------------------------------------------------------------------

def findings() -> list[dict]:
    """Key numbers for the index: {value, text, date, report}, each computed from the clean tables."""
    out = []
    for fn in (_finding_releases, _finding_open_share, _finding_adoption, _finding_openrouter, _finding_cheapest):
        try:
            out.extend(fn())
        except FileNotFoundError:
            continue
    return out


def _finding_releases() -> list[dict]:
    from analysis import tables
    from analysis.metrics import pace

    models = tables.load("models")
    sel = pace.select_models(models)
    last = sel["release_date"].max()
    year = last.year - 1 if (last.month, last.day) != (12, 31) else last.year
    counts = pace.releases_per_period(sel.filter(pl_year(sel) == year), "year")
    by = {r["country_bucket"]: r["releases"] for r in counts.iter_rows(named=True)}
    us, cn = by.get("United States", 0), by.get("China", 0)
    return [dict(value=f"{us} vs {cn}", report="release_pace", date=f"{year}, data to {last}",
                 text=f"notable model releases by US vs Chinese organizations in {year}, the last full year "
                      f"(Epoch AI notable models; US\u2013China joint and other countries not counted).")]


def pl_year(_df=None):
    import polars as pl

    return pl.col("release_date").dt.year()


def _finding_open_share() -> list[dict]:
    from analysis import tables
    from analysis.metrics import pace

    sel = pace.select_models(tables.load("models"))
    last = sel["release_date"].max()
    year = last.year - 1
    share = pace.open_weights_share(sel.filter(pl_year(sel) == year), "year")
    out = []
    cols = share.columns
    val = "share"
    if val not in cols:
        return out
    by = {r["country_bucket"]: r[val] for r in share.iter_rows(named=True)}
    if "United States" in by and "China" in by and by["United States"] is not None and by["China"] is not None:
        out.append(dict(value=f"{by['China']:.0%} vs {by['United States']:.0%}", report="release_pace",
                        date=f"{year}, data to {last}",
                        text=f"share of notable models released with open weights, Chinese vs US organizations, "
                             f"{year} (of models whose access is known)."))
    return out


ADJ = {"United States": "US", "China": "Chinese"}


def _finding_adoption() -> list[dict]:
    from analysis import tables
    from analysis.metrics import adoption as adopt

    hub = adopt.select(tables.load("adoption"))
    last = hub["week_date"].max()
    year = last.year - 1
    t = adopt.period_totals(hub, f"{year}-01-01", f"{year}-12-31")
    share = {r["country_bucket"]: r["downloads_share"] for r in t.iter_rows(named=True)}
    if "China" not in share:
        return []
    return [dict(value=f"{share['China']:.0%}", report="adoption", date=f"{year}, data to {last}",
                 text=f"of the Hugging Face downloads of the tracked labs' repositories went to labs based in China "
                      f"in {year} (US labs: {share.get('United States', 0):.0%}); a panel of labs, downloads as "
                      f"counted upstream, not installs.")]


def _finding_openrouter() -> list[dict]:
    from analysis import tables
    from analysis.metrics import openrouter as orm

    fl = orm.first_last_complete(tables.load("openrouter_weekly"))
    f, last = fl.row(0, named=True), fl.row(1, named=True)
    return [dict(value=f"{f['china']:.0%} \u2192 {last['china']:.0%}", report="adoption",
                 date=f"weeks of {f['week_start']} and {last['week_start']}",
                 text=f"of OpenRouter tokens went to models by Chinese authors, first vs last complete week (US: "
                      f"{f['united_states']:.0%} \u2192 {last['united_states']:.0%}); lower bounds: the unassigned "
                      f"remainder was {f['remainder']:.0%} and {last['remainder']:.0%}. One router's tokens, not "
                      f"users or revenue.")]


def _finding_cheapest() -> list[dict]:
    """The price_war report's cheapest-at-capability trend with its defaults (ECI >= 130, USD, 3:1, fit from
    2024-01-01): Epoch's method, each factor with its 90% interval and point count; none on < 4 points."""
    import polars as pl

    from analysis import tables
    from analysis.metrics import prices as pm

    prices = tables.load("prices")
    capability = tables.load("capability")
    threshold = 130.0  # the price_war report's default ECI threshold
    countries = ["United States", "China"]
    sel = prices.filter(pl.col("country_bucket").is_in(countries))
    end = prices["snapshot"].max()
    points = pm.price_points(pm.effective_periods(sel, capability, False), capability, "USD", 3.0)
    _, fits = pm.cheapest_at_capability(points, threshold, dt.date(2024, 1, 1), end)
    out = []
    for c in countries:
        fit = fits.get(c)
        if fit is None or fit.get("factor_per_year") is None:
            continue
        out.append(dict(
            value=f"\u00f7{fit['factor_per_year']:.1f} per year", report="price_war",
            date=f"dated prices {fit['start']} to {fit['end']}, data to {end}",
            text=f"yearly fall of the cheapest blended (3:1) USD list price among {ADJ[c]} models scoring at least "
                 f"ECI {threshold:g} (Epoch AI's method; 90% interval \u00f7{fit['factor_low']:.1f} to "
                 f"\u00f7{fit['factor_high']:.1f}, {fit['n']} dated price points; {fit['first_seen']} first-seen "
                 f"prices not fitted)."))
    return out
