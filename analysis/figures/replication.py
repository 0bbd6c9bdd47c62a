"""Chart of the replication report: the project's value over the published one, per figure."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analysis import tables
from analysis.plots import add_source


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
    # the project values come from Epoch's price-study files (read directly) and the models, capability and prices rows
    files = [f for t in ("replication", "models", "capability", "prices") for f in tables.sources(t)]
    return add_source(fig, list(dict.fromkeys(files)),
                      "Published values: data/curated/published_figures.csv (quote and URL per row)")
