"""Release pace: how many notable models, from how many organizations, how concentrated, how open,
and how fast training compute grows, per country bucket.

Every function takes the clean `models` table (after `select_models`) and returns a tidy polars frame.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

from analysis.core import vocab

PERIODS = vocab.PERIODS  # period -> polars interval (declared in vocab: the parameter checks read it there)


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def filter_window(df: pl.DataFrame, start_date=None, end_date=None, countries: list[str] | None = None,
                  date_col: str = "release_date") -> pl.DataFrame:
    """Rows with `date_col` in [start_date, end_date] (ISO strings or dates; None = open) and, when given,
    `country_bucket` among `countries`."""
    if (s := _date(start_date)) is not None:
        df = df.filter(pl.col(date_col) >= s)
    if (e := _date(end_date)) is not None:
        df = df.filter(pl.col(date_col) <= e)
    if countries:
        df = df.filter(pl.col("country_bucket").is_in(countries))
    return df


def select_models(
    models: pl.DataFrame,
    start_date=None,
    end_date=None,
    countries: list[str] | None = None,
    domain: str | None = None,
    notable_only: bool = True,
) -> pl.DataFrame:
    """Filter the models table: release date in [start_date, end_date], buckets, a domain, notable only."""
    d = filter_window(models, start_date, end_date, countries)
    if domain:
        d = d.filter(pl.col("domains").list.contains(domain))
    if notable_only:
        d = d.filter(pl.col("notable"))
    return d


def releases_per_period(models: pl.DataFrame, period: str = "year") -> pl.DataFrame:
    """Number of model releases per period and country bucket (periods with none are 0)."""
    every = PERIODS[period]
    counts = (
        models.with_columns(pl.col("release_date").dt.truncate(every).alias("period"))
        .group_by("period", "country_bucket", maintain_order=True)
        .agg(pl.len().cast(pl.Int64).alias("releases"))
    )
    if counts.is_empty():
        return counts.sort("period")
    periods = pl.date_range(counts["period"].min(), counts["period"].max(), every, eager=True).alias("period")
    grid = pl.DataFrame(periods).join(counts.select("country_bucket").unique(maintain_order=True), how="cross")
    return (
        grid.join(counts, on=["period", "country_bucket"], how="left")
        .with_columns(pl.col("releases").fill_null(0))
        .sort("period", "country_bucket")
    )


def _org_credits(models: pl.DataFrame, organizations: pl.DataFrame) -> pl.DataFrame:
    """One row per (model, organization), credit 1/n for a model of n organizations, the org's own bucket."""
    return (
        models.select("model_id", "release_date", "organizations")
        .with_columns((1.0 / pl.col("organizations").list.len()).alias("credit"))
        .explode("organizations")
        .rename({"organizations": "organization"})
        .join(organizations.select("organization", pl.col("country_bucket").alias("org_bucket")),
              on="organization", how="left", validate="m:1")
        .with_columns(pl.col("release_date").dt.year().alias("year"))
    )


def organizations_per_year(models: pl.DataFrame, organizations: pl.DataFrame) -> pl.DataFrame:
    """Distinct organizations releasing at least one model per year, by the organization's own country."""
    return (
        _org_credits(models, organizations)
        .group_by("year", "org_bucket", maintain_order=True)
        .agg(pl.col("organization").n_unique().cast(pl.Int64).alias("organizations"))
        .rename({"org_bucket": "country_bucket"})
        .sort("year", "country_bucket")
    )


def concentration(models: pl.DataFrame, organizations: pl.DataFrame) -> pl.DataFrame:
    """Concentration of releases across organizations, per year and country of the organization.

    A model by n organizations gives each 1/n of a release. `top3_share` is the share of the year's
    releases by the three most prolific organizations; `hhi` is the Herfindahl-Hirschman index of the
    organizations' shares (0..1: 1 = one organization releases everything; 1/N = N equal organizations).
    """
    credits = (
        _org_credits(models, organizations)
        .group_by("year", "org_bucket", "organization", maintain_order=True)
        .agg(pl.col("credit").sum())
    )
    return (
        credits.with_columns((pl.col("credit") / pl.col("credit").sum().over("year", "org_bucket")).alias("share"))
        .group_by("year", "org_bucket", maintain_order=True)
        .agg(
            pl.col("credit").sum().alias("releases"),
            pl.len().cast(pl.Int64).alias("organizations"),
            pl.col("share").sort(descending=True).head(3).sum().alias("top3_share"),
            (pl.col("share") ** 2).sum().alias("hhi"),
        )
        .rename({"org_bucket": "country_bucket"})
        .sort("year", "country_bucket")
    )


def open_weights_share(models: pl.DataFrame, period: str = "year") -> pl.DataFrame:
    """Share of releases with open weights among those whose openness is known, per period and bucket."""
    return (
        models.with_columns(pl.col("release_date").dt.truncate(PERIODS[period]).alias("period"))
        .group_by("period", "country_bucket", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("releases"),
            pl.col("open_weights").is_not_null().sum().cast(pl.Int64).alias("known"),
            pl.col("open_weights").fill_null(False).sum().cast(pl.Int64).alias("open"),
        )
        .with_columns(
            pl.when(pl.col("known") > 0).then(pl.col("open") / pl.col("known")).otherwise(None).alias("share")
        )
        .sort("period", "country_bucket")
    )


