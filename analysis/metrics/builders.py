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
        top = max(rows, key=lambda x: x["score"])
        within_ed = None
        if r["stderr"] is not None and top["stderr"] is not None:
            within_ed = top["score"] - r["score"] <= Z * math.hypot(r["stderr"], top["stderr"])
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
            best_us_in_edition=max((x["score"] for x in rows if x["country_bucket"] == vocab.US), default=None),
            best_in_edition=top["score"], best_model_in_edition=top["model"], within_in_edition=within_ed))
    return out


def ranks(scores: pl.DataFrame, as_of=None) -> pl.DataFrame:
    """Per (benchmark, edition, model): its best score, rank and gap to the best US model at release and within the
    edition; `first_edition` marks the model's launch reading and `newest_edition` the benchmark's newest edition."""
    best = best_per_model(restrict(scores, as_of))
    if best.is_empty():
        return best.with_columns(*(pl.lit(None).alias(c) for c in (
            "rank_at_release", "n_at_release", "best_at_release", "best_model_at_release", "within_uncertainty",
            "best_us_at_release", "best_us_model_at_release", "rank_in_edition", "n_in_edition",
            "best_us_in_edition", "best_in_edition", "best_model_in_edition", "within_in_edition",
            "gap_us_at_release", "gap_us_in_edition", "first_edition", "newest_edition")))
    parts = [r for _, g in best.group_by(["benchmark", "edition"], maintain_order=True) for r in _rank_rows(g)]
    schema = {"benchmark": pl.String, "edition": pl.String, "model_id": pl.String, "rank_at_release": pl.Int64,
              "n_at_release": pl.Int64, "best_at_release": pl.Float64, "best_model_at_release": pl.String,
              "within_uncertainty": pl.Boolean, "best_us_at_release": pl.Float64,
              "best_us_model_at_release": pl.String, "rank_in_edition": pl.Int64, "n_in_edition": pl.Int64,
              "best_us_in_edition": pl.Float64, "best_in_edition": pl.Float64, "best_model_in_edition": pl.String,
              "within_in_edition": pl.Boolean}
    r = best.join(pl.DataFrame(parts, schema=schema), on=["benchmark", "edition", "model_id"], how="left")
    newest = best.group_by("benchmark", maintain_order=True).agg(pl.col("edition").max().alias("_newest"))
    first = best.group_by("benchmark", "model_id", maintain_order=True).agg(pl.col("edition").min().alias("_first"))
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
                row.update(now_model=q["model"], now_model_id=q["model_id"], now_edition=q["edition"], now_score=q["score"],
                           now_rank=q["rank_in_edition"], now_n=q["n_in_edition"], now_gap_us=q["gap_us_in_edition"],
                           now_release_date=q["release_date"], now_as_of=q["as_of"],
                           now_best_model=q["best_model_in_edition"], now_within=q["within_in_edition"],
                           now_top_tier=top_tier(q["rank_in_edition"], q["within_in_edition"], k)
                           if q["n_in_edition"] >= min_field else None,
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
              "now_source_row": pl.Int64, "now_release_date": pl.Date, "now_as_of": pl.Date,
              "now_best_model": pl.String, "now_within": pl.Boolean, "now_top_tier": pl.Boolean,
              "now_model_id": pl.String}


def lab_families(per_bench: pl.DataFrame, k: int = TOP_K, reading: str = "release") -> pl.DataFrame:
    """Per (lab, family): benchmarks with a result, how many of them top-tier (at release: `peak_top_tier`; at the
    data's end, `reading='end'`: `now_top_tier`, the same rule in the benchmark's newest edition among all its
    models), and whether the family is top-tier (at least half of its benchmarks)."""
    b = per_bench.with_columns(
        (pl.col("peak_top_tier") if reading == "release" else pl.col("now_top_tier").fill_null(False)).alias("_top"),
        (pl.col("peak_rank") if reading == "release"
         else pl.when(pl.col("now_top_tier").is_not_null()).then(pl.col("now_rank"))).alias("_rank"))
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

