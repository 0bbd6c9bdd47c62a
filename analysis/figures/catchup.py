"""Charts of the catch-up report: frontier lines, the US–China gap, time-to-match.

Every time chart takes `events` (already selected, e.g. by `analysis.figures.events.select_events`; None =
no events) and `event_style`, and lays the events that fall within the chart's dates over it with
`analysis.figures.events.add_events`.
"""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from analysis.core import vocab
from analysis.core.safety import escape_columns, escape_text
from analysis.figures.chart_frames import attach
from analysis.figures.events import EVENTS_NOTE, add_events, has_events
from analysis.figures.plots import COUNTRY_COLORS, COUNTRY_ORDER, add_source
from analysis.metrics import catchup

# text from the data a chart shows (names in hover and labels): escaped, so plotly shows it as text
_SHOWN = ("model", "lab", "source_model", "matched_by", "matched_lab")

NOTE = ("Models matched across sources by the project's model crosswalk; countries from the organization "
        "registry; release dates from Epoch AI, else Artificial Analysis")


def _sources(models: pl.DataFrame) -> list[str]:
    return models["source_file"].unique(maintain_order=True).sort().to_list()


def _with_events(fig: go.Figure, events: pl.DataFrame | None, style: str, start, end) -> go.Figure:
    if events is None or start is None:
        return fig
    return add_events(fig, events, start=start, end=end, style=style)


def _note(fig: go.Figure, extra: str) -> str:
    return extra + (f". {EVENTS_NOTE}" if has_events(fig) else "")


def frontier(models: pl.DataFrame, metric: str, events: pl.DataFrame | None = None,
             event_style: str = "markers") -> go.Figure:
    """Every model as a dot, and each country's best-to-date as a step line."""
    fig = px.scatter(escape_columns(models, _SHOWN), x="release_date", y="score", color="country_bucket", opacity=0.35,
                     color_discrete_map=COUNTRY_COLORS, category_orders={"country_bucket": COUNTRY_ORDER},
                     hover_name="model", hover_data={"lab": True, "source_model": True, "country_bucket": False},
                     labels={"release_date": "Release date", "score": metric, "country_bucket": ""},
                     title=f"Frontier per country: best {metric} score released to date")
    attach(fig, models, {"release_date": "Release date", "score": metric, "lab": "lab", "source_model": "source_model",
                         "model": "hover"}, series="country_bucket")
    rec = catchup.frontier(models)
    end = models["as_of"].max()
    for bucket in [b for b in COUNTRY_ORDER if b in rec["country_bucket"].to_list()]:
        r = rec.filter(pl.col("country_bucket") == bucket).sort("release_date")
        x = r["release_date"].to_list() + [end]
        y = r["score"].to_list() + [r["score"][-1]]
        shown = r["model"].to_list() + [r["model"][-1]]
        names = [escape_text(n) for n in shown]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", line_shape="hv", name=f"{bucket} frontier",
                                 line=dict(color=COUNTRY_COLORS.get(bucket), width=2.5), text=names,
                                 hovertemplate="%{text}<br>%{y:.1f}<extra>" + bucket + " frontier</extra>"))
        attach(fig, pl.DataFrame({"release_date": x, "score": y, "model": shown},
                                 schema={"release_date": models["release_date"].dtype, "score": pl.Float64,
                                         "model": pl.String}, strict=False),
               {"release_date": "Release date", "score": metric, "model": "hover"}, name=f"{bucket} frontier")
    if not models.is_empty():
        _with_events(fig, events, event_style, models["release_date"].min(), end)
    return add_source(fig, _sources(models), _note(fig, NOTE))


