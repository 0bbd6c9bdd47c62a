"""Charts of the builders' report: rank at release per task family over time, each lab's largest context window."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analysis.clean.tasks import BENCHMARK_NAMES, FAMILY_NAMES
from analysis.core import vocab
from analysis.core.safety import escape_text
from analysis.figures.chart_frames import attach
from analysis.figures.plots import add_log_toggle, add_source
from analysis.store import tables

# each lab its own colour within its country's family of hues (China: reds and oranges, the US: blues and teals,
# others: greys), in the order the labs are given; the marker symbol repeats the distinction for colour-blind readers
LAB_HUES = {vocab.CHINA: ("#b2182b", "#e34a33", "#f28e2b", "#8c2d04", "#fb6a4a", "#d6604d", "#fdae6b", "#99000d"),
            vocab.US: ("#08519c", "#3182bd", "#17becf", "#6baed6", "#253494", "#41b6c4", "#9ecae1", "#0868ac")}
OTHER_HUES = ("#525252", "#969696", "#737373")


def lab_colors(labs: list[str], buckets: dict[str, str]) -> dict[str, str]:
    """A colour per lab: the next hue of its country bucket's family (cycling when a bucket has more labs)."""
    used: dict[str, int] = {}
    out = {}
    for lab in labs:
        hues = LAB_HUES.get(buckets.get(lab), OTHER_HUES)
        i = used.get(buckets.get(lab), 0)
        out[lab] = hues[i % len(hues)]
        used[buckets.get(lab)] = i + 1
    return out


_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "triangle-down", "pentagon",
            "hexagon", "circle-open", "square-open", "diamond-open", "star-open")


def ranks_at_release(ranked: pl.DataFrame, family: str, labs: list[str]) -> go.Figure:
    """Each launch of the labs' models on the family's benchmarks: rank at release (1 = best) against release date,
    one trace per lab (marker colour by country, symbol by lab)."""
    d = (ranked.filter((pl.col("family") == family) & pl.col("first_edition") & pl.col("rank_at_release").is_not_null())
         .explode("organizations").filter(pl.col("organizations").is_in(labs))
         .with_columns(pl.col("benchmark").replace_strict(BENCHMARK_NAMES, default=pl.col("benchmark"))
                       .alias("benchmark_name")))
    fig = go.Figure()
    colors = lab_colors(labs, dict(zip(d["organizations"].to_list(), d["country_bucket"].to_list(), strict=True)))
    for i, lab in enumerate(labs):
        x = d.filter(pl.col("organizations") == lab).sort("release_date")
        if x.is_empty():
            continue
        fig.add_scatter(x=x["release_date"].to_list(), y=x["rank_at_release"].to_list(), mode="markers",
                        name=escape_text(lab), marker=dict(color=colors[lab], size=9, opacity=0.85,
                                                           symbol=_SYMBOLS[i % len(_SYMBOLS)]),
                        customdata=[[escape_text(m), escape_text(b), n] for m, b, n in zip(
                            x["model"].to_list(), x["benchmark_name"].to_list(), x["n_at_release"].to_list(),
                            strict=True)],
                        hovertemplate="%{customdata[0]}<br>%{customdata[1]}: rank %{y} of %{customdata[2]} at "
                                      "release (%{x|%Y-%m-%d})<extra></extra>")
        attach(fig, x, {"release_date": "Release date", "model": "Model", "benchmark_name": "Benchmark",
                        "rank_at_release": "Rank at release (1 = best)", "n_at_release": "Models ranked at release",
                        "score": "Score (the benchmark's own scale)", "edition": "Edition"},
               name=escape_text(lab), x="release_date")
    # ranks start at 1 (the best, at the top): ticks at 1 and at round steps, never at 0
    top = max(d["rank_at_release"].max() or 1, 5)
    step = 5 if top <= 30 else 10
    ticks = [1, *range(step, top + 1, step)]
    fig.update_layout(title=f"Rank at release, {FAMILY_NAMES.get(family, family)} benchmarks",
                      yaxis=dict(title="Rank at release (1 = best)", range=[top + 0.5, 0.5], tickvals=ticks),
                      xaxis_title="Release date", hovermode="closest")
    add_source(fig, tables.sources("task_scores"), "Rank among the models of the same benchmark and edition "
                                                   "released on or before the model; each benchmark its own scale")
    return fig


def largest_windows(lab_w: pl.DataFrame, labs: list[str]) -> go.Figure:
    """Each lab's largest first-party context window on each file date (every source)."""
    fig = go.Figure()
    colors = lab_colors(labs, dict(zip(lab_w["organization"].to_list(), lab_w["country_bucket"].to_list(),
                                       strict=True)))
    for i, lab in enumerate(labs):
        x = lab_w.filter(pl.col("organization") == lab).sort("as_of")
        if x.is_empty():
            continue
        fig.add_scatter(x=x["as_of"].to_list(), y=x["max_input_tokens"].to_list(), mode="lines+markers",
                        name=escape_text(lab), line=dict(color=colors[lab]),
                        marker=dict(symbol=_SYMBOLS[i % len(_SYMBOLS)], size=8),
                        customdata=[[escape_text(k)] for k in x["chosen_key"].to_list()],
                        hovertemplate=f"{escape_text(lab)}<br>%{{x|%Y-%m-%d}}: %{{y:,}} tokens "
                                      "(%{customdata[0]})<extra></extra>")
        attach(fig, x, {"as_of": "File date", "max_input_tokens": "Largest context window (tokens)",
                        "largest_model": "Model", "chosen_key": "Key", "source": "Source", "rule": "Rule"},
               name=escape_text(lab), x="as_of")
    fig.update_layout(title="Largest first-party context window per lab",
                      yaxis_title="Context window (tokens)", xaxis_title="File date", hovermode="closest")
    add_log_toggle(fig, "y")
    add_source(fig, tables.sources("context_windows"), "One window per model and date (analysis.metrics.builders."
                                                       "window_reference); labs' own APIs only")
    return fig
