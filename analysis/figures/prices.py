"""Charts of the price-war report.

The time charts (histories, index, cheapest, cuts) take `events` (already selected, e.g. by
`analysis.figures.events.select_events`; None = no events) and `event_style`, and lay the events that fall
within the chart's dates over them with `analysis.figures.events.add_events`.
"""

from __future__ import annotations

import datetime as dt
import math

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from analysis.figures.chart_frames import attach, attach_px
from analysis.figures.events import EVENTS_NOTE, add_events, has_events
from analysis.figures.plots import COUNTRY_COLORS, COUNTRY_ORDER, add_source
from analysis.metrics import prices as pm

FX_NOTE = ("CNY/USD conversions at the rate of the day from FRED DEXCHUS (data/curated/fx_usd_cny.csv); "
           "organizations from data/curated/price_providers.csv and the registry")


LOG_TICKS = [v * 10.0 ** e for e in range(-3, 4) for v in (1, 2, 5)]


def _log_ticks(fig: go.Figure) -> go.Figure:
    """Plain tick labels on log axes (0.2, 0.5, 1, 2, 5, 10 ...) instead of plotly's abbreviated minor ticks."""
    return fig.update_yaxes(tickvals=LOG_TICKS, ticktext=[f"{v:g}" for v in LOG_TICKS])


def _sources(df: pl.DataFrame) -> list[str]:
    """Source files of the rows; of several dated versions of one file (same folder and name stem before the
    date) only the newest is cited, the others are counted in `_note`."""
    return sorted(_newest(sorted(set(df["source_file"].to_list()))).values())


def _family(path: str) -> str:
    folder, name = path.rsplit("/", 1)
    stem = name.split("_20")[0] if "_20" in name else name
    return f"{folder}/{stem}"


