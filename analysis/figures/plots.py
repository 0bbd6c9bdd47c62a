"""One look for every chart: the project's plotly template, country colours, source notes.

`setup()` is called at the top of every notebook. It registers the template and makes a displayed figure show
as `mimebundle` builds it: plotly's JSON (`application/vnd.plotly.v1+json`), which JupyterLab draws
interactively, and a `text/html` output with plotly.js embedded, which nbconvert keeps, so the HTML report draws
its charts offline. In a report build ($ANALYSIS_PLOTLYJS_SRC set) that output loads the site's shared plotly.js
instead.
"""

from __future__ import annotations

import html
import json
import os
import pkgutil
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer, PlotlyRenderer

from analysis.acquire import manifest
from analysis.core import vocab
from analysis.figures import chart_frames

COUNTRY_COLORS = {
    vocab.US: "#1f5fa8",
    vocab.CHINA: "#d7301f",
    vocab.JOINT: "#8856a7",
    vocab.OTHER: "#8c8c8c",
}
COUNTRY_ORDER = list(COUNTRY_COLORS)
TEMPLATE = "thousand_models"


class OfflineHTMLRenderer(MimetypeRenderer):
    """text/html output with plotly.js embedded in the first figure only and no CDN script (no MathJax).

    Plotly's own `notebook` renderer loads MathJax from a CDN; reports must open offline. JupyterLab shows
    the `application/vnd.plotly.v1+json` output of the mimetype renderer; nbconvert keeps this HTML one.
    """

    # plotly copies the renderer for every figure, so the flag lives on the class; setup() resets it
    plotlyjs_included = False

    def to_mimebundle(self, fig_dict):
        include = not OfflineHTMLRenderer.plotlyjs_included
        OfflineHTMLRenderer.plotlyjs_included = True
        if include and os.environ.get("ANALYSIS_PLOTLYJS_SRC"):
            # a report build: load the site's one shared copy (reports/assets/, see analysis.site.shared_assets)
            include = os.environ["ANALYSIS_PLOTLYJS_SRC"]
        # validate=False: plotly validated the figure once already to make fig_dict (a second validation rebuilt
        # the whole figure from it: 10 ms or more per chart, for the same values)
        html = pio.to_html(fig_dict, include_plotlyjs=include, include_mathjax=False, full_html=False,
                           default_width="100%", default_height=525, config=CONFIG, validate=False)
        return {"text/html": html + source_html(fig_dict)}


# Figures in the HTML export resize with the window; the mode bar stays out of the way.
CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def country_color(bucket: str) -> str:
    """The colour of a country bucket in every chart (grey for anything else)."""
    return COUNTRY_COLORS.get(bucket, COUNTRY_COLORS[vocab.OTHER])


def spans_orders_of_magnitude(values, orders: float = 2.0) -> bool:
    """True when the positive values range over at least `orders` powers of ten (a log axis helps)."""
    import math

    pos = [float(v) for v in values if v is not None and isinstance(v, (int, float)) and v > 0 and math.isfinite(v)]
    return len(pos) >= 2 and math.log10(max(pos) / min(pos)) >= orders


def add_log_toggle(fig: go.Figure, axis: str = "y", log_first: bool | None = None) -> go.Figure:
    """Two buttons above the chart switching `axis` ('y', 'x', 'y2', ...) between linear and log scale.

    `log_first`: which scale the chart opens in (default: the axis's current type).
    """
    name = f"{axis[0]}axis{axis[1:]}"
    current = getattr(fig.layout, name).type if getattr(fig.layout, name, None) is not None else None
    log = (current == "log") if log_first is None else log_first
    # log: one tick per power of ten, written 10^n; linear: plotly's own ticks
    fig.update_layout(**{name: dict(type="log" if log else "linear", dtick=1 if log else None,
                                    exponentformat="power")})
    fig.update_layout(updatemenus=[*fig.layout.updatemenus, dict(
        type="buttons", direction="right", x=0.97, xanchor="right", y=1.0, yanchor="bottom", pad=dict(t=0, b=4),
        showactive=True, active=1 if log else 0, font=dict(size=11), bgcolor="#f4f4f4", bordercolor="#ccc",
        buttons=[dict(label="Linear", method="relayout", args=[{f"{name}.type": "linear", f"{name}.dtick": None}]),
                 dict(label="Log", method="relayout", args=[{f"{name}.type": "log", f"{name}.dtick": 1}])],
    )])
    return fig


