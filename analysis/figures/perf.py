"""Charts of the performance-per-dollar report: score vs blended price with the Pareto frontier, price ratio over time."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analysis.figures.chart_frames import attach
from analysis.figures.events import EVENTS_NOTE, add_events, has_events
from analysis.figures.plots import COUNTRY_COLORS, COUNTRY_ORDER, add_source
from analysis.metrics import perf

NOTE = ("Scores and prices matched by the project's model crosswalk; blended reference list prices "
        "(lab's own price first); countries from the organization registry")


def sources(table: pl.DataFrame) -> list[str]:
    """Manifest paths of the score and price files behind the rows of a performance table."""
    return sorted(set(table["score_source"].to_list()) | set(table["price_file"].to_list()))


LOG_TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
SYMBOLS = {"open weights": "circle", "closed weights": "diamond-open", "weights unknown": "x"}


def scatter(table: pl.DataFrame, metric: str, currency: str = "USD", ratio: float = 3.0) -> go.Figure:
    """Score vs blended price (log x) on one date; Pareto frontier line per country; symbol = open weights."""
    d = table.with_columns(
        pl.when(pl.col("open_weights")).then(pl.lit("open weights"))
        .when(pl.col("open_weights").not_()).then(pl.lit("closed weights"))
        .otherwise(pl.lit("weights unknown")).alias("weights"),
        pl.col("organizations").list.join(", ").alias("organization"),
        pl.format("{} ({} row {})", "price_source", "price_file", "price_row").alias("price_from"),
        pl.format("{} ({})", "score_source", "source_model").alias("score_from"),
    )
    date = d["date"].max()
    price = f"Blended price, {currency} per 1M tokens ({ratio:g}:1 input:output, log scale)"
    fig = go.Figure()
    hover = ("<b>%{customdata[0]}</b> (%{customdata[1]})<br>" + metric + " %{y:.1f}; %{x:.3f} " + currency
             + "/1M tokens<br>score: %{customdata[2]}<br>price: %{customdata[3]}, sold by %{customdata[4]}"
             "<extra>%{customdata[5]}</extra>")
    for bucket in [b for b in COUNTRY_ORDER if b in d["country_bucket"].to_list()]:
        for weights, symbol in SYMBOLS.items():
            g = d.filter((pl.col("country_bucket") == bucket) & (pl.col("weights") == weights))
            if g.is_empty():
                continue
            fig.add_trace(go.Scatter(
                x=g["blended"], y=g["score"], mode="markers", name=f"{bucket}, {weights}",
                legendgroup=bucket, marker=dict(color=COUNTRY_COLORS.get(bucket), symbol=symbol, size=9,
                                                line=dict(width=1.5, color=COUNTRY_COLORS.get(bucket))),
                customdata=g.select("model", "organization", "score_from", "price_from", "provider",
                                    "weights").rows(),
                hovertemplate=hover))
            attach(fig, g, {"blended": price, "score": metric, "model": "Model", "organization": "Organization",
                            "score_from": "Score source", "price_from": "Price source", "provider": "Sold by",
                            "weights": "Weights"}, name=f"{bucket}, {weights}")
    front = perf.pareto_frontier(d)
    for bucket in [b for b in COUNTRY_ORDER if b in front["country_bucket"].to_list()]:
        f = front.filter(pl.col("country_bucket") == bucket).sort("blended")
        fig.add_trace(go.Scatter(
            x=f["blended"], y=f["score"], mode="lines", line_shape="hv", name=f"{bucket} Pareto frontier",
            legendgroup=bucket, line=dict(color=COUNTRY_COLORS.get(bucket), width=2), text=f["model"],
            hovertemplate="%{text}<br>%{y:.1f} at %{x:.3f}<extra>" + bucket + " Pareto frontier</extra>"))
        attach(fig, f, {"blended": price, "score": metric, "model": "Model"}, name=f"{bucket} Pareto frontier")
    fig.update_xaxes(type="log", tickvals=LOG_TICKS, ticktext=[f"{v:g}" for v in LOG_TICKS], title=price)
    fig.update_yaxes(title=metric)
    fig.update_layout(title=f"{metric} vs blended list price on {date}: Pareto frontier per country", height=900,
                      legend=dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top"),
                      margin=dict(t=80, r=250))
    add_source(fig, sources(table), NOTE)
    return fig.update_annotations(yshift=-60)


def ratio_over_time(answers: pl.DataFrame, table: pl.DataFrame, metric: str, events: pl.DataFrame | None = None,
                    event_style: str = "markers") -> go.Figure:
    """Follower price as a share of the leader's price, per date, for each view (leader -> follower).

    `events` (already selected; None = none) are laid over the chart's dates with `add_events`.
    """
    fig = go.Figure()
    for (lead, follow), g in answers.sort("date").group_by(["leader_country", "follower_country"],
                                                           maintain_order=True):
        text = [f"{lm} ({lp:.2f}) vs {fm} ({fp:.2f})" if fm else f"{lm}: no model within threshold"
                for lm, lp, fm, fp in g.select("leader_model", "leader_price", "follower_model",
                                               "follower_price").iter_rows()]
        name = f"cheapest {follow} model within threshold of the best {lead} model"
        fig.add_trace(go.Scatter(
            x=g["date"], y=g["price_share"] * 100, mode="lines+markers", connectgaps=False, name=name,
            line=dict(color=COUNTRY_COLORS.get(follow)), text=text,
            hovertemplate="%{x}: %{y:.0f}% of the price<br>%{text}<extra></extra>"))
        attach(fig, g.with_columns((pl.col("price_share") * 100).alias("pct"), pl.Series("text", text, pl.String)),
               {"date": "Date (month-ends)", "pct": "% of the leader's blended price (log scale)", "text": "note"},
               name=name)
    thr = answers["threshold"].max() if len(answers) else None
    fig.update_layout(
        title=f"Price of the cheapest rival model reaching {thr:.0%} of the best model's {metric} score"
        if thr is not None else f"Price ratio on {metric}",
        yaxis=dict(title="% of the leader's blended price (log scale)", type="log", tickvals=LOG_TICKS,
                   ticktext=[f"{v:g}%" for v in LOG_TICKS]),
        xaxis=dict(title="Date (month-ends)"), legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
        height=760, margin=dict(t=120))
    if events is not None and len(answers):
        add_events(fig, events, start=answers["date"].min(), end=answers["date"].max(), style=event_style)
    note = NOTE + "; gaps = no rival model within the threshold"
    add_source(fig, sources(table), note + (f". {EVENTS_NOTE}" if has_events(fig) else ""))
    return fig.update_annotations(yshift=-60)
