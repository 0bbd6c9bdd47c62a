"""One reference price per (model, day) from every price source, by one written rule (docs/prices.md).

Input: the base readings of the `prices` table as effective periods (analysis.link.periods.effective_periods):
every source's price of a model over [start, end). Output: `resolve` returns

- `reference`: periods of one chosen reading per model (`valid_from` inclusive, `valid_to` exclusive), with the
  rule that chose it;
- `decisions`: the same at the finest grain (one row per model and stretch of days over which the set of
  readings does not change), used to annotate `price_conflicts`;
- `overruled`: every reading the rule set aside on a stretch of days, with the reading that won and why.

The rule, in order:

1. **Stale rows end at a dated change.** When a source B dates a change of a model's price (a key of B whose
   previous period ends the day the new one starts, at another price), a reading of another source A that
   spans that day and disagrees with B's new price is ended on that day (A kept a price that B saw change),
   unless a third source agrees with A that day: a price two sources confirm is not made stale by one.
2. **On each day, readings that agree are one value.** Two readings agree when their input and their output
   prices (USD per 1M tokens) each differ by at most `tol` (`REL_TOL`) of the lower one: a lab's CNY and USD
   list prices differ by the exchange rate used and by rounding. A value's *support* is the number of
   distinct sources showing it.
3. **The best-supported value wins** (confirmed by another independent source: rule 'majority'); on equal
   support, the value backed by the newest dated change ('dated change': the source that saw the latest change
   knows the newest price); on a further tie, the precedence of sources
   ('precedence': the lab's own list price first, then llm-prices-cn for Chinese labs, whose CNY originals
   come from the official pages, llm-prices otherwise, then LiteLLM, then the README tables (flanker's, then
   syaoranwe's). Within the
   winning value the reading of highest precedence is the reference. A value alone on its day is
   'single source'; readings that all agree are 'sources agree'.
4. **How the start of a price is known** (`start_kind`): 'stated' (the source states the start), 'change' (a
   source saw the key change price between two dated versions), 'listed' (a key first listed by a source;
   `prev_snapshot` is the source's version before it, so a method can tell a listing at the source's first
   chance after a release from a late one), 'switch' (the reference moved to a value that was already listed:
   when it began is not known).

Every function is pure polars/python on small frames (tests/test_reference_prices.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from analysis.core import vocab

REL_TOL = 0.10
SOURCE_RANK_CN = {"llm-prices-cn": 0, "llm-prices": 1, "litellm": 2, "llm-price-cn-tables": 3, "llm-price-syaoranwe": 4}
SOURCE_RANK_OTHER = {"llm-prices": 0, "llm-prices-cn": 1, "litellm": 2, "llm-price-cn-tables": 3,
                     "llm-price-syaoranwe": 4}
RULES = ("single source", "sources agree", "majority", "dated change", "precedence")
START_KINDS = ("stated", "change", "listed", "switch")
KEY = ["source", "provider", "model_key", "price_kind", "min_input_tokens"]


def agree(a_in: float, a_out: float, b_in: float, b_out: float, tol: float = REL_TOL) -> bool:
    """Input and output prices each within `tol` of the lower one."""
    return (abs(a_in - b_in) <= tol * min(a_in, b_in)) and (abs(a_out - b_out) <= tol * min(a_out, b_out))


def ratio(a_in: float, a_out: float, b_in: float, b_out: float) -> float:
    """The larger of the input and output price ratios (>= 1): how far apart two readings are."""
    return max(max(a_in, b_in) / min(a_in, b_in), max(a_out, b_out) / min(a_out, b_out))


def rank(source: str, list_price: bool, country_bucket: str | None, source_row: int) -> tuple:
    ranks = SOURCE_RANK_CN if country_bucket == vocab.CHINA else SOURCE_RANK_OTHER
    return (not list_price, ranks.get(source, 9), source_row)


def readings(periods: pl.DataFrame) -> pl.DataFrame:
    """The base readings with a usable period, each with its key-level history: `change` (the key's previous
    period ends where this one starts, at another price), the previous price (`prev_in`, `prev_out`, USD),
    `prev_snapshot` (the source's latest snapshot before this reading's first, for a key it lists for the first
    time; null otherwise) and `stated` (the source states the start)."""
    base = periods.filter((pl.col("price_kind") == "base") & pl.col("output_usd_per_m").is_not_null()
                          & pl.col("input_usd_per_m").is_not_null() & pl.col("start").is_not_null()
                          & pl.col("end").is_not_null())
    base = base.sort([*KEY, "start"]).with_columns(
        pl.col("end").shift(1).over(KEY).alias("_prev_end"),
        pl.col("input_orig").shift(1).over(KEY).alias("_prev_in_orig"),
        pl.col("output_orig").shift(1).over(KEY).alias("_prev_out_orig"),
        pl.col("currency").shift(1).over(KEY).alias("_prev_cur"),
        pl.col("input_usd_per_m").shift(1).over(KEY).alias("prev_in"),
        pl.col("output_usd_per_m").shift(1).over(KEY).alias("prev_out"),
    )
    contiguous = pl.col("_prev_end") == pl.col("start")
    changed = ((pl.col("_prev_in_orig") != pl.col("input_orig")) | (pl.col("_prev_out_orig") != pl.col("output_orig"))
               | (pl.col("_prev_cur") != pl.col("currency")))
    base = base.with_columns(
        (contiguous & changed).fill_null(False).alias("change"),
        ((pl.col("date_basis") == "stated") & pl.col("valid_from").is_not_null()).alias("stated"),
        pl.col("_prev_end").is_null().alias("_first_of_key"),
    ).with_columns(
        pl.when(pl.col("change")).then(pl.col("prev_in")).otherwise(None).alias("prev_in"),
        pl.when(pl.col("change")).then(pl.col("prev_out")).otherwise(None).alias("prev_out"),
    )
    # the source's snapshot before a key's first observation (observed sources: the dates its periods begin or end)
    # (the dates its records were first seen and its files' snapshot dates: a period's start or end can be a dated
    # alias switch, which is no snapshot)
    obs = base.filter(pl.col("date_basis") == "observed")
    snaps = (pl.concat([obs.select("source", pl.col("observed_from").alias("d")),
                        obs.select("source", pl.col("snapshot").alias("d"))])
             .drop_nulls().unique(maintain_order=True).sort("source", "d"))
    first = base.filter(pl.col("_first_of_key") & (pl.col("date_basis") == "observed")).select(
        "source", "start").unique(maintain_order=True).sort("source", "start")
    prev = first.join_asof(snaps.rename({"d": "prev_snapshot"}).with_columns(
        (pl.col("prev_snapshot") + dt.timedelta(days=1)).alias("_join")).sort("_join"),
        left_on="start", right_on="_join", by="source", strategy="backward", check_sortedness=False)
    base = base.join(prev.select("source", "start", "prev_snapshot"), on=["source", "start"], how="left")
    base = base.with_columns(pl.when(pl.col("_first_of_key") & (pl.col("date_basis") == "observed"))
                             .then(pl.col("prev_snapshot")).otherwise(None).alias("prev_snapshot"))
    return base.drop("_prev_end", "_prev_in_orig", "_prev_out_orig", "_prev_cur", "_first_of_key").with_row_index("rid")


@dataclass
class _R:
    rid: int
    model_id: str
    source: str
    key: str
    start: dt.date
    end: dt.date
    inp: float
    out: float
    change: bool
    stated: bool
    prev_in: float | None
    prev_out: float | None
    rank: tuple
    row: dict


def _lineage(r: _R) -> tuple:
    """The upstream row a reading comes from (a row split at a dated alias switch gives several readings)."""
    return (r.source, r.row["source_file"], r.row["source_row"], r.key)


def _api_id(key: str) -> str:
    """A price key without its provider prefix, lower case ('deepseek/deepseek-chat' -> 'deepseek-chat')."""
    return key.lower().rsplit("/", 1)[-1]


def _stale_ends(rs: list[_R], tol: float) -> dict[int, tuple[dt.date, _R]]:
    """rid -> (day it ends, the reading whose dated change ends it) for readings kept after another source dated
    a change (rule 1). Compared row by row upstream (a row split at an alias switch is one row): a row of source
    A that spans the day source B's key changed price, prices the same model that day and disagrees with B's new
    price ends that day (all its later parts with it), unless another source agrees with it that day (a price
    two sources confirm is not made stale by one). A row first listed after the change is not 'kept' (a
    disagreement for rules 2-3), unless it is a vendor-file row that states no start, under the same API id, at
    the price B changed from: the file kept the old price since a day it does not say."""
    lines: dict[tuple, list[_R]] = {}
    by_model: dict[str, list[_R]] = {}
    for r in rs:
        lines.setdefault(_lineage(r), []).append(r)
        by_model.setdefault(r.model_id, []).append(r)
    span = {k: (min(p.start for p in v), max(p.end for p in v)) for k, v in lines.items()}
    ends: dict[int, tuple[dt.date, _R]] = {}
    for q in rs:
        if not q.change or q.prev_in is None:
            continue
        d = q.start
        q_end = span[_lineage(q)][1]
        on_d = [o for o in by_model[q.model_id] if o.start <= d < o.end]
        for k, lr in lines.items():
            r0 = lr[0]
            s_r, e_r = span[k]
            if r0.source == q.source or agree(r0.inp, r0.out, q.inp, q.out, tol):
                continue
            spans_change = (s_r < d < e_r and any(a.model_id == q.model_id and a.start <= d < a.end for a in lr)
                            and len({o.source for o in on_d if agree(r0.inp, r0.out, o.inp, o.out, tol)}) < 2)
            kept_undated = (r0.row["date_basis"] == "stated" and r0.row["valid_from"] is None and d <= s_r < q_end
                            and _api_id(r0.key) == _api_id(q.key) and agree(r0.inp, r0.out, q.prev_in, q.prev_out, tol))
            if not (spans_change or kept_undated):
                continue
            for r in lr:
                if r.end > d and (r.rid not in ends or d < ends[r.rid][1].start):
                    ends[r.rid] = (max(d, r.start), q)
    return ends


def _start_kind(t: dt.date, group: list[_R]) -> tuple[str, dt.date | None, str | None]:
    """How the start `t` of a value is known, the listing's previous source version, and the source that dates it."""
    starting = [g for g in group if g.start == t]
    for kind, hit in (("stated", [g for g in starting if g.stated]), ("change", [g for g in starting if g.change])):
        if hit:
            return kind, None, min(hit, key=lambda g: g.rank).source
    if starting:
        prev = [g for g in starting if g.row["prev_snapshot"] is not None]
        if prev:  # the listing whose source had the latest earlier version (the tightest bound on the start)
            g = max(prev, key=lambda g: g.row["prev_snapshot"])
            return "listed", g.row["prev_snapshot"], g.source
        return "listed", None, min(starting, key=lambda g: g.rank).source
    return "switch", None, None