def top_compute_models(models: pl.DataFrame, top_k: int = 10) -> pl.DataFrame:
    """Models that were among the `top_k` by training compute of their bucket when released.

    Epoch AI's 'frontier' rule applied per country bucket: a model counts when, at its release date, fewer
    than `top_k` earlier (or same-day) models of the bucket had more training compute.
    """
    out = []
    d = models.filter(pl.col("training_compute_flop").is_not_null()).sort("release_date")
    for _bucket, g in d.group_by("country_bucket", maintain_order=True):
        dates = g["release_date"].to_list()
        flops = g["training_compute_flop"].to_numpy()
        keep = []
        for i in range(len(g)):
            earlier = flops[[j for j in range(len(g)) if dates[j] <= dates[i] and j != i]]
            keep.append(int((earlier > flops[i]).sum()) < top_k)
        out.append(g.filter(pl.Series(keep)))
    return pl.concat(out) if out else d.clear()


JOINT_MODES = vocab.JOINT_MODES
MIN_FIT_POINTS = 5  # fewer models than this: no trend is fitted (or drawn)


def credit_joint(models: pl.DataFrame, joint: str = "credit",
                 buckets: tuple[str, ...] = (vocab.US, vocab.CHINA)) -> pl.DataFrame:
    """joint='own': a US–China joint model stays in its own bucket; 'credit': it counts once for each of the
    `buckets` among its listed countries (the AI Index's and Epoch's convention), and no longer as joint."""
    if joint not in JOINT_MODES:
        raise ValueError(f"joint must be one of {JOINT_MODES}, not {joint!r}")
    if joint == "own":
        return models
    j = models.filter(pl.col("country_bucket") == vocab.JOINT)
    parts = [models.filter(pl.col("country_bucket") != vocab.JOINT)]
    for b in buckets:
        parts.append(j.filter(pl.col("countries").list.contains(b)).with_columns(pl.lit(b).alias("country_bucket")))
    return pl.concat(parts)


def frontier_compute_models(models: pl.DataFrame, top_k: int = 10, start_date=None, end_date=None,
                            countries: list[str] | None = None, domain: str | None = None,
                            notable_only: bool = True, joint: str = "credit") -> pl.DataFrame:
    """The running top-`top_k` by training compute of each country bucket, ranked over ALL the bucket's models
    (every domain, every date) before the date / domain / country filters are applied: a model released
    just after `start_date` is 'top' only if it was among the bucket's top-k of all time at its release."""
    d = pl.DataFrame(credit_joint(models, joint))
    if notable_only:
        d = d.filter(pl.col("notable"))
    top = top_compute_models(d, top_k)
    return select_models(top, start_date, end_date, countries, domain, notable_only=False)


DOUBLING_LEVEL = 0.95  # the t-interval of the fitted slope


def doubling_time(models: pl.DataFrame, fit_start=None, fit_end=None, level: float = DOUBLING_LEVEL,
                  fit_start_by: dict | None = None, min_points: int = MIN_FIT_POINTS,
                  break_date=None) -> pl.DataFrame:
    """Log-linear fit of training compute against release date, per bucket.

    Fits log2(FLOP) = a + b * years by least squares; b is doublings per year, the doubling time is 12/b
    months, growth_per_year = 2**b, and the intervals come from the t-interval of b at `level`.
    `fit_start_by` gives a bucket its own fit start (e.g. China from 2022), others use `fit_start`.
    Buckets with fewer than 3 models get no row; `drawn` is false for a fit on fewer than `min_points`
    models or with an unbounded interval (slope interval reaching 0): a number to show, not a trend to draw.
    `break_date` (optional): two segments per bucket, before it and from it on, each fitted on its own; the
    rows then carry `segment` ('before' / 'after'), sorted by bucket and segment.
    """
    if break_date is not None:
        b = _date(break_date)
        parts = []
        for seg, part in (("before", models.filter(pl.col("release_date") < b)),
                          ("after", models.filter(pl.col("release_date") >= b))):
            f = doubling_time(part, fit_start, fit_end, level, fit_start_by, min_points)
            if len(f):
                parts.append(f.with_columns(pl.lit(seg).alias("segment")))
        return pl.concat(parts).sort("country_bucket", "segment", descending=[False, True]) if parts \
            else pl.DataFrame()
    from analysis.metrics import ols

    d = models.filter(pl.col("training_compute_flop").is_not_null())
    starts = {k: _date(v) for k, v in (fit_start_by or {}).items()}
    default = _date(fit_start)
    if default is not None or starts:
        lo = pl.col("country_bucket").replace_strict(starts, default=default, return_dtype=pl.Date)
        d = d.filter(lo.is_null() | (pl.col("release_date") >= lo))
    if (e := _date(fit_end)) is not None:
        d = d.filter(pl.col("release_date") <= e)
    rows = []
    for (bucket,), g in d.group_by("country_bucket", maintain_order=True):
        n = len(g)
        if n < 3:
            continue
        x = _decimal_years(g["release_date"])
        y = np.log2(g["training_compute_flop"].to_numpy())
        fit = ols.linregress(x, y)
        t = ols.t_quantile(0.5 + level / 2, n - 2)
        lo_slope, hi_slope = fit.slope - t * fit.stderr, fit.slope + t * fit.stderr
        rows.append(dict(
            country_bucket=bucket, n=n, start=g["release_date"].min(), end=g["release_date"].max(),
            doublings_per_year=fit.slope, intercept=fit.intercept,
            growth_per_year=2 ** fit.slope, growth_low=2 ** lo_slope, growth_high=2 ** hi_slope,
            doubling_months=12 / fit.slope if fit.slope > 0 else math.inf,
            doubling_months_low=12 / hi_slope if hi_slope > 0 else math.inf,
            doubling_months_high=12 / lo_slope if lo_slope > 0 else math.inf,
            r2=fit.rvalue ** 2, drawn=bool(n >= min_points and lo_slope > 0),
        ))
    return pl.DataFrame(rows, schema=FIT_SCHEMA).sort("country_bucket")