WINDOW_PRECEDENCE = ("litellm", "models.dev", "openrouter")  # last tie-break: the labs' own keys in LiteLLM first


def _file_windows(windows: pl.DataFrame) -> pl.DataFrame:
    """Rule 1, one window per (model, source file): the value most first-party keys of the model state in that
    file, ties to the larger; the chosen key named. Keys that link to no model stand for themselves."""
    w = windows.with_columns(pl.coalesce("model_id", pl.concat_str(pl.lit("key:"), "model_key")).alias("model"))
    if "source" not in w.columns:
        w = w.with_columns(pl.lit("litellm").alias("source"))
    votes = (w.group_by("model", "organization", "country_bucket", "source", "source_file", "as_of",
                        "max_input_tokens", maintain_order=True)
             .agg(pl.len().alias("keys_agreeing"), pl.col("model_key").sort().first().alias("chosen_key"),
                  pl.col("source_row").min()))
    n = w.group_by("model", "source_file", maintain_order=True).agg(pl.len().alias("keys"),
                                               pl.col("max_input_tokens").n_unique().alias("distinct_windows"))
    return (votes.sort(["keys_agreeing", "max_input_tokens", "chosen_key"], descending=[True, True, False])
            .unique(["model", "source_file"], keep="first", maintain_order=True)
            .join(n, on=["model", "source_file"]))


def window_reference(windows: pl.DataFrame) -> pl.DataFrame:
    """One window per (model, date) for every file date of any source. Rules, in order:

    1. in one file, the value most first-party keys of the model state, ties to the larger (`_file_windows`);
    2. on a date, each source's newest file on or before it speaks (a model a source no longer lists is not
       carried forward from its older files);
    3. across sources: the value most of them state (`rule` 'single source', 'sources agree', 'majority'); a tie
       goes to the newest file ('newest file'), then to the precedence `WINDOW_PRECEDENCE` ('precedence').

    Each row names the chosen source, file, key and rule, and how many sources stated a window."""
    fw = _file_windows(windows)
    if fw.is_empty():
        return fw.with_columns(pl.lit(None, pl.Int64).alias("sources"), pl.lit(None, pl.String).alias("rule"),
                               pl.lit(None, pl.String).alias("stated"))
    files = fw.select("source", "source_file", "as_of").unique(maintain_order=True)
    dates = sorted(set(files["as_of"].to_list()))
    out = []
    for day in dates:
        newest = (files.filter(pl.col("as_of") <= day).sort("as_of", descending=True)
                  .unique("source", keep="first", maintain_order=True)["source_file"].to_list())
        d = fw.filter(pl.col("source_file").is_in(newest))
        if d.is_empty():
            continue
        d = d.with_columns(pl.col("source").replace_strict({s: i for i, s in enumerate(WINDOW_PRECEDENCE)},
                                                           default=len(WINDOW_PRECEDENCE)).alias("_prec"),
                           pl.len().over("model").alias("sources"),
                           pl.len().over("model", "max_input_tokens").alias("_support"),
                           pl.col("max_input_tokens").n_unique().over("model").alias("_values"))
        d = d.with_columns(pl.col("_support").max().over("model").alias("_top"),
                           pl.concat_str("source", pl.lit(" "), pl.col("max_input_tokens").cast(pl.String))
                           .sort_by("_prec").str.join("; ").over("model").alias("stated"))
        d = d.with_columns(pl.col("max_input_tokens").filter(pl.col("_support") == pl.col("_top")).n_unique()
                           .over("model").alias("_tied"))
        d = d.with_columns((pl.col("as_of") == pl.col("as_of").filter(pl.col("_support") == pl.col("_top"))
                            .max().over("model")).alias("_newest"))
        d = d.with_columns(pl.col("max_input_tokens").filter(pl.col("_newest") & (pl.col("_support") == pl.col("_top")))
                           .n_unique().over("model").alias("_tied_newest"))
        rule = (pl.when(pl.col("sources") == 1).then(pl.lit("single source"))
                .when(pl.col("_values") == 1).then(pl.lit("sources agree"))
                .when(pl.col("_tied") == 1).then(pl.lit("majority"))
                .when(pl.col("_tied_newest") == 1).then(pl.lit("newest file"))
                .otherwise(pl.lit("precedence")))
        chosen = (d.with_columns(rule.alias("rule"), pl.lit(day).alias("date"))
                  .sort(["_support", "as_of", "_prec"], descending=[True, True, False])
                  .unique("model", keep="first", maintain_order=True))
        out.append(chosen.drop("_prec", "_support", "_values", "_top", "_tied", "_newest", "_tied_newest"))
    ref = pl.concat(out).rename({"as_of": "file_date"}).rename({"date": "as_of"})
    return ref.sort("organization", "model", "as_of")


