"""Charts of the release-pace report."""

from __future__ import annotations

import datetime as dt

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from analysis.acquire import manifest
from analysis.clean.models import SOURCES as MODEL_FILES
from analysis.figures.chart_frames import attach
from analysis.figures.events import EVENTS_NOTE, add_events
from analysis.figures.plots import COUNTRY_COLORS, COUNTRY_ORDER, add_log_toggle, add_source, mark_partial, partial_periods
from analysis.metrics import pace
from analysis.store import tables

XPERIOD = {"year": "M12", "quarter": "M3", "month": "M1"}
REGISTRY_NOTE = "Countries from the project's organization registry (data/curated/organizations.csv)"
# Epoch adds models to its lists months after their release: periods that ended this close to the snapshot are
# drawn as provisional (a presentation choice, not a measured lag)
EPOCH_LAG_DAYS = 90
LAG_REASON = "Epoch's list fills in with a lag"


def _sources() -> list[str]:
    """The files behind the models rows this process loaded (analysis.store.tables.sources): the charts' source line."""
    return tables.sources("models")


def data_end(sources: list[str] | None = None) -> dt.date:
    """The newest snapshot date of the Epoch model files the models rows came from (all the files the models
    step reads when no rows were loaded here): the end of the data the pace charts show."""
    entries = manifest.load()
    files = [f for f in (sources or _sources()) if not f.startswith("data/curated/")] or list(MODEL_FILES)
    return max(dt.date.fromisoformat(manifest.entry(p, entries).snapshot_date) for p in files)


def _mark(fig: go.Figure, starts, period: str, end: dt.date | None) -> go.Figure:
    notes = partial_periods(starts, period, end or data_end(), EPOCH_LAG_DAYS, LAG_REASON)
    return mark_partial(fig, notes)


def _mark_years(fig: go.Figure, years, end: dt.date | None) -> go.Figure:
    """`_mark` for charts whose x is the year as a number."""
    notes = partial_periods([dt.date(int(y), 1, 1) for y in years if y is not None], "year", end or data_end(),
                            EPOCH_LAG_DAYS, LAG_REASON)
    return mark_partial(fig, {s.year: n for s, n in notes.items()})


def _colors(**kw):
    return dict(color="country_bucket", color_discrete_map=COUNTRY_COLORS,
                category_orders={"country_bucket": COUNTRY_ORDER}, **kw)


def _period_end(start: dt.date, period: str) -> dt.date:
    """Last day of the period that starts on `start`."""
    from analysis.figures.plots import period_end

    return period_end(start, period)


def _with_events(fig: go.Figure, events: pl.DataFrame | None, style: str, start, end) -> go.Figure:
    """Lay the (already selected) events over the chart, within the dates the chart's data span."""
    if events is None or events.is_empty() or start is None:
        return fig
    return add_events(fig, events, start=start, end=end, style=style)


def releases(counts: pl.DataFrame, period: str, events: pl.DataFrame | None = None,
             event_style: str = "markers", end: dt.date | None = None) -> go.Figure:
    """Stacked bars of releases per period; the period running past the data's end (`end`, default the Epoch
    snapshot date) and the recent ones Epoch may still fill in are drawn lighter and hatched."""
    fig = px.bar(counts, x="period", y="releases", **_colors(),
                 labels={"period": period.capitalize(), "releases": "Models released", "country_bucket": ""},
                 title=f"Notable model releases per {period}, by country of the developers")
    attach(fig, counts, {"period": period.capitalize(), "releases": "Models released"}, series="country_bucket",
           x="period")
    fig.update_layout(barmode="stack", hovermode="x unified")
    # each bar spans its period (centred mid-period), so events fall inside the bar of their period
    fig.update_traces(xperiod=XPERIOD[period], xperiodalignment="middle")
    _mark(fig, counts["period"].unique().to_list(), period, end)
    if not counts.is_empty():
        _with_events(fig, events, event_style, counts["period"].min(), _period_end(counts["period"].max(), period))
    return add_source(fig, _sources(), REGISTRY_NOTE + (f". {EVENTS_NOTE}" if events is not None else ""))


def organizations(orgs: pl.DataFrame, end: dt.date | None = None) -> go.Figure:
    fig = px.line(orgs, x="year", y="organizations", markers=True, **_colors(),
                  labels={"year": "Year", "organizations": "Organizations releasing", "country_bucket": ""},
                  title="Distinct organizations releasing at least one notable model per year")
    attach(fig, orgs, {"year": "Year", "organizations": "Organizations releasing"}, series="country_bucket", x="year")
    _mark_years(fig, orgs["year"].unique().to_list(), end)
    return add_source(fig, _sources(), REGISTRY_NOTE)


