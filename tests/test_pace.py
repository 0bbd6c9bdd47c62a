"""Release-pace metrics on small inline tables."""

import datetime as dt
import math

import polars as pl
import pytest

from analysis.metrics import pace

D = dt.date


def _models(rows):
    return pl.DataFrame(
        rows, schema={"model_id": pl.String, "model": pl.String, "organizations": pl.List(pl.String),
                      "country_bucket": pl.String, "release_date": pl.Date, "open_weights": pl.Boolean,
                      "training_compute_flop": pl.Float64, "notable": pl.Boolean, "domains": pl.List(pl.String)},
        orient="row")


ORGS = pl.DataFrame({"organization": ["A", "B", "C", "Z"],
                     "country_bucket": ["United States", "United States", "United States", "China"]})


def test_releases_per_period_fills_empty_periods_with_zero():
    m = _models([("a", "a", ["A"], "United States", D(2020, 3, 1), True, None, True, ["Language"]),
                 ("b", "b", ["Z"], "China", D(2022, 5, 1), False, None, True, ["Language"])])
    out = pace.releases_per_period(m, "year")
    assert out.filter(pl.col("period") == D(2021, 1, 1))["releases"].to_list() == [0, 0]
    assert out["releases"].sum() == 2


def test_concentration_splits_joint_models_and_computes_hhi():
    m = _models([
        ("m1", "m1", ["A"], "United States", D(2024, 1, 1), None, None, True, []),
        ("m2", "m2", ["A"], "United States", D(2024, 2, 1), None, None, True, []),
        ("m3", "m3", ["B"], "United States", D(2024, 3, 1), None, None, True, []),
        ("m4", "m4", ["C", "Z"], "US–China joint", D(2024, 4, 1), None, None, True, []),
    ])
    us = pace.concentration(m, ORGS).filter(pl.col("country_bucket") == "United States").row(0, named=True)
    # credits: A 2, B 1, C 0.5 -> shares 4/7, 2/7, 1/7
    assert math.isclose(us["releases"], 3.5)
    assert math.isclose(us["hhi"], (16 + 4 + 1) / 49)
    assert math.isclose(us["top3_share"], 1.0) and us["organizations"] == 3
    cn = pace.concentration(m, ORGS).filter(pl.col("country_bucket") == "China").row(0, named=True)
    assert math.isclose(cn["releases"], 0.5) and math.isclose(cn["hhi"], 1.0)


def test_open_weights_share_ignores_unknown():
    m = _models([("a", "a", ["A"], "United States", D(2024, 1, 1), True, None, True, []),
                 ("b", "b", ["A"], "United States", D(2024, 2, 1), False, None, True, []),
                 ("c", "c", ["A"], "United States", D(2024, 3, 1), None, None, True, [])])
    row = pace.open_weights_share(m).row(0, named=True)
    assert (row["releases"], row["known"], row["open"]) == (3, 2, 1) and row["share"] == 0.5