def _fmt(r: _R) -> str:
    cur = r.row["currency"]
    return (f"{r.source} {r.row['input_orig']:g}/{r.row['output_orig']:g} {cur}"
            + (f" ({r.inp:.3g}/{r.out:.3g} USD)" if cur != "USD" else ""))


def _resolve_model(rs: list[_R], ends: dict[int, tuple[dt.date, _R]], tol: float):
    eff = {r.rid: (ends[r.rid][0] if r.rid in ends else r.end) for r in rs}
    points = sorted({r.start for r in rs} | {e for e in eff.values()})
    decisions, overruled = [], []
    for r in rs:
        if r.rid in ends and ends[r.rid][0] < r.end:
            day, q = ends[r.rid]
            overruled.append(dict(rid=r.rid, date=day, until=r.end, by_rid=q.rid, rule="stale", ratio=ratio(
                r.inp, r.out, q.inp, q.out), reason=f"{_fmt(r)} still listed after {q.source} dated a change to "
                f"{q.row['input_orig']:g}/{q.row['output_orig']:g} {q.row['currency']} on {q.start}: ended on {day}"))
    for t, t_next in zip(points, points[1:], strict=False):
        cands = [r for r in rs if r.start <= t < eff[r.rid]]
        if not cands:
            continue
        scored = []
        for c in cands:
            group = [d for d in cands if agree(c.inp, c.out, d.inp, d.out, tol)]
            support = len({d.source for d in group})
            changes = [d.start for d in group if d.change]
            dated = max(changes) if changes else None  # the newest dated change behind the value
            scored.append(((-support, -(dated.toordinal() if dated else 0), c.rank), c, group, support, dated))
        scored.sort(key=lambda s: s[0])
        _, chosen, group, support, dated = scored[0]
        others = [s for s in scored if s[1] not in group]
        n_sources = len({c.source for c in cands})
        if not others:
            rule = "single source" if support == 1 else "sources agree"
        elif support > max(s[3] for s in others):
            rule = "majority"
        elif dated and not any(s[4] is not None and s[4] >= dated for s in others):
            rule = "dated change"
        else:
            rule = "precedence"
        kind, prev_snap, start_source = _start_kind(t, group)
        decisions.append(dict(rid=chosen.rid, start=t, end=t_next, rule=rule, n_sources=n_sources,
                              n_agreeing=support, agreeing=", ".join(sorted({g.source for g in group})),
                              start_kind=kind, prev_snapshot=prev_snap, start_source=start_source))
        why = {"majority": f"{support} sources agree on the chosen value",
               "dated change": "equal support, the chosen value is backed by the newest dated change",
               "precedence": "equal support, the chosen source comes first in the precedence"}.get(rule, "")
        for s in others:
            o = s[1]
            overruled.append(dict(rid=o.rid, date=t, until=t_next, by_rid=chosen.rid, rule=rule,
                                  ratio=ratio(o.inp, o.out, chosen.inp, chosen.out),
                                  reason=f"{_fmt(o)} is ×{ratio(o.inp, o.out, chosen.inp, chosen.out):.2f} off "
                                         f"{_fmt(chosen)}: overruled ({why})"))
    return decisions, overruled


