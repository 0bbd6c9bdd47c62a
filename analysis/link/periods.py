"""Effective periods of price readings: the dated stretch each source's reading covers, the one place both the
reference-price rule (analysis.link.reference) and the price metrics (analysis.metrics.prices) read them from.

- effective period of a row: [start, end) with start = valid_from; when the source does not state a start,
  the release date of the linked ECI model, else the earliest date any source shows the same model id, else
  the row's own first observation (`carry_back=False`: the row's own first observation only); end = valid_to,
  or for a price still valid at the snapshot the day after the newest snapshot of its source (nothing is known
  after it); a period split at a dated alias switch ends there too. Rows whose start would fall on/after their
  end are left out of time series.
- conflicts: pairs of base readings from different sources for the same model whose periods overlap and whose
  USD prices differ by more than a tolerance.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.core import vocab


def effective_periods(prices: pl.DataFrame, capability: pl.DataFrame | None = None,
                      carry_back: bool = True) -> pl.DataFrame:
    """Add `start` / `end` and `start_basis` (see the module doc); drop rows without a usable period.

    carry_back=False: a current price without a stated start holds from its own first observation (for the
    vendor files: the file's snapshot date), never from the model's release; a closed period without a start
    (e.g. DeepSeek's launch price ending 2025-02-08) starts at the first sighting of the model in any source.
    """
    df = prices if "crosswalk" in prices.columns else prices.with_columns(pl.lit(None, pl.String).alias("crosswalk"))
    if capability is not None and carry_back:
        rel = (capability.filter(pl.col("metric") == vocab.METRIC_ECI).group_by("model_id", maintain_order=True)
               .agg(pl.col("release_date").min().alias("_release")))
        df = df.join(rel, on="model_id", how="left")
    else:
        df = df.with_columns(pl.lit(None, pl.Date).alias("_release"))
    first_seen = pl.col("observed_from").min().over("model_id")
    if not carry_back:  # only a closed past period (stated end) may start at the model's first sighting
        first_seen = pl.when(pl.col("valid_to").is_not_null()).then(first_seen).otherwise(None)
    df = df.with_columns(
        pl.coalesce("valid_from", "_release", first_seen, "observed_from").alias("start"),
        pl.when(pl.col("valid_from").is_not_null()).then(pl.col("date_basis"))
        .when(pl.col("_release").is_not_null()).then(pl.lit("eci_release"))
        .when(first_seen.is_not_null() & (first_seen < pl.col("observed_from"))).then(pl.lit("model_first_seen"))
        .otherwise(pl.lit("own_observation")).alias("start_basis"),
        _horizon().alias("_horizon"),
    ).with_columns(
        # an open period holds until its source's horizon; a period made by splitting a row at a dated alias switch
        # (analysis.curated.crosswalk) ends there too, never past what the source saw
        pl.when(pl.col("valid_to").is_null() | ((pl.col("valid_to") > pl.col("_horizon"))
                                                  & pl.col("crosswalk").eq("alias").fill_null(False)))
        .then(pl.col("_horizon")).otherwise(pl.col("valid_to")).alias("end"),
    ).drop("_release", "_horizon")
    return df.filter(pl.col("end").is_null() | (pl.col("start") < pl.col("end")))


def _horizon() -> pl.Expr:
    """The day after the newest snapshot of the row's source: nothing is known of its prices after it."""
    return pl.col("snapshot").max().over("source") + dt.timedelta(days=1)


def conflicts(periods: pl.DataFrame, rel_tol: float = 0.05) -> pl.DataFrame:
    """Pairs of base readings from different sources for the same model whose periods overlap and whose USD
    input or output prices differ by more than `rel_tol`; `date` = the first day both hold."""
    cols = ["model_id", "source", "provider", "model_key", "start", "end", "currency", "input_orig", "output_orig",
            "input_usd_per_m", "output_usd_per_m", "source_file", "source_row"]
    b = periods.filter((pl.col("price_kind") == "base") & pl.col("output_usd_per_m").is_not_null()).select(cols)
    pairs = b.join(b, on="model_id", suffix="_b").filter(pl.col("source") < pl.col("source_b"))
    end_a = pl.col("end")
    end_b = pl.col("end_b")
    pairs = pairs.filter((pl.col("start") < end_b) & (pl.col("start_b") < end_a))

    def rel(a, c):
        return (pl.col(a) - pl.col(c)).abs() / pl.min_horizontal(pl.col(a), pl.col(c))

    diff = pl.max_horizontal(rel("input_usd_per_m", "input_usd_per_m_b"), rel("output_usd_per_m", "output_usd_per_m_b"))
    return (pairs.with_columns(diff.alias("rel_diff"), pl.max_horizontal("start", "start_b").alias("date"))
            .filter(pl.col("rel_diff") > rel_tol).sort("model_id", "date"))
