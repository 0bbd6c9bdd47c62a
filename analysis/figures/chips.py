"""Charts of the chips-and-control report (notebooks/chips_and_control.ipynb)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from analysis.core import vocab
from analysis.figures import chart_frames
from analysis.figures.events import add_events
from analysis.figures.plots import COUNTRY_COLORS, add_source
from analysis.store import tables

ORIGIN_ORDER = (vocab.CHINA, vocab.US, "mixed", vocab.OTHER, "unknown")
ORIGIN_LABELS = {vocab.CHINA: "Chinese-made chips", vocab.US: "US-made chips", "mixed": "chips of both",
                 vocab.OTHER: "chips made elsewhere", "unknown": "chips not named (unknown)"}
ORIGIN_COLORS = {vocab.CHINA: COUNTRY_COLORS.get(vocab.CHINA, "#d62728"),
                 vocab.US: COUNTRY_COLORS.get(vocab.US, "#1f77b4"), "mixed": "#9467bd", vocab.OTHER: "#8c8c8c",
                 "unknown": "#d9d9d9"}
HOST_ORDER = (vocab.CHINA, vocab.US, vocab.OTHER, "Unknown origin")
HOST_COLORS = {vocab.CHINA: ORIGIN_COLORS[vocab.CHINA], vocab.US: ORIGIN_COLORS[vocab.US], vocab.OTHER: "#8c8c8c",
               "Unknown origin": "#d9d9d9"}


def maker_bands(shares: pl.DataFrame, countries=(vocab.CHINA, vocab.US)) -> go.Figure:
    """Models per year by the origin of their training chips, one panel per country, unknown as its own band."""
    d = shares.filter(pl.col("country_bucket").is_in(list(countries))).with_columns(
        pl.col("maker_origin").replace_strict(ORIGIN_LABELS, default=pl.col("maker_origin")).alias("chips"))
    labels = [ORIGIN_LABELS[o] for o in ORIGIN_ORDER]
    fig = px.bar(d, x="year", y="models", color="chips", facet_row="country_bucket",
                 category_orders={"chips": labels, "country_bucket": list(countries)},
                 color_discrete_map={ORIGIN_LABELS[k]: v for k, v in ORIGIN_COLORS.items()},
                 labels={"models": "Models", "year": "Release year", "chips": "Trained on", "country_bucket": ""},
                 title="Models by the maker of their training chips")
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_yaxes(matches=None)
    fig.update_layout(barmode="stack", height=560)
    chart_frames.attach_px(fig, d, {"year": "Release year", "models": "Models", "share": "Share of the year's models",
                                    "country_bucket": "Country"},
                           by=["chips", "country_bucket"], orders={"chips": labels, "country_bucket": list(countries)})
    return add_source(fig, tables.sources("model_hardware"),
                      "Chips mapped to Epoch ML Hardware by exact name or data/curated/hardware_names.csv; makers' "
                      "countries from data/curated/chip_makers.csv")


def spec_chart(chips: pl.DataFrame, events: pl.DataFrame | None = None, style: str = "markers") -> go.Figure:
    """BF16 TFLOP/s of the chips named in export-control events against their release dates; memory bandwidth in
    the hover; policy events laid over."""
    d = chips.filter(pl.col("bf16_tflops").is_not_null() & pl.col("release_date").is_not_null()).with_columns(
        pl.when(pl.col("china_variant").fill_null(False)).then(pl.lit("China export variant"))
        .when(pl.col("maker_country") == vocab.CHINA).then(pl.lit("Chinese-made"))
        .otherwise(pl.lit("US-made, not a China variant")).alias("kind"))
    # one label per family (its first chip), so labels of chips of one family do not overprint each other
    d = d.sort("release_date", "chip").with_columns(
        pl.when(pl.col("chip") == pl.col("chip").first().over("family")).then(pl.col("family")).otherwise(pl.lit(""))
        .alias("label"))
    fig = go.Figure()
    colors = {"China export variant": "#ff7f0e", "Chinese-made": ORIGIN_COLORS[vocab.CHINA],
              "US-made, not a China variant": ORIGIN_COLORS[vocab.US]}
    for kind, color in colors.items():
        g = d.filter(pl.col("kind") == kind)
        if g.is_empty():
            continue
        fig.add_trace(go.Scatter(
            x=g["release_date"].to_list(), y=g["bf16_tflops"].to_list(), mode="markers+text", name=kind,
            text=g["label"].to_list(), textposition="top center", marker=dict(color=color, size=11),
            customdata=np.stack([g["chip"].to_list(), [f"{b:.2f}" if b is not None else "–"
                                                      for b in g["bandwidth_tbs"].to_list()]], axis=-1),
            hovertemplate="%{customdata[0]}<br>%{x|%Y-%m-%d}<br>%{y:.0f} TFLOP/s BF16<br>"
                          "%{customdata[1]} TB/s memory bandwidth<extra></extra>"))
        chart_frames.attach(fig, g, {"chip": "Chip", "release_date": "Release date", "bf16_tflops": "BF16 TFLOP/s",
                                     "bandwidth_tbs": "Memory bandwidth (TB/s)"}, name=kind)
    fig.update_layout(title="Chips of the export-control events: BF16 performance by release date",
                      xaxis_title="Release date", yaxis_title="Dense BF16 TFLOP/s", height=520)
    add_source(fig, tables.sources("chips"), "Families and China variants from data/curated/chip_families.csv")
    if events is not None and not events.is_empty():
        add_events(fig, events, style=style)
    return fig


def slope_chart(points: pl.DataFrame, change: dict, metric: str, event: pl.DataFrame | None = None) -> go.Figure:
    """A country's frontier steps on `metric` with the lines fitted before and after the event."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=points["release_date"].to_list(), y=points["score"].to_list(), mode="markers",
                             name="frontier step (new best Chinese model)", text=points["model"].to_list(),
                             marker=dict(color=ORIGIN_COLORS[vocab.CHINA], size=9),
                             hovertemplate="%{text}<br>%{x|%Y-%m-%d}<br>%{y:.1f}<extra></extra>"))
    chart_frames.attach(fig, points, {"model": "Model", "release_date": "Release date", "score": metric.upper()},
                        name="frontier step (new best Chinese model)")
    d0 = change["date"]
    for side, part in (("before", points.filter(pl.col("release_date") < d0)),
                       ("after", points.filter(pl.col("release_date") >= d0))):
        s = change.get(side)
        if not s or part.is_empty():
            continue
        x = part["release_date"].to_numpy().astype("datetime64[D]").astype(float)
        yrs = 1970 + x / 365.25
        y = part["score"].to_numpy()
        b0 = float(np.mean(y) - s["slope"] * np.mean(yrs))
        ends = [part["release_date"].min(), part["release_date"].max()]
        fy = [b0 + s["slope"] * (1970 + (e - dt.date(1970, 1, 1)).days / 365.25) for e in ends]
        name = f"fit {side}: {s['slope']:.1f}/yr ({s['low']:.1f} to {s['high']:.1f})"
        fig.add_trace(go.Scatter(x=ends, y=fy, mode="lines", name=name,
                                 line=dict(color="#333" if side == "before" else "#ff7f0e", dash="dash")))
        chart_frames.attach(fig, pl.DataFrame({"date": ends, "fit": fy}), {"date": "Date", "fit": "Fitted score"},
                            name=name)
    fig.update_layout(title=f"Chinese {metric.upper()} frontier before and after {d0}", xaxis_title="Release date",
                      yaxis_title=metric.upper(), height=480)
    add_source(fig, tables.sources("capability"), "OLS of frontier steps on date, t-intervals of the slopes")
    if event is not None and not event.is_empty():
        add_events(fig, event)
    return fig


