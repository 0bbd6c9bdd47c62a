"""Which lab for which job: ranks per benchmark and lab, context windows by date (the builders' claims and report).

Rules (each benchmark, and each LiveBench release, is its own scale; scores are compared only within one
(benchmark, edition)):

- **A model's score** on a (benchmark, edition) is its best row (a reasoning-effort variant or agent scaffold of the
  same canonical model), with that row's standard error and source record (`best_per_model`).
- **Rank at release**: 1 + the number of models of the same (benchmark, edition) released on or before the model's
  release date with a strictly higher score; `n_at_release` counts those models (itself included). A model is
  ranked at release in the first edition listing it (its launch reading). Models without a known release date are
  left out of every at-release figure (and counted by `undated`).
- **Rank at the data's end**: the same in the newest edition of the benchmark, among all its models.
- **Gap to the best US model**: the best US model's score (released on or before the date) minus the model's; > 0
  means behind. With standard errors on both, `within_uncertainty` says whether the model's score is within
  `Z` combined standard errors of the best score at the time.
- **Top-tier** (`top_tier`): rank at release <= k, or within the benchmark's uncertainty of the best at release,
  in a field of at least `min_field` models at release (`MIN_FIELD`; a smaller field is no placement).
- **Per lab and benchmark** (`lab_benchmarks`): `peak_*` is the lab's best placement at release (its model of
  lowest rank at release; ties: the later release); `now_*` is the lab's best model in the newest edition.
- **Context window** (`window_reference`): one window per (model, file date) from the first-party keys of the
  `context_windows` table: the value most keys of the model state on that date, ties to the larger; the chosen
  key is named. A lab's largest window on a date is the largest reference window of its models (keys that link
  to no model count under their own key).
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from analysis.core import vocab

Z = 1.96  # two-sided 95% normal interval for "within the benchmark's uncertainty"
TOP_K = 5  # the default "top-tier": among the five best models at release
MIN_FIELD = 10  # a rank at release counts only among at least this many models (rank 1 of 2 says little)


def _as_date(x) -> dt.date | None:
    if x is None or isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x))


def restrict(scores: pl.DataFrame, as_of=None) -> pl.DataFrame:
    """Scores of the models released by `as_of` (undated models: first seen by then) and of the LiveBench releases
    out by then. A file read later still holds later evaluations of those models: the ranks are those of the models
    of that date, as the newest files score them."""
    day = _as_date(as_of)
    if day is None:
        return scores
    edition_day = pl.col("edition").str.replace_all("_", "-").str.to_date(strict=False)
    return scores.filter(pl.coalesce("release_date", "first_seen").le(day)
                         & (edition_day.is_null() | edition_day.le(day)))


def best_per_model(scores: pl.DataFrame) -> pl.DataFrame:
    """One row per (benchmark, edition, model_id): the model's best score there, with that row's standard error and
    source record."""
    return (scores.sort(["score", "source_file", "source_row"], descending=[True, False, False])
            .unique(["benchmark", "edition", "model_id"], keep="first", maintain_order=True))


def _rank_rows(group: pl.DataFrame) -> list[dict]:
    rows = group.to_dicts()
    out = []
    for r in rows:
        d = r["release_date"]
        known = [x for x in rows if d is not None and x["release_date"] is not None and x["release_date"] <= d]
        us = [x for x in known if x["country_bucket"] == vocab.US]
        best = max(known, key=lambda x: x["score"]) if known else None
        best_us = max(us, key=lambda x: x["score"]) if us else None
        within = None
        if best is not None and r["stderr"] is not None and best["stderr"] is not None:
            within = best["score"] - r["score"] <= Z * math.hypot(r["stderr"], best["stderr"])
        out.append(dict(
            benchmark=r["benchmark"], edition=r["edition"], model_id=r["model_id"],
            rank_at_release=(1 + sum(x["score"] > r["score"] for x in known)) if known else None,
            n_at_release=len(known) if known else None,
            best_at_release=best["score"] if best else None,
            best_model_at_release=best["model"] if best else None,
            within_uncertainty=within,
            best_us_at_release=best_us["score"] if best_us else None,
            best_us_model_at_release=best_us["model"] if best_us else None,
            rank_in_edition=1 + sum(x["score"] > r["score"] for x in rows), n_in_edition=len(rows),
            best_us_in_edition=max((x["score"] for x in rows if x["country_bucket"] == vocab.US), default=None)))
    return out


def ranks(scores: pl.DataFrame, as_of=None) -> pl.DataFrame:
    """Per (benchmark, edition, model): its best score, rank and gap to the best US model at release and within the
    edition; `first_edition` marks the model's launch reading and `newest_edition` the benchmark's newest edition."""
    best = best_per_model(restrict(scores, as_of))
    if best.is_empty():
        return best.with_columns(*(pl.lit(None).alias(c) for c in (
            "rank_at_release", "n_at_release", "best_at_release", "best_model_at_release", "within_uncertainty",
            "best_us_at_release", "best_us_model_at_release", "rank_in_edition", "n_in_edition",
            "best_us_in_edition", "gap_us_at_release", "gap_us_in_edition", "first_edition", "newest_edition")))
    parts = [r for _, g in best.group_by(["benchmark", "edition"], maintain_order=True) for r in _rank_rows(g)]
    schema = {"benchmark": pl.String, "edition": pl.String, "model_id": pl.String, "rank_at_release": pl.Int64,
              "n_at_release": pl.Int64, "best_at_release": pl.Float64, "best_model_at_release": pl.String,
              "within_uncertainty": pl.Boolean, "best_us_at_release": pl.Float64,
              "best_us_model_at_release": pl.String, "rank_in_edition": pl.Int64, "n_in_edition": pl.Int64,
              "best_us_in_edition": pl.Float64}
    r = best.join(pl.DataFrame(parts, schema=schema), on=["benchmark", "edition", "model_id"], how="left")
    newest = best.group_by("benchmark").agg(pl.col("edition").max().alias("_newest"))
    first = best.group_by("benchmark", "model_id").agg(pl.col("edition").min().alias("_first"))
    return (r.join(newest, on="benchmark").join(first, on=["benchmark", "model_id"])
            .with_columns((pl.col("best_us_at_release") - pl.col("score")).alias("gap_us_at_release"),
                          (pl.col("best_us_in_edition") - pl.col("score")).alias("gap_us_in_edition"),
                          (pl.col("edition") == pl.col("_first")).alias("first_edition"),
                          (pl.col("edition") == pl.col("_newest")).alias("newest_edition"))
            .drop("_newest", "_first").sort("benchmark", "edition", "score", descending=[False, False, True]))


def top_tier(rank: int | None, within: bool | None, k: int = TOP_K) -> bool | None:
    """The top-tier rule: rank at release <= k, or within the benchmark's uncertainty of the best at release."""
    if rank is None:
        return None
    return rank <= k or bool(within)


