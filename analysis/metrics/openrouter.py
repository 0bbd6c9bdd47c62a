"""Who uses whose models: OpenRouter token shares by model origin, category, model, and open weights.

Pure functions on the clean tables `openrouter_weekly`, `openrouter_categories`, `openrouter_daily` (and
`adoption` for the Hugging Face downloads beside them). Shares are always recomputed from tokens.

Lower bounds: the weekly chart names only the top ~9 authors of a week; the rest is the "Unassigned remainder"
(`others`), and some named authors have no clean origin ("Unknown origin"). A country's share is therefore a
lower bound; its upper bound adds the remainder and the unknown share (`upper` columns).
"""

from __future__ import annotations

import polars as pl

from analysis.clean.openrouter import ORIGINS, REMAINDER, UNKNOWN
from analysis.core import vocab

COUNTRY_ORIGINS = (vocab.CHINA, vocab.US, vocab.OTHER)


def origin_shares(weekly: pl.DataFrame) -> pl.DataFrame:
    """One row per (week, origin): tokens and share of the week's tokens; origins absent a week are 0."""
    weeks = weekly.select("week_start", "complete", "partial_reason").unique("week_start", keep="first", maintain_order=True)
    grid = weeks.join(pl.DataFrame({"origin": list(ORIGINS)}), how="cross")
    agg = weekly.group_by("week_start", "origin", maintain_order=True).agg(pl.col("tokens_b").sum())
    out = (grid.join(agg, on=["week_start", "origin"], how="left").with_columns(pl.col("tokens_b").fill_null(0.0))
           .with_columns((pl.col("tokens_b") / pl.col("tokens_b").sum().over("week_start")).alias("share")))
    return out.sort("week_start", "origin")


def share_summary(weekly: pl.DataFrame) -> pl.DataFrame:
    """One row per week: share of each origin (china, united_states, other, unknown, remainder), the week's total
    tokens, and the upper bounds china_upper / us_upper (lower bound + remainder + unknown)."""
    s = origin_shares(weekly)
    names = {vocab.CHINA: "china", vocab.US: "united_states", vocab.OTHER: "other", UNKNOWN: "unknown",
             REMAINDER: "remainder"}
    wide = (s.with_columns(pl.col("origin").replace_strict(names).alias("k"))
            .pivot("k", index=["week_start", "complete", "partial_reason"], values="share"))
    tot = weekly.group_by("week_start", maintain_order=True).agg(pl.col("tokens_b").sum().alias("total_tokens_b"))
    return (wide.join(tot, on="week_start")
            .with_columns((pl.col("china") + pl.col("remainder") + pl.col("unknown")).alias("china_upper"),
                          (pl.col("united_states") + pl.col("remainder") + pl.col("unknown")).alias("us_upper"))
            .select("week_start", "complete", "partial_reason", "total_tokens_b", "china", "united_states", "other",
                    "unknown", "remainder", "china_upper", "us_upper")
            .sort("week_start"))


def first_last_complete(weekly: pl.DataFrame, last_back: int = 0) -> pl.DataFrame:
    """The share summary of the first and the last complete week (two rows, `which` = first / last);
    `last_back` weeks before the last one instead of it (a robustness variant)."""
    s = share_summary(weekly).filter(pl.col("complete"))
    if len(s) <= last_back:
        raise ValueError("no complete week in the OpenRouter weekly table")
    return pl.concat([s.head(1).with_columns(pl.lit("first").alias("which")),
                      s.slice(len(s) - 1 - last_back, 1).with_columns(pl.lit("last").alias("which"))]).select(
        "which", *s.columns)


def category_shares(categories: pl.DataFrame, start=None, end=None, complete_only: bool = True) -> pl.DataFrame:
    """Per use category: tokens and share by origin over [start, end] (ISO dates or None), from tokens."""
    d = categories
    if complete_only:
        d = d.filter(pl.col("complete"))
    if start is not None:
        d = d.filter(pl.col("week_start") >= pl.lit(start).str.to_date())
    if end is not None:
        d = d.filter(pl.col("week_start") <= pl.lit(end).str.to_date())
    agg = d.group_by("category", "category_label", "origin", maintain_order=True).agg(pl.col("tokens_b").sum())
    return (agg.with_columns((pl.col("tokens_b") / pl.col("tokens_b").sum().over("category")).alias("share"))
            .sort("category", "origin"))


