"""Charts of the release-pace report.

Drawn with plotly's graph objects, a trace per country bucket (`_by_country`), the way plotly express would draw
them (legend groups, colours, the hover's `label=value` lines): express costs about 0.02 s more per chart and
0.07 s to import, a tenth of a rerun of the release-pace report (docs/benchmark.md).
"""

from __future__ import annotations

import datetime as dt

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


def _by_country(frame: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """The frame's rows per country bucket, in the charts' order: COUNTRY_ORDER, then any other bucket as it first
    comes (rows without a bucket are not drawn)."""
    seen = [c for c in frame["country_bucket"].unique(maintain_order=True).to_list() if c is not None]
    order = [c for c in COUNTRY_ORDER if c in seen] + [c for c in seen if c not in COUNTRY_ORDER]
    return [(c, frame.filter(pl.col("country_bucket") == c)) for c in order]


def _hover(lines: list[str]) -> str:
    return "<br>".join(lines) + "<extra></extra>"


def _layout(title: str, x_title: str, y_title: str, **kw) -> dict:
    """The layout of a one-panel chart: titled axes, the legend's title left empty (the buckets name themselves)."""
    return dict(xaxis=dict(anchor="y", domain=[0.0, 1.0], title_text=x_title),
                yaxis=dict(anchor="x", domain=[0.0, 1.0], title_text=y_title),
                legend=dict(title_text="", tracegroupgap=0), title_text=title, **kw)


def _line(country: str, d: pl.DataFrame, x: str, y: str, hover: list[str], customdata=None, showlegend: bool = True,
          xaxis: str = "x", yaxis: str = "y") -> go.Scatter:
    """A bucket's line with a marker per point (on the first panel unless `xaxis`/`yaxis` say otherwise)."""
    return go.Scatter(x=d[x].to_list() if d[x].dtype == pl.Date else d[x].to_numpy(), y=d[y].to_numpy(),
                      mode="lines+markers", name=country, legendgroup=country, showlegend=showlegend,
                      line=dict(color=COUNTRY_COLORS.get(country), dash="solid"), marker=dict(symbol="circle"),
                      orientation="v", xaxis=xaxis, yaxis=yaxis, customdata=customdata,
                      hovertemplate=_hover([country, *hover]))


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
    label = period.capitalize()
    fig = go.Figure(
        [go.Bar(x=d["period"].to_list(), y=d["releases"].to_numpy(), name=c, legendgroup=c, showlegend=True,
                marker=dict(color=COUNTRY_COLORS.get(c), pattern_shape=""), orientation="v", textposition="auto",
                xaxis="x", yaxis="y", hovertemplate=_hover([c, f"{label}=%{{x}}", "Models released=%{y}"]))
         for c, d in _by_country(counts)],
        _layout(f"Notable model releases per {period}, by country of the developers", label, "Models released",
                barmode="stack", hovermode="x unified"))
    attach(fig, counts, {"period": label, "releases": "Models released"}, series="country_bucket", x="period")
    # each bar spans its period (centred mid-period), so events fall inside the bar of their period
    fig.update_traces(xperiod=XPERIOD[period], xperiodalignment="middle")
    _mark(fig, counts["period"].unique(maintain_order=True).to_list(), period, end)
    if not counts.is_empty():
        _with_events(fig, events, event_style, counts["period"].min(), _period_end(counts["period"].max(), period))
    return add_source(fig, _sources(), REGISTRY_NOTE + (f". {EVENTS_NOTE}" if events is not None else ""))


def organizations(orgs: pl.DataFrame, end: dt.date | None = None) -> go.Figure:
    fig = go.Figure([_line(c, d, "year", "organizations", ["Year=%{x}", "Organizations releasing=%{y}"])
                     for c, d in _by_country(orgs)],
                    _layout("Distinct organizations releasing at least one notable model per year", "Year",
                            "Organizations releasing"))
    attach(fig, orgs, {"year": "Year", "organizations": "Organizations releasing"}, series="country_bucket", x="year")
    _mark_years(fig, orgs["year"].unique(maintain_order=True).to_list(), end)
    return add_source(fig, _sources(), REGISTRY_NOTE)


def concentration(conc: pl.DataFrame, end: dt.date | None = None) -> go.Figure:
    long = conc.unpivot(index=["year", "country_bucket", "releases", "organizations"],
                        on=["top3_share", "hhi"], variable_name="measure")
    long = long.with_columns(pl.col("measure").replace({"top3_share": "Top-3 share", "hhi": "HHI"}))
    measures = ["Top-3 share", "HHI"]  # a panel each, side by side, sharing their axes' ranges
    value = "Top-3 share (0-1) or HHI (0-1)"
    traces = [_line(c, d.filter(pl.col("measure") == m), "year", "value",
                    [f"Measure={m}", "Year=%{x}", f"{value}=%{{y:.2f}}", "releases=%{customdata[0]:.1f}",
                     "organizations=%{customdata[1]}"],
                    customdata=d.filter(pl.col("measure") == m).select("releases", "organizations").to_numpy(),
                    showlegend=i == 0, xaxis="x" if i == 0 else "x2", yaxis="y" if i == 0 else "y2")
              for c, d in _by_country(long) for i, m in enumerate(measures) if (d["measure"] == m).any()]
    y = dict(domain=[0.0, 1.0], title_text="", range=[0, 1.05])
    fig = go.Figure(traces, dict(
        xaxis=dict(anchor="y", domain=[0.0, 0.46], title_text="Year"),
        xaxis2=dict(anchor="y2", domain=[0.54, 1.0], matches="x", title_text="Year"),  # room for its ticks
        yaxis=dict(anchor="x", tickformat=".0%", **y),
        yaxis2=dict(anchor="x2", matches="y", tickformat=".2f", **y),  # its own ticks: HHI in 0-1, not a share
        annotations=[dict(text=m, x=x, xanchor="center", xref="paper", y=1.0, yanchor="bottom", yref="paper",
                          showarrow=False) for m, x in zip(measures, (0.23, 0.77), strict=True)],
        legend=dict(title_text="", tracegroupgap=0),
        title_text="How concentrated are releases? Top-3 organizations' share and HHI (1 = one organization)"))
    for m in measures:  # one trace per country in each panel
        attach(fig, long.filter(pl.col("measure") == m),
               {"year": "Year", "value": value, "releases": "releases", "organizations": "organizations"},
               series="country_bucket", x="year")
    _mark_years(fig, conc["year"].unique(maintain_order=True).to_list(), end)
    return add_source(fig, _sources(), REGISTRY_NOTE + "; a model of n organizations counts 1/n for each")


def open_share(share: pl.DataFrame, period: str, events: pl.DataFrame | None = None,
               event_style: str = "markers", end: dt.date | None = None) -> go.Figure:
    shown = share.filter(pl.col("known") > 0)
    label = period.capitalize()
    fig = go.Figure([_line(c, d, "period", "share",
                           [f"{label}=%{{x}}", "Open-weights share=%{y}", "open=%{customdata[0]}",
                            "known=%{customdata[1]}", "releases=%{customdata[2]}"],
                           customdata=d.select("open", "known", "releases").to_numpy())
                     for c, d in _by_country(shown)],
                    _layout("Share of notable releases with downloadable weights (among those whose access is known)",
                            label, "Open-weights share"))
    attach(fig, shown, {"period": period.capitalize(), "share": "Open-weights share", "open": "open", "known": "known",
                        "releases": "releases"}, series="country_bucket", x="period")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_traces(xperiod=XPERIOD[period], xperiodalignment="middle")  # a point per period, mid-period
    _mark(fig, shown["period"].unique(maintain_order=True).to_list(), period, end)
    if not shown.is_empty():
        _with_events(fig, events, event_style, shown["period"].min(), _period_end(shown["period"].max(), period))
    return add_source(fig, _sources(), EVENTS_NOTE if events is not None else "")


def compute_trend(top: pl.DataFrame, fits: pl.DataFrame, fit_start, top_k: int,
                  events: pl.DataFrame | None = None, event_style: str = "markers") -> go.Figure:
    fig = go.Figure(
        [go.Scatter(x=d["release_date"].to_list(), y=d["training_compute_flop"].to_numpy(), mode="markers", name=c,
                    legendgroup=c, showlegend=True, marker=dict(color=COUNTRY_COLORS.get(c), symbol="circle"),
                    orientation="v", xaxis="x", yaxis="y", hovertext=d["model"].to_list(),
                    customdata=[[o] for o in d["organizations"].to_list()],
                    hovertemplate=_hover(["<b>%{hovertext}</b><br>", "Release date=%{x}",
                                          "Training compute (FLOP)=%{y:.2e}", "organizations=%{customdata[0]}"]))
         for c, d in _by_country(top)],
        _layout(f"Training compute of each country's top-{top_k} models at release, with log-linear fits",
                "Release date", "Training compute (FLOP)"))
    fig.update_yaxes(type="log")
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