def _layout() -> dict:
    """The site's own layout, as plotly JSON (the template's layout over plotly_white's)."""
    return go.Layout(
        font=dict(family="Inter, 'Helvetica Neue', Arial, sans-serif", size=13, color="#222"),
        title=dict(x=0.0, xanchor="left", font=dict(size=17)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(COUNTRY_COLORS.values()) + ["#e6ab02", "#1b9e77", "#666666"],
        xaxis=dict(showgrid=False, linecolor="#444", ticks="outside", automargin=True),
        yaxis=dict(gridcolor="#e5e5e5", zeroline=False, automargin=True, separatethousands=True,
                   hoverformat=",.4~g"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, title_text="",
                    entrywidthmode="pixels", entrywidth=0, itemsizing="constant", font=dict(size=12)),
        hoverlabel=dict(namelength=-1, font=dict(family="Inter, 'Helvetica Neue', Arial, sans-serif", size=12),
                        align="left"),
        hovermode="closest",
        margin=dict(l=60, r=20, t=80, b=90),
        autosize=True,
    ).to_plotly_json()


# The trace types the project draws (box has no entry in plotly_white; px draws scattergl for large scatters).
# The site's template keeps plotly_white's styling of these only: plotly_white styles 24 types, and building a
# template with all of them imports a module per type (a quarter of a second in every kernel) and puts them in
# the JSON of every chart (3.6 kB each). tests/test_reports.py checks that every chart of the site is of these types.
DRAWN_TRACE_TYPES = ("bar", "box", "scatter", "scattergl")


@cache
def _base_template() -> dict:
    """plotly_white as plotly ships it (its package JSON), trace styling only for DRAWN_TRACE_TYPES."""
    d = json.loads(pkgutil.get_data("plotly", "package_data/templates/plotly_white.json").decode("utf-8"))
    d["data"] = {k: v for k, v in d["data"].items() if k in DRAWN_TRACE_TYPES}
    return d


def template() -> dict:
    """The site's template as plotly JSON: plotly_white (`_base_template`) with the site's layout over it, key by
    key, as plotly's `pio.templates.merge_templates` merges a template without traces into another."""
    base = _base_template()
    return {"data": base["data"], "layout": _merged(base.get("layout", {}), _layout())}


def _merged(under: dict, over: dict) -> dict:
    out = dict(under)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def setup() -> None:
    """Register the template and show displayed figures with `mimebundle` (call once at the top of a notebook)."""
    # registered already merged with plotly_white: a "plotly_white+name" default is merged again (and its two
    # templates validated again) for every figure, about 0.05 s each. Merged as JSON and validated once, as the
    # registry takes it: plotly's merge_templates validates each template, then copies and validates both again
    # (tests/test_reports.py checks the result is the same template)
    pio.templates[TEMPLATE] = template()
    pio.templates.default = TEMPLATE
    OfflineHTMLRenderer.plotlyjs_included = False
    chart_frames.register_formatter(mimebundle)  # a displayed figure carries the frames it plots (its CSV)


def mimebundle(fig: go.Figure) -> dict:
    """A figure's display data: plotly's JSON (plotly's `plotly_mimetype` renderer, `PlotlyRenderer`) and the
    report's HTML (`OfflineHTMLRenderer`), made as plotly's renderer registry makes them for the renderer string
    "plotly_mimetype+<ours>" (one figure dict, each renderer's output in turn), by the same public renderer
    classes. The registry itself (`plotly.io.renderers`) is not used: its module imports nbformat, and with it
    jsonschema and its format checkers, into every report kernel (a seventh of a second of each) to check the
    version of a renderer the site does not use."""
    fig_dict = fig.to_dict()
    bundle: dict = {}
    for renderer in (PlotlyRenderer(), OfflineHTMLRenderer()):
        bundle.update(renderer.to_mimebundle(fig_dict))
    return bundle


def source_text(local_paths: list[str], extra: str = "") -> str:
    """'Source: <citation> (data to <date>, <licence>); ...' from the manifest."""
    entries = manifest.load()
    parts = []
    for p in local_paths:
        e = manifest.entry(p, entries)
        name = e.citation.split(";")[0].split(", https://")[0]
        parts.append(f"{name} ({p.rsplit('/', 1)[-1]}, data to {e.snapshot_date}, {e.license})")
    if not parts:  # a chart of project-curated data only
        return f"Source: {extra}" if extra else ""
    text = "Source: " + "; ".join(parts)
    return text + (f". {extra}" if extra else "")


def source_short(local_paths: list[str], curated: bool = False, dated: list[str] | None = None) -> str:
    """'Source: Epoch AI; Vorp Labs (data to 2026-07-15)': the works once each and the newest snapshot date of
    the files in `dated` (default: all; the chart's own data rather than the events laid over it)."""
    entries = manifest.load()
    names, dates = {}, []
    for p in local_paths:
        e = manifest.entry(p, entries)
        names.setdefault(manifest.publisher(e), None)
        if dated is None or p in dated:
            dates.append(e.snapshot_date)
    if curated or not names:
        names.setdefault("data curated by this project", None)
    when = f" (data to {max(dates)})" if dates else ""
    return "Source: " + "; ".join(names) + when


def add_source(fig: go.Figure, local_paths: list[str], extra: str = "") -> go.Figure:
    """Give the chart its source note, kept in `layout.meta` (`source`: one short line; `source_full`: every
    file with its citation, snapshot date and licence, and the notes): the HTML output writes the line under the
    chart with the full list in an expandable block (`source_html`). Then applies the project's layout rule."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    files = list(dict.fromkeys([*local_paths, *meta.get("extra_files", [])]))
    upstream = [f for f in files if not f.startswith(CURATED)]
    curated = any(f.startswith(CURATED) for f in files) or "curated" in extra
    own = [f for f in local_paths if not f.startswith(CURATED)]
    meta.update(source=source_short(upstream, curated=curated, dated=own or None),
                source_full=source_text(upstream, extra),
                source_files=files, source_extra=extra)
    fig.update_layout(meta=meta)
    return apply_layout(fig)


CURATED = "data/curated/"


def add_source_files(fig: go.Figure, files) -> go.Figure:
    """Name more source files of what the chart shows (e.g. the `source_file` of the events laid over it), before
    or after `add_source`: they join its short line, its full list and the chart's datapackage entry."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    meta["extra_files"] = list(dict.fromkeys([*meta.get("extra_files", []), *files]))
    fig.update_layout(meta=meta)
    if "source" in meta:
        add_source(fig, [f for f in meta.get("source_files", []) if f not in meta["extra_files"]],
                   meta.get("source_extra", ""))
    return fig


SOURCE_END = "<!-- /chart-source -->"


def source_html(fig_dict: dict) -> str:
    """The source note under a chart: one short line, the full list in a <details> block (escaped text)."""
    meta = (fig_dict.get("layout") or {}).get("meta")
    if not isinstance(meta, dict) or not meta.get("source"):
        return ""
    short = html.escape(meta["source"], quote=False)
    full = html.escape(meta.get("source_full") or "", quote=False)
    return (f'<div class="chart-source" style="font:12px Inter,Helvetica,Arial,sans-serif;color:#555;'
            f'margin:0.2em 0 0.4em 60px">{short}'
            + (f'<details style="display:inline;margin-left:0.6em"><summary style="display:inline;cursor:pointer;'
               f'color:#1f5fa8">all sources and notes</summary><div style="margin-top:0.3em">{full}</div></details>'
               if full and full != meta["source"] else "")
            + "</div>" + SOURCE_END)


# --- the layout rule ---------------------------------------------------------------------------------

LEGEND_X = 1.02  # legend to the right of the plot area, top-aligned: never over the title, the data or notes
LEGEND_WRAP = 34  # legend entries wrap at this many characters (a bounded width for the reserved margin)
LABEL_WRAP = 40  # category labels wrap at word boundaries at this many characters


def apply_layout(fig: go.Figure) -> go.Figure:
    """The one layout rule of every chart: the legend stands vertically to the right of the plot area (plotly
    reserves the right margin for it), entries wrapped at LEGEND_WRAP characters; nothing is drawn below the
    plot but the axis (the source note is HTML under the chart); the right margin keeps the last tick label. A hover
    that starts with "=" loses it: plotly express writes a column labelled "" (the country of a chart coloured by
    country, named by the legend) as "=United States"."""
    for t in fig.data:
        if t.name and "<br>" not in t.name and len(t.name) > LEGEND_WRAP:
            t.name = wrap(t.name, LEGEND_WRAP)
        if isinstance(t.hovertemplate, str) and t.hovertemplate.startswith("="):
            t.hovertemplate = t.hovertemplate[1:]
    fig.update_layout(legend=dict(orientation="v", x=LEGEND_X, xanchor="left", y=1.0, yanchor="top",
                                  title_side="top"),
                      margin=dict(r=max(fig.layout.margin.r or 0, 40), b=60))
    return fig


def wrap_label(text: str, width: int = LABEL_WRAP) -> str:
    """A category label in lines of at most `width` characters, broken at spaces, never cut."""
    return wrap(text, width)


def wrap(text: str, width: int = 70) -> str:
    """Break text into lines of at most `width` characters (plotly's <br>), at spaces."""
    lines, line = [], ""
    for w in text.split():
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "<br>".join(lines)


# --- partial periods ----------------------------------------------------------------------------------

PARTIAL_OPACITY = 0.45  # partial periods drawn lighter (and hatched, for bars)
PARTIAL_PATTERN = "/"
PERIOD_MONTHS = {"year": 12, "quarter": 3, "month": 1, "week": 0}


def period_end(start, period: str):
    """Last day of the period ('year', 'quarter', 'month' or 'week') that starts on `start`."""
    import datetime as dt

    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)[:10])
    if isinstance(start, dt.datetime):
        start = start.date()
    if period == "week":
        return start + dt.timedelta(days=6)
    m = start.month - 1 + PERIOD_MONTHS[period]
    return start.replace(year=start.year + m // 12, month=m % 12 + 1, day=1) - dt.timedelta(days=1)


def partial_note(data_end) -> str:
    return f"partial: data to {str(data_end)[:10]}"


def partial_periods(starts, period: str, data_end, lag_days: int = 0, lag_reason: str = "") -> dict:
    """{period start: note} for the periods a chart should not read as complete: the one running past
    `data_end` ('partial: data to DATE') and, when `lag_days` > 0, those ending within `lag_days` of it
    (`lag_reason`, e.g. a source known to fill in recent months late)."""
    import datetime as dt

    end = data_end if isinstance(data_end, dt.date) else dt.date.fromisoformat(str(data_end)[:10])
    out = {}
    for s in starts:
        if s is None:
            continue
        e = period_end(s, period)
        if e > end:
            out[s] = partial_note(end)
        elif lag_days and (end - e).days < lag_days:
            out[s] = f"provisional: data to {end}" + (f"; {lag_reason}" if lag_reason else "")
    return out


def _key(v) -> str:
    return str(v)[:10]


def mark_partial(fig: go.Figure, notes: dict, axis: str = "x", where=None) -> go.Figure:
    """Draw the points whose `axis` value (a period start, a category) is a key of `notes` lighter (bars also
    hatched), with the note on hover, and add one legend entry per distinct note. `where(trace)` limits the
    traces (default: every trace that is not an event marker). Every period chart calls this."""
    keyed = {_key(k): v for k, v in notes.items()}
    used: dict[str, str] = {}
    chart_frames.add_notes(fig, notes, where=lambda t: not (t.legendgroup or "").startswith("events-")
                           and (where is None or where(t)))
    for t in fig.data:
        if (t.legendgroup or "").startswith("events-") or (where is not None and not where(t)):
            continue
        vals = getattr(t, axis, None)
        if vals is None:
            continue
        vals = list(vals)
        flags = [keyed.get(_key(v)) for v in vals]
        if not any(flags):
            continue
        texts = [f or "" for f in flags]
        opac = [PARTIAL_OPACITY if f else 1.0 for f in flags]
        if t.type == "bar":
            shapes = [PARTIAL_PATTERN if f else "" for f in flags]
            old = t.marker.pattern.shape if t.marker.pattern is not None else None
            if old is not None and not isinstance(old, str):  # a pattern of its own (e.g. partial weeks)
                shapes = [PARTIAL_PATTERN if f else o for f, o in zip(flags, old, strict=False)]
            t.update(marker=dict(opacity=opac, pattern=dict(shape=shapes)), textposition="none")
        else:
            t.update(marker=dict(opacity=opac, symbol=["circle-open" if f else "circle" for f in flags]))
        for f in flags:
            if f:
                used.setdefault(f, "bar" if t.type == "bar" else "scatter")
        t.update(text=texts)
        ht = t.hovertemplate
        if ht:
            extra = "<br>%{text}"
            t.hovertemplate = ht.replace("<extra>", extra + "<extra>", 1) if "<extra>" in ht else ht + extra
    for note, kind in used.items():
        if kind == "bar":
            fig.add_trace(go.Bar(x=[None], y=[None], name=note, legendgroup="partial", showlegend=True,
                                 marker=dict(color="#bbbbbb", opacity=PARTIAL_OPACITY,
                                             pattern=dict(shape=PARTIAL_PATTERN)), hoverinfo="skip"))
        else:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=note, legendgroup="partial",
                                     marker=dict(color="#888888", symbol="circle-open", size=9), hoverinfo="skip"))
    return fig


def partial_notes(fig) -> list[str]:
    """The partial-period legend entries of a figure (dict or go.Figure)."""
    data = fig["data"] if isinstance(fig, dict) else [t.to_plotly_json() for t in fig.data]
    return [t.get("name") for t in data if t.get("legendgroup") == "partial"]
