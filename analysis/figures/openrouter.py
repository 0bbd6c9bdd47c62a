"""Charts of the adoption report: OpenRouter token shares by origin, by use category, beside Hub downloads."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analysis.clean.openrouter import DAILY_FILE, REMAINDER, UNKNOWN
from analysis.core import vocab
from analysis.figures.chart_frames import attach
from analysis.figures.events import add_events
from analysis.figures.plots import COUNTRY_COLORS, add_source, mark_partial, partial_periods
from analysis.store import tables

ORIGIN_COLORS = {vocab.CHINA: COUNTRY_COLORS[vocab.CHINA], vocab.US: COUNTRY_COLORS[vocab.US],
                 vocab.OTHER: COUNTRY_COLORS[vocab.OTHER], UNKNOWN: "#c7b37a", REMAINDER: "#dddddd"}
ORIGIN_ORDER = list(ORIGIN_COLORS)
NOTE = ("Shares recomputed from tokens (billions, OpenRouter traffic only); authors resolved to countries with "
        "the project's registry; Monday-dated week buckets only; hatched = partial week")


def _week_note(reason: str | None) -> str:
    """'partial: data to DATE' for a week the snapshot cut (the date read from the build's reason), else the reason."""
    import re

    m = re.search(r"\d{4}-\d{2}-\d{2}", reason or "")
    return f"partial: data to {m.group(0)} ({reason})" if m else f"partial week: {reason or 'incomplete'}"


def weekly_shares(shares: pl.DataFrame, events: pl.DataFrame | None = None, style: str = "markers") -> go.Figure:
    """Stacked bars: share of each week's OpenRouter tokens by model origin; partial weeks hatched."""
    fig = go.Figure()
    for origin in ORIGIN_ORDER:
        d = shares.filter(pl.col("origin") == origin).sort("week_start")
        if d.is_empty():
            continue
        fig.add_bar(x=d["week_start"].to_list(), y=d["share"].to_list(), name=origin,
                    marker=dict(color=ORIGIN_COLORS[origin]),
                    customdata=[[r or "complete week", t] for r, t in zip(d["partial_reason"].to_list(),
                                                                         d["tokens_b"].to_list(), strict=True)],
                    hovertemplate=f"{origin}<br>week of %{{x|%Y-%m-%d}}: %{{y:.1%}} "
                                  "(%{customdata[1]:,.0f}B tokens)<br>%{customdata[0]}<extra></extra>")
        attach(fig, d.with_columns(pl.when(pl.col("partial_reason").fill_null("") == "").then(pl.lit("complete week"))
                                   .otherwise(pl.col("partial_reason")).alias("status")),
               {"week_start": "Week start (Monday)", "share": "Share of the week's tokens (0-1)", "status": "Week status",
                "tokens_b": "Tokens (billions)"}, name=origin, x="week_start")
    fig.update_layout(barmode="stack", title="Share of OpenRouter tokens by origin of the model's author, per week",
                      yaxis=dict(title="Share of the week's tokens", tickformat=".0%", range=[0, 1]),
                      xaxis_title="Week (Monday start)", hovermode="closest", bargap=0.05)
    incomplete = shares.filter(~pl.col("complete")).select("week_start", "partial_reason").unique(maintain_order=True)
    mark_partial(fig, {r["week_start"]: _week_note(r["partial_reason"]) for r in incomplete.iter_rows(named=True)})
    add_source(fig, tables.sources("openrouter_weekly"), NOTE)
    if events is not None and len(events):
        add_events(fig, events, start=shares["week_start"].min(), end=shares["week_start"].max(), style=style)
    return fig


def categories(cat: pl.DataFrame) -> go.Figure:
    """Horizontal stacked bars: share of each use category's tokens by origin (complete weeks of the span)."""
    order = (cat.filter(pl.col("origin") == vocab.CHINA).sort("share")["category_label"].to_list())
    fig = go.Figure()
    for origin in ORIGIN_ORDER:
        d = cat.filter(pl.col("origin") == origin)
        if d.is_empty():
            continue
        fig.add_bar(y=d["category_label"].to_list(), x=d["share"].to_list(), name=origin, orientation="h",
                    marker_color=ORIGIN_COLORS[origin],
                    hovertemplate=f"{origin}: %{{x:.1%}}<extra>%{{y}}</extra>")
        attach(fig, d, {"share": "Share of the category's tokens (0-1)", "category_label": "Use category"}, name=origin)
    fig.update_layout(barmode="stack", title="Share of tokens by origin within each use category",
                      xaxis=dict(title="Share of the category's tokens", tickformat=".0%", range=[0, 1]),
                      yaxis=dict(categoryorder="array", categoryarray=order, title=""))
    return add_source(fig, tables.sources("openrouter_categories"),
                      "Category pages of the OpenRouter rankings; 'others' unassigned")


def api_vs_downloads(side: pl.DataFrame, api_end=None, downloads_end=None) -> go.Figure:
    """Lines per month: China's and the US's share of OpenRouter tokens (solid) and of Hub downloads (dotted);
    the month running past each series' data end (`api_end`, `downloads_end`) drawn hollow and noted."""
    fig = go.Figure()
    for bucket in (vocab.CHINA, vocab.US):
        d = side.filter(pl.col("bucket") == bucket).sort("month")
        for col, dash, label in (("api_share", "solid", "OpenRouter tokens"),
                                 ("downloads_share", "dot", "Hugging Face downloads")):
            dd = d.filter(pl.col(col).is_not_null())
            if dd.is_empty():
                continue
            fig.add_scatter(x=dd["month"].to_list(), y=dd[col].to_list(), mode="lines+markers",
                            name=f"{bucket}: {label}", line=dict(color=COUNTRY_COLORS[bucket], dash=dash),
                            hovertemplate=f"{bucket}, {label}<br>%{{x|%Y-%m}}: %{{y:.1%}}<extra></extra>",
                            meta=dict(series=label))
            attach(fig, dd, {"month": "Month", col: f"Share of {label} (0-1)"}, name=f"{bucket}: {label}", x="month")
    for label, end in (("OpenRouter tokens", api_end), ("Hugging Face downloads", downloads_end)):
        if end is not None and not side.is_empty():
            mark_partial(fig, partial_periods(side["month"].unique(maintain_order=True).to_list(), "month", end),
                         where=lambda t, label=label: isinstance(t.meta, dict) and t.meta.get("series") == label)
    fig.update_layout(title="API use and open-weights downloads: share by country, per month",
                      yaxis=dict(title="Share", tickformat=".0%", range=[0, 1]), xaxis_title="Month")
    return add_source(fig, list(dict.fromkeys(tables.sources("openrouter_weekly") + tables.sources("adoption"))),
                      "Token shares are lower bounds (unassigned remainder not shown); downloads of the tracker's "
                      "lab panel as counted upstream")


__all__ = ["weekly_shares", "categories", "api_vs_downloads", "DAILY_FILE"]
