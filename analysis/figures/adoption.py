"""Charts of the open-weights adoption section (release-pace report)."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from analysis.figures.chart_frames import attach
from analysis.figures.plots import (
    COUNTRY_COLORS,
    COUNTRY_ORDER,
    add_log_toggle,
    add_source,
    mark_partial,
    partial_periods,
    spans_orders_of_magnitude,
)
from analysis.store import tables

NOTE = ("Labs resolved to countries with the project's registry (data/curated/organizations.csv); downloads as "
        "counted upstream (method not documented): relative activity, not installs")
LABELS = {"repos": "New public repositories", "models": "New model repositories", "downloads": "Downloads"}


def _mark(fig: go.Figure, per: pl.DataFrame, period: str, end) -> go.Figure:
    """The period running past `end` (the last day of the last week of data) drawn lighter, noted."""
    if end is None or per.is_empty():
        return fig
    return mark_partial(fig, partial_periods(per["period"].unique(maintain_order=True).to_list(), period, end))


def activity(per: pl.DataFrame, measure: str, period: str, end=None) -> go.Figure:
    """Stacked bars of `measure` per period and country bucket; the period past `end` (data's last day) lighter."""
    fig = px.bar(per, x="period", y=measure, color="country_bucket", color_discrete_map=COUNTRY_COLORS,
                 category_orders={"country_bucket": COUNTRY_ORDER},
                 hover_data={"active_labs": True},
                 labels={"period": period.capitalize(), measure: LABELS[measure], "country_bucket": "",
                         "active_labs": "Active labs"},
                 title=f"{LABELS[measure]} on the Hugging Face Hub per {period}, by country of the lab")
    attach(fig, per, {"period": period.capitalize(), measure: LABELS[measure], "active_labs": "Active labs"},
           series="country_bucket", x="period")
    fig.update_layout(barmode="stack", hovermode="x unified")
    _mark(fig, per, period, end)
    return add_source(fig, tables.sources("adoption"), NOTE)


def downloads_lines(per: pl.DataFrame, period: str, end=None) -> go.Figure:
    """Downloads per period, one line per bucket, log toggle when the range spans orders of magnitude; the
    period running past `end` (the data's last day) drawn hollow and noted."""
    fig = px.line(per, x="period", y="downloads", color="country_bucket", color_discrete_map=COUNTRY_COLORS,
                  category_orders={"country_bucket": COUNTRY_ORDER}, markers=True,
                  labels={"period": period.capitalize(), "downloads": "Downloads", "country_bucket": ""},
                  title=f"Downloads of the labs' Hugging Face repositories per {period}, by country")
    attach(fig, per, {"period": period.capitalize(), "downloads": "Downloads"}, series="country_bucket", x="period")
    fig.update_traces(hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}")
    _mark(fig, per, period, end)
    if spans_orders_of_magnitude(per["downloads"].to_list()):
        add_log_toggle(fig, "y", log_first=True)
    return add_source(fig, tables.sources("adoption"), NOTE)