DECISION_SCHEMA = {"rid": pl.UInt32, "start": pl.Date, "end": pl.Date, "rule": pl.String, "n_sources": pl.Int64,
                   "n_agreeing": pl.Int64, "agreeing": pl.String, "start_kind": pl.String, "prev_snapshot": pl.Date,
                   "start_source": pl.String}
OVERRULED_SCHEMA = {"rid": pl.UInt32, "date": pl.Date, "until": pl.Date, "by_rid": pl.UInt32, "rule": pl.String,
                    "ratio": pl.Float64, "reason": pl.String}


def resolve(periods: pl.DataFrame, tol: float = REL_TOL) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(reference, decisions, overruled) from effective periods (module doc). `decisions` and `overruled` carry
    the chosen / overruled reading's columns; `reference` merges consecutive decisions that keep the same
    reading under the same rule."""
    rd = readings(periods)
    decisions, overruled = [], []
    every = [_R(r["rid"], r["model_id"], r["source"], r["model_key"], r["start"], r["end"], r["input_usd_per_m"],
                r["output_usd_per_m"], r["change"], r["stated"], r["prev_in"], r["prev_out"],
                rank(r["source"], r["list_price"], r["country_bucket"], r["source_row"]), r)
             for r in rd.iter_rows(named=True)]
    ends = _stale_ends(every, tol)
    by_model: dict[str, list[_R]] = {}
    for r in every:
        by_model.setdefault(r.model_id, []).append(r)
    for rs in by_model.values():
        d, o = _resolve_model(rs, ends, tol)
        decisions += d
        overruled += o
    dec = pl.DataFrame(decisions, schema=DECISION_SCHEMA)
    ov = pl.DataFrame(overruled, schema=OVERRULED_SCHEMA)
    # the decision's own start and prev_snapshot (of the value's start) replace the reading's
    cols = [c for c in rd.columns if c not in ("start", "end", "valid_from", "valid_to", "prev_snapshot")]
    dec = dec.join(rd.select(*cols, pl.col("start").alias("reading_start"), pl.col("end").alias("reading_end")),
                   on="rid", how="left").sort("model_id", "start")
    who = rd.select("rid", "source", "model_key", "source_file", "source_row")
    ov = (ov.join(rd.select("rid", "model_id", "source", "model_key", "currency", "input_orig", "output_orig",
                            "input_usd_per_m", "output_usd_per_m", "source_file", "source_row"), on="rid", how="left")
          .join(who.rename({c: f"by_{c}" for c in who.columns if c != "rid"}).rename({"rid": "by_rid"}),
                on="by_rid", how="left").sort("model_id", "date", "source"))
    return merge(dec), dec, ov


def merge(dec: pl.DataFrame) -> pl.DataFrame:
    """Consecutive decisions of a model that keep the same reading under the same rule and support: one period."""
    same = ["rid", "rule", "n_agreeing", "n_sources"]
    d = dec.sort("model_id", "start").with_columns(
        (pl.col("start") != pl.col("end").shift(1).over("model_id")).fill_null(True).alias("_gap"),
        pl.any_horizontal(*[(pl.col(c) != pl.col(c).shift(1).over("model_id")).fill_null(True) for c in same])
        .alias("_new"))
    d = d.with_columns((pl.col("_gap") | pl.col("_new")).cum_sum().over("model_id").alias("_run"))
    first = d.group_by("model_id", "_run", maintain_order=True).agg(
        pl.all().exclude("end").first(), pl.col("end").last())
    return first.rename({"start": "valid_from", "end": "valid_to"}).drop("_gap", "_new", "_run").sort(
        "model_id", "valid_from")


def episodes(reference: pl.DataFrame, tol: float = REL_TOL) -> pl.DataFrame:
    """One row per reference *price* of a model: consecutive reference periods whose prices agree within `tol`
    (a switch between readings that agree is not a new price; nor is the same price again after days no source
    covers) merged into one, with the columns of its first period and `valid_to` of its last."""
    r = reference.sort("model_id", "valid_from").with_columns(
        pl.col("input_usd_per_m").shift(1).over("model_id").alias("_pi"),
        pl.col("output_usd_per_m").shift(1).over("model_id").alias("_po"))
    close = (((pl.col("input_usd_per_m") - pl.col("_pi")).abs() <= tol * pl.min_horizontal("input_usd_per_m", "_pi"))
             & ((pl.col("output_usd_per_m") - pl.col("_po")).abs()
                <= tol * pl.min_horizontal("output_usd_per_m", "_po")))
    new = (~close).fill_null(True)
    r = r.with_columns(new.cum_sum().over("model_id").alias("_ep")).drop("_pi", "_po")
    return (r.group_by("model_id", "_ep", maintain_order=True)
            .agg(pl.all().exclude("valid_to").first(), pl.col("valid_to").last())
            .drop("_ep").select(reference.columns).sort("model_id", "valid_from"))


# --- worked examples for docs/prices.md (generated from the built tables, never typed) ---------------------------

EXAMPLES_BEGIN = "<!-- worked examples: generated by `python -m analysis dictionary` from the built tables -->"
EXAMPLES_END = "<!-- end of worked examples -->"


def _amounts(cur: str, i: float, o: float) -> str:
    return f"{i:g} / {o:g} {cur} per 1M input / output tokens"


def worked_examples(reference: pl.DataFrame, conflicts: pl.DataFrame) -> str:
    """One worked example per case of the rule, from the built `reference_prices` and `price_conflicts`: a lone
    reading against a majority, a stale row ended at a dated change, a tie settled by precedence, and a README
    table's first listing (first seen, not a dated price)."""
    out = []

    def conflict(rule: str, title: str, how: str, chosen_from: tuple[str, ...] = ()) -> None:
        c = conflicts.filter(pl.col("rule") == rule)
        if chosen_from:
            c = c.filter(pl.col("reference_source").is_in(list(chosen_from)))
        c = c.sort("rel_diff", "model_id", "date", descending=[True, False, False])
        if c.is_empty():
            out.append(f"- **{title}**: no case in this build.")
            return
        r = c.row(0, named=True)
        out.append(f"- **{title}** ({how}): `{r['model_id']}` on {r['date']}: {r['reason']}. The reference that day is "
                   f"the reading of {r['reference_source']}.")

    conflict("majority", "Majority", "rule 3: the value most sources show wins")
    conflict("stale", "Stale row", "rule 1: a row kept after another source dated a change ends at that change")
    conflict("precedence", "Tie, vendor file against aggregator", "rule 3: equal support, the source precedence",
             ("llm-prices", "llm-prices-cn"))
    listed = reference.filter((pl.col("source") == "llm-price-cn-tables") & (pl.col("start_kind") == "listed")
                              & pl.col("prev_snapshot").is_not_null()).sort("valid_from", "model_id")
    if listed.is_empty():
        out.append("- **README first listing**: no case in this build.")
    else:
        r = listed.row(0, named=True)
        out.append(f"- **README first listing** (rule 4): `{r['model_id']}` appears in the llmprice.cn README tables "
                   f"first on {r['valid_from']} at {_amounts(r['currency'], r['input_orig'], r['output_orig'])}; the "
                   f"README version before it ({r['prev_snapshot']}) did not list it. The start is 'listed': a price "
                   "point of the price trends only when that earlier version predates the model's release, and "
                   "never a dated price change.")
    counts = reference.group_by("rule", maintain_order=True).len().sort("rule")
    out.append("\nIn this build, reference periods by rule: " + "; ".join(
        f"{r['rule']} {r['len']}" for r in counts.iter_rows(named=True)) + f" (of {len(reference)}); readings set "
        f"aside in `price_conflicts`: " + "; ".join(
        f"{r['rule']} {r['len']}"
        for r in conflicts.group_by("rule", maintain_order=True).len().sort("rule").iter_rows(named=True)) + ".")
    return "\n".join([EXAMPLES_BEGIN, *out, EXAMPLES_END])
