"""The LMArena gap over time: every pinned snapshot in `lmarena_snapshots`, one point per snapshot, each point read
from one snapshot's ratings only (analysis.metrics.catchup.arena_gap_by_snapshot)."""

import datetime as dt
import json

import polars as pl
import pytest
from conftest import eci_releases

from analysis.acquire import manifest
from analysis.clean import leaderboards
from analysis.clean.capability import CAPABILITY
from analysis.clean.common import Sources
from analysis.core import paths, vocab
from analysis.core.errors import InputError
from analysis.curated import crosswalk, registry
from analysis.metrics import catchup

D = dt.date
STYLE, PLAIN = vocab.METRIC_LMARENA_STYLE, vocab.METRIC_LMARENA


def _row(as_of, model, country, score, lo=None, hi=None, metric=STYLE, row=1, file=None):
    return dict(model_id=model.lower(), model=model, source_model=model.lower(), organizations=["x"],
                country_bucket=country, release_date=None, release_date_basis="first_seen", first_seen=as_of,
                open_weights=None, metric=metric, score=float(score), ci_low=lo, ci_high=hi, estimated=None,
                as_of=as_of, source_file=file or f"arena_{metric}_{as_of}.json", source_row=row)


def _frame(rows):
    return pl.DataFrame(rows, schema={c.name: c.dtype for c in CAPABILITY.columns})


US, CN = vocab.US, vocab.CHINA


def test_each_point_is_read_from_its_own_snapshot():
    """A model rated high in the first snapshot and absent from the second never leads the second; a model rated
    in both counts with the rating of each snapshot, not its best or its first."""
    a, b = D(2026, 2, 1), D(2026, 3, 1)
    snaps = _frame([
        _row(a, "US-A", US, 1500, 1495, 1505, row=1), _row(a, "CN-A", CN, 1480, 1470, 1490, row=2),
        _row(a, "US-B", US, 1490, row=3),
        # the second snapshot: US-A gone (withdrawn), US-B re-fitted higher, CN-A re-fitted lower
        _row(b, "US-B", US, 1496, 1490, 1502, row=1), _row(b, "CN-A", CN, 1470, 1460, 1480, row=2),
        _row(b, "Other", vocab.OTHER, 1600, row=3),  # neither country: never a leader
    ])
    g = catchup.arena_gap_by_snapshot(snaps, STYLE)
    assert g.select("as_of", "leader_model", "leader_score", "follower_model", "follower_score", "gap").rows() == [
        (a, "US-A", 1500.0, "CN-A", 1480.0, 20.0), (b, "US-B", 1496.0, "CN-A", 1470.0, 26.0)]
    # conservative interval: leader low - follower high, leader high - follower low
    assert g.select("gap_low", "gap_high", "separated").rows() == [(5.0, 35.0, True), (10.0, 42.0, True)]
    assert g["models"].to_list() == [3, 2]


def test_ties_overlap_missing_country_metric_and_end_date():
    a, b, c = D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)
    snaps = _frame([
        # a tie in a: the leaderboard's first (lowest record number) is the leader
        _row(a, "US-2", US, 1500, 1490, 1510, row=2), _row(a, "US-1", US, 1500, 1480, 1520, row=1),
        _row(a, "CN", CN, 1495, 1485, 1505, row=3),
        _row(b, "US-1", US, 1500, row=1),  # no Chinese model in b: no point
        _row(c, "US-1", US, 1490, metric=PLAIN, row=1), _row(c, "CN", CN, 1500, metric=PLAIN, row=2),
    ])
    g = catchup.arena_gap_by_snapshot(snaps, STYLE)
    assert g.select("as_of", "leader_model", "gap", "gap_low", "gap_high", "separated").rows() == [
        (a, "US-1", 5.0, -25.0, 35.0, False)]  # the intervals overlap: not told apart
    plain = catchup.arena_gap_by_snapshot(snaps, PLAIN)
    assert plain.select("as_of", "gap", "separated").rows() == [(c, -10.0, None)]  # China leads; no interval
    assert catchup.arena_gap_by_snapshot(snaps, PLAIN, end_date="2026-02-15").is_empty()
    assert "No pinned LMArena snapshot" in catchup.describe_arena_gap(plain.clear())
    assert "**-10 points**" in catchup.describe_arena_gap(plain)


def test_two_files_of_one_date_are_two_points_never_mixed():
    a = D(2026, 1, 1)
    snaps = _frame([_row(a, "US-1", US, 1500, file="f1.json", row=1), _row(a, "CN-1", CN, 1450, file="f1.json", row=2),
                    _row(a, "US-2", US, 1400, file="f2.json", row=1), _row(a, "CN-2", CN, 1420, file="f2.json", row=2)])
    g = catchup.arena_gap_by_snapshot(snaps, STYLE)
    assert sorted(g.select("source_file", "leader_model", "follower_model", "gap").rows()) == [
        ("f1.json", "US-1", "CN-1", 50.0), ("f2.json", "US-2", "CN-2", -20.0)]