def _newest(paths: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in paths:
        out[_family(p)] = max(out.get(_family(p), p), p)
    return out


def _note(df: pl.DataFrame) -> str:
    files = sorted(set(df["source_file"].to_list()))
    older = len(files) - len(_newest(files))
    return FX_NOTE + (f"; plus {older} earlier dated version(s) of the files cited" if older else "")


def _with_events(fig: go.Figure, events: pl.DataFrame | None, style: str, dates: pl.Series) -> go.Figure:
    """Lay the events within the span of `dates` over the chart."""
    if events is None or dates.is_empty() or dates.null_count() == len(dates):
        return fig
    return add_events(fig, events, start=dates.min(), end=dates.max(), style=style)


def _events_note(fig: go.Figure, note: str) -> str:
    return note + (f"; {EVENTS_NOTE}" if has_events(fig) else "")


def _colors(**kw):
    return dict(color="country_bucket", color_discrete_map=COUNTRY_COLORS,
                category_orders={"country_bucket": COUNTRY_ORDER}, **kw)


def history_points(periods: pl.DataFrame, currency: str, ratio: float, end: dt.date) -> pl.DataFrame:
    """Step-line points: one point at each period start and one at its end (capped at `end`), a gap between
    non-contiguous periods. Prices in `currency` at the rate of the period start."""
    p = pm.in_currency(periods, currency, "start", parts=("input", "output")).with_columns(
        pm.blended("input_price", "output_price", ratio).alias("blended"),
        pl.format("{} ({}, {})", "model_key", pl.coalesce("organization", "provider"), "source").alias("series"))
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
    return pl.DataFrame(rows, schema_overrides={"blended": pl.Float64}, infer_schema_length=None) if rows else p.head(0)


def reference_points(reference: pl.DataFrame, currency: str, ratio: float, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Step-line points of each model's reference price (`reference_prices` periods within `start`..`end`): a point
    where a period starts and where it ends (capped to the range), a gap (null) between periods that do not touch.
    Prices in `currency` at the rate of the period's start, as `history_points`."""
    r = reference.filter((pl.col("valid_from") <= end) & (pl.col("valid_to") > start) & pl.col("output_orig").is_not_null())
    if r.is_empty() or start > end:
        return pl.DataFrame()
    r = r.with_columns(pl.max_horizontal("valid_from", pl.lit(start)).alias("start"))
    r = pm.in_currency(r, currency, "start", parts=("input", "output")).with_columns(
        pm.blended("input_price", "output_price", ratio).alias("blended")).sort("model_id", "valid_from")
    rows = []
    for _m, g in r.group_by(["model_id"], maintain_order=True):
        prev_to = None
        for row in g.iter_rows(named=True):
            if prev_to is not None and row["start"] != prev_to:
                rows.append({**row, "date": prev_to, "blended": None})
            rows.append({**row, "date": row["start"]})
            rows.append({**row, "date": min(row["valid_to"] - dt.timedelta(days=1), end)})
            prev_to = row["valid_to"]
    return pl.DataFrame(rows, schema_overrides={"blended": pl.Float64}, infer_schema_length=None)


def _end_labels(fig: go.Figure, labels: list[tuple], min_gap: float = 0.06) -> None:
    """Each line's model id at its end; labels that would overlap (same end date, log10 prices closer than
    `min_gap`) are stacked 12 px apart."""
    placed: list[tuple] = []
    for x, y, text, bucket in sorted(labels, key=lambda t: (t[0], t[1])):
        near = [p for p in placed if p[0] == x and abs(p[1] - y) < min_gap]
        shift = 12 * len(near)
        placed.append((x, y))
        fig.add_annotation(x=x, y=y, text=text, showarrow=False, xanchor="left", xshift=4, yshift=shift,
                           font=dict(size=10, color=COUNTRY_COLORS.get(bucket)), name="line label")


DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down")


def histories(points: pl.DataFrame, currency: str, ratio: float, events: pl.DataFrame | None = None,
              event_style: str = "markers", reference: pl.DataFrame | None = None) -> go.Figure:
    """One step line per model, its reference price (`reference`, from `reference_points`), coloured by the
    lab's country; every source's own reading (`points`, from `history_points`) one click away (a toggle)."""
    fig = px.line(points, x="date", y="blended", color="series", line_shape="hv", log_y=True,
                  hover_data=["input_price", "output_price", "source_file", "source_row"],
                  labels={"date": "Date", "blended": f"Blended price, {currency} per 1M tokens", "series": "",
                          "input_price": f"Input, {currency} per 1M tokens",
                          "output_price": f"Output, {currency} per 1M tokens",
                          "source_file": "Source file", "source_row": "Source row"},
                  title=f"List price histories of flagship models (blended {ratio:g}:1 input:output, log scale)")
    attach(fig, points, {"date": "Date", "blended": f"Blended price, {currency} per 1M tokens",
                         "input_price": f"Input, {currency} per 1M tokens", "output_price": f"Output, {currency} per 1M tokens",
                         "source_file": "Source file", "source_row": "Source row"}, series="series")
    n_sources = len(fig.data)
    if reference is not None and len(reference):
        for t in fig.data:  # every source's reading: on demand
            bucket = points.filter(pl.col("series") == t.name)["country_bucket"][0]
            t.update(visible=False, line=dict(color=COUNTRY_COLORS.get(bucket), width=1, dash="dot"),
                     legendgroup="sources")
        ref = reference.with_columns(
            pl.format("{} ({})", "model_id", pl.coalesce("organization", "provider").first().over("model_id"))
            .alias("model_label"))
        order = ref.sort("country_bucket", "model_id")["model_label"].unique(maintain_order=True).to_list()
        nth: dict[str, int] = {}
        labels: list[tuple] = []
        for label in order:
            d = ref.filter(pl.col("model_label") == label)
            bucket = d["country_bucket"][0]
            k = nth[bucket] = nth.get(bucket, -1) + 1  # each model of a country its own dash and marker
            ends = [i for i, v in enumerate(d["blended"].to_list()) if v is not None]
            last = ends[-1] if ends else None
            fig.add_trace(go.Scatter(
                x=d["date"].to_list(), y=d["blended"].to_list(), mode="lines+markers", line_shape="hv", name=label,
                marker=dict(symbol=SYMBOLS[k % len(SYMBOLS)], size=7),
                line=dict(color=COUNTRY_COLORS.get(bucket), width=2, dash=DASHES[k % len(DASHES)]),
                legendgroup=bucket,
                legendgrouptitle_text=bucket,
                customdata=list(zip(d["source"].to_list(), d["input_price"].to_list(), d["output_price"].to_list(),
                                    d["source_file"].to_list(), d["source_row"].to_list(), strict=True)),
                hovertemplate=f"<b>{label}</b><br>%{{x|%Y-%m-%d}}: %{{y:.3~f}} {currency} per 1M tokens (blended)"
                              "<br>reference price from %{customdata[0]}<extra></extra>"))
            attach(fig, d, {"date": "Date", "blended": f"Reference blended price, {currency} per 1M tokens",
                            "source": "Source", "input_price": f"Input, {currency} per 1M tokens",
                            "output_price": f"Output, {currency} per 1M tokens", "source_file": "Source file",
                            "source_row": "Source row"}, name=label)
            if last is not None:  # the model's name at its line's end
                labels.append((d["date"][last], math.log10(d["blended"][last]), d["model_id"][0], bucket))
        _end_labels(fig, labels)
        n_ref = len(fig.data) - n_sources
        fig.update_layout(updatemenus=[*fig.layout.updatemenus, dict(
            type="buttons", direction="right", x=0.0, xanchor="left", y=1.0, yanchor="bottom", pad=dict(t=0, b=4),
            showactive=True, active=0, font=dict(size=11), bgcolor="#f4f4f4", bordercolor="#ccc",
            buttons=[dict(label="Reference price per model", method="restyle",
                          args=[{"visible": [False] * n_sources + [True] * n_ref}, list(range(n_sources + n_ref))]),
                     dict(label="Every source's price", method="restyle",
                          args=[{"visible": [True] * n_sources + [False] * n_ref}, list(range(n_sources + n_ref))])],
        )])
    _log_ticks(fig)
    fig.update_layout(height=600)
    if len(points):
        _with_events(fig, events, event_style, points["date"])
    note = ("One line per model: its reference price (reference_prices: one price per model and day by the rule of "
            "docs/prices.md); the button shows every source's reading; ")
    return add_source(fig, _sources(points), _events_note(fig, note + _note(points)))


def cheapest(points: pl.DataFrame, fits: dict[str, dict], currency: str, threshold: float,
             events: pl.DataFrame | None = None, event_style: str = "markers") -> go.Figure:
    """Epoch's method: the dated prices of models at or above the threshold that were cheaper than every
    earlier one (filled), first-seen prices (hollow, never fitted), and each fit with its 90% interval."""
    pts = points.with_columns(
        pl.when(pl.col("kept")).then(pl.lit("cheapest so far (fitted)"))
        .when(pl.col("basis") == "first_seen").then(pl.lit("first seen, start unknown (not fitted)"))
        .otherwise(pl.lit("not cheaper than an earlier model")).alias("point"))
    pts = pts.filter(pl.col("kept") | (pl.col("basis") == "first_seen"))
    fig = px.scatter(pts, x="date", y="blended", log_y=True, **_colors(), symbol="point",
                     symbol_map={"cheapest so far (fitted)": "circle",
                                 "first seen, start unknown (not fitted)": "circle-open"},
                     hover_data=["model_id", "eci_model", "eci", "basis", "provider", "source_file", "source_row"],
                     labels={"date": "Date", "blended": f"Blended list price, {currency} per 1M tokens",
                             "country_bucket": "", "point": ""},
                     title=f"Cheapest model with ECI ≥ {threshold:g}: dated prices cheaper than every earlier one",
                     height=600)
    price = f"Blended list price, {currency} per 1M tokens"
    attach_px(fig, pts, {"date": "Date", "blended": price, "model_id": "model_id", "eci_model": "eci_model", "eci": "eci",
                         "basis": "basis", "provider": "provider", "source_file": "source_file",
                         "source_row": "source_row"},
              by=["country_bucket", "point"], orders={"country_bucket": COUNTRY_ORDER})
    _log_ticks(fig)
    if pts.is_empty():
        fig.add_annotation(text=f"No priced model scores ECI ≥ {threshold:g} in this selection", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5)
    for country, fit in fits.items():
        if fit.get("factor_per_year") is None:
            continue
        xs = [fit["start"], fit["end"]]
        name = (f"{country} fit: ÷{fit['factor_per_year']:.1f}/yr (90% ÷{fit['factor_low']:.1f}–"
                f"÷{fit['factor_high']:.1f}; n={fit['n']})")
        ys = pm.trend_line(fit, xs)
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", line=dict(dash="dash", color=COUNTRY_COLORS.get(country)), name=name))
        attach(fig, pl.DataFrame({"date": xs, "blended": list(ys)}, strict=False), {"date": "Date", "blended": price},
               name=name)
    _with_events(fig, events, event_style, pts["date"])
    return add_source(fig, sorted(set(_sources(pts)) | {"epoch/epoch_capabilities_index.csv"}),
                      _events_note(fig, _note(pts)))


def cuts(changes: pl.DataFrame, events: pl.DataFrame | None = None, event_style: str = "markers") -> go.Figure:
    fig = px.scatter(changes, x="date", y="pct_change", **_colors(), symbol="source",
                     hover_data=["model_key", "provider", "currency", "old_input", "old_output", "new_input",
                                 "new_output", "source_file", "source_row"],
                     labels={"date": "Date", "pct_change": "Change of the blended reference price, %<br>(both at the day's "
                                                           "exchange rate)",
                             "country_bucket": "", "source": ""},
                     title="Price changes detected in the panel (below 0 = price cut)", height=540)
    attach_px(fig, changes, {"date": "Date", "pct_change": "Change of the blended reference price, % (both at the day's "
                                                          "exchange rate)",
                             **{c: c for c in ("model_key", "provider", "currency", "old_input", "old_output",
                                               "new_input", "new_output", "source_file", "source_row")}},
              by=["country_bucket", "source"], orders={"country_bucket": COUNTRY_ORDER})
    fig.add_hline(y=0, line=dict(color="#999", width=1))
    _with_events(fig, events, event_style, changes["date"])
    return add_source(fig, _sources(changes), _events_note(
        fig, "Old and new price at the exchange rate of the day of the change: exchange-rate moves are not cuts; "
        + _note(changes)))


def distribution(current: pl.DataFrame, currency: str, on: dt.date) -> go.Figure:
    fig = px.box(current, x="country_bucket", y="blended", points="all", log_y=True, **_colors(),
                 hover_data=["model_id", "provider", "source", "source_file", "source_row"],
                 labels={"country_bucket": "Country of the lab",
                         "blended": f"Blended reference price, {currency} per 1M tokens"},
                 title=f"Reference list prices on {on}, by country of the lab")
    attach(fig, current, {"country_bucket": "Country of the lab",
                          "blended": f"Blended reference price, {currency} per 1M tokens",
                          **{c: c for c in ("model_id", "provider", "source", "source_file", "source_row")}},
           series="country_bucket")
    fig.update_layout(showlegend=False)
    _log_ticks(fig)
    return add_source(fig, _sources(current), _note(current))


def index(idx: pl.DataFrame, currency: str, panel: pl.DataFrame, events: pl.DataFrame | None = None,
          event_style: str = "markers") -> go.Figure:
    fig = px.line(idx, x="date", y="median_blended", log_y=True, markers=True, **_colors(),
                  hover_data=["models"],
                  labels={"date": "Month-end", "median_blended": f"Median blended price, {currency} per 1M tokens",
                          "models": "Models priced",
                          "country_bucket": ""},
                  title="Price index: median blended reference price of the listed models, per month-end",
                  height=600)
    attach(fig, idx, {"date": "Month-end", "median_blended": f"Median blended price, {currency} per 1M tokens",
                      "models": "Models priced"}, series="country_bucket")
    _log_ticks(fig)
    _with_events(fig, events, event_style, idx["date"])
    return add_source(fig, _sources(panel), _events_note(fig, _note(panel)))
