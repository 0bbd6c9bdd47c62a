"""Clean `price_conflicts`: where two price sources disagree on the same model over the same dates.

Built from the `prices` rows (all readings are kept in `prices`; this table only lists disagreements):
pairs of base prices of the same canonical model from different sources whose effective periods overlap
(analysis.link.periods.effective_periods with carry_back=False: only dates the sources give) and whose USD
input or output price differ by more than 5%.
On the pair's first common day, `chosen` says which of the two readings the reference-price rule
(analysis.link.reference, docs/prices.md) chose, `rule` how, and `reason` why the other was set aside.
"""

from __future__ import annotations

import polars as pl

from analysis.clean.common import Sources, Step, StepResult, no_rows
from analysis.core.schema import Column, Table
from analysis.link import reference as ref
from analysis.link import reference_prices
from analysis.link.periods import conflicts

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
        Column("reference_source", pl.String, "Source of the reference price on `date` (reference_prices)."),
        Column("chosen", pl.String, "Which reading the reference-price rule chose on `date`: 'a', 'b', or "
               "'neither' (a third reading won).", nullable=False, allowed=("a", "b", "neither")),
        Column("rule", pl.String, "How the reference was chosen on `date` (reference_prices.rule), or 'stale' when "
               "one reading had been ended by another source's dated change.", nullable=False,
               allowed=(*ref.RULES, "stale")),
        Column("reason", pl.String, "Why the reading not chosen was set aside (source, amounts, how far off, by "
               "what rule)."),
    ),
)


def clean(src: Sources, reference: StepResult) -> StepResult:
    """`price_conflicts` from the reference-price step's result (its periods, decisions and overruled readings,
    `extra`), each pair annotated with the rule's decision on its first common day."""
    periods, dec, over = (reference.extra[k] for k in ("periods", "decisions", "overruled"))
    c = conflicts(periods, REL_TOL)
    ident = ["model_id", "source", "model_key", "source_file", "source_row", "start"]
    rid = ref.readings(periods).select(*ident, "rid")
    c = (c.join(rid, on=ident, how="left")
         .join(rid.rename({k: f"{k}_b" for k in ident if k != "model_id"} | {"rid": "rid_b"}),
               on=["model_id", *(f"{k}_b" for k in ident if k != "model_id")], how="left"))
    day = (c.join(dec.select("model_id", pl.col("start").alias("_s"), pl.col("end").alias("_e"),
                             pl.col("rid").alias("_chosen"), "rule", pl.col("source").alias("reference_source")),
                  on="model_id", how="left")
           .filter((pl.col("_s") <= pl.col("date")) & (pl.col("date") < pl.col("_e"))))
    c = c.join(day.select("model_id", "source", "source_row", "start", "source_b", "source_row_b", "start_b",
                          "_chosen", "rule", "reference_source"),
               on=["model_id", "source", "source_row", "start", "source_b", "source_row_b", "start_b"], how="left")
    why = over.select(pl.col("rid").alias("_o"), pl.col("date").alias("_od"), pl.col("until").alias("_ou"),
                      pl.col("rule").alias("_orule"), pl.col("reason"))
    rows = []
    for r in c.iter_rows(named=True):
        chosen = "a" if r["_chosen"] == r["rid"] else "b" if r["_chosen"] == r["rid_b"] else "neither"
        reasons, rule = [], r["rule"]
        for side in ("rid", "rid_b"):
            w = why.filter((pl.col("_o") == r[side]) & (pl.col("_od") <= r["date"]) & (r["date"] < pl.col("_ou")))
            if len(w):
                reasons.append(w["reason"][0])
                if w["_orule"][0] == "stale":
                    rule = "stale"
        rows.append(dict(chosen=chosen, rule=rule or "single source", reason="; ".join(reasons) or None))
    c = pl.concat([c.drop("rule"), pl.DataFrame(rows, schema={"chosen": pl.String, "rule": pl.String, "reason": pl.String})],
                  how="horizontal")
    out = c.select(
        "model_id", "date",
        pl.col("source").alias("source_a"), pl.col("model_key").alias("model_key_a"),
        pl.col("input_usd_per_m").alias("input_usd_a"), pl.col("output_usd_per_m").alias("output_usd_a"),
        pl.col("source_file").alias("source_file_a"), pl.col("source_row").alias("source_row_a"),
        pl.col("source_b"), pl.col("model_key_b"),
        pl.col("input_usd_per_m_b").alias("input_usd_b"), pl.col("output_usd_per_m_b").alias("output_usd_b"),
        pl.col("source_file_b"), pl.col("source_row_b"), "rel_diff", "reference_source", "chosen", "rule", "reason",
    )
    # a reading split at a dated alias switch (analysis.curated.crosswalk.split_aliases) can meet the same other
    # reading in two of its parts under one model_id: one conflict, dated by its first day
    out = out.sort("date").unique(subset=list(PRICE_CONFLICTS.primary_key), keep="first", maintain_order=True)
    return no_rows(PRICE_CONFLICTS, out)


STEP = Step("price_conflicts", clean, needs=(reference_prices.STEP,))