# --- the step on inline snapshots -------------------------------------------------------------------------

def _cw():
    rows = [{"Model version": v, "Model name": n, "Release date": d, "Organization": o,
             "Model accessibility": "API access"} for v, n, d, o in
            (("gpt-x", "GPT X", "2026-01-01", "OpenAI"), ("qwen-y", "Qwen Y", "2026-01-02", "Alibaba"))]
    return crosswalk.build(eci_releases(rows, registry.load()), [], registry.load(), {})


def _arena(**models):
    return {"full": {k: dict(rating=v, rating_q025=v - 5, rating_q975=v + 5) for k, v in models.items()}}


def test_the_step_dates_each_row_by_its_snapshot_and_quarantines_unknown_names():
    f1, f2 = list(leaderboards.lmarena_snapshot_files(e.local_path for e in manifest.load()))[:2]
    src = Sources({f1: _arena(**{"gpt-x": 1500, "qwen-y": 1480, "nobody-z": 1600}), f2: _arena(**{"gpt-x": 1490})},
                  {f1: D(2026, 2, 1), f2: D(2026, 3, 1)})
    res = leaderboards.clean_lmarena_snapshots(src, _cw())
    assert res.df.select("source_file", "model_id", "score", "as_of", "metric").rows() == [
        (f1, "gpt-x", 1500.0, D(2026, 2, 1), STYLE), (f1, "qwen-y", 1480.0, D(2026, 2, 1), STYLE),
        (f2, "gpt-x", 1490.0, D(2026, 3, 1), STYLE)]
    assert res.quarantine.select("source_file", "key", "column").rows() == [(f1, "nobody-z", "name")]
    assert res.counts.select("source_file", "rows_in", "rows_used", "rows_quarantined").rows() == [
        (f1, 3, 2, 1), (f2, 1, 1, 0)]
    with pytest.raises(InputError, match="no 'full'"):
        leaderboards.clean_lmarena_snapshots(Sources({f1: {"coding": {}}}, {f1: D(2026, 2, 1)}), _cw())


# --- the real snapshots -----------------------------------------------------------------------------------

def test_every_pinned_lmarena_file_is_a_snapshot_of_the_table():
    """A snapshot pinned in the manifest is a point of the series (or this test names it)."""
    pinned = {e.local_path for e in manifest.load() if e.local_path.startswith("capability/smallai-api_llm-ranking/")}
    assert pinned == set(leaderboards.lmarena_snapshot_files(e.local_path for e in manifest.load()))
    from analysis.acquire import versions
    assert {versions.family(p) for p in pinned} == set(leaderboards.LMARENA_FILES)  # capability: the newest of each


@pytest.mark.snapshots
def test_real_snapshots_one_point_each_as_the_files_show(built):
    snaps = built["lmarena_snapshots"]
    dates = {e.local_path: dt.date.fromisoformat(e.snapshot_date) for e in manifest.load()}
    for f, metric in leaderboards.lmarena_snapshot_files(e.local_path for e in manifest.load()).items():
        rows = snaps.filter(pl.col("source_file") == f)
        assert set(rows["as_of"]) == {dates[f]} and set(rows["metric"]) == {metric}, f
    for metric in (STYLE, PLAIN):
        g = catchup.arena_gap_by_snapshot(snaps, metric)
        files = [f for f, m in leaderboards.lmarena_snapshot_files(e.local_path for e in manifest.load()).items() if m == metric]
        assert sorted(g["source_file"]) == sorted(files)  # one point per pinned snapshot
        assert g["as_of"].to_list() == sorted(dates[f] for f in files)
        for r in g.iter_rows(named=True):  # each point as its file shows it
            full = json.loads((paths.external_dir() / r["source_file"]).read_text())["full"]
            assert full[r["leader_entry"]]["rating"] == r["leader_score"]
            assert full[r["follower_entry"]]["rating"] == r["follower_score"]
            rows = snaps.filter(pl.col("source_file") == r["source_file"])
            for country, score in ((US, r["leader_score"]), (CN, r["follower_score"])):
                assert rows.filter(pl.col("country_bucket") == country)["score"].max() == score
            # no name the crosswalk left unlinked in that file rates above the Chinese leader: an unlinked name
            # cannot hide a leader
            q = built["quarantine"].filter((pl.col("table") == "lmarena_snapshots")
                                           & (pl.col("source_file") == r["source_file"]))
            above = [k for k in q["key"] if full[k]["rating"] >= r["follower_score"]]
            assert above == [], (r["source_file"], above)
