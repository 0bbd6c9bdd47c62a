"""Catch-up: the frontier per country, the US–China gap in score and in time, and time-to-match.

Every function works on ONE metric at a time (scores of different metrics are never compared) and takes
the clean `capability` table, or the per-model table `best_per_model` makes from it. A model without a
score on the metric simply has no row (missing, never zero); models without a known release date (`release_date`
null, basis 'first_seen') are dropped, and `undated` counts them so that every measure can say how many.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.core import vocab
from analysis.metrics.pace import filter_window

DAYS_PER_MONTH = 365.2425 / 12
US, CN = vocab.US, vocab.CHINA
RIVALS = vocab.RIVALS  # (declared in vocab: the parameter checks read them there)
SCOPES = vocab.SCOPES


def best_per_model(cap: pl.DataFrame, metric: str, start_date=None, end_date=None,
                   countries: list[str] | None = None, include_estimated: bool = True) -> pl.DataFrame:
    """One row per model release (model_id, release_date) on `metric`: its best-scoring variant.

    Columns: model_id, model, release_date, organizations, lab (first organization), country_bucket,
    score, ci_low, ci_high, source_model, source_file, source_row, as_of."""
    d = cap.filter((pl.col("metric") == metric) & pl.col("release_date").is_not_null()
                   & pl.col("score").is_not_null())
    if not include_estimated and "estimated" in d.columns:
        d = d.filter(~pl.col("estimated").fill_null(False))
    d = filter_window(d, start_date, end_date, countries)
    d = d.sort("score", "source_row", descending=[True, False]).unique(
        ["model_id", "release_date"], keep="first", maintain_order=True)
    return d.select(
        "model_id", "model", "release_date", "organizations",
        pl.col("organizations").list.first().alias("lab"), "country_bucket", "score", "ci_low", "ci_high",
        "source_model", "source_file", "source_row", "as_of",
    ).sort("release_date", pl.col("score"), descending=[False, True])


def undated(cap: pl.DataFrame, metric: str, countries: list[str] | None = None,
            include_estimated: bool = True) -> int:
    """How many models scored on `metric` have no known release date (`release_date` null: known only from a
    leaderboard or price file, `release_date_basis` 'first_seen'). Every time-based measure leaves them out
    (`best_per_model` drops them); this is the number to say so."""
    d = cap.filter((pl.col("metric") == metric) & pl.col("release_date").is_null() & pl.col("score").is_not_null())
    if not include_estimated and "estimated" in d.columns:
        d = d.filter(~pl.col("estimated").fill_null(False))
    if countries:
        d = d.filter(pl.col("country_bucket").is_in(list(countries)))
    return d["model_id"].n_unique()


def describe_undated(n: int, metric: str) -> str:
    """One sentence: how many models scored on `metric` a time-based measure left out for want of a date."""
    if n == 0:
        return f"Every model scored on `{metric}` has a known release date; none is left out for want of one."
    return (f"{n} model{'s' if n != 1 else ''} scored on `{metric}` {'have' if n != 1 else 'has'} no known release "
            "date (known only from a leaderboard or price file: released on or before the first file listing it) "
            f"and {'are' if n != 1 else 'is'} left out of the lags, frontiers and times to match.")


def frontier(models: pl.DataFrame, by: str = "country_bucket") -> pl.DataFrame:
    """The records: each release that beat every earlier release of its group (`by`) on the metric.

    Strictly higher only: a tie does not set a new frontier. Releases of the same day are taken best first.
    Columns: the group, release_date, score (the frontier from then on), model, ci_low, ci_high,
    previous (the frontier before; null for the group's first)."""
    d = models.sort(by, "release_date", "score", descending=[False, False, True])
    d = d.with_columns(pl.col("score").cum_max().shift(1).over(by).alias("previous"))
    rec = d.filter(pl.col("previous").is_null() | (pl.col("score") > pl.col("previous")))
    cols = ["release_date", "score", "model", "model_id", "organizations", "lab", "country_bucket",
            "ci_low", "ci_high", "previous", "source_file"]
    return rec.select(by, *[c for c in cols if c != by])


def frontier_at(records: pl.DataFrame, group: str, date: dt.date, by: str = "country_bucket") -> dict | None:
    """The frontier record of a group in force on `date` (None before its first release)."""
    r = records.filter((pl.col(by) == group) & (pl.col("release_date") <= date)).sort("release_date")
    return r.row(-1, named=True) if len(r) else None


TOLERANCE = 1.0  # metric units within which two frontier scores count as equal (Epoch: 1 ECI point)
LAG_WINDOW_START = "2023-01-01"  # start of the window of the lag's mean / min / max (Epoch: since 2023)
# How the lag in time is read off the two frontiers, for the follower's frontier score S on a date:
#   "first_reach"  the time since the leader's frontier FIRST REACHED S - tolerance (the project's reading so far)
#   "last_within"  the time since the leader's frontier was LAST <= S + tolerance (Epoch's method box for its
#                  US-China ECI chart: "the time since the US leader was last <= S + 1 point"); 0 while the
#                  leader's frontier is still within the tolerance of S
READINGS = ("first_reach", "last_within")
READING_LABELS = {"first_reach": "time since the leader's frontier first reached S − tolerance",
                  "last_within": "time since the leader's frontier was last ≤ S + tolerance (Epoch's reading)"}


def gap_series(models: pl.DataFrame, leader: str = US, follower: str = CN, tolerance: float = TOLERANCE,
               drop_first: bool = True, daily: bool = True, end: dt.date | None = None,
               reading: str = "first_reach") -> pl.DataFrame:
    """The US–China gap in score and in time: at every date either frontier moved, or (`daily=True`) every
    day from the first date both frontiers exist to `end` (default: the data's `as_of`, else the last record).

    - gap_score = leader frontier - follower frontier (on the metric's scale); gap_low/gap_high combine the
      two records' intervals conservatively (leader low - follower high, leader high - follower low), null
      when the source gives no interval.
    - lag_months: for the follower's current frontier score S, with `reading` (READINGS):
      "first_reach", how long before `date` the leader's frontier first reached S - `tolerance`;
      "last_within", how long since the leader's frontier was last at most S + `tolerance` (0 while it still
      is; null when it was above S + tolerance from its first record in the data on, so the time is unknown).
      `tolerance` is in metric units (Epoch counts models within 1 ECI point as equal). Null, with
      `follower_leads` true, when the follower's frontier is above the leader's by more than the tolerance.
      Between frontier moves the lag grows day by day (the daily series shows it).
      lag_months_low / _high: the same for the follower's interval bounds (high bound -> shorter lag).
    - drop_first: leave out each country's first frontier model (the first release of a selection is a
      "record" only because nothing earlier is in it; Epoch's comparison starts at the second).
    """
    if reading not in READINGS:
        raise ValueError(f"reading {reading!r} is not one of: {', '.join(READINGS)}")
    rec = frontier(models)
    # the leader's whole frontier, its first record too: when it was last within the tolerance of a score is a
    # fact of its history, whatever record the comparison starts at
    lead_all = rec.filter(pl.col("country_bucket") == leader).sort("release_date").to_dicts()
    if drop_first:
        rec = rec.with_columns(pl.int_range(pl.len()).over("country_bucket").alias("_i")).filter(
            pl.col("_i") > 0).drop("_i")
    lead = rec.filter(pl.col("country_bucket") == leader).sort("release_date").to_dicts()
    foll = rec.filter(pl.col("country_bucket") == follower).sort("release_date").to_dicts()
    if not lead or not foll:
        return pl.DataFrame()
    start = max(lead[0]["release_date"], foll[0]["release_date"])
    if daily:
        if end is None:
            end = (models["as_of"].max() if "as_of" in models.columns and models["as_of"].is_not_null().any()
                   else rec["release_date"].max())
        end = max(end, start)
        dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    else:
        dates = sorted({r["release_date"] for r in lead + foll if r["release_date"] >= start})

    def at(records, d):
        last = None
        for r in records:
            if r["release_date"] > d:
                break
            last = r
        return last

    def first_reach(score):
        if score is None:
            return None
        for r in lead:  # in release order
            if r["score"] >= score - tolerance:
                return r
        return None

    def first_beyond(score):
        """The leader's first record above score + tolerance (it was last within the tolerance just before)."""
        for r in lead_all:  # in release order
            if r["score"] > score + tolerance:
                return r
        return None

    def lag_at(score, d):
        """(lag in months or None, the leader's record the lag is read from or None)."""
        if score is None:
            return None, None
        if reading == "first_reach":
            r = first_reach(score)
            ok = r is not None and r["release_date"] <= d
            return ((d - r["release_date"]).days / DAYS_PER_MONTH, r) if ok else (None, None)
        r = first_beyond(score)
        if r is None or r["release_date"] > d:  # the leader's frontier is still within the tolerance of S
            return 0.0, at(lead, d)
        if r is lead_all[0]:  # above S + tolerance from its first record on: when it was last within is unknown
            return None, None
        return (d - r["release_date"]).days / DAYS_PER_MONTH, r

    rows = []
    for d in dates:
        a, b = at(lead, d), at(foll, d)
        leads = b["score"] > a["score"] + tolerance
        lag, reach = (None, None) if leads else lag_at(b["score"], d)
        rows.append(dict(
            date=d, leader=leader, follower=follower,
            leader_score=a["score"], leader_model=a["model"], follower_score=b["score"], follower_model=b["model"],
            gap_score=a["score"] - b["score"],
            gap_low=(a["ci_low"] - b["ci_high"]) if a["ci_low"] is not None and b["ci_high"] is not None else None,
            gap_high=(a["ci_high"] - b["ci_low"]) if a["ci_high"] is not None and b["ci_low"] is not None else None,
            lag_months=lag,
            lag_months_low=lag_at(b["ci_high"], d)[0],
            lag_months_high=lag_at(b["ci_low"], d)[0],
            follower_leads=leads,
            matched_by=reach["model"] if reach is not None else None,
        ))
    return pl.DataFrame(rows, schema_overrides={"gap_low": pl.Float64, "gap_high": pl.Float64,
                                                "lag_months": pl.Float64, "lag_months_low": pl.Float64,
                                                "lag_months_high": pl.Float64, "matched_by": pl.String})


def data_end(models: pl.DataFrame, end_date=None) -> dt.date | None:
    """The end of the data: the newest `as_of` of the models, capped at `end_date` when given."""
    end = models["as_of"].max() if "as_of" in models.columns and len(models) else None
    if end_date is not None:
        e = dt.date.fromisoformat(str(end_date))
        end = e if end is None else min(end, e)
    return end


def lag_summary(gap: pl.DataFrame, start=None, end=None) -> dict:
    """Mean / min / max of the daily lag (months) over [start, end] (ISO strings or dates; None = open), with
    the number of days and of days the follower led (lag null)."""
    g = filter_window(gap, start, end, date_col="date") if len(gap) else gap
    lag = g["lag_months"].drop_nulls() if len(g) else pl.Series([], dtype=pl.Float64)
    return dict(start=g["date"].min() if len(g) else None, end=g["date"].max() if len(g) else None,
                days=len(g), days_follower_leads=int(g["follower_leads"].sum()) if len(g) else 0,
                mean_months=lag.mean() if len(lag) else None, min_months=lag.min() if len(lag) else None,
                max_months=lag.max() if len(lag) else None)


def time_to_match(models: pl.DataFrame, scope: str = "lab", rival: str = "any",
                  as_of: dt.date | None = None) -> pl.DataFrame:
    """For each release that set a new frontier for its lab (`scope='lab'`) or country (`'country'`): the days
    until a rival released a model scoring at least as high (ties count as a match) on the same metric.

    A rival shares no organization with the release; `rival` restricts it further: 'same_country',
    'other_country' (by country bucket) or 'any'. Only rival releases on or after the release's date count;
    `already_beaten` says a rival had a better model out before. Unmatched releases have null `days`
    and `open_days` = days from release to `as_of` (the data's end: censored, not infinite)."""
    if scope not in SCOPES or rival not in RIVALS:
        raise ValueError(f"scope must be one of {SCOPES}, rival one of {RIVALS}")
    by = "lab" if scope == "lab" else "country_bucket"
    rec = frontier(models, by=by)
    as_of = as_of or (models["as_of"].max() if "as_of" in models.columns and len(models) else None)
    pool = models.select("model", "release_date", "score", "organizations", "lab", "country_bucket")
    out = []
    for r in rec.iter_rows(named=True):
        orgs = set(r["organizations"])
        cand = pool.filter(~pl.col("organizations").list.eval(pl.element().is_in(list(orgs))).list.any())
        if rival == "same_country":
            cand = cand.filter(pl.col("country_bucket") == r["country_bucket"])
        elif rival == "other_country":
            cand = cand.filter(pl.col("country_bucket") != r["country_bucket"])
        better = cand.filter(pl.col("score") >= r["score"])
        before = better.filter(pl.col("release_date") < r["release_date"])
        after = better.filter(pl.col("release_date") >= r["release_date"]).sort("release_date", "score",
                                                                             descending=[False, True])
        m = after.row(0, named=True) if len(after) else None
        out.append(dict(
            release_date=r["release_date"], model=r["model"], lab=r["lab"], country_bucket=r["country_bucket"],
            score=r["score"], scope=scope, rival=rival,
            matched_date=m["release_date"] if m else None, matched_by=m["model"] if m else None,
            matched_lab=m["lab"] if m else None, matched_country=m["country_bucket"] if m else None,
            matched_score=m["score"] if m else None,
            days=(m["release_date"] - r["release_date"]).days if m else None,
            open_days=None if m or as_of is None else (as_of - r["release_date"]).days,
            already_beaten=len(before) > 0,
        ))
    schema = {"release_date": pl.Date, "model": pl.String, "lab": pl.String, "country_bucket": pl.String,
              "score": pl.Float64, "scope": pl.String, "rival": pl.String, "matched_date": pl.Date,
              "matched_by": pl.String, "matched_lab": pl.String, "matched_country": pl.String,
              "matched_score": pl.Float64, "days": pl.Int64, "open_days": pl.Int64, "already_beaten": pl.Boolean}
    return pl.DataFrame(out, schema=schema).sort("release_date")


def lag_distribution(ttm: pl.DataFrame, every: str = "1y") -> pl.DataFrame:
    """Distribution of time-to-match lags per period of the release date: count, matched, median, quartiles."""
    return (
        ttm.with_columns(pl.col("release_date").dt.truncate(every).alias("period"))
        .group_by("period", "country_bucket", maintain_order=True)
        .agg(pl.len().alias("records"), pl.col("days").is_not_null().sum().alias("matched"),
             pl.col("days").median().alias("median_days"), pl.col("days").quantile(0.25).alias("q25_days"),
             pl.col("days").quantile(0.75).alias("q75_days"))
        .sort("period", "country_bucket")
    )


def headline_gap(cap: pl.DataFrame, metric: str = vocab.METRIC_ECI, leader: str = US, follower: str = CN,
                 end_date=None, tolerance: float = TOLERANCE, drop_first: bool = True,
                 window_start=LAG_WINDOW_START, reading: str = "first_reach") -> dict | None:
    """The US–China gap on one metric at the end of the data (the daily series' last day), in score and in
    months, with the lag's mean / min / max since `window_start`, and the sources."""
    models = best_per_model(cap, metric, end_date=end_date)
    if models.is_empty():
        return None
    end = data_end(models, end_date)
    g = gap_series(models, leader, follower, tolerance, drop_first, daily=True, end=end, reading=reading)
    if g.is_empty():
        return None
    last = g.row(-1, named=True)
    first = max(g["date"].min(), _iso(window_start)) if window_start is not None else g["date"].min()
    src = models["source_file"].unique(maintain_order=True).sort().to_list()
    return dict(
        metric=metric, date=last["date"], as_of=models["as_of"].max(), source_files=src,
        leader=leader, follower=follower, leader_model=last["leader_model"], leader_score=last["leader_score"],
        follower_model=last["follower_model"], follower_score=last["follower_score"],
        gap_score=last["gap_score"], gap_low=last["gap_low"], gap_high=last["gap_high"],
        gap_months=last["lag_months"], matched_by=last["matched_by"], follower_leads=last["follower_leads"],
        tolerance=tolerance, reading=reading, window=lag_summary(g, window_start), undated=undated(cap, metric),
        # the lag over the first and the last 12 months of the window: is the gap in time closing?
        early=lag_summary(g, first, first + dt.timedelta(days=364)),
        recent=lag_summary(g, last["date"] - dt.timedelta(days=364), last["date"]),
    )


def _iso(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def describe_headline(h: dict | None) -> str:
    if h is None:
        return "No US–China gap can be measured on this selection."
    months = ("the Chinese frontier leads" if h["follower_leads"] else
              f"{h['gap_months']:.1f} months behind (the US frontier first reached that score, within "
              f"{h['tolerance']:g} point{'s' if h['tolerance'] != 1 else ''}, with {h['matched_by']})")
    ci = (f" (95% interval {h['gap_low']:.0f} to {h['gap_high']:.0f})" if h["gap_low"] is not None else "")
    w = h.get("window") or {}
    span = (f" Over {w['start']} to {w['end']} ({w['days']} days) the daily lag averaged {w['mean_months']:.1f} "
            f"months (min {w['min_months']:.1f}, max {w['max_months']:.1f})."
            if w.get("mean_months") is not None else "")
    return (f"On **{h['metric']}**, at the end of the data ({h['date']}) the best US model "
            f"({h['leader_model']}, {h['leader_score']:.1f}) leads the best Chinese model ({h['follower_model']}, "
            f"{h['follower_score']:.1f}) by **{h['gap_score']:.1f} points**{ci}; in time, China is {months}.{span}"
            + (f" {describe_undated(h['undated'], h['metric'])}" if "undated" in h else ""))


def arena_gap_by_snapshot(snaps: pl.DataFrame, metric: str = vocab.METRIC_LMARENA_STYLE, leader: str = US,
                          follower: str = CN, end_date=None) -> pl.DataFrame:
    """The US–China gap on one LMArena leaderboard as each pinned snapshot showed it: one row per snapshot
    (`as_of`), from the `lmarena_snapshots` table.

    Each point is read from ONE snapshot: the best-rated model of each country on that snapshot's leaderboard
    (ties: the leaderboard's first; `*_entry` is the leaderboard's own name of it), gap = leader rating -
    follower rating, both from the same fit. Ratings of
    different snapshots are never compared (the arena re-fits every rating at every release), so the series
    shows how the gap stood at each date, not how far any model moved. A model is counted whether or not its
    release date is known (the leaderboard shows it: it was out by the snapshot date). gap_low / gap_high
    combine the two models' 95% intervals conservatively (leader low - follower high, leader high - follower
    low), as `gap_series` does; snapshots dated after `end_date` (ISO, None: all) are left out; `separated` is
    true when that interval excludes 0 (the arena's own intervals tell the two leaders apart); `models`: how many
    US and Chinese models the snapshot rates. A snapshot (a file) without a model of either country has no
    row."""
    d = snaps.filter((pl.col("metric") == metric) & pl.col("score").is_not_null()
                     & pl.col("country_bucket").is_in([leader, follower]))
    if end_date is not None:
        d = d.filter(pl.col("as_of") <= _iso(end_date))
    # one snapshot = one file (its date in as_of): points are never read across files
    best = (d.sort("as_of", "source_file", "country_bucket", "score", "source_row",
                   descending=[False, False, False, True, False])
            .unique(["source_file", "country_bucket"], keep="first", maintain_order=True))
    counts = d.group_by("source_file", maintain_order=True).agg(pl.col("model_id").n_unique().alias("models"))
    lead = best.filter(pl.col("country_bucket") == leader).select(
        "as_of", "source_file", pl.col("model").alias("leader_model"), pl.col("source_model").alias("leader_entry"),
        pl.col("score").alias("leader_score"),
        pl.col("ci_low").alias("leader_low"), pl.col("ci_high").alias("leader_high"))
    foll = best.filter(pl.col("country_bucket") == follower).select(
        "source_file", pl.col("model").alias("follower_model"), pl.col("source_model").alias("follower_entry"),
        pl.col("score").alias("follower_score"),
        pl.col("ci_low").alias("follower_low"), pl.col("ci_high").alias("follower_high"))
    out = (lead.join(foll, on="source_file", how="inner").join(counts, on="source_file", how="left")
           .with_columns(pl.lit(metric).alias("metric"), pl.lit(leader).alias("leader"),
                         pl.lit(follower).alias("follower"),
                         (pl.col("leader_score") - pl.col("follower_score")).alias("gap"),
                         (pl.col("leader_low") - pl.col("follower_high")).alias("gap_low"),
                         (pl.col("leader_high") - pl.col("follower_low")).alias("gap_high"))
           .with_columns(((pl.col("gap_low") > 0) | (pl.col("gap_high") < 0)).alias("separated"))
           .sort("as_of", "source_file"))
    return out.select("as_of", "metric", "leader", "follower", "leader_model", "leader_entry", "leader_score",
                      "follower_model", "follower_entry", "follower_score", "gap", "gap_low", "gap_high",
                      "separated", "models", "source_file")


def describe_arena_gap(g: pl.DataFrame) -> str:
    """One paragraph on the gap by snapshot: first and last point, with their models and intervals."""
    if g.is_empty():
        return "No pinned LMArena snapshot rates a model of both countries on this leaderboard."
    first, last = g.row(0, named=True), g.row(-1, named=True)

    def point(r: dict) -> str:
        ci = (f", 95% interval {r['gap_low']:.0f} to {r['gap_high']:.0f}" if r["gap_low"] is not None else "")
        return (f"{r['as_of']}: {r['leader_model']} {r['leader_score']:.0f} against {r['follower_model']} "
                f"{r['follower_score']:.0f}, a US lead of **{r['gap']:.0f} points**{ci}")

    sep = int(g["separated"].sum())
    return (f"On `{first['metric']}`, {len(g)} pinned snapshot{'s' if len(g) != 1 else ''} "
            f"({first['as_of']} to {last['as_of']}). First, {point(first)}. "
            + (f"Last, {point(last)}. " if len(g) > 1 else "")
            + f"In {sep} of {len(g)} snapshots the two leaders' intervals are apart (the lead is more than the "
              "arena's own uncertainty); each point is one snapshot's fit, so points are not ratings of one scale.")
