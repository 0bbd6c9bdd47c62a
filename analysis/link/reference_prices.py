"""Derived `reference_prices`: one price per model and day, resolved from every price source by the rule of
analysis.link.reference (docs/prices.md). Every metric, chart and claim that uses a price reads this table
(or, for a report run with `carry_back`, the same rule applied to its own periods)."""

from __future__ import annotations

import polars as pl

from analysis.clean import prices
from analysis.clean.common import Sources, Step, StepResult, no_rows
from analysis.core.schema import Column, Table
from analysis.link import reference as ref
from analysis.link.periods import effective_periods

_P = {c.name: c for c in prices.PRICES.columns}

REFERENCE_PRICES = Table(
    name="reference_prices",
    description="One reference base price per model and day: periods of the reading chosen from every price source "
    f"by the written rule of docs/prices.md (stale rows ended at another source's dated change; readings within "
    f"{ref.REL_TOL:.0%} are one value; the value shown by most sources wins, then a dated change, then the "
    "precedence of sources). The chosen reading's columns are those of `prices`.",
    primary_key=("model_id", "valid_from"),
    columns=(
        _P["model_id"], _P["crosswalk"], _P["model_key"], _P["provider"], _P["organization"], _P["country_bucket"],
        _P["currency"], _P["input_orig"], _P["output_orig"], _P["cached_input_orig"], _P["usd_cny"], _P["fx_date"],
        _P["input_usd_per_m"], _P["output_usd_per_m"], _P["cached_input_usd_per_m"],
        Column("valid_from", pl.Date, "First day this reading is the model's reference price (inclusive).",
               nullable=False),
        Column("valid_to", pl.Date, "Day it stops being the reference (exclusive): the reading ends, another wins, "
               "or its source's newest snapshot + 1 day.", nullable=False),
        Column("rule", pl.String, "How the reading was chosen: 'single source' (the only value that day), 'sources "
               "agree', 'majority' (more sources show it than any other value), 'dated change' (equal support, "
               "backed by a source's dated change), 'precedence' (equal support: the source order).",
               nullable=False, allowed=ref.RULES),
        Column("n_sources", pl.Int64, "Distinct sources with a base reading of the model in the period.",
               nullable=False, min=1),
        Column("n_agreeing", pl.Int64, "Distinct sources whose reading agrees with the chosen one.", nullable=False,
               min=1),
        Column("agreeing", pl.String, "Those sources, comma-separated.", nullable=False),
        Column("start_kind", pl.String, "How the start of the period is known: 'stated' by a source, 'change' seen "
               "between two dated versions of a source, 'listed' (a key first listed by a source; see "
               "`prev_snapshot`), 'switch' (the reference moved to a value already listed: its start is not known).",
               nullable=False, allowed=ref.START_KINDS),
        Column("prev_snapshot", pl.Date, "For 'listed' starts: the listing source's latest snapshot before the "
               "listing (null when the listing is in that source's first snapshot)."),
        Column("start_source", pl.String, "The source whose reading dates the start (its stated start, its dated "
               "change or its listing); null for a 'switch'. The chosen reading may be another source's that "
               "agrees."),
        Column("reading_start", pl.Date, "Start of the chosen reading's own effective period.", nullable=False),
        _P["date_basis"], _P["observed_from"], _P["list_price"], _P["mode"], _P["reasoning"], _P["pro_variant"],
        _P["source"], _P["snapshot"], _P["source_file"], _P["source_row"],
    ),
)


def periods(price_results: list[StepResult]) -> pl.DataFrame:
    """Effective periods of every price reading (no carry-back: only dates the sources give)."""
    return effective_periods(pl.concat([r.df for r in price_results]), None, carry_back=False)


def clean(src: Sources, *earlier: StepResult) -> StepResult:
    """`reference_prices` from the price steps' results (the build passes them, in the order of STEP.needs); the
    periods, the day-by-day decisions and the readings set aside go to the steps that need them (`extra`:
    price_conflicts explains its pairs with them)."""
    per = periods(list(earlier))
    reference, decisions, overruled = ref.resolve(per)
    result = no_rows(REFERENCE_PRICES, reference.select(REFERENCE_PRICES.column_names))
    result.extra.update(periods=per, decisions=decisions, overruled=overruled)
    return result


STEP = Step("reference_prices", clean, needs=tuple(prices.STEPS))