def concentration(conc: pl.DataFrame, end: dt.date | None = None) -> go.Figure:
    long = conc.unpivot(index=["year", "country_bucket", "releases", "organizations"],
                        on=["top3_share", "hhi"], variable_name="measure")
    long = long.with_columns(pl.col("measure").replace({"top3_share": "Top-3 share", "hhi": "HHI"}))
    fig = px.line(long, x="year", y="value", facet_col="measure", markers=True, **_colors(),
                  hover_data={"releases": ":.1f", "organizations": True, "value": ":.2f"},
                  labels={"year": "Year", "value": "Top-3 share (0-1) or HHI (0-1)", "country_bucket": "",
                          "measure": "Measure"},
                  title="How concentrated are releases? Top-3 organizations' share and HHI (1 = one organization)")
    for m in long["measure"].unique(maintain_order=True):  # one trace per country in each facet
        attach(fig, long.filter(pl.col("measure") == m),
               {"year": "Year", "value": "Top-3 share (0-1) or HHI (0-1)", "releases": "releases",
                "organizations": "organizations"}, series="country_bucket", x="year")
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%", title_text="")
    fig.update_yaxes(tickformat=".2f", col=2)
    _mark_years(fig, conc["year"].unique().to_list(), end)
    return add_source(fig, _sources(), REGISTRY_NOTE + "; a model of n organizations counts 1/n for each")


def open_share(share: pl.DataFrame, period: str, events: pl.DataFrame | None = None,
               event_style: str = "markers", end: dt.date | None = None) -> go.Figure:
    shown = share.filter(pl.col("known") > 0)
    fig = px.line(shown, x="period", y="share", markers=True, **_colors(),
                  hover_data={"open": True, "known": True, "releases": True},
                  labels={"period": period.capitalize(), "share": "Open-weights share", "country_bucket": ""},
                  title="Share of notable releases with downloadable weights (among those whose access is known)")
    attach(fig, shown, {"period": period.capitalize(), "share": "Open-weights share", "open": "open", "known": "known",
                        "releases": "releases"}, series="country_bucket", x="period")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_traces(xperiod=XPERIOD[period], xperiodalignment="middle")  # a point per period, mid-period
    _mark(fig, shown["period"].unique().to_list(), period, end)
    if not shown.is_empty():
        _with_events(fig, events, event_style, shown["period"].min(), _period_end(shown["period"].max(), period))
    return add_source(fig, _sources(), EVENTS_NOTE if events is not None else "")


def compute_trend(top: pl.DataFrame, fits: pl.DataFrame, fit_start, top_k: int,
                  events: pl.DataFrame | None = None, event_style: str = "markers") -> go.Figure:
    fig = px.scatter(top, x="release_date", y="training_compute_flop", **_colors(), log_y=True,
                     hover_name="model",
                     hover_data={"organizations": True, "training_compute_flop": ":.2e", "country_bucket": False},
                     labels={"release_date": "Release date", "training_compute_flop": "Training compute (FLOP)",
                             "country_bucket": ""},
                     title=f"Training compute of each country's top-{top_k} models at release, with log-linear fits")
    attach(fig, top, {"release_date": "Release date", "training_compute_flop": "Training compute (FLOP)",
                      "organizations": "organizations", "model": "hover"}, series="country_bucket")
    for row in fits.iter_rows(named=True):
        if not row.get("drawn", True):
            continue  # too few points or an unbounded interval: not a trend
        line = pace.fit_line(row, row["start"], row["end"])
        name = (f"{row['country_bucket']}: ×{row['growth_per_year']:.1f}/yr ({row['growth_low']:.1f}–"
                f"{row['growth_high']:.1f}, 95% CI; n={row['n']}), doubling every {row['doubling_months']:.1f} months")
        fig.add_trace(go.Scatter(
            x=line["release_date"], y=line["training_compute_flop"], mode="lines",
            line=dict(color=COUNTRY_COLORS.get(row["country_bucket"]), dash="dash"), name=name, hoverinfo="name",
        ))
        attach(fig, line, {"release_date": "Release date", "training_compute_flop": "Training compute (FLOP)"},
               name=name)
    fig.update_layout(legend=dict(orientation="v", y=-0.25, yanchor="top"), margin=dict(b=200))
    if events is not None and not events.is_empty() and not top.is_empty():
        # a long legend: beside the plot rather than under it
        fig.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"),
                          margin=dict(r=380, b=120), height=620)
        _with_events(fig, events, event_style, top["release_date"].min(), top["release_date"].max())
    note = (f"Top-{top_k} ranked over all of a country's notable models before any filter; fits from {fit_start}; "
            "no line where a fit has too few points or an unbounded interval; models without a compute estimate "
            "are not shown")
    add_log_toggle(fig, "y")  # compute spans many orders of magnitude: log first, linear on demand
    return add_source(fig, _sources(), note + (f". {EVENTS_NOTE}" if events is not None else ""))
