"""Chart of the replication report: the project's value over the published one, per figure."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analysis.plots import add_source

SOURCES = ["epoch/llm-benchmark-efficiency/lowest_price_models_results.csv", "epoch/notable_ai_models.csv",
           "epoch/epoch_capabilities_index.csv"]


def ratios(fig_table: pl.DataFrame, tolerance: float = 0.15) -> go.Figure:
    """Project / published per figure (figures published only as a range are left out), with the agreement band."""
    d = fig_table.filter(pl.col("ratio").is_not_null())
    fig = go.Figure(go.Scatter(
        x=d["ratio"], y=d["figure_id"], mode="markers", marker=dict(size=10, color="#1f5fa8"), name="project / published",
        customdata=list(zip(d["published_value"], d["project_value"], strict=True)),
        hovertemplate="%{y}<br>ratio %{x:.2f}<br>published %{customdata[0]:.3g}, project %{customdata[1]:.3g}"
                      "<extra></extra>"))
    fig.add_vrect(x0=1 - tolerance, x1=1 + tolerance, fillcolor="rgba(26,127,55,0.12)", line_width=0,
                  annotation_text=f"within {tolerance:.0%}", annotation_position="top left")
    fig.add_vline(x=1, line=dict(color="#999", dash="dot"))
    fig.update_layout(title="Project value over published value, per figure", xaxis_title="ratio",
                      yaxis=dict(autorange="reversed"), height=120 + 34 * max(len(d), 1), margin=dict(l=320))
    return add_source(fig, SOURCES, "Published values: data/curated/published_figures.csv (quote and URL per row)")
