"""Method choices the replication relies on, on small inline tables: the compute fit's optional break point, and
the evidence the replication rows quote (computed numbers, not typed)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis.metrics import pace, replication


def _two_regimes() -> pl.DataFrame:
    # 2x/yr before 2020, 8x/yr from 2020 on: one row per quarter, exact exponentials
    dates, flops = [], []
    for q in range(32):
        d = dt.date(2016 + q // 4, 1 + 3 * (q % 4), 1)
        years = (d - dt.date(2020, 1, 1)).days / 365.2425
        flops.append(1e20 * (2.0 ** years if years < 0 else 8.0 ** years))
        dates.append(d)
    return pl.DataFrame({"country_bucket": ["A"] * 32, "release_date": dates, "training_compute_flop": flops})


def test_doubling_time_without_break_is_one_segment():
    f = pace.doubling_time(_two_regimes())
    assert len(f) == 1 and "segment" not in f.columns
    assert 2.0 < f["growth_per_year"][0] < 8.0  # one line through two regimes: neither slope


def test_doubling_time_with_break_fits_each_segment():
    f = pace.doubling_time(_two_regimes(), break_date="2020-01-01")
    assert f["segment"].to_list() == ["before", "after"]
    before, after = f["growth_per_year"].to_list()
    assert before == pytest.approx(2.0, rel=1e-6) and after == pytest.approx(8.0, rel=1e-6)
    assert f["n"].to_list() == [16, 16]
    assert f["end"][0] < dt.date(2020, 1, 1) <= f["start"][1]


def test_break_with_a_segment_too_short_keeps_the_other():
    d = _two_regimes()
    f = pace.doubling_time(d, break_date="2016-07-01")  # 2 models before: no fit, only 'after'
    assert f["segment"].to_list() == ["after"]
    assert pace.doubling_time(d.clear(), break_date="2020-01-01").is_empty()


def test_explanation_quotes_the_evidence_outside_and_inside_the_tolerance():
    base = dict(figure_id="epoch_eci_lag_mean_months", published_low=None, published_high=None, evidence="x is 3.0")
    out = replication._explain(dict(base, project_value=10.0, ratio=10 / 7))
    assert out.startswith("Outside 15% (ratio 1.43)") and "Evidence: x is 3.0." in out
    inside = replication._explain(dict(base, project_value=7.5, ratio=7.5 / 7))
    assert inside.startswith("Within 15%") and "Also computed: x is 3.0." in inside
    rng = replication._explain(dict(base, project_value=5.03, ratio=None, published_low=4.0, published_high=5.0))
    assert "outside it. Evidence: x is 3.0." in rng


def test_china_rows_document_that_no_break_is_used(built):
    rows = replication._china_compute_rows(built["models"])
    for r in rows:
        assert "no break point" in r["project_method"]
        assert f"break_date='{replication.CHINA_BREAK}'" in r["evidence"]
        assert "China after" in r["evidence"] and "Elsewhere before" in r["evidence"]
