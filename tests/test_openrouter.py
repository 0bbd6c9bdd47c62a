"""OpenRouter token usage: the clean steps (labellings, stale rows, partial weeks, origins) and the real snapshot."""

import csv
import datetime as dt

import polars as pl
import pytest
from conftest import inline_registry

from analysis.clean import openrouter as orr
from analysis.core import paths
from analysis.core.errors import InputError
from analysis.curated.inputs import load_authors

SNAP = dt.date(2026, 5, 6)


@pytest.fixture()
def resolve(tmp_path):
    reg = inline_registry(tmp_path, "Alibaba,Alibaba|qwen,China,big tech,test\n"
                                    "OpenAI,OpenAI|openai,United States,startup,test\n"
                                    "Mistral AI,Mistral AI|mistralai,France,startup,test\n"
                                    "TNG,TNG|tngtech,Germany,company,test\n")
    return orr.Resolver({"tngtech": None, "openrouter": None}, reg)


def _weekly(rows):
    """rows: (Date, Author, Tokens, Share) -> the text frame read_csv_strings gives."""
    df = pl.DataFrame([dict(Date=d, Author=a, Tokens=str(t), Share=str(s)) for d, a, t, s in rows],
                      schema={"Date": pl.String, "Author": pl.String, "Tokens": pl.String, "Share": pl.String})
    return df.with_row_index("source_row", offset=1).with_columns(pl.col("source_row").cast(pl.Int64))