def test_doubling_time_recovers_a_known_rate():
    # compute doubles exactly every 6 months: log2 grows by 2 per year
    rows = [(f"m{i}", f"m{i}", ["A"], "United States", D(2018 + i // 2, 1 + 6 * (i % 2), 1), None,
             2.0 ** (60 + i), True, []) for i in range(10)]
    fit = pace.doubling_time(_models(rows)).row(0, named=True)
    assert abs(fit["doubling_months"] - 6.0) < 0.1
    assert fit["doubling_months_low"] <= fit["doubling_months"] <= fit["doubling_months_high"]


def test_top_compute_models_keeps_running_top_k():
    rows = [("a", "a", ["A"], "United States", D(2020, 1, 1), None, 10.0, True, []),
            ("b", "b", ["A"], "United States", D(2020, 2, 1), None, 100.0, True, []),
            ("c", "c", ["A"], "United States", D(2020, 3, 1), None, 50.0, True, []),
            ("d", "d", ["A"], "United States", D(2020, 4, 1), None, 1.0, True, [])]
    top = pace.top_compute_models(_models(rows), top_k=2)
    # c is second-largest when released (b above it); d has two larger before it
    assert sorted(top["model_id"].to_list()) == ["a", "b", "c"]


def test_select_models_filters():
    m = _models([("a", "a", ["A"], "United States", D(2019, 1, 1), None, None, True, ["Vision"]),
                 ("b", "b", ["Z"], "China", D(2021, 1, 1), None, None, False, ["Language"]),
                 ("c", "c", ["Z"], "China", D(2021, 1, 1), None, None, True, ["Language"])])
    assert pace.select_models(m, "2020-01-01")["model_id"].to_list() == ["c"]
    assert pace.select_models(m, notable_only=False, domain="Language")["model_id"].to_list() == ["b", "c"]
    assert pace.select_models(m, countries=["United States"])["model_id"].to_list() == ["a"]


# --- compute-trend method: top-k ranked before filters, joint models, per-bucket fit start -------------

def _with_countries(df):
    return df.with_columns(pl.when(pl.col("country_bucket") == "US–China joint")
                           .then(pl.lit(["United States", "China"]))
                           .otherwise(pl.concat_list(pl.col("country_bucket"))).alias("countries"))


def test_top_k_is_ranked_over_the_whole_group_before_the_date_filter():
    # two big models before 2021, then a small one: with top_k=2 the small one is not frontier, even though
    # it is the first model after start_date
    rows = [("big1", "big1", ["A"], "United States", D(2019, 1, 1), None, 1e24, True, ["Language"]),
            ("big2", "big2", ["A"], "United States", D(2020, 1, 1), None, 2e24, True, ["Language"]),
            ("small", "small", ["A"], "United States", D(2021, 2, 1), None, 1e19, True, ["Language"]),
            ("huge", "huge", ["A"], "United States", D(2021, 3, 1), None, 1e25, True, ["Language"])]
    m = _with_countries(_models(rows))
    after_filter = pace.top_compute_models(pace.select_models(m, "2021-01-01"), top_k=2)
    assert "small" in after_filter["model_id"].to_list()  # the old, wrong order
    top = pace.frontier_compute_models(m, top_k=2, start_date="2021-01-01")
    assert top["model_id"].to_list() == ["huge"]


def test_top_k_is_ranked_over_all_domains_before_the_domain_filter():
    rows = [("v1", "v1", ["A"], "China", D(2020, 1, 1), None, 1e25, True, ["Vision"]),
            ("v2", "v2", ["A"], "China", D(2020, 2, 1), None, 1e25, True, ["Vision"]),
            ("l1", "l1", ["A"], "China", D(2020, 3, 1), None, 1e20, True, ["Language"])]
    m = _with_countries(_models(rows))
    assert pace.frontier_compute_models(m, top_k=2, domain="Language").is_empty()


def test_joint_models_count_for_each_country_or_their_own_bucket():
    rows = [("j", "j", ["A", "Z"], "US–China joint", D(2020, 1, 1), None, 1e24, True, [])]
    m = _with_countries(_models(rows))
    credit = pace.frontier_compute_models(m, joint="credit")
    assert sorted(credit["country_bucket"].to_list()) == ["China", "United States"]
    assert pace.frontier_compute_models(m, joint="own")["country_bucket"].to_list() == ["US–China joint"]
    with pytest.raises(ValueError):
        pace.credit_joint(m, "half")


def test_fit_start_per_bucket_and_no_trend_drawn_on_too_few_points():
    rows = [(f"u{i}", f"u{i}", ["A"], "United States", D(2018 + i, 1, 1), None, 10.0 ** (20 + i), True, [])
            for i in range(6)]
    rows += [(f"c{i}", f"c{i}", ["Z"], "China", D(2018 + i, 1, 1), None, 10.0 ** (20 + (i if i < 3 else 2 * i)),
              True, []) for i in range(6)]
    fits = pace.doubling_time(_models(rows), "2018-01-01", fit_start_by={"China": "2021-01-01"})
    us = fits.filter(pl.col("country_bucket") == "United States").row(0, named=True)
    cn = fits.filter(pl.col("country_bucket") == "China").row(0, named=True)
    assert us["n"] == 6 and us["growth_per_year"] == pytest.approx(10.0, rel=0.01) and us["drawn"]
    assert cn["n"] == 3 and cn["start"] == D(2021, 1, 1) and not cn["drawn"]  # 3 points: shown, not drawn
    assert cn["growth_per_year"] == pytest.approx(100.0, rel=0.01)
    assert us["growth_low"] <= us["growth_per_year"] <= us["growth_high"]


def test_china_language_compute_trend_close_to_epochs(built):
    # Epoch AI, china-compute-trends: China's top-10 language models grow ~3x/yr since late 2021, vs ~5x/yr
    # elsewhere since 2018. The method (ranked before filters, joint models credited, China from 2022):
    top = pace.frontier_compute_models(built["models"], 10, "2018-01-01", None, ["United States", "China"],
                                       "Language", True, "credit")
    fits = pace.doubling_time(top, "2018-01-01", fit_start_by={"China": "2022-01-01"})
    g = {r["country_bucket"]: r["growth_per_year"] for r in fits.iter_rows(named=True)}
    assert 2.5 < g["China"] < 4.0 and 4.0 < g["United States"] < 6.0 and g["China"] < g["United States"]
