"""Policy events on charts: `add_events` lays events over any plotly time chart; plus the charts of the
policy-timeline report (event timeline, reported filing counts, release counts around events).

Event markers sit in a strip of their own above the data (a hidden y axis, range 0..1, on the chart's x
axis; the data's y axis gives up the top of the plot to it), so they never cover data points and never
change the data's y range, on linear and log charts alike. Band lines use a hidden overlay y axis (0..1)
over the data. On a subplot row of a faceted figure the markers go on that overlay too (top of the plot).
Every jurisdiction gets one legend entry (a legend group): clicking it hides or shows that jurisdiction's
events. Text from the data is HTML-escaped before it reaches a hover label.

The policy-timeline charts below draw with plotly express, imported inside them: every report that lays events
over its charts imports this module, and express (0.07 s per kernel) only where one of these charts is drawn.
"""

from __future__ import annotations

import datetime as dt
import html

import plotly.graph_objects as go
import polars as pl

from analysis.core import vocab
from analysis.core.vocab import EVENT_KINDS as KINDS
from analysis.core.vocab import JURISDICTION_NAMES, JURISDICTIONS
from analysis.figures import chart_frames
from analysis.figures.plots import (
    COUNTRY_COLORS,
    COUNTRY_ORDER,
    add_source,
    add_source_files,
    mark_partial,
    partial_note,
    wrap,
    wrap_label,
)
from analysis.store import tables

EVENT_COLORS = {
    vocab.JURISDICTION_US: COUNTRY_COLORS[vocab.US],
    vocab.JURISDICTION_CN: COUNTRY_COLORS[vocab.CHINA],
    vocab.JURISDICTION_US_CN: COUNTRY_COLORS[vocab.JOINT],
    vocab.JURISDICTION_EU: "#b8860b",
    vocab.JURISDICTION_INTL: "#1b9e77",
}
KIND_SYMBOLS = {
    vocab.KIND_EXPORT_CONTROL: "triangle-down", vocab.KIND_ENTITY_LIST: "triangle-down",
    vocab.KIND_LICENCE: "triangle-up", vocab.KIND_TARIFF: "triangle-left",
    vocab.KIND_TRADE_RETALIATION: "triangle-right", vocab.KIND_ANTITRUST: "hexagon", vocab.KIND_REGULATION: "square",
    vocab.KIND_LEGISLATION: "square-open", vocab.KIND_EXECUTIVE_ORDER: "diamond", vocab.KIND_STRATEGY: "diamond-open",
    vocab.KIND_FILING: "circle", vocab.KIND_SUMMIT: "star", vocab.KIND_MARKET: "x",
}
EVENTS_SOURCE = ("Events: data/curated/policy_events.csv (curated by this project, one cited source per event) "
                 "and Vorp Labs US AI Law Change Dataset (CC BY 4.0)")
EVENTS_NOTE = ("Events: project-curated data/curated/policy_events.csv (cited per event) and Vorp Labs US AI Law "
               "Change Dataset (CC BY 4.0); click an 'Events' legend entry to hide or show them")
# One symbol per jurisdiction on every chart that shows events (the event strips and the timeline's legend);
# the kind is named on hover and, on the timeline, by colour.
JURISDICTION_SYMBOLS = {vocab.JURISDICTION_US: "triangle-down", vocab.JURISDICTION_CN: "diamond",
                        vocab.JURISDICTION_US_CN: "square", vocab.JURISDICTION_EU: "star",
                        vocab.JURISDICTION_INTL: "circle"}
