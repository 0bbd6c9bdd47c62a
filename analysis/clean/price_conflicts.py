"""Clean `price_conflicts`: where two price sources disagree on the same model over the same dates.

Built from the `prices` rows (all readings are kept in `prices`; this table only lists disagreements):
pairs of base prices of the same canonical model from different sources whose effective periods overlap
(analysis.metrics.prices.effective_periods with carry_back=False: only dates the sources give) and whose USD
input or output price differ by more than 5%.
`reference_source` is the reading the precedence rule picks (analysis.metrics.prices.reference_panel):
the lab's own list price first, then llm-prices-cn for Chinese labs / llm-prices for the others.
"""

from __future__ import annotations

import polars as pl

from analysis.clean import eci, prices
from analysis.clean.common import Sources, Step, StepResult, no_rows
from analysis.metrics import prices as pm
from analysis.schema import Column, Table

REL_TOL = 0.05

PRICE_CONFLICTS = Table(
    name="price_conflicts",
    description="Pairs of price readings from different sources for the same model and overlapping dates that "
    f"differ by more than {REL_TOL:.0%} (input or output, USD per 1M tokens). Every reading stays in `prices`.",
    primary_key=("model_id", "source_a", "source_row_a", "source_b", "source_row_b"),
    columns=(
        Column("model_id", pl.String, "Canonical model id (crosswalk).", nullable=False),
        Column("date", pl.Date, "First day both readings hold.", nullable=False),
        *(c for s in ("a", "b") for c in (
            Column(f"source_{s}", pl.String, f"Source family of reading {s}.", nullable=False),
            Column(f"model_key_{s}", pl.String, f"Source key of reading {s}.", nullable=False),
            Column(f"input_usd_{s}", pl.Float64, f"Input price of reading {s}, USD per 1M tokens.", nullable=False,
                   unit="USD/1M tokens"),
            Column(f"output_usd_{s}", pl.Float64, f"Output price of reading {s}, USD per 1M tokens.",
                   nullable=False, unit="USD/1M tokens"),
            Column(f"source_file_{s}", pl.String, f"Upstream file of reading {s}.", nullable=False),
            Column(f"source_row_{s}", pl.Int64, f"Record of reading {s} in its file.", nullable=False),
        )),
        Column("rel_diff", pl.Float64, "Largest relative difference of input or output price (vs the lower one).",
               nullable=False, min=0),
        Column("reference_source", pl.String, "Source whose reading the precedence rule picks on `date`."),
    ),
)


def clean(src: Sources, *earlier: StepResult) -> StepResult:
    """`price_conflicts` from the results of the price steps and the ECI step (the build passes them, in the order
    of STEP.needs)."""
    *price_results, eci_result = earlier
    p = pl.concat([r.df for r in price_results])
    periods = pm.effective_periods(p, eci_result.df, carry_back=False)
    c = pm.conflicts(periods, REL_TOL)
    ref = pm.reference_panel(periods, sorted(set(c["date"].to_list()))) if len(c) else None
    out = c.select(
        "model_id", "date",
        pl.col("source").alias("source_a"), pl.col("model_key").alias("model_key_a"),
        pl.col("input_usd_per_m").alias("input_usd_a"), pl.col("output_usd_per_m").alias("output_usd_a"),
        pl.col("source_file").alias("source_file_a"), pl.col("source_row").alias("source_row_a"),
        pl.col("source_b"), pl.col("model_key_b"),
        pl.col("input_usd_per_m_b").alias("input_usd_b"), pl.col("output_usd_per_m_b").alias("output_usd_b"),
        pl.col("source_file_b"), pl.col("source_row_b"), "rel_diff",
    )
    # a reading split at a dated alias switch (analysis.crosswalk.split_aliases) can meet the same other
    # reading in two of its parts under one model_id: one conflict, dated by its first day
    out = out.sort("date").unique(subset=list(PRICE_CONFLICTS.primary_key), keep="first", maintain_order=True)
    if ref is not None:
        out = out.join(ref.select("date", "model_id", pl.col("source").alias("reference_source")),
                       on=["date", "model_id"], how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.String).alias("reference_source"))
    return no_rows(PRICE_CONFLICTS, out)


STEP = Step("price_conflicts", clean, needs=(*prices.STEPS, eci.STEP))
