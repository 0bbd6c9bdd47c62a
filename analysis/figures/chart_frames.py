"""The frames a chart plots, carried from the figure builder to the chart's CSV.

A figure builder (analysis/figures/*.py, analysis.figures.plots) calls `attach(fig, frame, columns, series=...)` with
the tidy frame it plotted: `columns` maps the frame's columns to the CSV's column names (with units), in order;
`series` is the column whose values name the traces (or `name=` the one trace the frame draws). The frames
live on the figure object as `fig._chart_frames` (a list of blocks, never in the plotly JSON).

When the notebook displays the figure, the IPython display formatter `plots.setup()` registers (`show`) adds
`chart_table(fig)` to the output as `CHART_DATA_MIME` ({"columns": [...], "rows": [[...]]}) beside plotly's
JSON and HTML: the report build, which only has the notebook's outputs, writes that table as the chart's CSV
(analysis.site.chart_data). nbconvert and JupyterLab ignore the unknown mimetype. IPython reports an error of a
display formatter as an error output and shows the figure without the table, the cell going on: the build
reads the executed notebook and fails the report on such a chart (chart_data.notebook_tables).

The table has one row per point of every data trace, in trace order: `trace` (the series' name), `trace_index`,
`trace_type`, `point`, then the frames' columns. `chart_table` checks that every trace a reader can hover has a
frame with exactly as many rows as the trace has points; a trace without hover (`hoverinfo="skip"`: event
bands, legend swatches) is decoration and has no rows, unless its builder attaches a frame for it (an interval
band). `attach_px` attaches a plotly express figure's groups in px's trace order, where the trace names do not
tell the groups apart.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re

CHART_DATA_MIME = "application/vnd.thousand-models.chart-data+json"
ATTR = "_chart_frames"
LEGEND_ONLY_GROUPS = ("partial",)  # analysis.figures.plots.mark_partial's legend swatches: no rows


class ChartDataError(ValueError):
    """A figure's attached frames do not match its traces."""


def attach(fig, frame, columns: dict[str, str], series: str | None = None, name: str | None = None,
           x: str | None = None):
    """Record `frame` (polars) as the data of the traces named by its `series` column (or of the one trace
    `name`). `columns`: {frame column: CSV column name}, in CSV order; `x`: the frame column on the x axis
    (analysis.figures.plots.mark_partial adds the period notes by it). Returns the figure."""
    if (series is None) == (name is None):
        raise ValueError("attach: give exactly one of series= and name=")
    keep = list(dict.fromkeys([*([series] if series else []), *columns, *([x] if x else []),
                               *(["_note"] if "_note" in frame.columns else [])]))
    blocks = list(getattr(fig, ATTR, None) or [])
    blocks.append(dict(frame=frame.select(keep), columns=dict(columns), series=series, name=name, x=x))
    setattr(fig, ATTR, blocks)
    return fig


def attach_px(fig, frame, columns: dict[str, str], by: list[str], orders: dict[str, list] | None = None,
              x: str | None = None, first: int = 0):
    """Record `frame` as the data of the traces a plotly express call drew from it, `fig.data[first:]`, for px
    figures whose trace names do not tell the groups apart (an empty label, facets). `by`: px's grouping columns
    (color, symbol, facet ...); `orders`: the category_orders given to px, as given. px draws one trace per
    non-empty combination of their values (rows with a null value are not drawn), nested in the order of the
    columns of `orders` (dict order) and then the other `by` columns, each column's values in its order there,
    then in order of appearance. Returns the figure."""
    import itertools

    import polars as pl

    orders = orders or {}
    nest = [c for c in orders if c in by] + [c for c in by if c not in orders]
    frame = frame.drop_nulls(nest)
    levels = []
    for col in nest:
        seen = frame[col].unique(maintain_order=True).to_list()
        levels.append([v for v in orders.get(col, []) if v in seen] + [v for v in seen if v not in orders.get(col, [])])
    k = first
    for combo in itertools.product(*levels):
        part = frame.filter(pl.all_horizontal([pl.col(c) == v for c, v in zip(nest, combo, strict=True)]))
        if part.is_empty():
            continue
        if k >= len(fig.data):
            raise ChartDataError(f"chart {_title(fig)!r}: more groups of {by} than traces")
        attach(fig, part, columns, name=fig.data[k].name or "", x=x)
        k += 1
    return fig


def blocks(fig) -> list[dict]:
    return list(getattr(fig, ATTR, None) or [])


def set_blocks(fig, new: list[dict]) -> None:
    setattr(fig, ATTR, new)


_TAG = re.compile(r"<[^>]+>")


def plain(value) -> str:
    """Text of a label or cell without HTML: tags dropped (<br> as a space), entities decoded, spaces squeezed."""
    text = _TAG.sub(" ", str(value).replace("<br>", " "))
    return " ".join(html.unescape(text).split())


_plain = plain


def _points(trace) -> int:
    n = 0
    for key in ("x", "y", "values"):
        v = getattr(trace, key, None)
        if v is not None and not isinstance(v, str):
            try:
                n = max(n, len(v))
            except TypeError:
                continue
    return n