STYLES = ("markers", "bands")
STRIP_BASE, STRIP_PER_ROW, STRIP_MAX = 0.02, 0.028, 0.16  # share of the plot height given to the event strip
STRIP_PX, DEFAULT_HEIGHT = 60, 450  # pixels added to the figure for the strip; plotly's default figure height
VORPLABS_FILE = "policy/vorplabs_research-datasets/us-ai-law-changes.csv"


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def select_events(events: pl.DataFrame, jurisdictions=None, kinds=None, start=None, end=None) -> pl.DataFrame:
    """Events filtered by jurisdiction, kind and date range (None = no filter), sorted by date."""
    unknown = [j for j in (jurisdictions or []) if j not in JURISDICTIONS]
    unknown += [k for k in (kinds or []) if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown jurisdiction(s)/kind(s) {unknown}; jurisdictions: {JURISDICTIONS}, kinds: {KINDS}")
    d = events
    if jurisdictions is not None:
        d = d.filter(pl.col("jurisdiction").is_in(list(jurisdictions)))
    if kinds is not None:
        d = d.filter(pl.col("kind").is_in(list(kinds)))
    if (s := _date(start)) is not None:
        d = d.filter(pl.col("date") >= s)
    if (e := _date(end)) is not None:
        d = d.filter(pl.col("date") <= e)
    return d.sort("date", "event_id")


def date_label(date: dt.date, precision: str) -> str:
    if precision == "month":
        return f"{date:%Y-%m} (month only)"
    if precision == "uncertain":
        return f"{date.isoformat()} (date uncertain)"
    return date.isoformat()



def source_html(url: str | None) -> str:
    """Escaped source text; a link only when it is an http(s) URL."""
    if not url:
        return "no source"
    from analysis.core.safety import safe_url

    shown = html.escape(url if len(url) <= 70 else url[:67] + "...", quote=False)
    if (good := safe_url(url)) is not None:
        return f'<a href="{html.escape(good, quote=True)}">{shown}</a>'
    return shown


def hover_text(row: dict) -> str:
    """Hover label of one event: title, date with its precision, who/what, description, source (escaped)."""
    e = html.escape
    parts = [
        f"<b>{wrap(e(row['title'], quote=False))}</b>",
        f"{date_label(row['date'], row['date_precision'])} · {e(row['jurisdiction'])} · "
        f"{e(row['actor'], quote=False)} · {e(row['kind'])}",
    ]
    desc = row.get("description")
    if desc:
        desc = desc if len(desc) <= 220 else desc[:217] + "..."
        parts.append(f"<span style='font-size:11px'>{wrap(e(desc, quote=False))}</span>")
    parts.append("Source: " + source_html(row.get("source_url")))
    return "<br>".join(parts)


def _axes(fig: go.Figure, row: int | None) -> tuple[str, str]:
    """(x axis id, y axis id) of the subplot the events go on: the first one, or column 1 of `row`."""
    if row is None:
        return "x", "y"
    sp = fig.get_subplot(row, 1)
    return sp.xaxis.plotly_name.replace("axis", ""), sp.yaxis.plotly_name.replace("axis", "")


def _overlay_axis(fig: go.Figure, x: str, y: str) -> str:
    """A hidden y axis (0..1) overlaying `y`, shared by all event traces of that subplot."""
    key = f"_events_{x}_{y}"
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    if key in meta:
        return meta[key]
    used = [int(k[5:] or 1) for k in fig.layout.to_plotly_json() if k.startswith("yaxis")] or [1]
    n = max(max(used) + 1, 2)
    name = f"y{n}"
    fig.layout[f"yaxis{n}"] = dict(overlaying=y, range=[0, 1], visible=False, fixedrange=True,
                                   showgrid=False, zeroline=False)
    fig.update_layout(meta={**meta, key: name})
    return name


def _strip_axis(fig: go.Figure, x: str, y: str, rows: int) -> str:
    """A hidden y axis (0..1) in a strip at the top of `y`'s domain; `y` shrinks to make room."""
    key = f"_strip_{x}_{y}"
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    if key in meta:
        return meta[key]
    data_axis = fig.layout[y.replace("y", "yaxis")]
    d0, d1 = data_axis.domain or (0, 1)
    h = (d1 - d0) * min(STRIP_BASE + STRIP_PER_ROW * rows, STRIP_MAX)
    data_axis.domain = [d0, d1 - h]
    used = [int(k[5:] or 1) for k in fig.layout.to_plotly_json() if k.startswith("yaxis")] or [1]
    name = f"y{max(max(used) + 1, 2)}"
    fig.layout[name.replace("y", "yaxis")] = dict(domain=[d1 - h * 0.92, d1], anchor=x, range=[0, 1],
                                                  visible=False, fixedrange=True, showgrid=False, zeroline=False)
    # the figure grows by the strip's height, so the data keep their room
    fig.update_layout(meta={**meta, key: name}, height=(fig.layout.height or DEFAULT_HEIGHT) + STRIP_PX)
    return name


EVENT_COLUMN = "Event (title, date, jurisdiction, actor, kind, description, source)"  # its chart CSV column


def add_events(
    fig: go.Figure,
    events: pl.DataFrame,
    jurisdictions=None,
    kinds=None,
    start=None,
    end=None,
    style: str = "markers",
    row: int | None = None,
) -> go.Figure:
    """Lay policy events over a plotly time chart (x = dates) and return the figure.

    style="markers": a small marker per event in a strip above the data (one line of the strip per
    jurisdiction; symbol by kind). style="bands": the same markers, plus a thin dotted vertical line per
    event across the data (a light band across the month for month-precision events). Either way every
    jurisdiction is one legend entry that toggles its events; hover shows title, date (with its precision),
    actor, kind, description and source. `row`: subplot row (column 1) of a faceted figure; None = the
    first subplot (axes x/y). Events are filtered by jurisdiction, kind and [start, end].
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    sel = select_events(events, jurisdictions, kinds, start, end)
    if sel.is_empty():
        return fig
    xa, ya = _axes(fig, row)
    present = [j for j in JURISDICTIONS if j in set(sel["jurisdiction"].to_list())]
    yo = _overlay_axis(fig, xa, ya) if style == "bands" or row is not None else None
    ystrip = _strip_axis(fig, xa, ya, len(present)) if row is None else yo
    for i, jur in enumerate(present):
        g = sel.filter(pl.col("jurisdiction") == jur)
        rows = g.to_dicts()
        hovers = [hover_text(r) for r in rows]  # the marker's hover and the chart CSV's event column
        color = EVENT_COLORS.get(jur, "#555")
        group = f"events-{jur}"
        name = f"Events: {JURISDICTION_NAMES.get(jur, jur)}"
        ymark = 1 - (i + 0.5) / len(present) if row is None else 0.985 - 0.03 * i
        if style == "bands":
            xs, ys = [], []
            for r in rows:
                if r["date_precision"] != "month":
                    xs += [r["date"], r["date"], None]
                    ys += [0, 1, None]
            if xs:
                fig.add_trace(go.Scatter(
                    x=xs, y=ys, mode="lines", xaxis=xa, yaxis=yo, legendgroup=group, showlegend=False,
                    line=dict(color=color, width=1, dash="dot"), opacity=0.55, hoverinfo="skip", name=name,
                ))
            for r in rows:
                if r["date_precision"] == "month":
                    d0 = r["date"]
                    d1 = (d0.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                    fig.add_trace(go.Scatter(
                        x=[d0, d1, d1, d0, d0], y=[0, 0, 1, 1, 0], mode="lines", fill="toself",
                        xaxis=xa, yaxis=yo, legendgroup=group, showlegend=False, line=dict(width=0),
                        fillcolor=color, opacity=0.08, hoverinfo="skip", name=name,
                    ))
        fig.add_trace(go.Scatter(
            x=[r["date"] for r in rows], y=[ymark] * len(rows), mode="markers", xaxis=xa, yaxis=ystrip,
            name=name, legendgroup=group, showlegend=True,
            marker=dict(color=color, size=9, opacity=0.85, symbol=JURISDICTION_SYMBOLS.get(jur, "circle"),
                        line=dict(width=0.5, color="white")),
            customdata=hovers,
            hovertemplate="%{customdata}<extra></extra>",
            hoverlabel=dict(bgcolor="white", bordercolor=color, font=dict(size=12, color="#222")),
        ))
        chart_frames.attach(fig, pl.DataFrame({"date": [r["date"] for r in rows], "event": hovers},
                                              schema={"date": pl.Date, "event": pl.String}),
                            {"date": "Event date", "event": EVENT_COLUMN}, name=name)
    if "source_file" in sel.columns:  # the events' own sources, read from their rows
        add_source_files(fig, sorted(set(sel["source_file"].drop_nulls().to_list())))
    return fig


def has_events(fig: go.Figure) -> bool:
    """True when `add_events` drew at least one event trace on the figure."""
    return any((t.legendgroup or "").startswith("events-") for t in fig.data)


# --- charts of the policy-timeline report -----------------------------------------------------------

def timeline(events: pl.DataFrame) -> go.Figure:
    """Every event as a point: x date, y jurisdiction, colour and symbol by kind; hover with title/source."""
    import plotly.express as px  # here, not at the top: see the module's docstring

    d = events.with_columns(
        pl.col("jurisdiction").replace_strict(JURISDICTION_NAMES, default=pl.col("jurisdiction"))
        .alias("jurisdiction_name"),
    )
    d = d.with_columns(pl.Series("hover", [hover_text(r) for r in d.to_dicts()], dtype=pl.String))
    present = set(d["jurisdiction"].to_list())
    order = [JURISDICTION_NAMES[j] for j in JURISDICTIONS if j in present]
    orders = {"jurisdiction_name": order, "kind": list(KINDS)}  # px nests its traces in this order
    fig = px.scatter(d, x="date", y="jurisdiction_name", color="kind", symbol="jurisdiction_name",
                     symbol_map={JURISDICTION_NAMES[j]: s for j, s in JURISDICTION_SYMBOLS.items()},
                     custom_data=["hover"],
                     category_orders=orders,
                     labels={"date": "Date", "jurisdiction_name": "", "kind": "Kind"},
                     title="Policy and market events by jurisdiction and kind")
    fig.update_traces(marker=dict(size=11, opacity=0.8, line=dict(width=0.5, color="white")),
                      hovertemplate="%{customdata[0]}<extra></extra>")
    fig.for_each_trace(lambda t: t.update(name=t.name.split(",")[0]))  # "kind, jurisdiction": the kind
    chart_frames.attach_px(fig, d, {"date": "Event date", "jurisdiction_name": "Jurisdiction", "hover": EVENT_COLUMN},
                           by=["kind", "jurisdiction_name"], orders=orders)
    seen: set[str] = set()
    for t in fig.data:  # one legend entry per kind (the symbol already says the jurisdiction, on the y axis)
        t.update(legendgroup=t.name, showlegend=t.name not in seen)
        seen.add(t.name)
    fig.update_layout(legend=dict(title_text="Kind"), height=430, hoverlabel=dict(bgcolor="white"))
    return add_source(fig, [VORPLABS_FILE], "Other events: data/curated/policy_events.csv, curated by this project "
                      "with one cited source per event")


def filings(counts: pl.DataFrame, events: pl.DataFrame | None = None, style: str = "markers") -> go.Figure:
    """China's cumulative generative-AI filings as reported (by CAC or CNNIC), markers labelled by reporter."""
    import plotly.express as px  # here, not at the top: see the module's docstring

    long = counts.unpivot(index=["date", "reporter", "announced", "source_url"],
                          on=["filed_cumulative", "registered_cumulative"], variable_name="series",
                          value_name="count").drop_nulls("count")
    long = long.with_columns(pl.col("series").replace({
        "filed_cumulative": "Services filed (cumulative, reported)",
        "registered_cumulative": "Apps/features registered (cumulative, reported)",
    }), pl.col("source_url").map_elements(lambda u: html.escape(u, quote=False), return_dtype=pl.String))
    fig = px.line(long, x="date", y="count", color="series", markers=True,
                  hover_data={"reporter": True, "announced": True, "source_url": True, "series": False},
                  labels={"date": "Date the count refers to", "count": "Reported count", "series": "",
                          "reporter": "Reported by", "announced": "Announced", "source_url": "Source"},
                  color_discrete_sequence=[COUNTRY_COLORS[vocab.CHINA], "#f4a582"],
                  title="China's generative-AI services filed with the CAC: counts as reported by CAC / CNNIC")
    chart_frames.attach(fig, long, {"date": "Date the count refers to", "count": "Reported count",
                                    "reporter": "Reported by", "announced": "Announced", "source_url": "Source"},
                        series="series")
    fig.update_yaxes(rangemode="tozero")
    if events is not None:
        add_events(fig, events, style=style, start=long["date"].min(), end=long["date"].max())
    return add_source(fig, [], "Reported counts, not audited: CAC notices and the CNNIC Generative AI Application "
                      "Development Report (2025), collected in data/curated/genai_filings.csv with one source per row")


def _window_note(r: dict) -> str:
    """'partial: data to DATE' for a window the data cover only part of (`days_covered` of its days)."""
    covered = r.get("days_covered")
    if covered is not None and r.get("window_start") is not None:
        end = r["window_start"] + dt.timedelta(days=max(int(covered) - 1, 0))
        return partial_note(end) + f" ({covered} of the window's days)"
    return partial_note(r.get("window_end"))


def _window_notes(d: pl.DataFrame, days: int) -> pl.Series:
    """The partial-window note of each row of `window_counts_chart`'s frame (None for a window the data cover),
    keyed as `mark_partial` keys them: by window, and by the event label's first 10 characters (its date)."""
    if "complete" not in d.columns:
        return pl.Series("_note", [None] * len(d), dtype=pl.String)
    notes = {}
    for w in (f"{days} days before", f"{days} days after"):
        part = d.filter((pl.col("window") == w) & ~pl.col("complete")).unique("event", keep="first", maintain_order=True)
        notes[w] = {r["event"][:10]: _window_note(r) for r in part.iter_rows(named=True)}
    return pl.Series("_note", [notes.get(w, {}).get(e[:10]) for w, e in zip(d["window"], d["event"], strict=True)],
                     dtype=pl.String)


def window_counts_chart(win: pl.DataFrame, days: int, what: str = "Notable model releases",
                        sources: list[str] | None = None, note: str | None = None) -> go.Figure:
    """Counts (of model releases, price cuts, ...) in the N days before vs after each chosen event, by country
    bucket (description only). `what` names the counted rows; `sources`/`note` name their sources (default:
    the files of the models rows this process loaded, analysis.store.tables.sources)."""
    import plotly.express as px  # here, not at the top: see the module's docstring

    d = win.with_columns(
        pl.format("{} {}", pl.col("date").cast(pl.String), pl.col("title"))
        .map_elements(wrap_label, return_dtype=pl.String).alias("event"),
        pl.col("window").replace({"before": f"{days} days before", "after": f"{days} days after"}),
    )
    fig = px.bar(d, y="event", x="count", color="group", facet_col="window", orientation="h",
                 color_discrete_map=COUNTRY_COLORS, category_orders={
                     "group": COUNTRY_ORDER, "window": [f"{days} days before", f"{days} days after"],
                     "event": d.sort("date")["event"].unique(maintain_order=True).to_list()},
                 labels={"count": what, "event": "Event", "group": "", "window": "Window"},
                 title=f"{what} in the {days} days before and after each event")
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_yaxes(title_text="")  # the event labels say what they are
    lines = max([e.count("<br>") + 1 for e in d["event"].unique(maintain_order=True).to_list()] or [1])
    fig.update_layout(barmode="stack", height=max(380, 160 + (20 + 14 * lines) * d["event"].n_unique()))
    # a window the data do not cover in full (past the data's end, or before their start): lighter, noted
    if "complete" in d.columns:
        for col, w in enumerate((f"{days} days before", f"{days} days after"), start=1):
            part = d.filter((pl.col("window") == w) & ~pl.col("complete")).unique("event", keep="first", maintain_order=True)
            notes = {r["event"]: _window_note(r) for r in part.iter_rows(named=True)}
            axis = "x" if col == 1 else f"x{col}"
            mark_partial(fig, notes, axis="y", where=lambda t, axis=axis: (t.xaxis or "x") == axis)
    chart_frames.attach_px(fig, d.with_columns(_note=_window_notes(d, days)), {"count": what, "event": "Event"},
                           by=["group", "window"], orders={"group": COUNTRY_ORDER,
                                                           "window": [f"{days} days before", f"{days} days after"]})
    if note is None:
        note = "Countries from data/curated/organizations.csv"
    return add_source(fig, tables.sources("models") if sources is None else sources,
                      f"{note}. {EVENTS_SOURCE}. Counts describe timing, not effects")
