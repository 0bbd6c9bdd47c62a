"""Performance per dollar: capability score vs blended reference price, per date (pure polars functions).

Definitions (also in notebooks/performance_per_dollar.ipynb; tests in tests/test_perf.py):
- score of a model on a date: its best score on ONE metric (`capability`, one snapshot per metric, so the score
  is the one read at that snapshot) among its releases out by the date (release_date <= date). Country bucket,
  organizations and open weights are the model's (capability rows), not the price provider's.
- price of a model on a date: its blended reference price valid on the date (`reference_prices`, one price per
  model and day by the rule of analysis.link.reference; base tier only), blended (ratio x input + output) / (ratio + 1),
  ratio = input:output token ratio (default 3:1), per 1M tokens, in USD or CNY at the rate of the day.
- a model enters the comparison on a date only with both a score and a price: a model without price or without
  score is left out (counted by `coverage`).
- Pareto frontier per country and date: the models no other model of the country beats, i.e. none is at most
  as expensive and at least as good with one of the two strictly. Two models with the same price and the same
  score are both on it.
- "X% for Y% of the price": the leader (default the best United States model with a price; ties: the cheaper,
  then the model id) and the cheapest follower-country model (default China) scoring at least `threshold` x
  the leader's score (ties: the higher score, then the model id); price_share = follower price / leader price.
  When no follower model meets the threshold the row says so (follower columns null, `met` False): an explicit
  answer, not an error. `best_follower_*`: the follower country's best-scoring priced model, whatever its price
  (how close the answer is to the threshold). The threshold is a ratio of scores, so it only has a meaning on a metric whose zero
  means "no capability" (ECI, Artificial Analysis index, LiveBench); on an Elo scale (LMArena) 95% is a large
  gap, and the notebook says so.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.core import vocab
from analysis.metrics import prices as pm

US, CN = vocab.US, vocab.CHINA


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def model_scores(capability: pl.DataFrame, metric: str) -> pl.DataFrame:
    """One row per model release on `metric`: its best score (the row of the best variant)."""
    d = capability.filter((pl.col("metric") == metric) & pl.col("score").is_not_null()
                          & pl.col("release_date").is_not_null())
    d = d.sort("score", "source_row", descending=[True, False]).unique(
        ["model_id", "release_date"], keep="first", maintain_order=True)
    return d.select("model_id", "model", "release_date", "organizations", "country_bucket", "open_weights",
                    "score", "source_model", pl.col("source_file").alias("score_source"), "as_of")


def scores_on(scores: pl.DataFrame, dates: list[dt.date]) -> pl.DataFrame:
    """(date, model_id): the best release of the model out by the date."""
    d = pl.DataFrame({"date": dates}, schema={"date": pl.Date})
    return (d.join(scores, how="cross").filter(pl.col("release_date") <= pl.col("date"))
            .sort("date", "model_id", "score", "release_date", descending=[False, False, True, True])
            .unique(["date", "model_id"], keep="first", maintain_order=True))


def price_panel(reference: pl.DataFrame, dates: list[dt.date], ratio: float = 3.0, currency: str = "USD",
                fx_table: pl.DataFrame | None = None) -> pl.DataFrame:
    """(date, model_id): the blended reference price valid on the date (`reference`: reference_prices periods, or
    `prices.reference_for`), linked price keys only."""
    linked = reference.filter(pl.col("crosswalk") != "unlinked")
    panel = pm.reference_panel(linked, dates)
    panel = pm.with_blended(panel, currency, ratio, fx_table=fx_table)
    return panel.filter(pl.col("blended").is_not_null()).select(
        "date", "model_id", "blended", "input_price", "output_price", "provider",
        pl.col("source").alias("price_source"), pl.col("source_file").alias("price_file"),
        pl.col("source_row").alias("price_row"), pl.col("model_key").alias("price_key"))


def join(scores: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """Models with both a score (scores_on) and a price (price_panel) on a date: one row per (date, model_id)."""
    return scores.join(panel, on=["date", "model_id"], how="inner").sort("date", "country_bucket", "blended")


def performance_table(capability: pl.DataFrame, reference: pl.DataFrame, metric: str, dates: list[dt.date],
                      ratio: float = 3.0, currency: str = "USD", fx_table: pl.DataFrame | None = None) -> pl.DataFrame:
    """Score and blended reference price per (date, model) for one metric (see the module doc)."""
    s = scores_on(model_scores(capability, metric), dates)
    p = price_panel(reference, dates, ratio, currency, fx_table)
    return join(s, p)


def coverage(scores: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Per (date, country_bucket): models scored and released by the date, and how many have a price."""
    n = scores.group_by("date", "country_bucket", maintain_order=True).agg(pl.len().alias("scored"))
    k = table.group_by("date", "country_bucket", maintain_order=True).agg(pl.len().alias("priced"))
    return (n.join(k, on=["date", "country_bucket"], how="left")
            .with_columns(pl.col("priced").fill_null(0))
            .with_columns((pl.col("priced") / pl.col("scored")).alias("share_priced"))
            .sort("date", "country_bucket"))