# the columns of doubling_time's rows: a selection with no fit (a domain or window without 3 models of a bucket with
# compute) gives these columns and no row, never a frame without columns
FIT_SCHEMA = {"country_bucket": pl.String, "n": pl.Int64, "start": pl.Date, "end": pl.Date,
              "doublings_per_year": pl.Float64, "intercept": pl.Float64, "growth_per_year": pl.Float64,
              "growth_low": pl.Float64, "growth_high": pl.Float64, "doubling_months": pl.Float64,
              "doubling_months_low": pl.Float64, "doubling_months_high": pl.Float64, "r2": pl.Float64,
              "drawn": pl.Boolean}


def _decimal_years(dates: pl.Series) -> np.ndarray:
    return (dates.dt.epoch("d").to_numpy() / 365.2425) + 1970.0


def fit_line(fit_row: dict, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Points of a fitted line (for plotting) between two dates."""
    days = pl.date_range(start, end, "1mo", eager=True)
    x = _decimal_years(days)
    return pl.DataFrame({"release_date": days,
                         "training_compute_flop": 2 ** (fit_row["intercept"] + fit_row["doublings_per_year"] * x)})


def describe_selection(models: pl.DataFrame, start_date, end_date, domain, notable_only) -> str:
    if models.is_empty():
        return "**No models match these parameters.**"
    lo, hi = models["release_date"].min(), models["release_date"].max()
    by = models.group_by("country_bucket", maintain_order=True).len().sort("len", descending=True)
    parts = ", ".join(f"{r['country_bucket']} {r['len']}" for r in by.iter_rows(named=True))
    what = "notable models" if notable_only else "models"
    dom = f" in the {domain} domain" if domain else ""
    return (f"**{len(models)} {what}{dom}** released from {lo} to {hi} "
            f"(parameters: start {start_date}, end {end_date or 'snapshot'}). By bucket: {parts}.")


def describe_concentration(conc: pl.DataFrame) -> str:
    """One sentence per bucket for the latest complete year in the frame."""
    if conc.is_empty():
        return ""
    years = sorted(conc["year"].unique(maintain_order=True).to_list())
    year = years[-2] if len(years) > 1 else years[-1]  # the last year is usually partial
    lines = [f"**{year}** (the last full year in the selection):"]
    for r in conc.filter(pl.col("year") == year).sort("releases", descending=True).iter_rows(named=True):
        lines.append(
            f"- {r['country_bucket']}: {r['releases']:.0f} releases from {r['organizations']} organizations; "
            f"top-3 share {r['top3_share']:.0%}, HHI {r['hhi']:.2f} (equal shares would give {1 / r['organizations']:.2f})."
        )
    return "\n".join(lines)


COUNT_CREDITS = ("bucket", "every_country")


def country_counts(models: pl.DataFrame, credit: str = "bucket") -> pl.DataFrame:
    """Model counts per country: `credit='bucket'` counts each model once in its country bucket (US–China joint
    on its own); 'every_country' credits every listed country once (the AI Index's convention, so a joint model
    counts for both). Columns: country, models."""
    if credit not in COUNT_CREDITS:
        raise ValueError(f"credit must be one of {COUNT_CREDITS}, not {credit!r}")
    if credit == "bucket":
        d = models.select(pl.col("country_bucket").alias("country"))
    else:
        d = models.select(pl.col("countries").list.unique(maintain_order=True).alias("country")).explode("country")
    return (d.filter(pl.col("country").is_not_null()).group_by("country", maintain_order=True)
            .agg(pl.len().cast(pl.Int64).alias("models"))
            .sort("models", "country", descending=[True, False]))
