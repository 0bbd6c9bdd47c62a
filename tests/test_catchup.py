"""Catch-up metrics: frontier, gap, time-to-match on small inline tables; checks on the real snapshots."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis.metrics import catchup

D = dt.date
US, CN = "United States", "China"


def cap(rows):
    """rows: (model, date|None, org, bucket, score[, metric, ci_low, ci_high])"""
    recs = []
    for i, r in enumerate(rows, start=1):
        model, date, org, bucket, score, *rest = r
        metric = rest[0] if rest else "m"
        lo, hi = (rest[1], rest[2]) if len(rest) > 1 else (None, None)
        recs.append(dict(model_id=model.lower(), model=model, source_model=model, organizations=[org],
                         country_bucket=bucket, release_date=date, open_weights=None, metric=metric,
                         score=float(score), ci_low=lo, ci_high=hi, estimated=None, as_of=D(2026, 1, 1),
                         source_file="f", source_row=i))
    return pl.DataFrame(recs, schema_overrides={"ci_low": pl.Float64, "ci_high": pl.Float64,
                                                "estimated": pl.Boolean, "open_weights": pl.Boolean,
                                                "release_date": pl.Date})


def models(rows, metric="m"):
    return catchup.best_per_model(cap(rows), metric)


def test_best_per_model_takes_the_best_variant_and_drops_missing_dates():
    c = cap([("A", D(2025, 1, 1), "OpenAI", US, 10), ("A", D(2025, 1, 1), "OpenAI", US, 12),
             ("B", None, "OpenAI", US, 99)])
    m = catchup.best_per_model(c, "m")
    assert m["model"].to_list() == ["A"] and m["score"].to_list() == [12.0]


def test_metrics_are_never_mixed():
    m = models([("A", D(2025, 1, 1), "OpenAI", US, 10, "m"), ("B", D(2025, 2, 1), "OpenAI", US, 1500, "arena")])
    assert m["model"].to_list() == ["A"]


def test_frontier_is_best_to_date_per_country_and_a_tie_is_not_a_record():
    m = models([("A", D(2025, 1, 1), "OpenAI", US, 10), ("B", D(2025, 2, 1), "Anthropic", US, 10),
                ("C", D(2025, 3, 1), "Anthropic", US, 8), ("D", D(2025, 4, 1), "Google", US, 11),
                ("Q", D(2025, 1, 15), "Alibaba", CN, 5)])
    f = catchup.frontier(m)
    assert f.filter(pl.col("country_bucket") == US)["model"].to_list() == ["A", "D"]
    assert f.filter(pl.col("country_bucket") == CN)["model"].to_list() == ["Q"]


def test_gap_in_score_and_months():
    m = models([("A", D(2025, 1, 1), "OpenAI", US, 10), ("B", D(2025, 7, 1), "OpenAI", US, 20),
                ("Q", D(2025, 4, 1), "Alibaba", CN, 10)])
    g = catchup.gap_series(m, tolerance=0, drop_first=False, daily=False)
    last = g.row(-1, named=True)
    assert last["date"] == D(2025, 7, 1) and last["gap_score"] == 10.0
    # the US reached 10 on 2025-01-01: 181 days before 2025-07-01
    assert last["lag_months"] == pytest.approx(181 / catchup.DAYS_PER_MONTH)
    assert last["matched_by"] == "A"


def test_gap_interval_from_source_intervals():
    m = models([("A", D(2025, 1, 1), "OpenAI", US, 1400, "m", 1390, 1410),
                ("Q", D(2025, 2, 1), "Alibaba", CN, 1380, "m", 1370, 1390)])
    last = catchup.gap_series(m, tolerance=0, drop_first=False, daily=False).row(-1, named=True)
    assert (last["gap_low"], last["gap_score"], last["gap_high"]) == (0.0, 20.0, 40.0)


def test_follower_ahead_has_no_time_lag():
    m = models([("A", D(2025, 1, 1), "OpenAI", US, 10), ("Q", D(2025, 2, 1), "Alibaba", CN, 12)])
    last = catchup.gap_series(m, tolerance=0, drop_first=False, daily=False).row(-1, named=True)
    assert last["follower_leads"] and last["lag_months"] is None and last["gap_score"] == -2.0


def test_model_scored_by_one_source_only_counts_on_that_metric_only():
    c = cap([("A", D(2025, 1, 1), "OpenAI", US, 10, "m"), ("Q", D(2025, 2, 1), "Alibaba", CN, 9, "m"),
             ("Z", D(2025, 3, 1), "DeepSeek", CN, 1500, "arena")])
    assert catchup.headline_gap(c, "m", tolerance=0, drop_first=False)["follower_model"] == "Q"
    assert catchup.headline_gap(c, "arena") is None  # no US model on that metric


def test_time_to_match_rival_lab_ties_count():
    m = models([("K2", D(2025, 7, 11), "Moonshot", CN, 10), ("Q3", D(2025, 7, 21), "Alibaba", CN, 10),
                ("G", D(2025, 8, 1), "OpenAI", US, 11)])
    t = catchup.time_to_match(m, scope="lab", rival="same_country")
    k2 = t.filter(pl.col("model") == "K2").row(0, named=True)
    assert (k2["days"], k2["matched_by"]) == (10, "Q3")


def test_time_to_match_other_country_and_unmatched_is_censored():
    m = models([("K2", D(2025, 7, 11), "Moonshot", CN, 10), ("Q3", D(2025, 7, 21), "Alibaba", CN, 10),
                ("G", D(2025, 8, 1), "OpenAI", US, 11)])
    t = catchup.time_to_match(m, scope="lab", rival="other_country")
    assert t.filter(pl.col("model") == "K2")["matched_by"].to_list() == ["G"]
    g = t.filter(pl.col("model") == "G").row(0, named=True)
    assert g["days"] is None and g["open_days"] == (D(2026, 1, 1) - D(2025, 8, 1)).days


def test_time_to_match_same_lab_is_not_a_rival_and_earlier_rivals_are_flagged():
    m = models([("G", D(2025, 1, 1), "OpenAI", US, 20), ("A1", D(2025, 2, 1), "Anthropic", US, 10),
                ("A2", D(2025, 3, 1), "Anthropic", US, 15)])
    t = catchup.time_to_match(m, scope="lab", rival="any")
    a1 = t.filter(pl.col("model") == "A1").row(0, named=True)
    assert a1["already_beaten"] and a1["matched_by"] is None  # A2 is Anthropic's own


def test_time_to_match_rejects_unknown_rival():
    with pytest.raises(ValueError):
        catchup.time_to_match(models([("A", D(2025, 1, 1), "OpenAI", US, 1)]), rival="nobody")


def test_lag_distribution_counts_matched():
    m = models([("K2", D(2025, 7, 11), "Moonshot", CN, 10), ("Q3", D(2025, 7, 21), "Alibaba", CN, 10)])
    dist = catchup.lag_distribution(catchup.time_to_match(m, "lab", "same_country"))
    assert dist["records"].sum() == 2 and dist["matched"].sum() == 1


# --- real snapshots -----------------------------------------------------------------------------

def test_seed_kimi_k2_answered_by_qwen3_july_update(built):
    # epoch_capabilities_index.csv: Kimi-K2-Instruct, 2025-07-12, ECI 140.42; Qwen3-235B-A22B (Jul 2025),
    # 2025-07-25, ECI 144.95 (rows checked by hand in the upstream file)
    m = catchup.best_per_model(built["capability"], "eci")
    t = catchup.time_to_match(m, scope="lab", rival="same_country")
    k2 = t.filter((pl.col("model") == "Kimi K2") & (pl.col("release_date") == D(2025, 7, 12))).row(0, named=True)
    assert k2["matched_by"] == "Qwen3-235B-A22B (Jul 2025)" and k2["days"] == 13


def test_headline_gap_on_eci(built):
    # epoch_capabilities_index.csv: gpt-5.5-pro_xhigh 161.288 (2026-04-23), qwen3.7-max 153.192 (2026-05-19)
    h = catchup.headline_gap(built["capability"], "eci")
    assert (h["leader_model"], h["follower_model"]) == ("GPT-5.5 Pro", "Qwen3.7-Max")
    assert h["gap_score"] == pytest.approx(161.288 - 153.192, abs=0.001)
    assert 0 < h["gap_months"] < 24
    # the headline is dated at the end of the data, not at the last frontier move (2026-05-19)
    assert h["date"] == built["capability"].filter(pl.col("metric") == "eci")["as_of"].max()
    w = h["window"]
    assert w["min_months"] <= h["gap_months"] <= w["max_months"] and w["min_months"] <= w["mean_months"]


def test_eci_lag_since_2023_near_epochs_published_figure(built):
    # Epoch AI, us-vs-china-eci (data to 2026-01-02): China trails by 7 months on average since 2023, min 4,
    # max 14. Same method (1-point tolerance, first models dropped, daily lag) on the project's vintage:
    h = catchup.headline_gap(built["capability"], "eci", end_date="2026-01-02")
    assert h["date"] == D(2026, 1, 2)
    assert 5.5 < h["window"]["mean_months"] < 9.5


def test_lmarena_plain_and_style_control_stay_apart(built):
    c = built["capability"].filter(pl.col("metric").str.starts_with("lmarena"))
    assert set(c["metric"].unique()) == {"lmarena_text", "lmarena_text_style_control"}
    assert c.filter(pl.col("ci_low").is_null()).is_empty()
    assert (c["ci_low"] <= c["score"]).all() and (c["score"] <= c["ci_high"]).all()


def test_report_index_states_the_measured_gap(built):
    from analysis.site import claims, index_page

    c = claims.claim_catchup(claims.Data())
    assert c.finding.startswith("On ECI") and "Qwen3.7-Max" in c.finding
    page = index_page.render_index(dict(built_at="now", reports={}, claims=[claims.as_dict(c)]))
    assert "Qwen3.7-Max" in page


# --- the lag method's choices ------------------------------------------------------------------------

def test_tolerance_counts_a_near_tie_as_reached():
    # China's Q is 0.5 above the US's A (Jan) and below B (Jun): with a 1-point tolerance A already reached it
    m = models([("A", D(2024, 1, 1), "OpenAI", US, 10), ("B", D(2024, 6, 1), "OpenAI", US, 20),
                ("Q", D(2024, 7, 1), "Alibaba", CN, 10.5)])
    strict = catchup.gap_series(m, tolerance=0, drop_first=False, daily=False).row(-1, named=True)
    tol = catchup.gap_series(m, tolerance=1, drop_first=False, daily=False).row(-1, named=True)
    assert strict["matched_by"] == "B" and tol["matched_by"] == "A"
    assert tol["lag_months"] == pytest.approx((D(2024, 7, 1) - D(2024, 1, 1)).days / catchup.DAYS_PER_MONTH)


def test_first_frontier_model_of_each_country_is_dropped():
    m = models([("A0", D(2023, 1, 1), "OpenAI", US, 5), ("A", D(2024, 1, 1), "OpenAI", US, 10),
                ("Q0", D(2023, 2, 1), "Alibaba", CN, 1), ("Q", D(2024, 3, 1), "Alibaba", CN, 9)])
    kept = catchup.gap_series(m, tolerance=0, drop_first=False, daily=False)
    dropped = catchup.gap_series(m, tolerance=0, drop_first=True, daily=False)
    assert kept["date"].min() == D(2023, 2, 1) and "Q0" in kept["follower_model"].to_list()
    assert dropped["date"].min() == D(2024, 3, 1) and "Q0" not in dropped["follower_model"].to_list()


def test_daily_lag_grows_a_day_per_day_between_frontier_moves():
    m = models([("A", D(2024, 1, 1), "OpenAI", US, 10), ("B", D(2024, 6, 1), "OpenAI", US, 20),
                ("Q", D(2024, 3, 1), "Alibaba", CN, 10)])
    g = catchup.gap_series(m, tolerance=0, drop_first=False, daily=True, end=D(2024, 3, 31))
    assert len(g) == 31 and g["date"].to_list()[0] == D(2024, 3, 1) and g["date"].to_list()[-1] == D(2024, 3, 31)
    assert g["lag_months"].diff().drop_nulls().to_list() == pytest.approx([1 / catchup.DAYS_PER_MONTH] * 30)
    s = catchup.lag_summary(g)
    assert s["min_months"] == pytest.approx(60 / catchup.DAYS_PER_MONTH)
    assert s["max_months"] == pytest.approx(90 / catchup.DAYS_PER_MONTH) and s["days"] == 31


def test_headline_is_dated_at_the_end_of_the_data():
    c = cap([("A", D(2025, 1, 1), "OpenAI", US, 10), ("Q", D(2025, 2, 1), "Alibaba", CN, 9)])
    h = catchup.headline_gap(c, "m", tolerance=0, drop_first=False)
    assert h["date"] == D(2026, 1, 1)  # as_of, not 2025-02-01
    assert h["gap_months"] == pytest.approx((D(2026, 1, 1) - D(2025, 1, 1)).days / catchup.DAYS_PER_MONTH)


def test_undated_models_are_left_out_and_counted():
    # 'X' and 'Y' are known only from a leaderboard (no release date): every time-based measure leaves them out,
    # and the headline says how many (two models, three rows; a model of another metric is not counted)
    c = cap([("A", D(2025, 1, 1), "OpenAI", US, 10), ("Q", D(2025, 2, 1), "Alibaba", CN, 9),
             ("X", None, "Tencent", CN, 50), ("X", None, "Tencent", CN, 51), ("Y", None, "xAI", US, 60),
             ("Z", None, "xAI", US, 70, "other")])
    assert catchup.undated(c, "m") == 2 and catchup.undated(c, "m", [CN]) == 1
    m = catchup.best_per_model(c, "m")
    assert sorted(m["model"]) == ["A", "Q"]
    ttm = catchup.time_to_match(m, "country", "any")
    assert set(ttm["model"]) <= {"A", "Q"}
    h = catchup.headline_gap(c, "m", tolerance=0, drop_first=False)
    assert h["undated"] == 2 and h["follower_model"] == "Q"  # X's 51 would lead China's frontier if dated
    text = catchup.describe_headline(h)
    assert "2 models scored on `m` have no known release date" in text
    assert "none is left out" in catchup.describe_undated(0, "m")


# --- the two readings of the lag in time (Epoch's "last within S + 1" and the project's "first reached S - 1") ---

def _steps(china):
    """A US frontier that climbs in small steps (100, 104, 106, 110 on days 0, 30, 60, 90 of 2025) and one
    Chinese model of score `china` on day 120 (2025-05-01)."""
    d0 = D(2025, 1, 1)
    us = [("U0", 0, 100), ("U1", 30, 104), ("U2", 60, 106), ("U3", 90, 110)]
    return models([(n, d0 + dt.timedelta(days=k), "OpenAI", US, s) for n, k, s in us]
                  + [("Q", D(2025, 5, 1), "Alibaba", CN, china)])


def _lag_on_china_day(m, reading):
    g = catchup.gap_series(m, tolerance=1, drop_first=False, daily=False, reading=reading)
    return g.filter(pl.col("date") == D(2025, 5, 1)).row(0, named=True)


def _days(row):
    return None if row["lag_months"] is None else round(row["lag_months"] * catchup.DAYS_PER_MONTH)


def test_epoch_reading_is_the_time_since_the_leader_was_last_within_s_plus_tolerance():
    # S = 105: last <= 106 until U3 (110) on day 90 -> 30 days; first >= 104 was U1 on day 30 -> 90 days
    m = _steps(105)
    epoch, project = _lag_on_china_day(m, "last_within"), _lag_on_china_day(m, "first_reach")
    assert (_days(epoch), epoch["matched_by"]) == (30, "U3")
    assert (_days(project), project["matched_by"]) == (90, "U1")


def test_epoch_reading_is_zero_while_the_leader_is_within_the_tolerance():
    # S = 109.5: the US frontier (110) is not above S + 1 -> 0; the project's reading: 108.5 first reached by U3
    m = _steps(109.5)
    assert _days(_lag_on_china_day(m, "last_within")) == 0
    assert _days(_lag_on_china_day(m, "first_reach")) == 30


def test_epoch_reading_is_unknown_when_the_leader_was_above_from_its_first_record():
    # S = 90: the US frontier was above 91 from its first record on: when it was last within is not in the data
    m = _steps(90)
    row = _lag_on_china_day(m, "last_within")
    assert row["lag_months"] is None and not row["follower_leads"]
    assert _days(_lag_on_china_day(m, "first_reach")) == 120  # U0 (100) had already reached 89 on day 0


def test_epoch_reading_searches_the_leaders_whole_frontier_even_when_its_first_record_is_dropped():
    # drop_first leaves U0 out of the series' records, not out of the leader's history: S = 102.5 -> within
    # 103.5 while U0 (100) led, until U1 (104) on day 30 -> 90 days (known, though U1 is the first record kept)
    m = pl.concat([_steps(102.5), models([("Q0", D(2025, 1, 10), "Alibaba", CN, 50)])]).sort("release_date")
    g = catchup.gap_series(m, tolerance=1, drop_first=True, daily=False, reading="last_within")
    row = g.filter(pl.col("date") == D(2025, 5, 1)).row(0, named=True)
    assert (_days(row), row["matched_by"]) == (90, "U1")


def test_follower_ahead_has_no_lag_under_either_reading_and_an_unknown_reading_is_refused():
    m = _steps(112)
    for reading in catchup.READINGS:
        row = _lag_on_china_day(m, reading)
        assert row["follower_leads"] and row["lag_months"] is None
    with pytest.raises(ValueError, match="reading 'latest' is not one of: first_reach, last_within"):
        catchup.gap_series(m, reading="latest")


def test_headline_gap_passes_the_reading_through():
    c = cap([("U0", D(2025, 1, 1), "OpenAI", US, 100), ("U1", D(2025, 1, 31), "OpenAI", US, 104),
             ("U2", D(2025, 3, 2), "OpenAI", US, 106), ("U3", D(2025, 4, 1), "OpenAI", US, 110),
             ("Q", D(2025, 5, 1), "Alibaba", CN, 105)])
    a = catchup.headline_gap(c, "m", end_date="2025-05-01", drop_first=False, window_start=None, reading="last_within")
    b = catchup.headline_gap(c, "m", end_date="2025-05-01", drop_first=False, window_start=None)
    assert a["reading"] == "last_within" and b["reading"] == "first_reach"
    assert round(a["gap_months"] * catchup.DAYS_PER_MONTH) == 30 and round(b["gap_months"] * catchup.DAYS_PER_MONTH) == 90