def pareto_frontier(table: pl.DataFrame, by: tuple[str, ...] = ("date", "country_bucket")) -> pl.DataFrame:
    """The models of `table` on the max-score-for-min-price frontier of their group, sorted by price."""
    by = list(by)
    d = table.filter(pl.col("blended").is_not_null() & pl.col("score").is_not_null())
    levels = (d.group_by([*by, "blended"], maintain_order=True).agg(pl.col("score").max().alias("_best"))
              .sort([*by, "blended"])
              .with_columns(pl.col("_best").cum_max().shift(1).over(by).alias("_prev")))
    front = levels.filter(pl.col("_prev").is_null() | (pl.col("_best") > pl.col("_prev")))
    return (d.join(front.select(*by, "blended", "_best"), on=[*by, "blended"], how="inner")
            .filter(pl.col("score") == pl.col("_best")).drop("_best").sort([*by, "blended", "model_id"]))


ANSWER_COLUMNS = {
    "date": pl.Date, "leader_country": pl.String, "follower_country": pl.String, "threshold": pl.Float64,
    "leader_model": pl.String, "leader_model_id": pl.String, "leader_score": pl.Float64, "leader_price": pl.Float64,
    "leader_price_source": pl.String, "target_score": pl.Float64, "met": pl.Boolean,
    "follower_model": pl.String, "follower_model_id": pl.String, "follower_score": pl.Float64,
    "follower_price": pl.Float64, "follower_price_source": pl.String, "score_share": pl.Float64,
    "price_share": pl.Float64, "follower_open_weights": pl.Boolean, "candidates": pl.Int64,
    "best_follower_model": pl.String, "best_follower_score": pl.Float64,
}


def x_for_y(table: pl.DataFrame, threshold: float = 0.95, leader: str = US, follower: str = CN) -> pl.DataFrame:
    """Per date: the best `leader` model, the cheapest `follower` model within `threshold` of its score, and
    the price ratio (see the module doc). One row per date that has a priced leader model."""
    rows = []
    for date in table["date"].unique(maintain_order=True).sort().to_list():
        d = table.filter(pl.col("date") == date)
        lead = d.filter(pl.col("country_bucket") == leader).sort(
            "score", "blended", "model_id", descending=[True, False, False])
        if lead.is_empty():
            continue
        best = lead.row(0, named=True)
        target = threshold * best["score"]
        cand = d.filter((pl.col("country_bucket") == follower) & (pl.col("score") >= target)).sort(
            "blended", "score", "model_id", descending=[False, True, False])
        top = d.filter(pl.col("country_bucket") == follower).sort("score", "model_id", descending=[True, False])
        row = dict(date=date, leader_country=leader, follower_country=follower, threshold=threshold,
                   leader_model=best["model"], leader_model_id=best["model_id"], leader_score=best["score"],
                   leader_price=best["blended"], leader_price_source=best["price_source"], target_score=target,
                   met=not cand.is_empty(), candidates=len(cand),
                   best_follower_model=top["model"][0] if len(top) else None,
                   best_follower_score=top["score"][0] if len(top) else None)
        if not cand.is_empty():
            f = cand.row(0, named=True)
            row.update(follower_model=f["model"], follower_model_id=f["model_id"], follower_score=f["score"],
                       follower_price=f["blended"], follower_price_source=f["price_source"],
                       score_share=f["score"] / best["score"] if best["score"] else None,
                       price_share=f["blended"] / best["blended"] if best["blended"] else None,
                       follower_open_weights=f["open_weights"])
        rows.append(row)
    return pl.DataFrame(rows, schema=ANSWER_COLUMNS)