def gap(g: pl.DataFrame, metric: str, events: pl.DataFrame | None = None,
        event_style: str = "markers") -> go.Figure:
    """US minus China frontier score, with the interval where the source gives one."""
    fig = go.Figure()
    if g["gap_low"].is_not_null().any():
        fig.add_trace(go.Scatter(x=g["date"].to_list() + g["date"].to_list()[::-1],
                                 y=g["gap_high"].to_list() + g["gap_low"].to_list()[::-1], fill="toself",
                                 line=dict(width=0), fillcolor="rgba(31,95,168,0.15)", hoverinfo="skip",
                                 line_shape="hv", name="95% interval (from the source's intervals)"))
        # the band's outline: the upper bounds forward in time, then the lower bounds back
        attach(fig, pl.DataFrame({"date": g["date"].to_list() + g["date"].to_list()[::-1],
                                  "bound": g["gap_high"].to_list() + g["gap_low"].to_list()[::-1]},
                                 schema={"date": g["date"].dtype, "bound": pl.Float64}, strict=False),
               {"date": "Date", "bound": f"{metric} points"}, name="95% interval (from the source's intervals)")
    fig.add_trace(go.Scatter(
        x=g["date"], y=g["gap_score"], mode="lines+markers", line_shape="hv", name="US lead in score",
        line=dict(color=COUNTRY_COLORS[vocab.US]),
        customdata=[(escape_text(a), escape_text(b)) for a, b in zip(g["leader_model"], g["follower_model"], strict=True)],
        hovertemplate="%{x}<br>US lead %{y:.1f}<br>US: %{customdata[0]}<br>China: %{customdata[1]}<extra></extra>"))
    attach(fig, g, {"date": "Date", "gap_score": f"US lead, {metric} points", "leader_model": "US frontier model",
                    "follower_model": "China frontier model"}, name="US lead in score")
    fig.add_hline(y=0, line=dict(color="#999", dash="dot"))
    fig.update_layout(title=f"US lead over China in {metric} (US frontier minus Chinese frontier)",
                      xaxis_title="Date", yaxis_title=f"{metric} points")
    return _with_events(fig, events, event_style, g["date"].min(), g["date"].max())


def lag(g: pl.DataFrame, metric: str, events: pl.DataFrame | None = None,
        event_style: str = "markers") -> go.Figure:
    """How many months earlier the US frontier had reached China's current frontier score: a daily series
    (the lag grows a month per month between frontier moves), drawn as it is."""
    d = g.filter(pl.col("lag_months").is_not_null())
    fig = go.Figure()
    if d["lag_months_low"].is_not_null().any():
        fig.add_trace(go.Scatter(
            x=d["date"], y=d["lag_months"], mode="markers", name="interval", showlegend=False,
            error_y=dict(type="data", symmetric=False, array=(d["lag_months_high"] - d["lag_months"]).fill_null(0),
                         arrayminus=(d["lag_months"] - d["lag_months_low"]).fill_null(0), color="#d7301f"),
            marker=dict(size=0.1), hoverinfo="skip"))
        attach(fig, d, {"date": "Date", "lag_months": "Months"}, name="interval")
    fig.add_trace(go.Scatter(
        x=d["date"], y=d["lag_months"], mode="lines", name="China behind, months (daily)",
        line=dict(color=COUNTRY_COLORS[vocab.CHINA]),
        customdata=[(escape_text(a), escape_text(b)) for a, b in zip(d["follower_model"], d["matched_by"], strict=True)],
        hovertemplate="%{x}<br>%{y:.1f} months<br>China: %{customdata[0]}<br>US first reached it with "
                      "%{customdata[1]}<extra></extra>"))
    attach(fig, d, {"date": "Date", "lag_months": "China behind, months", "follower_model": "China frontier model",
                    "matched_by": "US model that first reached that score"}, name="China behind, months (daily)")
    fig.update_layout(title=f"Time gap on {metric}: months since the US frontier first reached China's frontier score",
                      xaxis_title="Date", yaxis_title="Months", yaxis_rangemode="tozero")
    return _with_events(fig, events, event_style, d["date"].min(), d["date"].max())


