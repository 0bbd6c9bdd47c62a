"""Performance per dollar (analysis/metrics/perf.py): inline tables, then checked-by-hand real cases."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis.metrics import perf

D = dt.date
US, CN = perf.US, perf.CN
JAN = D(2026, 1, 31)


def table(rows, date=JAN):
    """A performance table: (model_id, country, score, blended[, open_weights])."""
    return pl.DataFrame(
        [dict(date=date, model_id=m, model=m.upper(), country_bucket=c, score=s, blended=p,
              open_weights=(r[0] if r else False), price_source="llm-prices") for m, c, s, p, *r in rows],
        schema={"date": pl.Date, "model_id": pl.String, "model": pl.String, "country_bucket": pl.String,
                "score": pl.Float64, "blended": pl.Float64, "open_weights": pl.Boolean, "price_source": pl.String})


def cap(rows, metric="eci"):
    """Capability rows: (model_id, country, release_date, score)."""
    return pl.DataFrame(
        [dict(model_id=m, model=m, release_date=r, organizations=["OpenAI"], country_bucket=c, open_weights=False,
              metric=metric, score=s, source_model=m, source_file="epoch/x.csv", source_row=i, as_of=D(2026, 6, 1))
         for i, (m, c, r, s) in enumerate(rows, start=2)],
        schema_overrides={"organizations": pl.List(pl.String)})


# --- x_for_y --------------------------------------------------------------------------------------

def test_cheapest_follower_within_threshold_and_ratio():
    t = table([("us-top", US, 100, 10.0), ("cn-a", CN, 96, 2.0), ("cn-b", CN, 99, 5.0), ("cn-c", CN, 90, 0.1)])
    r = perf.x_for_y(t, 0.95).row(0, named=True)
    assert (r["leader_model_id"], r["follower_model_id"], r["met"]) == ("us-top", "cn-a", True)
    assert r["price_share"] == pytest.approx(0.2)
    assert r["score_share"] == pytest.approx(0.96)
    assert r["candidates"] == 2


def test_no_follower_meets_threshold_is_an_explicit_answer():
    t = table([("us-top", US, 100, 10.0), ("cn-a", CN, 80, 1.0)])
    r = perf.x_for_y(t, 0.95).row(0, named=True)
    assert r["met"] is False
    assert r["follower_model_id"] is None and r["price_share"] is None
    assert "no China model" in perf.describe_answer(r, "eci")


def test_threshold_is_inclusive():
    t = table([("us-top", US, 100, 10.0), ("cn-a", CN, 95, 1.0)])
    assert perf.x_for_y(t, 0.95)["follower_model_id"].to_list() == ["cn-a"]


def test_leader_tie_takes_the_cheaper_model():
    t = table([("us-dear", US, 100, 20.0), ("us-cheap", US, 100, 10.0), ("cn-a", CN, 96, 2.0)])
    r = perf.x_for_y(t).row(0, named=True)
    assert r["leader_model_id"] == "us-cheap"
    assert r["price_share"] == pytest.approx(0.2)


def test_follower_price_tie_takes_the_higher_score():
    t = table([("us-top", US, 100, 10.0), ("cn-a", CN, 96, 2.0), ("cn-b", CN, 98, 2.0)])
    assert perf.x_for_y(t)["follower_model_id"].to_list() == ["cn-b"]


def test_reverse_view_swaps_the_countries():
    t = table([("us-top", US, 100, 10.0), ("us-small", US, 95, 0.5), ("cn-top", CN, 98, 2.0)])
    v = perf.both_views(t)
    rev = v.filter(pl.col("leader_country") == CN).row(0, named=True)
    assert (rev["leader_model_id"], rev["follower_model_id"]) == ("cn-top", "us-small")
    assert rev["price_share"] == pytest.approx(0.25)


def test_date_without_leader_model_has_no_row():
    t = table([("cn-a", CN, 96, 2.0)])
    assert perf.x_for_y(t).is_empty()


# --- Pareto frontier --------------------------------------------------------------------------------

def test_pareto_frontier_drops_dominated_models():
    t = table([("a", US, 50, 1.0), ("b", US, 40, 2.0), ("c", US, 80, 5.0), ("d", US, 70, 6.0), ("e", CN, 10, 9.0)])
    f = perf.pareto_frontier(t)
    assert f.filter(pl.col("country_bucket") == US)["model_id"].to_list() == ["a", "c"]
    assert f.filter(pl.col("country_bucket") == CN)["model_id"].to_list() == ["e"]  # per country


def test_pareto_frontier_ties():
    # same price: only the better one; same score at a higher price: dominated; identical: both kept
    t = table([("a", US, 50, 1.0), ("a2", US, 50, 1.0), ("b", US, 40, 1.0), ("c", US, 50, 3.0), ("d", US, 60, 3.0)])
    assert perf.pareto_frontier(t)["model_id"].to_list() == ["a", "a2", "d"]


# --- joining scores and prices ---------------------------------------------------------------------

def test_model_without_price_or_score_is_left_out():
    scores = perf.scores_on(perf.model_scores(cap([("scored-priced", US, D(2025, 1, 1), 100.0),
                                                   ("scored-only", US, D(2025, 1, 1), 90.0)]), "eci"),
                            [D(2025, 6, 30)])
    panel = pl.DataFrame({"date": [D(2025, 6, 30)] * 2, "model_id": ["scored-priced", "priced-only"],
                          "blended": [1.0, 2.0]})
    j = perf.join(scores, panel)
    assert j["model_id"].to_list() == ["scored-priced"]
    cov = perf.coverage(scores, j).row(0, named=True)
    assert (cov["scored"], cov["priced"]) == (2, 1)


def test_score_only_after_release_and_best_release_by_date():
    c = cap([("m", US, D(2025, 1, 1), 100.0), ("m", US, D(2025, 9, 1), 120.0), ("later", US, D(2025, 12, 1), 130.0)])
    s = perf.scores_on(perf.model_scores(c, "eci"), [D(2025, 6, 30), D(2025, 10, 31)])
    got = {(r["date"], r["model_id"]): r["score"] for r in s.iter_rows(named=True)}
    assert got == {(D(2025, 6, 30), "m"): 100.0, (D(2025, 10, 31), "m"): 120.0}


def test_other_metrics_are_not_mixed_in():
    c = pl.concat([cap([("m", US, D(2025, 1, 1), 100.0)]), cap([("m", US, D(2025, 1, 1), 1400.0)], "lmarena_text")])
    assert perf.model_scores(c, "eci")["score"].to_list() == [100.0]


def test_monthly_dates_end_with_the_as_of_date():
    assert perf.monthly_dates("2026-01-01", D(2026, 3, 15)) == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 15)]


# --- real snapshots -----------------------------------------------------------------------------

def test_headline_on_eci(built):
    h = perf.headline(built["capability"], built["reference_prices"], "eci")
    # as of the ECI snapshot (2026-06-16): GPT-5.4 Pro is the best US model with a price (ECI 157.91; LiteLLM
    # model_prices_2026-04-02.json "gpt-5.4-pro", mode 'responses', 3e-05 / 1.8e-04 per token -> (3 x 30 + 180) / 4
    # = 67.5 USD/1M); 95% of its score is 150.02 and no Chinese model priced that day reaches it (DeepSeek-V4-Pro,
    # the best, has 149.73)
    assert h["date"] == D(2026, 6, 16)
    assert (h["leader_model_id"], h["met"]) == ("gpt-5-4-pro", False)
    assert h["leader_price"] == pytest.approx(67.5)
    assert "epoch/epoch_capabilities_index.csv" in h["text"] and "2026-06-16" in h["text"]


def test_headline_without_pro_variants(built):
    # the same question with OpenAI's 'pro' tiers left out by their flag: GPT-5.4 (ECI 156.22; litellm
    # model_prices_2026-04-02.json "gpt-5.4" 2.5e-06 / 1.5e-05 per token -> 5.625 USD/1M) and Qwen 3.6 Plus (ECI
    # 149.40 = 95.6%; llm-prices qwen.json 'qwen3.6-plus' 0.5 / 3 -> 1.125 USD/1M = 20% of the price)
    ref = built["reference_prices"].filter(~pl.col("pro_variant"))
    h = perf.headline(built["capability"], ref, "eci")
    assert (h["leader_model_id"], h["follower_model_id"]) == ("gpt-5-4", "qwen-3-6-plus")
    assert h["leader_price"] == pytest.approx(5.625) and h["follower_price"] == pytest.approx(1.125)
    assert h["price_share"] == pytest.approx(0.2)


def test_monthly_series_in_cny_keeps_the_price_ratio_close(built):
    cap_, pr = built["capability"], built["reference_prices"]
    dates = perf.monthly_dates("2026-01-01", D(2026, 6, 16))
    usd = perf.x_for_y(perf.performance_table(cap_, pr, "eci", dates))
    cny = perf.x_for_y(perf.performance_table(cap_, pr, "eci", dates, currency="CNY"))
    assert usd["date"].to_list() == dates
    # the two sides are converted at the same day's rate; only CNY-quoted originals can move the choice
    assert usd["leader_model_id"].to_list() == cny["leader_model_id"].to_list()
    assert cny["leader_price"].to_list()[-1] == pytest.approx(usd["leader_price"].to_list()[-1] * 7, rel=0.1)


def test_report_index_states_the_95_for_20_answer(built):
    from analysis.site import claims

    c = claims.claim_perf(claims.Data())
    assert c.date == "2026-06-16" and c.report == "performance_per_dollar"
    assert "no priced Chinese model reaches 95% of GPT-5.4 Pro" in c.finding