def top_models(daily: pl.DataFrame, n: int = 3, origins: tuple[str, ...] = COUNTRY_ORIGINS) -> pl.DataFrame:
    """The n models (variants summed into base_model) with most tokens per month and origin, complete days only."""
    d = daily.filter(pl.col("complete") & pl.col("origin").is_in(list(origins)))
    agg = (d.with_columns(pl.col("date").dt.truncate("1mo").alias("month"))
           .group_by("month", "origin", "base_model", maintain_order=True).agg(pl.col("tokens_b").sum(), pl.col("date").n_unique()
                                                         .alias("days")))
    agg = agg.with_columns((pl.col("tokens_b") / pl.col("tokens_b").sum().over("month", "origin"))
                           .alias("share_of_origin"))
    agg = agg.with_columns(pl.col("tokens_b").rank("ordinal", descending=True).over("month", "origin")
                           .cast(pl.Int64).alias("rank"))
    return agg.filter(pl.col("rank") <= n).sort("month", "origin", "rank")


def open_weights_links(daily: pl.DataFrame, models: pl.DataFrame) -> pl.DataFrame:
    """base_model -> model_id (linked by the build: openrouter_daily.model_id) -> open_weights (models table); null
    where either step fails."""
    links = daily.select("base_model", "model_id").unique("base_model", keep="first", maintain_order=True)
    weights = models.select("model_id", "open_weights").unique("model_id", keep="first", maintain_order=True)
    return links.join(weights, on="model_id", how="left")


def open_weights_share(daily: pl.DataFrame, links: pl.DataFrame, by: str = "month") -> pl.DataFrame:
    """Per month and origin: tokens of open-weights models, of closed ones, and of models the crosswalk does not
    link (or whose weights status is unknown). `open_share` is over linked tokens only; `linked_share` says how
    much of the origin's tokens that covers."""
    d = (daily.filter(pl.col("complete") & pl.col("origin").is_in(list(COUNTRY_ORIGINS)))
         .join(links.select("base_model", "open_weights"), on="base_model", how="left")
         .with_columns(pl.col("date").dt.truncate("1mo").alias("month")))
    keys = ["month", "origin"] if by == "month" else ["origin"]
    agg = d.group_by(keys, maintain_order=True).agg(
        pl.col("tokens_b").sum().alias("tokens_b"),
        pl.col("tokens_b").filter(pl.col("open_weights") == True).sum().alias("open_b"),  # noqa: E712
        pl.col("tokens_b").filter(pl.col("open_weights") == False).sum().alias("closed_b"),  # noqa: E712
        pl.col("tokens_b").filter(pl.col("open_weights").is_null()).sum().alias("unlinked_b"))
    return (agg.with_columns((pl.col("open_b") / (pl.col("open_b") + pl.col("closed_b"))).alias("open_share"),
                             (1 - pl.col("unlinked_b") / pl.col("tokens_b")).alias("linked_share"))
            .sort(keys))


BUCKET_OF_ORIGIN = {vocab.CHINA: vocab.CHINA, vocab.US: vocab.US, vocab.OTHER: vocab.OTHER}


def api_vs_downloads(weekly: pl.DataFrame, adoption: pl.DataFrame) -> pl.DataFrame:
    """Per month and country bucket: share of OpenRouter tokens (complete weeks, by week start; the remainder and
    unknown origins kept as their own rows) beside the share of Hugging Face downloads of the upstream panel."""
    w = weekly.filter(pl.col("complete")).with_columns(pl.col("week_start").dt.truncate("1mo").alias("month"))
    api = (w.group_by("month", "origin", maintain_order=True).agg(pl.col("tokens_b").sum())
           .with_columns((pl.col("tokens_b") / pl.col("tokens_b").sum().over("month")).alias("api_share"))
           .rename({"origin": "bucket"}).select("month", "bucket", "api_share"))
    h = (adoption.filter(pl.col("in_upstream_panel"))
         .with_columns(pl.col("week_date").dt.truncate("1mo").alias("month"),
                       pl.when(pl.col("country_bucket") == vocab.JOINT).then(pl.lit(vocab.OTHER))
                       .otherwise(pl.col("country_bucket")).alias("bucket"))
         .group_by("month", "bucket", maintain_order=True).agg(pl.col("downloads_week").sum().alias("downloads"))
         .with_columns((pl.col("downloads") / pl.col("downloads").sum().over("month")).alias("downloads_share"))
         .select("month", "bucket", "downloads_share"))
    return api.join(h, on=["month", "bucket"], how="full", coalesce=True).sort("month", "bucket")
