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
import re

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


# keys of models that are not chat / text-generation models: counted apart from the chat-key coverage
NON_CHAT_RE = re.compile(r"audio|realtime|image|tts|embed|search|transcribe|whisper|dall-e|moderation|live"
                         r"|computer-use|robotics|deep-research|speech|rerank", re.IGNORECASE)


def key_status(prices: pl.DataFrame, cw: project.Crosswalk | None = None) -> pl.DataFrame:
    """One row per distinct (source, model_key): linked (any period linked), mode ('chat' | 'non-chat'),
    country bucket of the provider's organization, and the reason an unlinked key stays unlinked:
    'moving alias (no sourced target)' | 'unknown model'."""
    keys = prices.group_by("source", "model_key").agg(
        (pl.col("crosswalk") != "unlinked").any().alias("linked"),
        (pl.col("crosswalk") == "alias").any().alias("_alias"),
        pl.col("country_bucket").drop_nulls().first().alias("country_bucket"))
    moving = set(project.alias_id(k) for k in keys["model_key"].to_list()
                 if "latest" in k.casefold()) | {p.alias for p in project.default_aliases()}
    return keys.with_columns(
        pl.when(pl.col("model_key").str.contains(NON_CHAT_RE.pattern)).then(pl.lit("non-chat"))
        .otherwise(pl.lit("chat")).alias("mode"),
        pl.when(pl.col("linked")).then(pl.lit(None, pl.String))
        .when(pl.col("model_key").map_elements(lambda k: project.alias_id(k) in moving, return_dtype=pl.Boolean))
        .then(pl.lit("moving alias (no sourced target)"))
        .otherwise(pl.lit("unknown model")).alias("reason"),
    ).drop("_alias").sort("source", "model_key")


def coverage(prices: pl.DataFrame) -> pl.DataFrame:
    """Share of distinct price keys linked to a canonical model, per source (all keys, any mode)."""
    keys = key_status(prices)
    return keys.group_by("source").agg(
        pl.len().alias("keys"), pl.col("linked").sum().alias("linked")
    ).with_columns((pl.col("linked") / pl.col("keys")).alias("share_linked")).sort("source")


def chat_coverage(prices: pl.DataFrame) -> pl.DataFrame:
    """Per source: chat keys linked / total, the same for US and Chinese providers, and the non-chat keys."""
    k = key_status(prices)
    chat = k.filter(pl.col("mode") == "chat")
    us, cn = pl.col("country_bucket") == "United States", pl.col("country_bucket") == "China"
    return (chat.group_by("source").agg(
        pl.len().alias("chat_keys"), pl.col("linked").sum().alias("chat_linked"),
        us.sum().alias("us_keys"), (us & pl.col("linked")).sum().alias("us_linked"),
        cn.sum().alias("cn_keys"), (cn & pl.col("linked")).sum().alias("cn_linked"))
        .join(k.filter(pl.col("mode") == "non-chat").group_by("source").agg(pl.len().alias("non_chat_keys")),
              on="source", how="left").with_columns(pl.col("non_chat_keys").fill_null(0)).sort("source"))


def unlinked_names(prices: pl.DataFrame) -> pl.DataFrame:
    """Every unlinked price key with its reason (non-chat keys: 'non-chat mode')."""
    k = key_status(prices).filter(~pl.col("linked"))
    return k.select("source", pl.col("model_key").alias("name"), "country_bucket",
                    pl.when(pl.col("mode") == "non-chat").then(pl.lit("non-chat mode"))
                    .otherwise(pl.col("reason")).alias("reason"))


def _share(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.0%})" if b else "0/0"


def coverage_report(prices: pl.DataFrame, max_list: int = 0) -> str:
    """One short line per price source; the names go to the unlinked-names file (a report may show the first
    `max_list` unlinked chat keys)."""
    lines = ["crosswalk coverage of price keys (chat keys linked; non-chat keys counted apart):"]
    for r in chat_coverage(prices).iter_rows(named=True):
        lines.append(f"  {r['source']:<22} chat {_share(r['chat_linked'], r['chat_keys']):<15} "
                     f"US {_share(r['us_linked'], r['us_keys']):<15} China {_share(r['cn_linked'], r['cn_keys']):<15} "
                     f"non-chat {r['non_chat_keys']}")
    if max_list > 0:
        un = unlinked_names(prices).filter(pl.col("reason") != "non-chat mode").select("source", "name", "reason")
        lines.append(f"  unlinked chat keys (first {min(max_list, len(un))} of {len(un)}; all in "
                     "data/clean/current/unlinked_names.csv): "
                     + ", ".join(f"{s}:{k} ({r})" for s, k, r in un.head(max_list).iter_rows()))
    return "\n".join(lines)