def test_one_labelling_kept_never_both(resolve):
    # the same week as a Sunday bucket (older fetch) and a Monday bucket (newest): only Mondays are kept
    raw = _weekly([("2026-03-01", "qwen", 30, 0.3), ("2026-03-01", "openai", 70, 0.7),
                   ("2026-03-02", "qwen", 31, 0.31), ("2026-03-02", "openai", 69, 0.69),
                   ("2026-03-09", "qwen", 40, 0.4), ("2026-03-09", "openai", 60, 0.6)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert df["week_start"].dt.weekday().unique().to_list() == [1]
    assert len(df) == 4 and len(q) == 2 and len(df) + len(q) == len(raw)
    assert q["reason"].str.contains("Sunday-dated").all()
    assert df.group_by("week_start").agg(pl.col("tokens_b").sum())["tokens_b"].to_list() == [100, 100]


def test_stale_upserted_row_is_quarantined_and_shares_recomputed(resolve):
    # z-ai-like stale row: Tokens/Share implies a total of 50, the others 1000
    raw = _weekly([("2026-03-02", "qwen", 400, 0.4), ("2026-03-02", "openai", 500, 0.5),
                   ("2026-03-02", "others", 100, 0.1), ("2026-03-02", "mistralai", 5, 0.1)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert q["key"].to_list() == ["2026-03-02 mistralai"] and q["column"].to_list() == ["Share"]
    assert "stale upserted row" in q["reason"][0] and "50.0B" in q["reason"][0]
    assert df.sort("author")["share"].to_list() == pytest.approx([0.5, 0.1, 0.4])  # openai, others, qwen
    assert df["share"].sum() == pytest.approx(1.0)


def test_share_comes_from_tokens_not_the_file(resolve):
    # the file's shares agree with each other (total 200) but not with the kept rows (total 100)
    raw = _weekly([("2026-03-02", "qwen", 25, 0.125), ("2026-03-02", "openai", 75, 0.375)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert len(q) == 0 and dict(zip(df["author"], df["share"], strict=True)) == {"openai": 0.75, "qwen": 0.25}


def test_partial_weeks_flagged_not_dropped(resolve):
    raw = _weekly([("2026-03-02", "qwen", 10, 1.0),   # first bucket, far below the next: window start
                   ("2026-03-09", "qwen", 100, 1.0),
                   ("2026-03-16", "qwen", 110, 1.0),
                   ("2026-05-04", "qwen", 50, 1.0)])  # not over at the 2026-05-06 snapshot
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert len(q) == 0
    flags = dict(zip(df["week_start"].cast(pl.String), df["complete"], strict=True))
    assert flags == {"2026-03-02": False, "2026-03-09": True, "2026-03-16": True, "2026-05-04": False}
    r = dict(zip(df["week_start"].cast(pl.String), df["partial_reason"], strict=True))
    assert "rolling window" in r["2026-03-02"] and "2026-05-06" in r["2026-05-04"]


def test_unknown_origins_stay_unknown_and_remainder_is_unassigned(resolve):
    raw = _weekly([("2026-03-02", a, 10, 0.2) for a in ("qwen", "openai", "tngtech", "openrouter", "sao10k")]
                  + [("2026-03-02", "mistralai", 20, 0.4), ("2026-03-02", "others", 20, 0.4)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    origin = dict(zip(df["author"], df["origin"], strict=True))
    assert origin == {"qwen": "China", "openai": "United States", "mistralai": "Other", "tngtech": "Unknown origin",
                      "openrouter": "Unknown origin", "sao10k": "Unknown origin", "others": "Unassigned remainder"}
    # tngtech is in this registry (Germany) but the curated list keeps it unknown on purpose
    assert df.filter(pl.col("author") == "tngtech")["organization"].to_list() == [None]


def test_bad_values_quarantined_with_column(resolve):
    raw = _weekly([("2026-03-02", "qwen", "x", 0.5), ("2026-3-2", "qwen", 1, 0.5), ("2026-03-02", "openai", 1, 7)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert len(df) == 0 and sorted(q["column"].to_list()) == ["Date", "Share", "Tokens"]


def _daily(rows):
    df = pl.DataFrame([dict(Date=d, Model=m, Prompt=str(p), Completion=str(c), Reasoning="0", Total_Tokens=str(t))
                       for d, m, p, c, t in rows])
    return df.with_row_index("source_row", offset=1).with_columns(pl.col("source_row").cast(pl.Int64))


def test_daily_variants_apart_but_summable_and_checks(resolve):
    rows = [(f"2026-01-{d:02d}", f"openai/m{i}", 1, 1, 2) for d in range(2, 5) for i in range(8)]
    rows += [("2026-01-01", "qwen/qwen3-coder", 1, 2, 3)]  # a back-fill day with one model
    rows += [("2026-01-02", "qwen/qwen3-coder", 1, 2, 3), ("2026-01-02", "qwen/qwen3-coder:free", 4, 0, 4),
             ("2026-01-02", "qwen/bad-total", 1, 1, 5), ("2026-01-02", "qwen/qwen3-coder", 1, 2, 3),
             ("2026-01-02", "no-slash", 1, 1, 2)]
    df, q = orr.daily_rows(_daily(rows), resolve, SNAP)
    assert len(df) + len(q) == len(rows)
    assert sorted(q["reason"].to_list()) == ["Model is not an 'author/model' id", "Total_Tokens != Prompt + Completion",
                                             "repeated (Date, Model) row"]
    fam = df.filter(pl.col("base_model") == "qwen/qwen3-coder")
    assert fam.filter(pl.col("date") == dt.date(2026, 1, 2))["variant"].to_list() == [None, "free"]
    assert fam.filter(pl.col("date") == dt.date(2026, 1, 2))["tokens_b"].sum() == 7
    assert df.filter(pl.col("date") == dt.date(2026, 1, 1))["complete"].to_list() == [False]
    assert df.filter(pl.col("date") == dt.date(2026, 1, 3))["complete"].all()


def test_curated_author_must_name_a_registry_organization(tmp_path, resolve):
    p = tmp_path / "a.csv"
    p.write_text("author,organization,note,source\nkwaipilot,Kuaishou,n,s\n")
    with pytest.raises(InputError, match="'Kuaishou' is not an organization"):
        load_authors(resolve.reg, p)


# --- the real snapshot ----------------------------------------------------------------------------------------

CHINA_SLUGS = {"deepseek", "qwen", "moonshotai", "z-ai", "minimax", "tencent", "xiaomi", "stepfun"}
US_SLUGS = {"openai", "anthropic", "google", "meta-llama", "x-ai", "microsoft", "nvidia", "arcee-ai", "nousresearch"}


def _raw_week(date: str) -> dict[str, float]:
    """Method, independent of the clean step: read the raw file with the csv module (utf-8-sig), take every row
    of the date, sum Tokens per author. The two weeks checked have exactly 10 rows and no stale row."""
    out: dict[str, float] = {}
    with open(paths.external_dir() / orr.WEEKLY_FILE, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["Date"] == date:
                out[r["Author"]] = out.get(r["Author"], 0.0) + float(r["Tokens"])
    return out


@pytest.mark.parametrize("week", ["2025-05-05", "2026-04-27"])
def test_real_weeks_match_hand_counts(built, week):
    raw = _raw_week(week)
    assert len(raw) == 10
    total = sum(raw.values())
    china = sum(v for a, v in raw.items() if a in CHINA_SLUGS) / total
    us = sum(v for a, v in raw.items() if a in US_SLUGS) / total
    rest = raw.get("others", 0.0) / total
    w = built["openrouter_weekly"].filter(pl.col("week_start") == dt.date.fromisoformat(week))
    share = w.group_by("origin").agg(pl.col("share").sum())
    got = dict(zip(share["origin"], share["share"], strict=True))
    assert got["China"] == pytest.approx(china, abs=1e-9)
    assert got["United States"] == pytest.approx(us, abs=1e-9)
    assert got["Unassigned remainder"] == pytest.approx(rest, abs=1e-9)
    assert w["tokens_b"].sum() == pytest.approx(total, abs=1e-6)
    assert w["complete"].all()


def test_real_snapshot_accounting_labelling_and_stale(built):
    w = built["openrouter_weekly"]
    q = built["quarantine"].filter(pl.col("table") == "openrouter_weekly")
    counts = built["row_counts"].filter(pl.col("table") == "openrouter_weekly")
    assert counts["rows_in"][0] == counts["rows_used"][0] + counts["rows_quarantined"][0] == len(w) + len(q)
    assert w["week_start"].dt.weekday().unique().to_list() == [1]  # Monday labelling only
    assert "2026-05-04 z-ai" in q.filter(pl.col("reason").str.starts_with("stale"))["key"].to_list()
    assert w.filter(~pl.col("complete"))["week_start"].unique().to_list() == [dt.date(2026, 5, 4)]
    s = w.group_by("week_start").agg(pl.col("share").sum())["share"]
    assert ((s - 1).abs() < 1e-9).all()
    d = built["openrouter_daily"]
    assert (d.filter(~pl.col("complete"))["date"].unique().sort().to_list()
            == [dt.date(2025, 11, d) for d in (11, 12, 13, 14)])
    assert d.filter(pl.col("author") == "openrouter")["origin"].unique().to_list() == ["Unknown origin"]


# --- metrics ----------------------------------------------------------------------------------------------------

def _clean_weekly(resolve):
    raw = _weekly([("2026-03-02", "qwen", 20, 0.2), ("2026-03-02", "openai", 60, 0.6),
                   ("2026-03-02", "others", 20, 0.2),
                   ("2026-03-09", "qwen", 30, 0.3), ("2026-03-09", "openai", 50, 0.5),
                   ("2026-03-09", "tngtech", 10, 0.1), ("2026-03-09", "others", 10, 0.1),
                   ("2026-05-04", "qwen", 90, 0.9), ("2026-05-04", "openai", 10, 0.1)])
    return orr.weekly_rows(raw, resolve, SNAP)[0]


def test_share_summary_bounds_and_first_last_complete(resolve):
    from analysis.metrics import openrouter as m
    s = m.share_summary(_clean_weekly(resolve))
    first = s.row(0, named=True)
    assert first["china"] == pytest.approx(0.2) and first["remainder"] == pytest.approx(0.2)
    assert first["unknown"] == 0 and first["china_upper"] == pytest.approx(0.4)
    fl = m.first_last_complete(_clean_weekly(resolve))
    # the 2026-05-04 week is not over at the snapshot: the last complete week is 2026-03-09
    assert fl["week_start"].to_list() == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    assert fl["china"].to_list() == pytest.approx([0.2, 0.3])
    assert fl["unknown"].to_list() == pytest.approx([0.0, 0.1])


def test_top_models_sum_variants_and_skip_partial_days(resolve):
    from analysis.metrics import openrouter as m
    rows = [(f"2026-01-{d:02d}", f"openai/m{i}", 1, 1, 2) for d in range(2, 5) for i in range(4)]
    rows += [("2026-01-02", "qwen/a", 1, 2, 3), ("2026-01-02", "qwen/b:free", 4, 0, 4), ("2026-01-03", "qwen/b", 0, 1, 1),
             ("2026-01-01", "qwen/a", 100, 0, 100)]  # 2026-01-01 is a partial day: not counted
    daily, _ = orr.daily_rows(_daily(rows), resolve, SNAP)
    t = m.top_models(daily, n=1).filter(pl.col("origin") == "China")
    assert t["base_model"].to_list() == ["qwen/b"] and t["tokens_b"].to_list() == [5]
    links = pl.DataFrame({"base_model": ["qwen/a", "qwen/b"], "open_weights": [True, False]})
    ow = m.open_weights_share(daily, links, by="all").filter(pl.col("origin") == "China").row(0, named=True)
    assert ow["open_share"] == pytest.approx(3 / 8) and ow["linked_share"] == 1.0


# --- registry vs ATOM regions -----------------------------------------------------------------------------------

def _atom(rows):
    return pl.DataFrame(rows, schema={"hf_org": pl.String, "region": pl.String, "notes": pl.String}, orient="row")


def test_region_check_needs_a_reason_for_each_disagreement(resolve):
    from analysis.curated import regions
    atom = _atom([("Qwen", "china", None), ("openai", "us", None), ("mistralai", "eu", None),
                  ("tngtech", "us", "x"), ("nobody", "us", None)])
    with pytest.raises(InputError, match=r"no reason for the registry's value of \['TNG'\]"):
        regions.compare(atom, resolve.reg, {})
    out = regions.compare(atom, resolve.reg, {"TNG": "German firm"})
    assert len(out) == 4  # 'nobody' is not in the registry: not compared
    assert out.filter(~pl.col("agrees"))["reason"].to_list() == ["German firm"]
    with pytest.raises(InputError, match="no longer disagree"):
        regions.compare(atom, resolve.reg, {"TNG": "German firm", "OpenAI": "stale"})


def test_region_check_on_the_real_files(built):
    from analysis.curated import regions
    out = regions.check()
    assert len(out) > 40 and out["agrees"].mean() > 0.9
    assert out.filter(~pl.col("agrees"))["reason"].null_count() == 0


# --- issue 31: one date rule, one plausibility rule, one week-labelling rule -----------------------------------

def _mondays(n, author="qwen"):
    start = dt.date(2026, 3, 2)
    return [((start + dt.timedelta(weeks=i)).isoformat(), a, t, s) for i in range(n)
            for a, t, s in ((author, 40, 0.4), ("openai", 60, 0.6))]


@pytest.mark.parametrize("day, words", [("2999-01-06", "after the file's snapshot date 2026-05-06"),
                                        ("1900-01-01", "before 1940-01-01")])
def test_weekly_out_of_range_date_is_quarantined_and_never_switches_the_labelling(resolve, day, words):
    raw = _weekly([*_mondays(4), (day, "qwen", 5, 0.05)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert q.select("source_row", "column").rows() == [(9, "Date")] and words in q["reason"][0]
    assert df["week_start"].dt.weekday().unique().to_list() == [1] and len(df) == 8


def test_weekly_labelling_is_decided_by_the_newest_weeks_not_one_row(resolve):
    # a plausible Sunday row on the newest day does not outvote four weeks of Monday buckets
    raw = _weekly([*_mondays(4), ("2026-03-29", "mistralai", 1, 0.01)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert len(df) == 8 and q["source_row"].to_list() == [9]
    assert "a Sunday-dated bucket; the table keeps the Monday-dated" in q["reason"][0]


def test_token_count_past_int64_is_quarantined(resolve):
    raw = _weekly([*_mondays(1), ("2026-03-02", "mistralai", "1e30", 0.1)])
    df, q = orr.weekly_rows(raw, resolve, SNAP)
    assert len(df) + len(q) == len(raw) and q["column"].to_list() == ["Tokens"]
    assert "past the int64 range" in q["reason"][0]


def test_daily_out_of_range_dates_and_counts_are_quarantined(resolve):
    rows = [(f"2026-01-{d:02d}", f"openai/m{i}", 1, 1, 2) for d in range(2, 5) for i in range(4)]
    rows += [("2999-01-07", "qwen/a", 1, 1, 2), ("1900-01-01", "qwen/b", 1, 1, 2),
             ("2026-01-02", "qwen/c", "1e30", 0, "1e30")]
    df, q = orr.daily_rows(_daily(rows), resolve, SNAP)
    assert len(df) == 12 and len(df) + len(q) == len(rows)
    reasons = dict(zip(q["key"], q["reason"], strict=True))
    assert "after the file's snapshot date" in reasons["2999-01-07 qwen/a"]
    assert "before 1940" in reasons["1900-01-01 qwen/b"]
    assert "past the int64 range" in reasons["2026-01-02 qwen/c"]


def _categories(rows):
    df = pl.DataFrame([dict(Date=d, Category="programming", Category_Label="Programming", Author=a, Tokens=str(t))
                       for d, a, t in rows])
    return df.with_row_index("source_row", offset=1).with_columns(pl.col("source_row").cast(pl.Int64))


def test_category_row_of_another_labelling_or_date_out_of_range_is_quarantined(resolve):
    rows = [(f"2026-03-{d:02d}", a, 10) for d in (2, 9, 16) for a in ("qwen", "openai")]
    rows += [("2026-03-18", "mistralai", 5),  # a Wednesday: not a week of its own
             ("2999-01-07", "qwen", 5)]
    df, q = orr.category_rows(_categories(rows), resolve, SNAP)
    assert len(df) == 6 and len(q) == 2 and df["week_start"].dt.weekday().unique().to_list() == [1]
    assert sorted(q["source_row"].to_list()) == [7, 8]
    assert df.group_by("week_start").agg(pl.col("share").sum())["share"].to_list() == pytest.approx([1, 1, 1])
