"""Replication: the price method on Epoch AI's own inputs reproduces its 21 published trends."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis import replication
from analysis.metrics import prices as pm

D = dt.date


def test_cheaper_than_all_earlier_keeps_only_new_lows():
    pts = pl.DataFrame({"date": [D(2023, 1, 1), D(2023, 6, 1), D(2023, 9, 1), D(2024, 1, 1)],
                        "price": [10.0, 12.0, 5.0, 5.0]})
    assert pm.cheaper_than_all_earlier(pts)["price"].to_list() == [10.0, 5.0]  # a tie is not a new low


def test_price_trend_needs_four_points_and_gives_a_90pct_interval():
    three = pl.DataFrame({"date": [D(2023, 1, 1), D(2024, 1, 1), D(2025, 1, 1)], "price": [100.0, 10.0, 1.0]})
    f = pm.price_trend(three)
    assert f["factor_per_year"] is None and "fewer than the 4" in f["reason"]
    four = pl.DataFrame({"date": [D(2023, 1, 1), D(2024, 1, 1), D(2025, 1, 1), D(2026, 1, 1)],
                         "price": [1000.0, 90.0, 11.0, 1.0]})
    f = pm.price_trend(four)
    assert f["n"] == 4 and 5 < f["factor_per_year"] < 20
    assert f["factor_low"] < f["factor_per_year"] < f["factor_high"]


def test_record_thresholds_are_the_scores_of_top_scorers_at_release():
    m = pl.DataFrame({"model": ["a", "b", "c", "d"], "date": [D(2023, 1, 1), D(2023, 2, 1), D(2023, 3, 1),
                                                             D(2023, 4, 1)], "s": [50.0, 40.0, 60.0, 60.0]})
    assert pm.record_thresholds(m, "s")["threshold_model"].to_list() == ["a", "c"]


def test_epoch_method_on_epoch_inputs_reproduces_its_21_trends(built):
    t = replication.epoch_trends_on_epoch_data()
    assert len(t) == 21 and t["published_factor"].is_not_null().all() and t["project_factor"].is_not_null().all()
    assert (t["project_n"] == t["published_n"]).all()
    assert t["ratio"].to_list() == pytest.approx([1.0] * 21, abs=0.02)  # each within ±2% of the factor