def lab_benchmarks(ranked: pl.DataFrame, labs, k: int = TOP_K, min_field: int = MIN_FIELD) -> pl.DataFrame:
    """Per (lab, benchmark) for `labs` (organization names): its peak placement at release (among launches ranked in a
    field of at least `min_field` models) and its best model in the benchmark's newest edition. Empty fields where
    the lab has no model there."""
    rows = []
    exploded = ranked.explode("organizations")
    for lab in labs:
        mine = exploded.filter(pl.col("organizations") == lab)
        for bench in sorted(set(ranked["benchmark"].to_list())):
            b = mine.filter(pl.col("benchmark") == bench)
            launch = b.filter(pl.col("first_edition") & pl.col("rank_at_release").is_not_null()
                              & (pl.col("n_at_release") >= min_field))
            row = dict(lab=lab, benchmark=bench, family=None, n_models=b["model_id"].n_unique())
            if not ranked.filter(pl.col("benchmark") == bench).is_empty():
                row["family"] = ranked.filter(pl.col("benchmark") == bench)["family"][0]
            if len(launch):
                p = launch.sort(["rank_at_release", "release_date"], descending=[False, True]).row(0, named=True)
                row.update(peak_model=p["model"], peak_release_date=p["release_date"], peak_edition=p["edition"],
                           peak_score=p["score"], peak_stderr=p["stderr"], peak_rank=p["rank_at_release"],
                           peak_n=p["n_at_release"], peak_best=p["best_at_release"],
                           peak_best_model=p["best_model_at_release"], peak_within=p["within_uncertainty"],
                           peak_gap_us=p["gap_us_at_release"], peak_top_tier=top_tier(p["rank_at_release"],
                                                                                      p["within_uncertainty"], k),
                           peak_source_file=p["source_file"], peak_source_row=p["source_row"])
            now = b.filter(pl.col("newest_edition"))
            if len(now):
                q = now.sort(["score", "release_date"], descending=[True, False], nulls_last=True).row(0, named=True)
                row.update(now_model=q["model"], now_edition=q["edition"], now_score=q["score"],
                           now_rank=q["rank_in_edition"], now_n=q["n_in_edition"], now_gap_us=q["gap_us_in_edition"],
                           now_source_file=q["source_file"], now_source_row=q["source_row"])
            rows.append(row)
    return pl.DataFrame(rows, schema=LAB_SCHEMA)