def lab_windows(reference: pl.DataFrame) -> pl.DataFrame:
    """Each lab's largest reference window on each file date, with the model that has it."""
    return (reference.sort(["max_input_tokens", "model"], descending=[True, False])
            .unique(["organization", "as_of"], keep="first", maintain_order=True)
            .select("organization", "country_bucket", "as_of", "max_input_tokens", pl.col("model").alias("largest_model"),
                    "chosen_key", *[c for c in ("source", "rule", "file_date") if c in reference.columns],
                    "source_file", "source_row")
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
                source=m.get("source"), file_date=m.get("file_date"), rule=m.get("rule"),
                rank=1 + len(larger), labs=len(d), largest=top["max_input_tokens"], largest_lab=top["organization"],
                larger_labs=larger["organization"].to_list())


# --- lab cards -----------------------------------------------------------------------------------------------

def _lab_models(models: pl.DataFrame, lab: str, as_of=None) -> pl.DataFrame:
    day = _as_date(as_of)
    m = models.filter(pl.col("organizations").list.contains(lab) & pl.col("release_date").is_not_null())
    return m.filter(pl.col("release_date") <= day) if day is not None else m


def _tokens_text(n: float | None) -> str:
    if n is None:
        return "unknown"
    for unit, div in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if n >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:,.0f}"


def breadth(models: pl.DataFrame, labs, as_of=None) -> pl.DataFrame:
    """Per lab, what it ships (Epoch's `models` table, every dated model released by `as_of`): models, distinct
    domains (and their list), distinct parameter counts among the models that state one (and their range), and
    models with open weights."""
    rows = []
    for lab in labs:
        m = _lab_models(models, lab, as_of)
        doms = sorted({d for x in m["domains"].to_list() for d in (x or [])})
        sizes = m["parameters"].drop_nulls().unique(maintain_order=True)
        rows.append(dict(lab=lab, models=len(m), domains=len(doms), domain_list=", ".join(doms) or "none",
                         sizes=len(sizes),
                         size_range=(f"{_tokens_text(sizes.min())} to {_tokens_text(sizes.max())} parameters"
                                     if len(sizes) else "no stated size"),
                         open_models=int(m["open_weights"].fill_null(False).sum())))
    return pl.DataFrame(rows, schema={"lab": pl.String, "models": pl.Int64, "domains": pl.Int64,
                                      "domain_list": pl.String, "sizes": pl.Int64, "size_range": pl.String,
                                      "open_models": pl.Int64})


def cadence(models: pl.DataFrame, lab: str, as_of=None, notable_only: bool = True) -> list[tuple[int, int, bool]]:
    """(year, models released, complete year) for each year from the lab's first to the data's end; the last year
    is partial unless the data run to its end."""
    m = _lab_models(models, lab, as_of)
    if notable_only:
        m = m.filter(pl.col("notable"))
    if m.is_empty():
        return []
    end = _as_date(as_of) or models["release_date"].max()
    counts = dict(m.group_by(pl.col("release_date").dt.year().alias("y"), maintain_order=True).len().iter_rows())
    return [(y, counts.get(y, 0), y < end.year or end == dt.date(y, 12, 31))
            for y in range(min(counts), end.year + 1)]


NOT_IN_DATA = "not in these data"