def endpoint_bars(endpoints: pl.DataFrame, include_disabled: bool = False) -> go.Figure:
    """Share of endpoints of Chinese-made and US-made models by the host's country, unknown hosts as a band."""
    d = endpoints if include_disabled else endpoints.filter(~pl.col("disabled"))
    d = d.filter(pl.col("model_origin").is_in([vocab.CHINA, vocab.US])).group_by(
        "model_origin", "provider_origin", maintain_order=True).agg(pl.len().alias("endpoints")).with_columns(
        (pl.col("endpoints") / pl.col("endpoints").sum().over("model_origin")).alias("share"),
        pl.format("{}-made models", pl.col("model_origin")).alias("models"))
    fig = px.bar(d, y="models", x="share", color="provider_origin", orientation="h",
                 category_orders={"provider_origin": list(HOST_ORDER)}, color_discrete_map=HOST_COLORS,
                 labels={"share": "Share of the models' OpenRouter endpoints", "models": "",
                         "provider_origin": "Host based in"},
                 title="Who serves whose models: OpenRouter endpoints by the host's country")
    fig.update_layout(barmode="stack", height=320, xaxis_tickformat=".0%")
    chart_frames.attach_px(fig, d, {"models": "Models", "share": "Share of endpoints", "endpoints": "Endpoints"},
                           by=["provider_origin"], orders={"provider_origin": list(HOST_ORDER)})
    return add_source(fig, tables.sources("openrouter_endpoints"),
                      "Hosts' countries from data/curated/openrouter_providers.csv; unknown: not curated")


def metr_chart(evaluations: pl.DataFrame, countries=(vocab.US, vocab.CHINA)) -> go.Figure:
    """METR 50% time horizons by release date and country, with METR's intervals."""
    d = evaluations.filter((pl.col("benchmark") == "metr_time_horizon") & pl.col("score").is_not_null()
                           & pl.col("release_date").is_not_null())
    fig = go.Figure()
    for c in countries:
        g = d.filter(pl.col("country_bucket") == c).sort("release_date")
        if g.is_empty():
            continue
        fig.add_trace(go.Scatter(
            x=g["release_date"].to_list(), y=g["score"].to_list(), mode="markers", name=c,
            text=g["model_version"].to_list(), marker=dict(color=COUNTRY_COLORS.get(c), size=8),
            error_y=dict(type="data", symmetric=False, array=(g["ci_high"] - g["score"]).to_list(),
                         arrayminus=(g["score"] - g["ci_low"]).to_list(), thickness=1),
            hovertemplate="%{text}<br>%{x|%Y-%m-%d}<br>%{y:.0f} minutes<extra></extra>"))
        chart_frames.attach(fig, g, {"model_version": "Model version", "release_date": "Release date",
                                     "score": "Time horizon (minutes)", "ci_low": "Interval low",
                                     "ci_high": "Interval high"}, name=c)
    fig.update_layout(title="METR 50% time horizons by release date", xaxis_title="Release date",
                      yaxis_title="Minutes (log scale)", yaxis_type="log", height=460)
    return add_source(fig, tables.sources("evaluations"), "Bars: METR's confidence intervals")
