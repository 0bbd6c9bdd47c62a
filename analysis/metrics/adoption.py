"""Open-weights adoption on the Hugging Face Hub: repositories, models and downloads by country over time.

Pure functions on the clean `adoption` table (one row per lab and week with activity).
"""

from __future__ import annotations

import polars as pl

PERIODS = {"year": "1y", "quarter": "1q", "month": "1mo"}
MEASURES = ("repos_week", "models_week", "downloads_week")


def select(adoption: pl.DataFrame, panel_only: bool = True, countries: list[str] | None = None) -> pl.DataFrame:
    """Rows of the upstream chart's lab panel (panel_only) and of the given country buckets."""
    d = adoption
    if panel_only:
        d = d.filter(pl.col("in_upstream_panel"))
    if countries:
        d = d.filter(pl.col("country_bucket").is_in(countries))
    return d


def by_period(adoption: pl.DataFrame, period: str = "quarter") -> pl.DataFrame:
    """Sum of repositories, models and downloads per period and country bucket, with the number of active labs.

    Periods with no activity for a bucket are 0 (a week without a row had no activity upstream).
    """
    every = PERIODS[period]
    agg = (adoption.with_columns(pl.col("week_date").dt.truncate(every).alias("period"))
           .group_by("period", "country_bucket", maintain_order=True)
           .agg(*(pl.col(m).sum().alias(m.removesuffix("_week")) for m in MEASURES),
                pl.col("lab_id").n_unique().cast(pl.Int64).alias("active_labs")))
    if agg.is_empty():
        return agg.sort("period")
    periods = pl.date_range(agg["period"].min(), agg["period"].max(), every, eager=True).alias("period")
    grid = pl.DataFrame(periods).join(agg.select("country_bucket").unique(maintain_order=True), how="cross")
    cols = [m.removesuffix("_week") for m in MEASURES] + ["active_labs"]
    return (grid.join(agg, on=["period", "country_bucket"], how="left")
            .with_columns(pl.col(c).fill_null(0) for c in cols)
            .sort("period", "country_bucket"))


def shares(per: pl.DataFrame, measure: str = "downloads") -> pl.DataFrame:
    """Each bucket's share of `measure` per period (null when the period's total is 0)."""
    total = pl.col(measure).sum().over("period")
    return per.with_columns(pl.when(total > 0).then(pl.col(measure) / total).otherwise(None).alias("share"))


def period_totals(adoption: pl.DataFrame, start=None, end=None) -> pl.DataFrame:
    """Totals per country bucket over [start, end] (dates or ISO strings; None = open)."""
    import datetime as dt

    d = adoption
    if start is not None:
        d = d.filter(pl.col("week_date") >= (start if isinstance(start, dt.date) else dt.date.fromisoformat(start)))
    if end is not None:
        d = d.filter(pl.col("week_date") <= (end if isinstance(end, dt.date) else dt.date.fromisoformat(end)))
    return (d.group_by("country_bucket", maintain_order=True)
            .agg(*(pl.col(m).sum().alias(m.removesuffix("_week")) for m in MEASURES),
                 pl.col("lab_id").n_unique().cast(pl.Int64).alias("labs"))
            .with_columns((pl.col("downloads") / pl.col("downloads").sum()).alias("downloads_share"))
            .sort("country_bucket"))
