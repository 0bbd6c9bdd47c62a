"""Chart of the replication report: the project's value over the published one, per figure."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analysis.figures.chart_frames import attach
from analysis.figures.plots import add_source
from analysis.store import tables


def ratios(fig_table: pl.DataFrame, tolerance: float = 0.15) -> go.Figure:
    """Project / published per figure (figures published only as a range are left out), with the agreement band."""
    d = fig_table.filter(pl.col("ratio").is_not_null())
    if "variant" not in d.columns:
        d = d.with_columns(pl.lit(None, pl.String).alias("variant"))
    fig = go.Figure()
    for name, part, marker in (
            ("project / published", d.filter(pl.col("variant").is_null()), dict(size=10, color="#1f5fa8")),
            ("labelled variant (another reading)", d.filter(pl.col("variant").is_not_null()),
             dict(size=9, color="#999", symbol="diamond-open", line=dict(width=2)))):
        if part.is_empty():
            continue
        fig.add_trace(go.Scatter(
            x=part["ratio"], y=part["figure_id"], mode="markers", marker=marker, name=name,
            customdata=list(zip(part["published_value"], part["project_value"],
                                part["variant"].fill_null("main comparison"), strict=True)),
            hovertemplate="%{y}<br>%{customdata[2]}<br>ratio %{x:.2f}<br>published %{customdata[0]:.3g}, "
                          "project %{customdata[1]:.3g}<extra></extra>"))
        attach(fig, part.with_columns(pl.col("variant").fill_null("main comparison")),
               {"ratio": "ratio", "figure_id": "Figure", "published_value": "Published value",
                "project_value": "Project value", "variant": "Reading"}, name=name)
    fig.add_vrect(x0=1 - tolerance, x1=1 + tolerance, fillcolor="rgba(26,127,55,0.12)", line_width=0,
                  annotation_text=f"within {tolerance:.0%}", annotation_position="top left")
    fig.add_vline(x=1, line=dict(color="#999", dash="dot"))
    fig.update_layout(title="Project value over published value, per figure", xaxis_title="ratio",
                      yaxis=dict(autorange="reversed"), height=160 + 34 * max(d["figure_id"].n_unique(), 1),
                      margin=dict(l=320), legend=dict(orientation="h", y=-0.15))
    # the project values come from Epoch's price-study files (read directly) and the models, capability and prices rows
    files = [f for t in ("replication", "models", "capability", "prices") for f in tables.sources(t)]
    return add_source(fig, list(dict.fromkeys(files)),
                      "Published values: data/curated/published_figures.csv (quote and URL per row)")
