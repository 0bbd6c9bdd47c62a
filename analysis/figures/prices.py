"""Charts of the price-war report."""

from __future__ import annotations

import datetime as dt

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from analysis.metrics import prices as pm
from analysis.plots import COUNTRY_COLORS, COUNTRY_ORDER, add_source

FX_NOTE = ("CNY/USD conversions at the rate of the day from FRED DEXCHUS (data/raw/fx_usd_cny.csv); "
           "organizations from data/raw/price_providers.csv and the registry")


def _sources(df: pl.DataFrame) -> list[str]:
    return sorted(set(df["source_file"].to_list()))


def _colors(**kw):
    return dict(color="country_bucket", color_discrete_map=COUNTRY_COLORS,
                category_orders={"country_bucket": COUNTRY_ORDER}, **kw)


def history_points(periods: pl.DataFrame, currency: str, ratio: float, end: dt.date) -> pl.DataFrame:
    """Step-line points: one point at each period start and one at its end (capped at `end`), a gap between
    non-contiguous periods. Prices in `currency` at the rate of the period start."""
    p = pm.in_currency(periods, currency, "start", parts=("input", "output")).with_columns(
        pm.blended("input_price", "output_price", ratio).alias("blended"),
        pl.format("{} ({}, {})", "model_key", "provider", "source").alias("series"))
    rows = []
    for _series, g in p.sort("start").group_by(["series"], maintain_order=True):
        prev_end = None
        for r in g.iter_rows(named=True):
            if r["start"] > end:
                continue
            if prev_end is not None and r["start"] != prev_end:
                rows.append({**r, "date": prev_end, "blended": None})
            e = min(r["end"] or end, end)
            rows.append({**r, "date": r["start"]})
            rows.append({**r, "date": e})
            prev_end = r["end"]
    return pl.DataFrame(rows, schema_overrides={"blended": pl.Float64}) if rows else p.head(0)


def histories(points: pl.DataFrame, currency: str, ratio: float) -> go.Figure:
    fig = px.line(points, x="date", y="blended", color="series", line_shape="hv", log_y=True,
                  hover_data=["input_price", "output_price", "source_file", "source_row"],
                  labels={"date": "", "blended": f"Blended price, {currency} per 1M tokens", "series": ""},
                  title=f"List price histories of flagship models (blended {ratio:g}:1 input:output, log scale)")
    fig.update_layout(legend=dict(font=dict(size=10), orientation="h", y=-0.12, yanchor="top"), height=650)
    add_source(fig, _sources(points), FX_NOTE)
    fig.update_annotations(yshift=-170)
    fig.update_layout(margin=dict(b=(fig.layout.margin.b or 0) + 140))
    return fig


def cheapest(cheap: pl.DataFrame, fits: dict[str, dict], currency: str, threshold: float) -> go.Figure:
    fig = px.scatter(cheap, x="date", y="blended", log_y=True, **_colors(),
                     hover_data=["model_id", "eci_model", "eci", "provider", "source_file", "source_row"],
                     labels={"date": "", "blended": f"Cheapest blended price, {currency} per 1M tokens",
                             "country_bucket": ""},
                     title=f"Cheapest listed model with ECI ≥ {threshold:g}, per month-end")
    for country, fit in fits.items():
        if fit.get("decline_factor_per_year") is None:
            continue
        d = cheap.filter(pl.col("country_bucket") == country)["date"].to_list()
        xs = [min(d), max(d)]
        fig.add_trace(go.Scatter(x=xs, y=pm.fit_line(fit, xs), mode="lines",
                                 line=dict(dash="dash", color=COUNTRY_COLORS.get(country)),
                                 name=f"{country} fit: ÷{fit['decline_factor_per_year']:.1f} per year"))
    return add_source(fig, sorted(set(_sources(cheap)) | {"epoch/epoch_capabilities_index.csv"}), FX_NOTE)


def cuts(changes: pl.DataFrame) -> go.Figure:
    fig = px.scatter(changes, x="date", y="pct_change", **_colors(), symbol="source",
                     hover_data=["model_key", "provider", "currency", "old_input", "old_output", "new_input",
                                 "new_output", "source_file", "source_row"],
                     labels={"date": "", "pct_change": "Change of the blended list price, % (original currency)",
                             "country_bucket": "", "source": ""},
                     title="Price changes detected in the panel (below 0 = price cut)")
    fig.add_hline(y=0, line=dict(color="#999", width=1))
    return add_source(fig, _sources(changes), "Changes in the original currency: exchange-rate moves are not cuts")


def distribution(current: pl.DataFrame, currency: str, on: dt.date) -> go.Figure:
    fig = px.box(current, x="country_bucket", y="blended", points="all", log_y=True, **_colors(),
                 hover_data=["model_id", "provider", "source", "source_file", "source_row"],
                 labels={"country_bucket": "", "blended": f"Blended reference price, {currency} per 1M tokens"},
                 title=f"Reference list prices on {on}, by country of the lab")
    fig.update_layout(showlegend=False)
    return add_source(fig, _sources(current), FX_NOTE)


def index(idx: pl.DataFrame, currency: str) -> go.Figure:
    fig = px.line(idx, x="date", y="median_blended", log_y=True, markers=True, **_colors(),
                  hover_data=["models"],
                  labels={"date": "", "median_blended": f"Median blended price, {currency} per 1M tokens",
                          "country_bucket": ""},
                  title="Price index: median blended reference price of the listed models, per month-end")
    return fig