def time_to_match(ttm: pl.DataFrame, metric: str, label: str | None = None, events: pl.DataFrame | None = None,
                  event_style: str = "markers") -> go.Figure:
    """Days until a rival matched each frontier-setting release; examples named on hover."""
    m = ttm.filter(pl.col("days").is_not_null())
    fig = px.scatter(escape_columns(m, _SHOWN), x="release_date", y="days", color="country_bucket",
                     color_discrete_map=COUNTRY_COLORS,
                     category_orders={"country_bucket": COUNTRY_ORDER}, hover_name="model",
                     hover_data={"lab": True, "score": ":.1f", "matched_by": True, "matched_lab": True,
                                 "matched_date": True, "matched_score": ":.1f", "country_bucket": False},
                     labels={"release_date": "Release that set a new frontier", "days": "Days until a rival matched",
                             "country_bucket": ""},
                     title=f"Time-to-match on {metric}: days until a rival released a model scoring at least as high")
    attach(fig, m, {"release_date": "Release that set a new frontier", "days": "Days until a rival matched", "lab": "lab",
                    "score": "score", "matched_by": "matched_by", "matched_lab": "matched_lab",
                    "matched_date": "matched_date", "matched_score": "matched_score", "model": "hover"},
           series="country_bucket")
    if label is not None:
        hit = m.filter(pl.col("model") == label)
        if len(hit):
            r = hit.row(0, named=True)
            fig.add_annotation(x=r["release_date"], y=r["days"],
                               text=f"{escape_text(r['model'])} → {escape_text(r['matched_by'])}",
                               showarrow=True, arrowhead=2, ax=40, ay=-40)
    fig.update_traces(marker=dict(size=9))
    return _with_events(fig, events, event_style, m["release_date"].min(), m["release_date"].max())


def finish(fig: go.Figure, models: pl.DataFrame, extra: str = NOTE) -> go.Figure:
    """Name the sources (and the events' sources when the chart shows events)."""
    return add_source(fig, _sources(models), _note(fig, extra))


ARENA_NOTE = ("Each point is one pinned snapshot of the LMArena leaderboard: its best US and best Chinese model, "
              "both rated in that snapshot's own fit (ratings of different snapshots are never compared); bars: "
              "the two models' 95% intervals combined; names matched by the project's model crosswalk, countries "
              "from the organization registry")
ARENA_COLORS = {vocab.METRIC_LMARENA_STYLE: COUNTRY_COLORS[vocab.US], vocab.METRIC_LMARENA: "#7a8a99"}


def arena_gap_by_snapshot(gaps: pl.DataFrame, events: pl.DataFrame | None = None,
                          event_style: str = "markers") -> go.Figure:
    """The US lead on LMArena as each pinned snapshot showed it (`analysis.metrics.catchup.arena_gap_by_snapshot`,
    one frame per metric concatenated): one marker per snapshot and metric, dated by the snapshot, with the
    interval as error bars; a line joins the snapshots of one metric."""
    fig = go.Figure()
    for metric in gaps["metric"].unique(maintain_order=True).to_list():
        g = gaps.filter(pl.col("metric") == metric).sort("as_of")
        name = vocab.METRIC_NAMES.get(metric, metric)
        fig.add_trace(go.Scatter(
            x=g["as_of"], y=g["gap"], mode="lines+markers", name=name,
            line=dict(color=ARENA_COLORS.get(metric), width=2), marker=dict(size=9),
            error_y=dict(type="data", symmetric=False, array=(g["gap_high"] - g["gap"]).fill_null(0),
                         arrayminus=(g["gap"] - g["gap_low"]).fill_null(0), thickness=1.2),
            customdata=[(escape_text(a), escape_text(b), lo, hi) for a, b, lo, hi in
                        zip(g["leader_entry"], g["follower_entry"], g["gap_low"], g["gap_high"], strict=True)],
            hovertemplate="snapshot %{x}<br>US lead %{y:.0f} points (95%: %{customdata[2]:.0f} to "
                          "%{customdata[3]:.0f})<br>US: %{customdata[0]}<br>China: %{customdata[1]}<extra>"
                          + escape_text(name) + "</extra>"))
        attach(fig, g, {"as_of": "Snapshot date", "gap": "US lead, rating points", "gap_low": "95% low",
                        "gap_high": "95% high", "leader_entry": "best US model", "leader_score": "US model rating",
                        "follower_entry": "best Chinese model", "follower_score": "Chinese model rating",
                        "source_file": "snapshot file"}, name=name)
    fig.add_hline(y=0, line=dict(color="#999", dash="dot"))
    fig.update_layout(title="US lead over China on LMArena text, as each pinned snapshot showed it",
                      xaxis_title="Snapshot date", yaxis_title="Rating points (best US minus best Chinese model)",
                      yaxis_rangemode="tozero")
    if not gaps.is_empty():
        _with_events(fig, events, event_style, gaps["as_of"].min(), gaps["as_of"].max())
    return add_source(fig, gaps["source_file"].unique(maintain_order=True).sort().to_list(), _note(fig, ARENA_NOTE))
