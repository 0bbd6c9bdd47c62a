"""Price metrics (analysis/metrics/prices.py) on small inline tables, plus the real price_conflicts table."""

import datetime as dt

import polars as pl
import pytest

from analysis.metrics import prices as pm

D = dt.date
FX = pl.DataFrame({"date": [D(2024, 1, 1), D(2024, 2, 1)], "usd_cny": [7.0, 8.0]})


def row(**kw):
    base = dict(model_id="m", model_key="m", provider="lab", organization="Lab", country_bucket="United States",
                price_kind="base", min_input_tokens=0, currency="USD", input_orig=1.0, output_orig=2.0,
                input_usd_per_m=1.0, output_usd_per_m=2.0, valid_from=D(2024, 1, 1), valid_to=None,
                observed_from=D(2024, 1, 1), list_price=True, source="llm-prices", source_file="f", source_row=1,
                date_basis="stated")
    base.update(kw)
    return base


def frame(*rows):
    return pl.DataFrame(list(rows), schema_overrides={"valid_to": pl.Date})


def test_blended_default_ratio_3_to_1():
    df = pl.DataFrame({"i": [1.0], "o": [5.0]})
    assert df.select(pm.blended("i", "o"))[0, 0] == pytest.approx(2.0)


def test_blended_ratio_parameter():
    df = pl.DataFrame({"i": [1.0], "o": [5.0]})
    assert df.select(pm.blended("i", "o", ratio=1))[0, 0] == pytest.approx(3.0)


def test_in_currency_converts_at_the_rate_of_the_day():
    df = pl.DataFrame({"currency": ["CNY", "CNY"], "input_orig": [16.0, 16.0], "d": [D(2024, 1, 15), D(2024, 2, 2)]})
    out = pm.in_currency(df, "USD", "d", FX, parts=("input",))
    assert out["input_price"].to_list() == [pytest.approx(16 / 7), pytest.approx(2.0)]


def test_in_currency_keeps_same_currency_amount():
    df = pl.DataFrame({"currency": ["USD"], "input_orig": [3.0], "d": [D(2024, 1, 15)]})
    assert pm.in_currency(df, "USD", "d", FX, parts=("input",))["input_price"][0] == 3.0


def test_in_currency_usd_to_cny():
    df = pl.DataFrame({"currency": ["USD"], "input_orig": [3.0], "d": [D(2024, 2, 15)]})
    assert pm.in_currency(df, "CNY", "d", FX, parts=("input",))["input_price"][0] == pytest.approx(24.0)


def test_effective_start_falls_back_to_first_observation_of_model():
    p = frame(row(valid_from=None, valid_to=D(2024, 3, 1), observed_from=D(2024, 6, 1)),
              row(source="x", valid_from=D(2024, 2, 1), observed_from=D(2024, 2, 1)))
    e = pm.effective_periods(p).filter(pl.col("source") == "llm-prices")
    assert e["start"][0] == D(2024, 2, 1)


def test_reference_prefers_list_price_then_source_rank():
    p = pm.effective_periods(frame(
        row(source="llm-price-cn-tables", input_orig=9.0, source_row=1),
        row(source="llm-prices", input_orig=1.0, source_row=2),
        row(source="llm-prices-cn", input_orig=5.0, list_price=False, source_row=3)))
    ref = pm.reference_panel(p, [D(2024, 1, 31)])
    assert ref["source"].to_list() == ["llm-prices"]


def test_reference_prefers_llm_prices_cn_for_chinese_labs():
    p = pm.effective_periods(frame(
        row(source="llm-prices", country_bucket="China"),
        row(source="llm-prices-cn", country_bucket="China", source_row=2)))
    assert pm.reference_panel(p, [D(2024, 1, 31)])["source"].to_list() == ["llm-prices-cn"]


def test_reference_respects_exclusive_end():
    p = pm.effective_periods(frame(row(valid_to=D(2024, 1, 31))))
    assert len(pm.reference_panel(p, [D(2024, 1, 31)])) == 0


def test_long_context_never_in_reference():
    p = pm.effective_periods(frame(row(price_kind="long_context", min_input_tokens=200000)))
    assert len(pm.reference_panel(p, [D(2024, 1, 31)])) == 0


def test_price_change_detected_in_original_currency():
    p = pm.effective_periods(frame(
        row(currency="CNY", input_orig=4.0, output_orig=4.0, valid_to=D(2024, 2, 1)),
        row(currency="CNY", input_orig=2.0, output_orig=2.0, valid_from=D(2024, 2, 1), source_row=2)))
    ch = pm.price_changes(p)
    assert ch.select("date", "pct_change").rows() == [(D(2024, 2, 1), -50.0)]


def test_no_change_event_across_a_gap():
    p = pm.effective_periods(frame(
        row(valid_to=D(2024, 2, 1)), row(input_orig=0.5, valid_from=D(2024, 3, 1), source_row=2)))
    assert len(pm.price_changes(p)) == 0


def test_loglinear_fit_halving_per_year():
    df = pl.DataFrame({"date": [D(2024, 1, 1), D(2025, 1, 1), D(2026, 1, 1)], "blended": [4.0, 2.0, 1.0]})
    assert pm.loglinear_fit(df)["decline_factor_per_year"] == pytest.approx(2.0, rel=0.01)


def test_cheapest_at_threshold_per_country():
    panel = pl.DataFrame({"date": [D(2024, 1, 31)] * 3, "model_id": ["a", "b", "c"],
                          "country_bucket": ["China", "China", "China"], "blended": [1.0, 0.5, 0.1],
                          "provider": ["p"] * 3, "source": ["s"] * 3, "source_file": ["f"] * 3,
                          "source_row": [1, 2, 3]})
    cap = pl.DataFrame({"model_id": ["a", "b", "c"], "metric": ["eci"] * 3, "score": [130.0, 131.0, 100.0],
                        "model": ["A", "B", "C"]})
    out = pm.cheapest_at_threshold(panel, cap, 125)
    assert out["model_id"].to_list() == ["b"]


def test_conflict_found_on_overlap():
    p = pm.effective_periods(frame(row(), row(source="llm-prices-cn", input_usd_per_m=1.5, source_row=2)))
    assert len(pm.conflicts(p)) == 1


def test_no_conflict_within_tolerance():
    p = pm.effective_periods(frame(row(), row(source="llm-prices-cn", input_usd_per_m=1.02, source_row=2)))
    assert len(pm.conflicts(p)) == 0


def test_real_conflict_deepseek_v4_flash(built):
    # llm-prices deepseek.json states 0.14/0.28 USD; llm-prices-cn prices.json has 3/9 CNY from 2026-08-21
    c = built["price_conflicts"].filter((pl.col("model_id") == "deepseek-v4-flash")
                                        & (pl.col("date") == D(2026, 8, 21)))
    assert len(c) == 1 and c["reference_source"][0] == "llm-prices-cn"
