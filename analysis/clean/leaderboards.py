"""Clean `capability` rows from Artificial Analysis and LMArena snapshots.

- Artificial Analysis (AA), snapshot 2026-07-02 (the largest of the mirror's two: 537 models, with release
  dates and openness): metric 'aa_intelligence_index'. Only this one snapshot is used, so the index is on
  one version's scale; AA's own estimate flag (`ii_est`) is kept in `estimated`.
- LMArena text leaderboard, the latest scrape the manifest pins, overall category ('full'): plain ratings as
  'lmarena_text', style-controlled as 'lmarena_text_style_control', never mixed; 95% intervals from
  rating_q025 / rating_q975. One late snapshot is used because ratings of different dates are re-fitted
  (a model's score moves between snapshots), while release dates come from the crosswalk.

- Every pinned LMArena snapshot (the monthly subsample of the daily scrape the mirror keeps, plain and style
  control): the `lmarena_snapshots` table, one row per (snapshot, metric, model), for the gap over time. Each
  snapshot is its own fit: a series takes each point from one snapshot and never compares one snapshot's
  rating with another's (analysis.metrics.catchup.arena_gap_by_snapshot). The `capability` table keeps only the
  latest snapshot.

- LiveBench, release 2026-01-08 (the latest table, updated to 2026-06-30): 'livebench_2026_01_08_global',
  the mean of the category means as the LiveBench site computes it (categories from the release's
  categories file). Scores are not comparable across LiveBench releases (questions are refreshed), so the
  release is part of the metric id and only one release is used. A model missing a task has no global score.

Every source name resolves through the model crosswalk (analysis/curated/crosswalk.py); names it does not know
have no release date or organization and go to quarantine, so the coverage per source is the share used.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from analysis.acquire import versions
from analysis.acquire.readers import expect_json, reject_repeated_keys, require_columns
from analysis.clean.capability import CAPABILITY
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult
from analysis.core import vocab
from analysis.core.errors import InputError
from analysis.core.schema import Table
from analysis.curated import crosswalk

AA_FILE = crosswalk.AA_FILE
# the two leaderboards as families of dated scrapes (analysis.acquire.versions): the newest pinned version of each is
# read, so `python -m analysis update lmarena` moves the pins with no change here
LMARENA_FILES = {
    "capability/smallai-api_llm-ranking/leaderboard-text_{date}.json": vocab.METRIC_LMARENA,
    "capability/smallai-api_llm-ranking/leaderboard-text-style-control_{date}.json": vocab.METRIC_LMARENA_STYLE,
}
LMARENA_SNAPSHOTS = Table(
    name="lmarena_snapshots",
    description="One row per (LMArena snapshot, metric, model): the overall text rating as each pinned snapshot of "
    "the leaderboard showed it (plain 'lmarena_text' and style-controlled 'lmarena_text_style_control', never "
    "mixed), `as_of` the snapshot's date. Ratings are re-fitted between snapshots, so a series takes each point "
    "from one snapshot (`as_of`) and never compares ratings of two snapshots. Columns as in `capability`.",
    primary_key=CAPABILITY.primary_key,
    columns=CAPABILITY.columns,
)

LIVEBENCH_TABLE = "capability/livebench_livebench.github.io/table_2026_01_08.csv"
LIVEBENCH_CATEGORIES = "capability/livebench_livebench.github.io/categories_2026_01_08.json"
LIVEBENCH_METRIC = vocab.METRIC_LIVEBENCH
AA_METRIC = vocab.METRIC_AA


def _rows(source_file: str, source: str, records: list[dict], cw: crosswalk.Crosswalk, as_of: dt.date,
          led: Ledger) -> list[dict]:
    """The used rows of one file's records (dicts with name, source_row, metric, score, ci_low, ci_high,
    estimated); the others go to the ledger."""
    led.count_in(source_file, len(records))
    ok, seen = [], {}
    for r in records:
        def reject(column, reason, r=r):
            led.reject(source_file, r["source_row"], r["name"], column, reason)
        score = r["score"]
        if score is None or isinstance(score, bool) or not isinstance(score, (int, float)) \
                or not math.isfinite(score):
            reject("score", f"no numeric score: {score!r}")
            continue
        if (r["name"], r["metric"]) in seen:  # a second reading of one model in one file: the first is kept
            reject("name", f"second reading of the same model as record {seen[(r['name'], r['metric'])]} "
                           "(the first is kept)")
            continue
        seen[(r["name"], r["metric"])] = r["source_row"]
        m = cw.lookup(r["name"], source)
        if m is None:
            reject("name", cw.unlinked_reasons.get((source, r["name"]))
                   or f"model name not in the crosswalk (key '{crosswalk.norm_key(r['name'])}'): no release "
                      "date or organization; add to data/curated/model_crosswalk_capability.csv")
            continue
        ok.append(dict(
            model_id=m.model_id, model=m.model, source_model=r["name"], organizations=list(m.organizations),
            country_bucket=m.country_bucket, release_date=m.release_date, release_date_basis=m.release_date_basis,
            first_seen=m.first_seen,
            open_weights=r.get("open_weights", m.open_weights), metric=r["metric"], score=float(score),
            ci_low=r.get("ci_low"), ci_high=r.get("ci_high"), estimated=r.get("estimated"), as_of=as_of,
            source_file=source_file, source_row=r["source_row"],
        ))
    return ok


def _frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c.name: c.dtype for c in CAPABILITY.columns}) if rows else CAPABILITY.empty()


def clean_aa(src: Sources, crosswalk: crosswalk.Crosswalk) -> StepResult:
    """`capability` rows of the Artificial Analysis snapshot (metric 'aa_intelligence_index')."""
    data = src[AA_FILE]
    if not isinstance(data, list):
        raise InputError(f"{AA_FILE}: expected a list of model objects")
    records = []
    for i, r in enumerate(data, start=1):
        expect_json(AA_FILE, f"record {i}", r, dict)
        for col in ("slug", "ii"):
            if col not in r:
                raise InputError(f"{AA_FILE}: record {i}: missing field {col!r}")
        records.append(dict(name=r["slug"], source_row=i, metric=AA_METRIC, score=r["ii"],
                            estimated=r.get("ii_est"), open_weights=r.get("open")))
    led = Ledger("capability")
    ok = _rows(AA_FILE, "artificial_analysis", records, crosswalk, src.snapshot(AA_FILE), led)
    return led.result(CAPABILITY, _frame(ok))


def arena_entries(local_path: str, data) -> list[tuple[str, dict]]:
    data = expect_json(local_path, "top level", data, dict)
    if "full" not in data or not isinstance(data["full"], dict):
        raise InputError(f"{local_path}: no 'full' (overall) category; found {list(data)[:10]}")
    reject_repeated_keys(local_path, "full", data["full"])
    return list(data["full"].items())


def _arena_rows(src: Sources, cw: crosswalk.Crosswalk, files: dict[str, str], led: Ledger) -> list[dict]:
    """The used rows of the LMArena files `src` holds (path -> metric in `files`), the others to `led`."""
    rows = []
    for path in src.paths():
        metric = files[versions.family(path)]
        records = []
        for i, (name, v) in enumerate(arena_entries(path, src[path]), start=1):
            if not isinstance(v, dict) or "rating" not in v:
                raise InputError(f"{path}: full/{name} (record {i}): no 'rating'")
            records.append(dict(name=name, source_row=i, metric=metric, score=v["rating"],
                                ci_low=v.get("rating_q025"), ci_high=v.get("rating_q975")))
        ok = _rows(path, "lmarena", records, cw, src.snapshot(path), led)
        for x in ok:
            x["open_weights"] = cw.lookup(x["source_model"], "lmarena").open_weights
        rows += ok
    return rows


def clean_lmarena(src: Sources, crosswalk: crosswalk.Crosswalk) -> StepResult:
    """`capability` rows of the LMArena text leaderboards (plain and style control, never mixed)."""
    led = Ledger("capability")
    return led.result(CAPABILITY, _frame(_arena_rows(src, crosswalk, LMARENA_FILES, led)))


def clean_lmarena_snapshots(src: Sources, crosswalk: crosswalk.Crosswalk) -> StepResult:
    """`lmarena_snapshots` rows: every pinned snapshot of the LMArena text leaderboards, each row dated by its
    snapshot (`as_of`), names resolved through the same crosswalk as `capability`."""
    led = Ledger(LMARENA_SNAPSHOTS.name)
    return led.result(LMARENA_SNAPSHOTS, _frame(_arena_rows(src, crosswalk, LMARENA_FILES, led)))


def lmarena_snapshot_files(local_paths) -> dict[str, str]:
    """The versions of the two LMArena leaderboards among `local_paths` (the manifest's, for what the
    `lmarena_snapshots` step reads), path -> metric."""
    return {p: metric for p in local_paths for pattern, metric in LMARENA_FILES.items() if versions.matches(pattern, p)}


def livebench_global(row: dict, categories: dict[str, list[str]]) -> float | None:
    """Mean of the category means; None when any task score is missing or not a number."""
    means = []
    for tasks in categories.values():
        vals = []
        for t in tasks:
            try:
                v = float(row.get(t) or "nan")
            except ValueError:
                return None
            if math.isnan(v):
                return None
            vals.append(v)
        means.append(sum(vals) / len(vals))
    return sum(means) / len(means)


def clean_livebench(src: Sources, crosswalk: crosswalk.Crosswalk) -> StepResult:
    """`capability` rows of one LiveBench release (the mean of its category means)."""
    categories = expect_json(LIVEBENCH_CATEGORIES, "top level", src[LIVEBENCH_CATEGORIES], dict)
    for name, ts in categories.items():
        if not isinstance(ts, list) or not all(isinstance(t, str) for t in ts) or not ts:
            raise InputError(f"{LIVEBENCH_CATEGORIES}: category {name!r}: expected a list of task names, found "
                             f"{ts!r:.80}")
    tasks = [t for ts in categories.values() for t in ts]
    df = src[LIVEBENCH_TABLE]
    require_columns(LIVEBENCH_TABLE, df, ["model", *tasks])
    records = [dict(name=r["model"], source_row=r["source_row"], metric=LIVEBENCH_METRIC,
                    score=livebench_global(r, categories)) for r in df.iter_rows(named=True)]
    led = Ledger("capability")
    ok = _rows(LIVEBENCH_TABLE, "livebench", records, crosswalk, src.snapshot(LIVEBENCH_TABLE), led)
    return led.result(CAPABILITY, _frame(ok))


AA_STEP = Step("capability:aa", clean_aa, reads=(Read(AA_FILE, "json"),), needs=("crosswalk",))
def arena_shape(data) -> dict[str, set]:
    """What the LMArena step relies on in a scrape: its categories (the top-level keys; 'full' is read) and the
    fields of the overall category's records."""
    if not isinstance(data, dict):
        return {}
    full = data.get("full") if isinstance(data.get("full"), dict) else {}
    return {"category": set(data), "field": {k for v in full.values() if isinstance(v, dict) for k in v}}


LMARENA_STEP = Step("capability:lmarena", clean_lmarena,
                    reads=tuple(Read(f, "json", versions="latest", shape=arena_shape) for f in LMARENA_FILES),
                    needs=("crosswalk",))
# every pinned version of each leaderboard (so `update lmarena` keeps the older pins: analysis.store.update)
LMARENA_SNAPSHOTS_STEP = Step("lmarena_snapshots", clean_lmarena_snapshots,
                              reads=tuple(Read(f, "json", versions="all", shape=arena_shape) for f in LMARENA_FILES),
                              needs=("crosswalk",))
# the categories file first: it names the table's required columns
LIVEBENCH_STEP = Step("capability:livebench", clean_livebench,
                      reads=(Read(LIVEBENCH_CATEGORIES, "json"), Read(LIVEBENCH_TABLE)),
                      needs=("crosswalk",))