def _cell(v):
    """A JSON cell: dates as ISO text, non-finite floats empty, lists kept (joined by the CSV writer)."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (list, tuple)):
        return [_cell(x) for x in v]
    return v


def chart_table(fig) -> dict | None:
    """{"columns", "rows"} of the figure's attached frames (see the module doc), or None when it has none."""
    bs = blocks(fig)
    if not bs:
        if not fig.data:  # a chart with nothing drawn (a selection no model meets): its table has no rows
            return {"columns": ["trace", "trace_index", "trace_type", "point"], "rows": []}
        return None
    traces = [(i, t) for i, t in enumerate(fig.data) if (t.legendgroup or "") not in LEGEND_ONLY_GROUPS]
    claimed: dict[int, tuple[dict, list[dict]]] = {}
    for b in bs:
        f = b["frame"]
        if b["series"]:
            groups = [(g[b["series"]][0], g) for g in f.partition_by(b["series"], maintain_order=True)]
        else:
            groups = [(b["name"], f)]
        for key, g in groups:
            want = _plain(key)
            i = next((i for i, t in traces if i not in claimed and t.hoverinfo != "skip"
                      and _plain(t.name or "") == want), None)
            if i is None:  # a trace without hover whose builder gave its data all the same (an interval band)
                i = next((i for i, t in traces if i not in claimed and _plain(t.name or "") == want), None)
            if i is None:
                raise ChartDataError(f"chart {_title(fig)!r}: no trace named {want!r} for its data")
            claimed[i] = (b, g.to_dicts())
    columns = ["trace", "trace_index", "trace_type", "point"]
    for b in bs:
        columns += [c for c in b["columns"].values() if c not in columns]
    notes = any("_note" in b["frame"].columns and b["frame"]["_note"].drop_nulls().len() for b in bs)
    if notes:
        columns.append("note")
    rows = []
    for i, t in traces:
        n = _points(t)
        if i not in claimed:
            if n and t.hoverinfo != "skip":
                raise ChartDataError(f"chart {_title(fig)!r}: trace {i} ({_plain(t.name or '')!r}) draws {n} "
                                     "points a reader can hover but has no frame attached")
            continue
        b, recs = claimed[i]
        if len(recs) != n:
            raise ChartDataError(f"chart {_title(fig)!r}: trace {i} ({_plain(t.name or '')!r}) draws {n} points, "
                                 f"its frame has {len(recs)} rows")
        for j, r in enumerate(recs):
            cells = dict.fromkeys(columns[4:])
            for src, label in b["columns"].items():
                if cells.get(label) is None:
                    cells[label] = _cell(r[src])
            if notes:
                cells["note"] = r.get("_note")
            rows.append([_plain(t.name or ""), i, t.type or "scatter", j, *cells.values()])
    return {"columns": columns, "rows": rows}


def _title(fig) -> str:
    return _plain(fig.layout.title.text or "") if fig.layout.title else ""


def add_notes(fig, notes: dict, where=None) -> None:
    """Give the attached frames a note per point from {x value (its first 10 characters): note}
    (analysis.figures.plots.mark_partial), for the blocks whose traces `where(trace)` accepts."""
    import polars as pl

    keyed = {str(k)[:10]: v for k, v in notes.items()}
    names = {_plain(t.name or "") for t in fig.data if where is None or where(t)}
    out = []
    for b in blocks(fig):
        if b["x"] is None or (b["name"] is not None and _plain(b["name"]) not in names):
            out.append(b)
            continue
        f = b["frame"]
        note = pl.col(b["x"]).cast(pl.String).str.slice(0, 10).replace_strict(keyed, default=None)
        if b["series"] and where is not None:
            inside = [k for k in f[b["series"]].unique(maintain_order=True).to_list() if _plain(k) in names]
            note = pl.when(pl.col(b["series"]).is_in(inside)).then(note)
        prev = pl.col("_note") if "_note" in f.columns else pl.lit(None, pl.String)
        f = f.with_columns(_note=pl.coalesce(note, prev))
        out.append({**b, "frame": f})
    set_blocks(fig, out)


def bundle(fig, render=None) -> dict:
    """The IPython mimebundle of a figure, `render(fig)` (default: plotly's own for its default renderers), plus its
    chart table when frames are attached."""
    data = render(fig) if render is not None else fig._repr_mimebundle_()
    table = chart_table(fig)
    if table is not None:
        data = {**data, CHART_DATA_MIME: table}
    return data


def show(fig, render=None) -> None:
    """Display a figure with its chart table (the IPython display formatter `register_formatter` installs)."""
    from IPython.display import display

    display(bundle(fig, render), raw=True)


def register_formatter(render=None) -> bool:
    """Display plotly figures with `show` in this IPython kernel (IPython's public formatter API: plotly's own
    `_ipython_display_` would show the figure without its table), their data made by `render(fig)` (default:
    plotly's own mimebundle; analysis.figures.plots.setup gives `plots.mimebundle`). False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    if ip is None:
        return False
    from plotly.basedatatypes import BaseFigure

    ip.display_formatter.ipython_display_formatter.for_type(BaseFigure, lambda fig: show(fig, render))
    return True
