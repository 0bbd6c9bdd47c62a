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
"""

from __future__ import annotations

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


def attach(df: pl.DataFrame, cw: project.Crosswalk | None = None) -> pl.DataFrame:
    cw = cw or project.default()
    pairs = df.select("source", "model_key").unique()
    res = [link(s, k, cw) for s, k in pairs.iter_rows()]
    m = pairs.with_columns(pl.Series("model_id", [r[0] for r in res], dtype=pl.String),
                           pl.Series("crosswalk", [r[1] for r in res], dtype=pl.String))
    return df.join(m, on=["source", "model_key"], how="left", maintain_order="left")


def coverage(prices: pl.DataFrame) -> pl.DataFrame:
    """Share of distinct price keys linked to a canonical model, per source."""
    keys = prices.select("source", "model_key", "crosswalk").unique()
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