def _price_on(reference: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return reference.filter((pl.col("valid_from") <= day) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > day)))


def lab_card(lab: str, per: pl.DataFrame, models: pl.DataFrame, reference: pl.DataFrame, win_ref: pl.DataFrame,
             weekly: pl.DataFrame | None, adoption: pl.DataFrame | None, families, as_of=None,
             ratio: float = 3.0) -> pl.DataFrame:
    """One lab's card as rows (what, value, date, source): release cadence, best model per task family now and at
    release, price, context window, open weights, what it ships, OpenRouter token share, Hugging Face download
    share. A field the data do not cover says NOT_IN_DATA.

    Price rule: the lab's best model now (lowest rank in the newest data over the families' benchmarks, ties: the
    newer release) among its models with a reference price valid on the price data's last day (or `as_of`), its
    input and output list price; and the lab's cheapest reference price that day (blended `ratio`:1)."""
    from analysis.clean.tasks import BENCHMARK_NAMES, FAMILY_NAMES
    from analysis.metrics import adoption as adopt

    rows: list[dict] = []

    def add(what, value, date=None, source=""):
        rows.append(dict(what=what, value=value, date=str(date) if date is not None else "", source=source))

    cad = cadence(models, lab, as_of)
    add("Notable models per year", " · ".join(f"{y}: {n}" + ("" if full else " (to date)") for y, n, full in cad[-4:])
        if cad else NOT_IN_DATA, _as_date(as_of) or models["release_date"].max(), "Epoch AI models table, notable")
    mine = per.filter((pl.col("lab") == lab) & pl.col("family").is_in(list(families)))
    for fam in families:
        f = mine.filter(pl.col("family") == fam)
        name = FAMILY_NAMES.get(fam, fam)
        now = f.filter(pl.col("now_rank").is_not_null()).sort(["now_rank", "now_release_date"],
                                                              descending=[False, True], nulls_last=True)
        if len(now):
            r = now.row(0, named=True)
            ed = "" if r["now_edition"] == "hub" else f" (release {r['now_edition'].replace('_', '-')})"
            add(f"Best now: {name}", f"{r['now_model']}: rank {r['now_rank']} of {r['now_n']} on "
                f"{BENCHMARK_NAMES.get(r['benchmark'], r['benchmark'])}{ed}"
                + ("" if r["now_rank"] == 1 else f"; best {r['now_best_model']}"), r["now_as_of"],
                r["now_source_file"])
        else:
            add(f"Best now: {name}", NOT_IN_DATA)
        peak = f.filter(pl.col("peak_rank").is_not_null()).sort(["peak_rank", "peak_release_date"],
                                                                descending=[False, True])
        if len(peak):
            r = peak.row(0, named=True)
            add(f"Best at release: {name}", f"{r['peak_model']}: rank {r['peak_rank']} of {r['peak_n']} on "
                f"{BENCHMARK_NAMES.get(r['benchmark'], r['benchmark'])}", r["peak_release_date"],
                r["peak_source_file"])
        else:
            add(f"Best at release: {name}", NOT_IN_DATA)
    # price
    lab_ids = set(models.filter(pl.col("organizations").list.contains(lab))["model_id"].to_list())
    day = _as_date(as_of) or (reference["snapshot"].max() if len(reference) else None)
    priced = _price_on(reference, day).filter(pl.col("model_id").is_in(list(lab_ids))
                                              | (pl.col("organization") == lab)) if day else reference.clear()
    priced = priced.with_columns(((ratio * pl.col("input_usd_per_m") + pl.col("output_usd_per_m")) / (ratio + 1))
                                 .alias("blended")).filter(pl.col("blended").is_not_null())
    if priced.is_empty():
        add("Price of its best model now", NOT_IN_DATA)
        add("Cheapest price", NOT_IN_DATA)
    else:
        ranked = mine.filter(pl.col("now_rank").is_not_null())
        best = None
        for r in ranked.sort(["now_rank", "now_release_date"], descending=[False, True], nulls_last=True)\
                .iter_rows(named=True):
            hit = priced.filter(pl.col("model_id") == r["now_model_id"])
            if len(hit):
                best = hit.sort("blended").row(0, named=True)
                break
        if best is None:
            add("Price of its best model now", "none of its ranked models has a reference price", day,
                "derived/reference_prices")
        else:
            add("Price of its best model now", f"{best['model_id']}: USD {best['input_usd_per_m']:.3g} in / "
                f"{best['output_usd_per_m']:.3g} out per 1M tokens", day, f"reference price ({best['source']})")
        c = priced.sort("blended").row(0, named=True)
        add("Cheapest price", f"{c['model_id']}: USD {c['blended']:.3g} per 1M tokens (blend {ratio:g}:1)", day,
            f"reference price ({c['source']})")
    # context window
    # the lab's own API keys, or keys of its models sold under another organization's API (Google DeepMind's
    # models on Google's API)
    w = win_ref.filter((pl.col("organization") == lab) | pl.col("model").is_in(list(lab_ids)))
    if as_of is not None:
        w = w.filter(pl.col("as_of") <= _as_date(as_of))
    if w.is_empty():
        add("Largest context window", NOT_IN_DATA)
    else:
        w = w.filter(pl.col("as_of") == w["as_of"].max())
        r = w.sort(["max_input_tokens", "model"], descending=[True, False]).row(0, named=True)
        add("Largest context window", f"{r['max_input_tokens']:,} tokens ({r['model'].removeprefix('key:')})",
            r["as_of"], f"{r['source']} file of {r['file_date']}, {r['rule']}")
    # open weights and breadth
    end = _as_date(as_of) or models["release_date"].max()
    recent = _lab_models(models, lab, end).filter(pl.col("release_date") > end - dt.timedelta(days=365))
    add("Open weights (models of the last 12 months)", f"{int(recent['open_weights'].fill_null(False).sum())} of "
        f"{len(recent)}" if len(recent) else "no model released in these 12 months"
        if len(_lab_models(models, lab, end)) else NOT_IN_DATA, end, "Epoch AI models table")
    b = breadth(models, [lab], as_of).row(0, named=True)
    add("What it ships", f"{b['models']} models in {b['domains']} domain{'s' * (b['domains'] != 1)} "
        f"({b['domain_list']}); {b['sizes']} "
        f"distinct parameter counts, {b['size_range']}" if b["models"] else NOT_IN_DATA, end,
        "Epoch AI models table")
    # adoption
    if weekly is not None and len(weekly):
        wk = weekly.filter(pl.col("complete"))
        if as_of is not None:
            wk = wk.filter(pl.col("week_start") <= _as_date(as_of))
        last = wk["week_start"].max() if len(wk) else None
        share = wk.filter((pl.col("week_start") == last) & (pl.col("organization") == lab))["share"].sum() \
            if last else 0
        add("Share of OpenRouter tokens (last complete week)", f"{share:.1%}" if share else
            f"{NOT_IN_DATA} (not among the week's named authors)", last, "OpenRouter weekly top authors")
    else:
        add("Share of OpenRouter tokens (last complete week)", NOT_IN_DATA)
    if adoption is not None and len(adoption):
        hub = adopt.select(adoption)
        last = hub["week_date"].max() if as_of is None else min(hub["week_date"].max(), _as_date(as_of))
        yr = hub.filter((pl.col("week_date") > last - dt.timedelta(days=364)) & (pl.col("week_date") <= last))
        tot, own = yr["downloads_week"].sum(), yr.filter(pl.col("organization") == lab)["downloads_week"].sum()
        in_panel = lab in set(hub["organization"].to_list())
        add("Share of Hugging Face downloads (12 months)", f"{own / tot:.1%}" if in_panel and tot else
            f"{NOT_IN_DATA} (not in the panel)", last, "Hugging Face activity panel")
    else:
        add("Share of Hugging Face downloads (12 months)", NOT_IN_DATA)
    return pl.DataFrame(rows, schema={"what": pl.String, "value": pl.String, "date": pl.String, "source": pl.String})

