"""Price-war metrics on the clean `prices` table (pure polars functions; see tests/test_price_metrics.py).

Definitions (also in notebooks/price_war.ipynb):
- blended price = (ratio * input + output) / (ratio + 1), ratio = input:output token ratio (default 3:1).
- effective period of a row: [start, end) with start = valid_from; when the source does not state a start,
  the release date of the linked ECI model, else the earliest date any source shows the same model id, else
  the row's own first observation (`carry_back=False`: the row's own first observation only); end = valid_to,
  or for a price still valid at the snapshot the day after the newest snapshot of its source (nothing is known
  after it). Rows whose start would fall on/after their end are left out of time series.
- reference price of a model on a date: the `reference_prices` period valid on that date, chosen from every
  source's base reading by the written rule of analysis.link.reference (docs/prices.md): stale rows ended at
  another source's dated change, the value most sources show, then a dated change, then the precedence of
  sources. Every metric below reads reference prices only (`reference_for` applies the same rule to periods
  carried back to the model's release when a report asks for it).
- price index per country: the median blended reference price of the models with a reference price on each
  month-end, by country bucket (a level index of what a typical listed model costs, not a chained index).
- cheapest at a capability level (Epoch AI's method, `price_points` + `cheapest_at_capability`, the functions
  `epoch_price_trends` uses to reproduce Epoch's published trends): dated prices of model versions scoring >= the
  threshold (each version its own score), kept when cheaper than every earlier one; OLS of log10(price) on date,
  factor per year 10**(-slope) with its 90% interval, at least 4 dated points; "first seen" prices (first
  observed after release, no stated start) are never fitted. (`cheapest_at_threshold` / `loglinear_fit`, the
  month-end version, are kept for comparison only: they fit the date a price was first seen.)
- price change events: a model's reference price moving by more than the rule's tolerance, both prices converted
  at the rate of the day of the change (so exchange-rate moves never show up as price cuts); dated by the
  earliest source showing the new price; a move whose start no source dates (a new listing, a switch between
  sources) is not a dated change.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from analysis.core import vocab
from analysis.curated import fx
from analysis.link import reference as ref
from analysis.link.periods import effective_periods


def blended(input_col: str | pl.Expr, output_col: str | pl.Expr, ratio: float = 3.0) -> pl.Expr:
    i = pl.col(input_col) if isinstance(input_col, str) else input_col
    o = pl.col(output_col) if isinstance(output_col, str) else output_col
    return (ratio * i + o) / (ratio + 1)


def in_currency(df: pl.DataFrame, currency: str, date_col: str, fx_table: pl.DataFrame | None = None,
                parts: tuple[str, ...] = ("input", "output", "cached_input")) -> pl.DataFrame:
    """Add `<part>_price` per 1M tokens in `currency` ('USD'/'CNY') from the original amounts at the rate of `date_col`.

    An amount already in `currency` is kept as is; the others are converted at the USD/CNY rate as of the
    date (analysis.curated.fx: most recent rate at most 45 days old, else null).
    """
    if currency not in ("USD", "CNY"):
        raise ValueError(f"currency must be USD or CNY, not {currency!r}")
    rate = fx.rates_on(df[date_col], fx.load() if fx_table is None else fx_table)["usd_cny"]
    df = df.with_columns(rate.alias("_rate"))
    conv = (pl.when(pl.col("currency") == currency).then(1.0)
            .when(pl.lit(currency) == "CNY").then(pl.col("_rate"))
            .otherwise(1 / pl.col("_rate")))
    return df.with_columns(*((pl.col(f"{p}_orig") * conv).alias(f"{p}_price") for p in parts)).drop("_rate")


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    s = pl.date_range(start, end, "1mo", eager=True).dt.month_end()
    return [d for d in s.to_list() if start <= d <= end]


def reference_for(prices: pl.DataFrame, table: pl.DataFrame | None = None, capability: pl.DataFrame | None = None,
                  carry_back: bool = False) -> pl.DataFrame:
    """Reference price periods: the built `reference_prices` table (`table`), or, with `carry_back` (a price
    without a stated start held since the model's ECI release) or without a table, the same rule applied to
    the effective periods of `prices`."""
    if table is not None and not carry_back:
        return table
    return ref.resolve(effective_periods(prices, capability, carry_back=carry_back))[0]


def reference_panel(reference: pl.DataFrame, dates: list[dt.date]) -> pl.DataFrame:
    """One row per (date, model_id): the reference price period valid on the date (`reference_prices`)."""
    d = pl.DataFrame({"date": dates}, schema={"date": pl.Date})
    return (d.join(reference.filter(pl.col("output_orig").is_not_null()), how="cross")
            .filter((pl.col("valid_from") <= pl.col("date")) & (pl.col("date") < pl.col("valid_to")))
            .sort("date", "model_id"))


def with_blended(panel: pl.DataFrame, currency: str = "USD", ratio: float = 3.0, date_col: str = "date",
                 fx_table: pl.DataFrame | None = None) -> pl.DataFrame:
    p = in_currency(panel, currency, date_col, fx_table, parts=("input", "output"))
    return p.with_columns(blended("input_price", "output_price", ratio).alias("blended"))


def price_index(panel: pl.DataFrame) -> pl.DataFrame:
    """Median blended reference price per (date, country_bucket), with the number of models."""
    return (panel.filter(pl.col("blended").is_not_null() & pl.col("country_bucket").is_not_null())
            .group_by("date", "country_bucket", maintain_order=True)
            .agg(pl.col("blended").median().alias("median_blended"), pl.len().alias("models"))
            .sort("country_bucket", "date"))


def cheapest_at_threshold(panel: pl.DataFrame, capability: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Per (date, country_bucket): the cheapest blended price among models with ECI score >= threshold."""
    eci = (capability.filter(pl.col("metric") == vocab.METRIC_ECI).group_by("model_id", maintain_order=True)
           .agg(pl.col("score").max().alias("eci"), pl.col("model").first().alias("eci_model")))
    p = (panel.filter(pl.col("blended").is_not_null() & pl.col("country_bucket").is_not_null())
         .join(eci, on="model_id", how="inner").filter(pl.col("eci") >= threshold))
    return (p.sort("blended").group_by("date", "country_bucket", maintain_order=True).first()
            .select("date", "country_bucket", "model_id", "eci_model", "eci", "blended", "provider", "source",
                    "source_file", "source_row").sort("country_bucket", "date"))


def loglinear_fit(df: pl.DataFrame, date_col: str = "date", value_col: str = "blended") -> dict:
    """Least squares of log10(value) on years: slope per year, yearly decline factor 10**(-slope), n points."""
    d = df.filter(pl.col(value_col) > 0)
    if len(d) < 2:
        return {"slope_log10_per_year": None, "decline_factor_per_year": None, "n": len(d)}
    x = np.array([(v - dt.date(2000, 1, 1)).days / 365.25 for v in d[date_col].to_list()])
    y = np.log10(d[value_col].to_numpy())
    slope, intercept = np.polyfit(x, y, 1)
    return {"slope_log10_per_year": float(slope), "intercept": float(intercept),
            "decline_factor_per_year": float(10 ** (-slope)), "n": len(d)}


def fit_line(fit: dict, dates: list[dt.date]) -> list[float]:
    return [10 ** (fit["intercept"] + fit["slope_log10_per_year"] * (d - dt.date(2000, 1, 1)).days / 365.25)
            for d in dates]


BLEND_RATIO = 3.0  # the default input:output token ratio of a blended price


def price_changes(reference: pl.DataFrame, ratio: float = BLEND_RATIO, currency: str | None = None,
                  fx_table: pl.DataFrame | None = None, dated_only: bool = True) -> pl.DataFrame:
    """A model's reference price moving by more than the rule's tolerance (`ref.episodes`): old and new blended
    price in `currency` (default: the new price's own currency), both converted at the rate of the day of the
    change. `dated`: the new price's start is stated by a source or seen as a change between two dated
    versions of one ('stated' / 'change') and the model's reference never had that price before; a new listing,
    a switch between sources or a return to an earlier price is not a dated change and is left out unless
    `dated_only=False`. `source`: the source that dates the change (the earliest to show the
    new price); `sources`: every source showing it; `single_source` when only one does."""
    ep = ref.episodes(reference).sort("model_id", "valid_from")
    # a value the model's reference already had before (a return after a switch between sources) is no new price
    seen_before = []
    for (_m,), g in ep.group_by("model_id", maintain_order=True):
        vals = list(zip(g["input_usd_per_m"].to_list(), g["output_usd_per_m"].to_list(), strict=True))
        seen_before += [any(ref.agree(*vals[i], *v) for v in vals[:i]) for i in range(len(vals))]
    ep = ep.with_columns(pl.Series("_seen_before", seen_before, dtype=pl.Boolean))
    ep = ep.with_columns(
        pl.col("valid_to").shift(1).over("model_id").alias("_prev_to"),
        *(pl.col(c).shift(1).over("model_id").alias(f"_old_{c}") for c in ("currency", "input_orig", "output_orig")))
    ch = ep.filter(pl.col("_prev_to").is_not_null())
    if ch.is_empty():
        return ch.select("model_id")
    cur = pl.lit(currency) if currency else pl.col("currency")
    rate = fx.rates_on(ch["valid_from"], fx.load() if fx_table is None else fx_table)["usd_cny"]
    ch = ch.with_columns(rate.alias("_rate"), cur.alias("display_currency"))

    def conv(amount: str, from_cur: str) -> pl.Expr:
        to = pl.col("display_currency")
        return (pl.when(pl.col(from_cur) == to).then(pl.col(amount))
                .when(to == "CNY").then(pl.col(amount) * pl.col("_rate"))
                .otherwise(pl.col(amount) / pl.col("_rate")))
    ch = ch.with_columns(
        conv("_old_input_orig", "_old_currency").alias("old_input"),
        conv("_old_output_orig", "_old_currency").alias("old_output"),
        conv("input_orig", "currency").alias("new_input"), conv("output_orig", "currency").alias("new_output"),
    ).with_columns(blended("old_input", "old_output", ratio).alias("old_blended"),
                   blended("new_input", "new_output", ratio).alias("new_blended"),
                   (pl.col("start_kind").is_in(["stated", "change"]) & ~pl.col("_seen_before")).alias("dated"),
                   (pl.col("n_agreeing") == 1).alias("single_source"))
    out = ch.select(
        pl.col("valid_from").alias("date"), "model_id", "model_key", "provider", "organization", "country_bucket",
        pl.coalesce("start_source", "source").alias("source"), pl.col("agreeing").alias("sources"), "single_source",
        "dated", "start_kind",
        pl.col("display_currency").alias("currency"), "old_input", "old_output", "new_input", "new_output",
        "old_blended", "new_blended", ((pl.col("new_blended") / pl.col("old_blended") - 1) * 100).alias("pct_change"),
        "rule", "source_file", "source_row",
    ).sort("date")
    return out.filter(pl.col("dated")) if dated_only else out


# --- cheapest price at a capability level: Epoch AI's method ---------------------------------------------

MIN_TREND_POINTS = 4  # Epoch: a trend needs at least 4 points


def cheaper_than_all_earlier(points: pl.DataFrame, date_col: str = "date", price_col: str = "price") -> pl.DataFrame:
    """The points, in date order (cheapest first on a date), that are strictly cheaper than every earlier one."""
    d = points.filter(pl.col(price_col) > 0).sort(date_col, price_col)
    return d.filter(pl.col(price_col) < pl.col(price_col).cum_min().shift(1).fill_null(float("inf")))


TREND_LEVEL = 0.90  # Epoch: the factor's confidence interval


def price_trend(points: pl.DataFrame, date_col: str = "date", price_col: str = "price", level: float = TREND_LEVEL,
                min_points: int = MIN_TREND_POINTS) -> dict:
    """OLS of log10(price) on date (years of 365 days, as Epoch): factor per year 10**(-slope) with its `level`
    t-interval, r², n; no factor (and `reason` says why) on fewer than `min_points` points."""
    from analysis.metrics import ols

    d = points.filter(pl.col(price_col) > 0)
    n = len(d)
    out = dict(n=n, start=d[date_col].min() if n else None, end=d[date_col].max() if n else None,
               factor_per_year=None, factor_low=None, factor_high=None, r2=None, slope_log10_per_year=None,
               intercept=None, reason=None)
    if n < min_points:
        out["reason"] = f"{n} price point{'s' if n != 1 else ''}, fewer than the {min_points} a trend needs"
        return out
    x = np.array([(v - dt.date(2000, 1, 1)).days / 365.0 for v in d[date_col].to_list()])
    if np.ptp(x) == 0:
        out["reason"] = "all price points on one date"
        return out
    y = np.log10(d[price_col].to_numpy())
    fit = ols.linregress(x, y)
    t = ols.t_quantile(0.5 + level / 2, n - 2)
    out.update(slope_log10_per_year=float(fit.slope), intercept=float(fit.intercept),
               factor_per_year=float(10 ** (-fit.slope)), factor_low=float(10 ** (-(fit.slope + t * fit.stderr))),
               factor_high=float(10 ** (-(fit.slope - t * fit.stderr))), r2=float(fit.rvalue ** 2))
    return out


def record_thresholds(models: pl.DataFrame, score_col: str, date_col: str = "date",
                      name_col: str = "model") -> pl.DataFrame:
    """Epoch's thresholds: the score of each model that was the top scorer when released (strictly above
    every earlier model), in date order."""
    d = models.filter(pl.col(score_col).is_not_null()).sort(date_col, pl.col(score_col), descending=[False, True])
    d = d.filter(pl.col(score_col) > pl.col(score_col).cum_max().shift(1).fill_null(float("-inf")))
    return d.select(pl.col(name_col).alias("threshold_model"), pl.col(score_col).alias("threshold"), date_col)


def epoch_price_trends(models: pl.DataFrame, benches: list[str], date_col: str = "Release Date",
                       price_col: str = "USD per 1M Tokens", name_col: str = "Model Name",
                       min_points: int = MIN_TREND_POINTS) -> pl.DataFrame:
    """Epoch's per-benchmark price trends on a table of (model, date, price, benchmark scores): for each
    benchmark and each record threshold, the models at or above it, kept when cheaper than every earlier one,
    fitted by `price_trend`. One row per trend with at least `min_points` points."""
    rows = []
    for bench in benches:
        m = models.filter(pl.col(bench).is_not_null()).rename({date_col: "date", price_col: "price"})
        for th in record_thresholds(m, bench, "date", name_col).iter_rows(named=True):
            pts = cheaper_than_all_earlier(m.filter(pl.col(bench) >= th["threshold"]))
            fit = price_trend(pts, min_points=min_points)
            if fit["factor_per_year"] is None:
                continue
            rows.append(dict(bench=bench, threshold_model=th["threshold_model"], threshold=th["threshold"],
                             **{k: fit[k] for k in ("n", "start", "end", "factor_per_year", "factor_low",
                                                    "factor_high", "r2")}))
    return pl.DataFrame(rows)


# --- the same method on the project's prices: dated points, per-version scores --------------------------

REAL_BASES = ("at_release", "dated")


def eci_versions(capability: pl.DataFrame, metric: str = vocab.METRIC_ECI) -> pl.DataFrame:
    """One row per model version (model_id, release_date): its best score on `metric` (never a later
    version's score: each version keeps its own)."""
    return (capability.filter((pl.col("metric") == metric) & pl.col("release_date").is_not_null()
                              & pl.col("score").is_not_null())
            .sort("score", descending=True).unique(["model_id", "release_date"], keep="first", maintain_order=True)
            .select("model_id", "release_date", pl.col("score").alias("eci"), pl.col("model").alias("eci_model"))
            .sort("model_id", "release_date"))


def price_points(reference: pl.DataFrame, capability: pl.DataFrame, currency: str = "USD", ratio: float = 3.0,
                 fx_table: pl.DataFrame | None = None) -> pl.DataFrame:
    """Epoch-style price observations: one point per reference price of a model (`ref.episodes`: a new price, not a
    switch between sources that agree), dated `max(start, first release)`, scored by the version in force then.

    `basis`:
    - 'at_release': a price known on or before the model's first release (dated at the release);
    - 'dated': a later price whose start a source states, a change seen between two dated versions of a source, or
      a source's listing of the model in its first version after the release (it could not list it earlier);
    - 'first_seen': a price first listed by a source that had a version after the release without it (or in
      the source's first version, or with no dated versions), or a switch of the reference to a value already
      listed: the price on that date is known, when it began is not; such a point is shown but never used to
      fit a decline.
    """
    ep = ref.episodes(reference).filter(pl.col("output_orig").is_not_null() & pl.col("model_id").is_not_null()
                                        & pl.col("country_bucket").is_not_null())
    ver = eci_versions(capability)
    first_rel = ver.group_by("model_id", maintain_order=True).agg(pl.col("release_date").min().alias("first_release"))
    p = (ep.join(first_rel, on="model_id", how="inner")
         .with_columns(pl.max_horizontal("valid_from", "first_release").alias("date"))
         .filter(pl.col("date") < pl.col("valid_to")))
    listed_first_chance = (pl.col("start_kind") == "listed") & (pl.col("prev_snapshot") < pl.col("first_release"))
    basis = (pl.when(pl.col("valid_from") <= pl.col("first_release")).then(pl.lit("at_release"))
             .when(pl.col("start_kind").is_in(["stated", "change"]) | listed_first_chance.fill_null(False))
             .then(pl.lit("dated"))
             .otherwise(pl.lit("first_seen")))
    p = p.with_columns(basis.alias("basis"), pl.col("valid_from").alias("start"),
                       pl.col("start_kind").alias("start_basis"))
    p = p.sort("model_id", "date").join_asof(ver.rename({"release_date": "version_date"}).sort("version_date"),
                                 left_on="date", right_on="version_date", by="model_id", strategy="backward",
                                 check_sortedness=False)  # sorted by (model_id, date): by-groups are
    p = with_blended(p, currency, ratio, fx_table=fx_table)
    return p.select("date", "country_bucket", "model_id", "eci_model", "version_date", "eci", "blended", "basis",
                    "start", "start_basis", "provider", "source", "source_file", "source_row").sort("date")


def undated_at(capability: pl.DataFrame, threshold: float, metric: str = vocab.METRIC_ECI) -> dict[str, int]:
    """Per country bucket: the models scoring >= `threshold` on `metric` without a known release date
    (`release_date` null), which `price_points` cannot date and leaves out."""
    d = capability.filter((pl.col("metric") == metric) & (pl.col("score") >= threshold)
                          & pl.col("release_date").is_null())
    return {b: n for b, n in d.group_by("country_bucket", maintain_order=True).agg(pl.col("model_id").n_unique()).iter_rows()}


def cheapest_at_capability(points: pl.DataFrame, threshold: float, start=None, end=None,
                           min_points: int = MIN_TREND_POINTS, undated: dict[str, int] | None = None
                           ) -> tuple[pl.DataFrame, dict[str, dict]]:
    """Epoch's method per country bucket on `price_points`: the points of versions scoring >= `threshold`,
    kept (`kept`) when cheaper than every earlier real point of the bucket; the trend is `price_trend` over
    the kept real points dated in [start, end]. 'first_seen' points are returned (kept = false) but never
    fitted; a bucket with fewer than `min_points` real points gets no factor and a `reason`.

    `undated` (`undated_at`): per bucket, the models at the threshold left out for want of a release date,
    carried into each trend dict as `undated`.

    Returns (points with `kept`, {bucket: trend dict + first_seen and undated counts})."""
    undated = undated or {}
    s, e = (dt.date.fromisoformat(str(v)) if v is not None and not isinstance(v, dt.date) else v
            for v in (start, end))
    at = points.filter((pl.col("eci") >= threshold) & pl.col("blended").is_not_null() & (pl.col("blended") > 0))
    out, fits = [], {}
    for (bucket,), g in at.group_by("country_bucket", maintain_order=True):
        real = g.filter(pl.col("basis").is_in(REAL_BASES))
        kept = cheaper_than_all_earlier(real, "date", "blended").select("date", "model_id", "source_row")
        g = g.join(kept.with_columns(pl.lit(True).alias("kept")), on=["date", "model_id", "source_row"],
                   how="left").with_columns(pl.col("kept").fill_null(False))
        win = g.filter(pl.col("kept"))
        if s is not None:
            win = win.filter(pl.col("date") >= s)
        if e is not None:
            win = win.filter(pl.col("date") <= e)
        fit = price_trend(win, "date", "blended", min_points=min_points)
        fit["first_seen"] = int((g["basis"] == "first_seen").sum())
        fit["undated"] = undated.get(bucket, 0)
        fits[bucket] = fit
        out.append(g)
    pts = pl.concat(out).sort("country_bucket", "date") if out else at.with_columns(pl.lit(False).alias("kept"))
    return pts, fits


def trend_line(fit: dict, dates: list[dt.date]) -> list[float]:
    """Prices on the fitted `price_trend` line (years of 365 days, as the fit)."""
    return [10 ** (fit["intercept"] + fit["slope_log10_per_year"] * (d - dt.date(2000, 1, 1)).days / 365.0)
            for d in dates]


def describe_trend(bucket: str, fit: dict, threshold: float) -> str:
    """One sentence: the factor with its 90% interval and point count, or why there is none."""
    fs = fit.get("first_seen", 0)
    seen = (f"; {fs} first-seen price{'s' if fs != 1 else ''} (listed after release, start unknown) not fitted"
            if fs else "")
    if "undated" in fit:
        seen += f"; models at the threshold without a known release date, left out: {fit['undated']}"
    if fit.get("factor_per_year") is None:
        return f"{bucket}, ECI ≥ {threshold:g}: no trend — {fit['reason']}{seen}."
    return (f"{bucket}, ECI ≥ {threshold:g}: price falls ÷{fit['factor_per_year']:.1f} per year ({TREND_LEVEL:.0%} interval "
            f"÷{fit['factor_low']:.1f} to ÷{fit['factor_high']:.1f}; {fit['n']} price points, {fit['start']} to "
            f"{fit['end']}, r² {fit['r2']:.2f}){seen}.")


def headline_cheapest(reference: pl.DataFrame, capability: pl.DataFrame, threshold: float, currency: str = "USD",
                      ratio: float = 3.0, start=None, end=None, countries=(vocab.US, vocab.CHINA),
                      providers=None, points: bool = False):
    """The price_war report's headline, as its chart and the front page's claim compute it: Epoch's
    cheapest-at-capability trend per country bucket on reference prices (without carry-back) of the `countries`
    (and of the `providers`' models, when given: the report's `providers` parameter), blended at `ratio`; each
    fit gets the cheapest real price at the threshold up to `end` and its model. Returns (data end date, fits), or
    with `points` (data end date, the chart's points, fits)."""
    sel = reference.filter(pl.col("country_bucket").is_in(list(countries)))
    if providers:
        sel = sel.filter(pl.col("organization").is_in(list(providers)))
    end = end or reference["snapshot"].max()
    pts_in = price_points(sel, capability, currency, ratio)
    undated = undated_at(capability.filter(pl.col("country_bucket").is_in(list(countries))), threshold)
    pts, fits = cheapest_at_capability(pts_in, threshold, start, end, undated=undated)
    for bucket, fit in fits.items():  # the cheapest real price at the threshold up to `end`, and its model
        real = pts.filter((pl.col("country_bucket") == bucket) & pl.col("basis").is_in(REAL_BASES)
                          & (pl.col("date") <= end)).sort("blended", "date")
        fit["cheapest"] = real["blended"][0] if len(real) else None
        fit["cheapest_model"] = real["eci_model"][0] if len(real) else None
        fit["cheapest_date"] = real["date"][0] if len(real) else None
    return (end, pts, fits) if points else (end, fits)
