"""Price keys -> canonical model ids: a thin adapter over the project crosswalk (analysis/crosswalk.py).

Prices and every capability source share one crosswalk, so a price row's `model_id` is the same canonical id
as the model's `capability` rows (ECI, Artificial Analysis, LMArena, LiveBench). The rules and the one curated
exceptions file (`data/raw/model_crosswalk_capability.csv`, rows whose source is a price source) live there:
1. an exception row (source, price key -> target model, with the reason) wins;
2. otherwise the project rules (`norm_key`, thinking/effort fallbacks), then the price-key rules (drop a
   ':free'-style suffix, then a trailing date stamp, then compare without hyphens); moving '-latest' aliases
   are never linked.
Keys that match nothing keep their rule id (`crosswalk.price_rule_id`) and `crosswalk` = 'unlinked' (listed
by the build's coverage report).

Moving API ids (`deepseek-chat`, ...) sold by the organization named in the dated aliases file
(`data/raw/model_aliases.csv`, one sourced row per period the alias served one model) are linked per date
(`crosswalk` = 'alias'): a price period with a start that spans a switch is split at the switch, each part
linked to the model served then; a part outside every sourced period (or in a '-' period) stays 'unlinked'.
A period without a stated start is not split (the source does not say the price held earlier): it is linked to
the model served on the last day it is known to hold (the day before `valid_to`, else its first observation).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis import crosswalk as project


def normalise(key: str) -> str:
    """Rule id of a price key (see `analysis.crosswalk.price_rule_id`)."""
    return project.price_rule_id(key)


def exceptions(cw: project.Crosswalk | None = None) -> dict[tuple[str, str], str]:
    """The curated exceptions whose source is a price source: (source, price key) -> target."""
    cw = cw or project.default()
    return {k: v for k, v in cw.exceptions.items() if k[0] in project.PRICE_SOURCES}


def link(source: str, key: str, cw: project.Crosswalk | None = None) -> tuple[str, str]:
    """(model_id, how) for one price key: how = 'exception' | 'rule' | 'unlinked'."""
    cw = cw or project.default()
    m, how = cw.lookup_price(key, source)
    return (m.model_id, how) if m else (normalise(key), "unlinked")


def attach(df: pl.DataFrame, cw: project.Crosswalk | None = None,
           aliases: list[project.AliasPeriod] | tuple[project.AliasPeriod, ...] | None = None) -> pl.DataFrame:
    """model_id and crosswalk for every row; aliases default to the project file with the project crosswalk
    (none with a given crosswalk)."""
    if aliases is None:
        aliases = project.default_aliases() if cw is None else ()
    cw = cw or project.default()
    pairs = df.select("source", "model_key").unique()
    res = [link(s, k, cw) for s, k in pairs.iter_rows()]
    m = pairs.with_columns(pl.Series("model_id", [r[0] for r in res], dtype=pl.String),
                           pl.Series("crosswalk", [r[1] for r in res], dtype=pl.String))
    df = df.join(m, on=["source", "model_key"], how="left", maintain_order="left")
    return split_aliases(df, aliases)


def _pieces(start: dt.date | None, end: dt.date | None, last_day: dt.date,
            periods: list[project.AliasPeriod]) -> list[tuple[dt.date | None, dt.date | None, str | None]]:
    """(valid_from, valid_to, model_id or None) parts of one price period."""
    def target(day: dt.date) -> str | None:
        for p in periods:
            if p.covers(day):
                return None if p.model_id == project.UNLINKED else p.model_id
        return None
    if start is None:
        return [(None, end, target(last_day))]
    cuts = sorted({d for p in periods for d in (p.valid_from, p.valid_to)
                   if d is not None and start < d and (end is None or d < end)})
    bounds = [start, *cuts, end]
    return [(a, b, target(a)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def split_aliases(df: pl.DataFrame, aliases: tuple[project.AliasPeriod, ...] | list[project.AliasPeriod]
                  ) -> pl.DataFrame:
    """Link the rows of moving API ids per date (see the module doc); other rows pass unchanged."""
    if not aliases or df.is_empty():
        return df
    names = {(p.organization, p.alias) for p in aliases}
    is_alias = pl.struct("organization", "model_key").map_elements(
        lambda r: (r["organization"], project.alias_id(r["model_key"])) in names, return_dtype=pl.Boolean)
    df = df.with_columns(is_alias.fill_null(False).alias("_alias"))
    keep, moving = df.filter(~pl.col("_alias")).drop("_alias"), df.filter(pl.col("_alias")).drop("_alias")
    rows = []
    for r in moving.iter_rows(named=True):
        periods = project.alias_periods(r["model_key"], r["organization"], aliases)
        last = (r["valid_to"] - dt.timedelta(days=1)) if r["valid_to"] else r["observed_from"]
        for a, b, mid in _pieces(r["valid_from"], r["valid_to"], last, periods):
            rows.append({**r, "valid_from": a, "valid_to": b,
                         "model_id": mid or normalise(r["model_key"]), "crosswalk": "alias" if mid else "unlinked"})
    return pl.concat([keep, pl.DataFrame(rows, schema=moving.schema)]) if rows else keep


def coverage(prices: pl.DataFrame) -> pl.DataFrame:
    """Share of distinct price keys linked to a canonical model, per source."""
    keys = (prices.group_by("source", "model_key")
            .agg((pl.col("crosswalk") != "unlinked").any().alias("_linked"))
            .with_columns(pl.when("_linked").then(pl.lit("linked")).otherwise(pl.lit("unlinked")).alias("crosswalk")))
    return keys.group_by("source").agg(
        pl.len().alias("keys"), (pl.col("crosswalk") != "unlinked").sum().alias("linked")
    ).with_columns((pl.col("linked") / pl.col("keys")).alias("share_linked")).sort("source")


def coverage_report(prices: pl.DataFrame, max_list: int = 400) -> str:
    cov = coverage(prices)
    lines = ["crosswalk coverage (distinct price keys linked to a canonical model of the project crosswalk):"]
    for r in cov.iter_rows(named=True):
        lines.append(f"  {r['source']:<22} {r['linked']:>4} / {r['keys']:<4} linked ({r['share_linked']:.0%})")
    un = prices.filter(pl.col("crosswalk") == "unlinked").select("source", "model_key").unique().sort("source", "model_key")
    lines.append(f"  unlinked keys ({len(un)}): " + ", ".join(f"{s}:{k}" for s, k in un.head(max_list).iter_rows()))
    return "\n".join(lines)
