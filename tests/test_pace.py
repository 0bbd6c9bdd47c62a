"""Release-pace metrics on small inline tables."""

import datetime as dt
import math

import polars as pl

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