def both_views(table: pl.DataFrame, threshold: float = 0.95) -> pl.DataFrame:
    """x_for_y with the US leading and China following, then the reverse view, stacked."""
    return pl.concat([x_for_y(table, threshold, US, CN), x_for_y(table, threshold, CN, US)])


def default_as_of(capability: pl.DataFrame, reference: pl.DataFrame, metric: str) -> dt.date:
    """Newest date the comparison can be made on: the metric's snapshot date, or the newest price snapshot if
    that is earlier (prices after a source's newest snapshot are unknown)."""
    as_of = capability.filter(pl.col("metric") == metric)["as_of"].max()
    newest_price = reference["snapshot"].max() if len(reference) else None
    return min(as_of, newest_price) if as_of and newest_price else (as_of or newest_price)


def monthly_dates(start, end: dt.date) -> list[dt.date]:
    """Month-ends from `start` to `end`, plus `end` itself."""
    return sorted(set(pm.month_ends(_date(start), end)) | {end})


def describe_answer(row: dict | None, metric: str, currency: str = "USD") -> str:
    """One sentence stating the answer of one x_for_y row (markdown bold on the numbers)."""
    if row is None:
        return f"No {metric} comparison can be made: no priced model of the leading country."
    pct = f"{row['threshold']:.0%}"
    lead = (f"the best {row['leader_country']} model with a list price, {row['leader_model']} "
            f"({metric} {row['leader_score']:.1f}, {row['leader_price']:.2f} {currency}/1M tokens blended)")
    if not row["met"]:
        return (f"On {row['date']}, {lead}: **no {row['follower_country']} model with a price reaches {pct} of "
                f"its score** ({row['target_score']:.1f}).")
    return (f"On {row['date']}, {lead} is matched to {pct} by {row['follower_model']} ({row['follower_country']}, "
            f"{row['follower_score']:.1f} = {row['score_share']:.0%} of the score) at "
            f"{row['follower_price']:.2f} {currency}/1M tokens: **{row['score_share']:.0%} of the performance for "
            f"{row['price_share']:.0%} of the price**.")


def headline(capability: pl.DataFrame, reference: pl.DataFrame, metric: str = vocab.METRIC_ECI,
             threshold: float = 0.95, ratio: float = 3.0, as_of=None, leader: str = US, follower: str = CN) -> dict | None:
    """The 'X% for Y% of the price' answer at the newest date (or `as_of`), `leader` (default the US) leading,
    with date and sources; `leader=CN, follower=US` gives the reverse view.

    Returns None when no priced model of the leading country has a score on the metric."""
    date = _date(as_of) or default_as_of(capability, reference, metric)
    table = performance_table(capability, reference, metric, [date], ratio)
    ans = x_for_y(table, threshold, leader, follower)
    if ans.is_empty():
        return None
    row = ans.row(0, named=True)
    score_files = sorted(set(capability.filter(pl.col("metric") == metric)["source_file"].to_list()))
    price_sources = [s for s in (row["leader_price_source"], row.get("follower_price_source")) if s]
    text = describe_answer(row, metric).replace("**", "")
    return dict(row, metric=metric, blend_ratio=ratio, score_files=score_files,
                price_sources=sorted(set(price_sources)),
                text=f"{text} Blended {ratio:g}:1 input:output; scores: {', '.join(score_files)}; "
                     f"prices: {', '.join(sorted(set(price_sources)))} (reference prices).")