LAB_SCHEMA = {"lab": pl.String, "benchmark": pl.String, "family": pl.String, "n_models": pl.Int64,
              "peak_model": pl.String, "peak_release_date": pl.Date, "peak_edition": pl.String,
              "peak_score": pl.Float64, "peak_stderr": pl.Float64, "peak_rank": pl.Int64, "peak_n": pl.Int64,
              "peak_best": pl.Float64, "peak_best_model": pl.String, "peak_within": pl.Boolean,
              "peak_gap_us": pl.Float64, "peak_top_tier": pl.Boolean, "peak_source_file": pl.String,
              "peak_source_row": pl.Int64, "now_model": pl.String, "now_edition": pl.String, "now_score": pl.Float64,
              "now_rank": pl.Int64, "now_n": pl.Int64, "now_gap_us": pl.Float64, "now_source_file": pl.String,
              "now_source_row": pl.Int64}


def lab_families(per_bench: pl.DataFrame, k: int = TOP_K, reading: str = "release") -> pl.DataFrame:
    """Per (lab, family): benchmarks with a result, how many of them top-tier (at release: `peak_top_tier`; at the
    data's end, `reading='end'`: rank in the newest edition <= k), and whether the family is top-tier (at least half
    of its benchmarks)."""
    b = per_bench.with_columns(
        (pl.col("peak_top_tier") if reading == "release" else pl.col("now_rank").le(k)).alias("_top"),
        (pl.col("peak_rank") if reading == "release" else pl.col("now_rank")).alias("_rank"))
    b = b.filter(pl.col("_rank").is_not_null())
    return (b.group_by("lab", "family", maintain_order=True)
            .agg(pl.len().alias("benchmarks"), pl.col("_top").sum().cast(pl.Int64).alias("top_tier_benchmarks"),
                 pl.col("_rank").min().alias("best_rank"),
                 pl.col("benchmark").filter(pl.col("_top")).alias("top_tier_list"))
            .with_columns((pl.col("top_tier_benchmarks") * 2 >= pl.col("benchmarks")).alias("family_top_tier"))
            .sort("lab", "family"))


def undated(scores: pl.DataFrame) -> int:
    """Models with scores but no known release date (left out of every at-release figure)."""
    return scores.filter(pl.col("release_date").is_null())["model_id"].n_unique()


# --- context windows -----------------------------------------------------------------------------------------

def window_reference(windows: pl.DataFrame) -> pl.DataFrame:
    """One window per (model, file date): the value most first-party keys of the model state that day, ties to the
    larger, with the chosen key and how many keys agreed. Keys that link to no model stand for themselves."""
    w = windows.with_columns(pl.coalesce("model_id", pl.concat_str(pl.lit("key:"), "model_key")).alias("model"))
    votes = (w.group_by("model", "organization", "country_bucket", "as_of", "max_input_tokens")
             .agg(pl.len().alias("keys_agreeing"), pl.col("model_key").sort().first().alias("chosen_key"),
                  pl.col("source_file").first(), pl.col("source_row").min()))
    n = w.group_by("model", "as_of").agg(pl.len().alias("keys"),
                                         pl.col("max_input_tokens").n_unique().alias("distinct_windows"))
    return (votes.sort(["keys_agreeing", "max_input_tokens"], descending=True)
            .unique(["model", "as_of"], keep="first", maintain_order=True)
            .join(n, on=["model", "as_of"]).sort("organization", "model", "as_of"))


def lab_windows(reference: pl.DataFrame) -> pl.DataFrame:
    """Each lab's largest reference window on each file date, with the model that has it."""
    return (reference.sort(["max_input_tokens", "model"], descending=[True, False])
            .unique(["organization", "as_of"], keep="first", maintain_order=True)
            .select("organization", "country_bucket", "as_of", "max_input_tokens", pl.col("model").alias("largest_model"),
                    "chosen_key", "source_file", "source_row")
            .sort("as_of", "max_input_tokens", descending=[False, True]))


def window_rank(lab_w: pl.DataFrame, lab: str, labs=None, as_of=None) -> dict:
    """`lab`'s largest window on the newest file date on or before `as_of` against the other labs (`labs`, default
    all): its rank (1 + labs with a strictly larger window), the labs compared and the largest window."""
    w = lab_w if labs is None else lab_w.filter(pl.col("organization").is_in(list(labs)))
    day = _as_date(as_of)
    if day is not None:
        w = w.filter(pl.col("as_of") <= day)
    if w.is_empty():
        return dict(found=False)
    last = w["as_of"].max()
    d = w.filter(pl.col("as_of") == last).sort("max_input_tokens", descending=True)
    mine = d.filter(pl.col("organization") == lab)
    if mine.is_empty():
        return dict(found=False, date=last)
    m = mine.row(0, named=True)
    top = d.row(0, named=True)
    larger = d.filter(pl.col("max_input_tokens") > m["max_input_tokens"])
    return dict(found=True, date=last, window=m["max_input_tokens"], model=m["largest_model"],
                rank=1 + len(larger), labs=len(d), largest=top["max_input_tokens"], largest_lab=top["organization"],
                larger_labs=larger["organization"].to_list())
