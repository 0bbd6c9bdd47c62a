"""The dated USD/CNY exchange-rate table (`data/curated/fx_usd_cny.csv`) and the as-of conversion.

A CNY amount is converted with the most recent rate on or before its date, at most `MAX_AGE_DAYS`
old; an older or missing rate gives null (the caller quarantines or flags it). Never a constant.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from analysis.acquire.readers import read_curated_csv
from analysis.core import paths
from analysis.core.errors import InputError

COLUMNS = ["date", "usd_cny", "source", "source_url"]
MAX_AGE_DAYS = 45


class FxError(InputError):
    """A fault of the FX table (an InputError: a clear one-line error, exit code 1)."""


def load(path: Path | None = None) -> pl.DataFrame:
    path = path or paths.curated_dir() / "fx_usd_cny.csv"
    label = f"data/curated/{path.name}" if path.parent == paths.curated_dir() else str(path)
    df = read_curated_csv(path, label, COLUMNS)
    rows = df["source_row"]
    df = df.drop("source_row").with_columns(pl.col("date").str.to_date("%Y-%m-%d", strict=False),
                         pl.col("usd_cny").cast(pl.Float64, strict=False))
    # a NaN or an infinity is no rate (acquire.readers.curated_numbers: the one rule for numbers of curated files)
    df = df.with_columns(pl.when(pl.col("usd_cny").is_finite()).then(pl.col("usd_cny")).alias("usd_cny"))
    for c in COLUMNS:
        if df[c].null_count():
            raise FxError(f"{label}: record {rows[int(df[c].is_null().arg_true()[0])]}, column {c!r}: empty or "
                          "unparseable (a rate is written 7.1, with a decimal point)")
    if df["date"].is_duplicated().any():
        raise FxError(f"{label}: record {rows[int(df['date'].is_duplicated().arg_true()[1])]}, column 'date': "
                      "a date appears twice")
    if ((df["usd_cny"] < 3) | (df["usd_cny"] > 12)).any():
        raise FxError(f"{label}: record {rows[int(((df['usd_cny'] < 3) | (df['usd_cny'] > 12)).arg_true()[0])]}, "
                      "column 'usd_cny': a rate outside 3..12 CNY per USD")
    return df.sort("date")


def rates_on(dates: pl.Series, fx: pl.DataFrame, max_age_days: int = MAX_AGE_DAYS) -> pl.DataFrame:
    """For each date: the rate (CNY per USD) and the date of that rate, as of the date (null if too old)."""
    left = pl.DataFrame({"_i": range(len(dates)), "_d": dates.cast(pl.Date)})
    right = fx.select(pl.col("date").alias("fx_date"), pl.col("usd_cny"))
    j = (left.filter(pl.col("_d").is_not_null()).sort("_d")
         .join_asof(right, left_on="_d", right_on="fx_date", strategy="backward",
                    tolerance=dt.timedelta(days=max_age_days)))
    out = left.join(j.select("_i", "usd_cny", "fx_date"), on="_i", how="left").sort("_i")
    return out.select("usd_cny", "fx_date")
