"""Open-weights adoption: the Hugging Face weekly activity clean step and its metrics."""

import datetime as dt

import polars as pl
import pytest
from conftest import inline_registry

from analysis.clean import adoption
from analysis.clean.common import Sources
from analysis.metrics import adoption as adopt

SNAP = dt.date(2025, 10, 7)


def _record(lab="Qwen", week="2024-01-02", **kw):
    r = {"id": lab, "week_date": week}
    for c in adoption.COUNTS:
        r[f"{c}_week"] = kw.get(c, 1)
    return r


@pytest.fixture()
def reg(tmp_path):
    return inline_registry(tmp_path, "Alibaba,Alibaba|Qwen,China,big tech,test\n"
                                     "Meta,Meta|Meta Llama,United States,big tech,test\n")


def _clean(records, labs, reg):
    """The adoption step on inline inputs: the weekly records and the upstream lab list, as the build passes them."""
    src = Sources({adoption.WEEKLY_FILE: records,
                   adoption.ORGS_FILE: [{"id": lab, "region": region} for lab, region in labs.items()]},
                  {adoption.WEEKLY_FILE: SNAP, adoption.ORGS_FILE: SNAP})
    return adoption.clean(src, reg)


def test_lab_ids_resolve_to_registry_organizations_and_buckets(reg):
    res = _clean([_record("Qwen"), _record("Meta Llama")], {"Qwen": "China"}, reg)
    assert res.quarantine.is_empty()
    assert res.df.sort("source_row").select("organization", "country_bucket", "in_upstream_panel").rows() == [
        ("Alibaba", "China", True), ("Meta", "United States", False)]


def test_unknown_lab_is_quarantined_with_its_id(reg):
    res = _clean([_record("Unsloth AI")], {}, reg)
    bad = res.quarantine.to_dicts()
    assert res.df.is_empty() and "'Unsloth AI'" in bad[0]["reason"] and bad[0]["column"] == "id"


def test_negative_or_missing_count_is_quarantined(reg):
    res = _clean([_record(downloads=-1), _record(week="2024-01-09", models=None)], {}, reg)
    assert res.df.is_empty() and res.quarantine["column"].to_list() == ["downloads_week", "models_week"]


def test_repeated_lab_week_is_quarantined(reg):
    res = _clean([_record(), _record()], {}, reg)
    assert len(res.df) == 1 and res.quarantine["reason"].to_list() == ["repeated (lab, week) row"]
    assert res.counts.select("rows_in", "rows_used", "rows_quarantined").row(0) == (2, 1, 1)


def _frame(rows):
    return pl.DataFrame(rows).with_columns(pl.col("week_date").cast(pl.Date))


def test_by_period_sums_per_bucket_and_fills_empty_periods_with_zero():
    df = _frame([
        dict(lab_id="Qwen", country_bucket="China", week_date=dt.date(2024, 1, 2), repos_week=2, models_week=1,
             downloads_week=10),
        dict(lab_id="Qwen", country_bucket="China", week_date=dt.date(2024, 7, 2), repos_week=1, models_week=1,
             downloads_week=5),
        dict(lab_id="Meta Llama", country_bucket="United States", week_date=dt.date(2024, 1, 9), repos_week=3,
             models_week=3, downloads_week=100),
    ])
    per = adopt.by_period(df, "quarter")
    china = per.filter(pl.col("country_bucket") == "China").sort("period")
    assert china["downloads"].to_list() == [10, 0, 5]
    assert per.filter(pl.col("country_bucket") == "United States")["models"].sum() == 3


def test_shares_add_up_to_one_per_period():
    per = pl.DataFrame({"period": [1, 1, 2], "country_bucket": ["China", "United States", "China"],
                        "downloads": [25, 75, 0]})
    s = adopt.shares(per)
    assert s["share"].to_list()[:2] == [0.25, 0.75] and s["share"][2] is None


def test_real_snapshot_rows_are_accounted_and_checked_by_hand(built):
    a = built["adoption"]
    # hf_weekly_activity.json record 2101 (first 'Qwen' row): week 2023-08-01, 2 repos, 2 models, 54229 downloads
    q = a.filter((pl.col("lab_id") == "Qwen") & (pl.col("week_date") == dt.date(2023, 8, 1))).row(0, named=True)
    assert (q["organization"], q["repos_week"], q["models_week"], q["downloads_week"], q["source_row"]) == (
        "Alibaba", 2, 2, 54229, 2101)
    # the 21 labs of orgs.json that have weekly rows all resolve through the registry
    assert a.filter(pl.col("in_upstream_panel"))["lab_id"].n_unique() == 21
    counts = built["row_counts"].filter(pl.col("table") == "adoption").row(0, named=True)
    assert counts["rows_in"] == 2776 == counts["rows_used"] + counts["rows_quarantined"]


# --- issue 31: the shared date, count and week-labelling rules --------------------------------------------------

@pytest.mark.parametrize("week, words", [("2999-01-08", "after the file's snapshot date 2025-10-07"),
                                         ("1900-01-02", "before 1940-01-01")])
def test_week_date_out_of_range_is_quarantined(reg, week, words):
    res = _clean([_record(), _record(week=week)], {}, reg)
    assert len(res.df) == 1 and res.quarantine["column"].to_list() == ["week_date"]
    assert words in res.quarantine["reason"][0]


def test_count_past_int64_is_quarantined_not_a_traceback(reg):
    res = _clean([_record(), _record(week="2024-01-09", downloads=10**30)], {}, reg)
    assert len(res.df) == 1 and res.quarantine["column"].to_list() == ["downloads_week"]
    assert "past the int64 range" in res.quarantine["reason"][0]
    assert res.counts.select("rows_in", "rows_used", "rows_quarantined").row(0) == (2, 1, 1)


def test_week_of_another_labelling_is_quarantined(reg):
    res = _clean([_record(week=w) for w in ("2024-01-02", "2024-01-09", "2024-01-16")]
                 + [_record(week="2024-01-17")], {}, reg)  # a Wednesday among Tuesday weeks
    assert len(res.df) == 3 and res.quarantine["source_row"].to_list() == [4]
    assert "Wednesday-dated" in res.quarantine["reason"][0]
