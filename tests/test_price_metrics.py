"""Price metrics (analysis/metrics/prices.py) on small inline tables, plus the real price_conflicts table."""

import datetime as dt

import polars as pl
import pytest

from analysis.link import periods
from analysis.link import reference as ref
from analysis.metrics import prices as pm

D = dt.date
FX = pl.DataFrame({"date": [D(2024, 1, 1), D(2024, 2, 1)], "usd_cny": [7.0, 8.0]})


def row(**kw):
    base = dict(model_id="m", model_key="m", provider="lab", organization="Lab", country_bucket="United States",
                price_kind="base", min_input_tokens=0, currency="USD", input_orig=1.0, output_orig=2.0,
                input_usd_per_m=1.0, output_usd_per_m=2.0, valid_from=D(2024, 1, 1), valid_to=None,
                observed_from=D(2024, 1, 1), list_price=True, source="llm-prices", source_file="f", source_row=1,
                date_basis="stated", snapshot=D(2024, 12, 31))
    base.update(kw)
    return base


def frame(*rows):
    return pl.DataFrame(list(rows), schema_overrides={"valid_to": pl.Date, "valid_from": pl.Date})


def usd(**kw):
    """A USD row whose USD amounts are its original amounts."""
    kw.setdefault("input_orig", 1.0)
    kw.setdefault("output_orig", 2.0)
    return row(input_usd_per_m=kw["input_orig"], output_usd_per_m=kw["output_orig"], **kw)


def refs(df, cap=None, carry_back=False):
    """Reference price periods of inline rows (the rule of analysis.link.reference)."""
    return ref.resolve(periods.effective_periods(df, cap, carry_back=carry_back))[0]


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
    e = periods.effective_periods(p).filter(pl.col("source") == "llm-prices")
    assert e["start"][0] == D(2024, 2, 1)


def test_reference_prefers_list_price_then_source_rank():
    r = refs(frame(
        usd(source="llm-price-cn-tables", input_orig=9.0, source_row=1),
        usd(source="llm-prices", input_orig=1.0, source_row=2),
        usd(source="llm-prices-cn", input_orig=5.0, list_price=False, source_row=3)))
    assert pm.reference_panel(r, [D(2024, 1, 31)])["source"].to_list() == ["llm-prices"]


def test_reference_prefers_llm_prices_cn_for_chinese_labs():
    r = refs(frame(usd(source="llm-prices", country_bucket="China"),
                   usd(source="llm-prices-cn", country_bucket="China", source_row=2)))
    assert pm.reference_panel(r, [D(2024, 1, 31)])["source"].to_list() == ["llm-prices-cn"]


def test_reference_respects_exclusive_end():
    assert len(pm.reference_panel(refs(frame(usd(valid_to=D(2024, 1, 31)))), [D(2024, 1, 31)])) == 0


def test_long_context_never_in_reference():
    assert len(refs(frame(usd(price_kind="long_context", min_input_tokens=200000)))) == 0


def test_price_change_at_the_rate_of_the_day_of_the_change():
    r = refs(frame(
        row(currency="CNY", input_orig=4.0, output_orig=4.0, input_usd_per_m=0.57, output_usd_per_m=0.57,
            valid_to=D(2024, 2, 1)),
        row(currency="CNY", input_orig=2.0, output_orig=2.0, input_usd_per_m=0.25, output_usd_per_m=0.25,
            valid_from=D(2024, 2, 1), source_row=2)))
    ch = pm.price_changes(r, fx_table=FX)
    assert ch.select("date", "pct_change", "currency", "dated", "single_source").rows() == [
        (D(2024, 2, 1), -50.0, "CNY", True, True)]
    assert pm.price_changes(r, currency="USD", fx_table=FX)["pct_change"].to_list() == [-50.0]  # FX never a cut


def test_a_new_listing_after_a_gap_is_not_a_dated_change():
    r = refs(frame(usd(valid_to=D(2024, 2, 1), date_basis="observed"),
                   usd(input_orig=0.5, valid_from=D(2024, 3, 1), date_basis="observed", source_row=2)))
    assert len(pm.price_changes(r, fx_table=FX)) == 0
    moves = pm.price_changes(r, fx_table=FX, dated_only=False)
    assert moves["dated"].to_list() == [False]


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
    p = periods.effective_periods(frame(row(), row(source="llm-prices-cn", input_usd_per_m=1.5, source_row=2)))
    assert len(periods.conflicts(p)) == 1


def test_no_conflict_within_tolerance():
    p = periods.effective_periods(frame(row(), row(source="llm-prices-cn", input_usd_per_m=1.02, source_row=2)))
    assert len(periods.conflicts(p)) == 0


def test_real_conflict_deepseek_v4_pro(built):
    # llm-prices deepseek.json: deepseek-v4-pro 1.74/3.48 USD (no dates); llm-prices-cn prices_2026-07-07.json:
    # 3/6 CNY, which LiteLLM's 0.435/0.87 USD confirms: on 2026-07-07 the vendor file's row is overruled.
    c = built["price_conflicts"].filter((pl.col("model_id") == "deepseek-v4-pro")
                                        & (pl.col("date") == D(2026, 7, 7)) & (pl.col("source_a") == "llm-prices"))
    assert len(c) == 1 and c["reference_source"][0] == "llm-prices-cn" and c["chosen"][0] == "b"
    assert c["rule"][0] == "majority" and "llm-prices 1.74/3.48 USD" in c["reason"][0]
    assert (c["input_usd_a"][0], c["output_usd_a"][0]) == (1.74, 3.48)


def test_carry_back_false_starts_at_own_observation():
    p = frame(row(valid_from=None, observed_from=D(2025, 6, 1), snapshot=D(2025, 12, 31)))
    cap = pl.DataFrame({"model_id": ["m"], "metric": ["eci"], "release_date": [D(2024, 1, 1)]})
    assert periods.effective_periods(p, cap, carry_back=False)["start"][0] == D(2025, 6, 1)
    assert periods.effective_periods(p, cap, carry_back=True)["start"][0] == D(2024, 1, 1)


def test_open_period_ends_after_newest_snapshot_of_its_source():
    p = frame(row(), row(model_id="n", snapshot=D(2025, 6, 30), source_row=2))
    assert periods.effective_periods(p)["end"].to_list() == [D(2025, 7, 1)] * 2


def test_chart_sources_cite_newest_dated_version():
    from analysis.figures import prices as figs

    df = pl.DataFrame({"source_file": ["pricing/litellm/model_prices_2025-02-06.json",
                                       "pricing/litellm/model_prices_2026-07-24.json", "pricing/llm-prices/xai.json"]})
    assert figs._sources(df) == ["pricing/litellm/model_prices_2026-07-24.json", "pricing/llm-prices/xai.json"]
    assert "1 earlier" in figs._note(df)


# --- cheapest at a capability level, Epoch's method on dated price points --------------------------------

def _cap(rows):
    """rows: (model_id, release_date, score)"""
    return pl.DataFrame([dict(model_id=m, model=m.upper(), metric="eci", release_date=d, score=s) for m, d, s in rows])


def test_each_version_keeps_its_own_score_no_look_ahead():
    # version 1 (2024-01) scores 120, version 2 (2024-07) 135: a price of 2024-03 belongs to version 1
    cap = _cap([("g", D(2024, 1, 10), 120.0), ("g", D(2024, 7, 1), 135.0)])
    r = refs(frame(
        usd(model_id="g", model_key="g", valid_from=D(2024, 3, 1), valid_to=D(2024, 8, 1), input_orig=4.0,
            output_orig=4.0),
        usd(model_id="g", model_key="g", valid_from=D(2024, 8, 1), input_orig=2.0, output_orig=2.0, source_row=2)))
    pts = pm.price_points(r, cap, fx_table=FX)
    assert pts.select("date", "eci").rows() == [(D(2024, 3, 1), 120.0), (D(2024, 8, 1), 135.0)]
    cheap, _ = pm.cheapest_at_capability(pts, 130)
    assert cheap["date"].to_list() == [D(2024, 8, 1)]  # the 2024-03 price is not an ECI>=130 price


def test_first_seen_price_is_shown_but_never_fitted():
    # four dated cuts of model a; model b released 2024-01 but first listed (no stated start) in 2026 at a
    # very low price: without the first-seen rule it would manufacture a steep decline
    cap = _cap([("a", D(2023, 1, 1), 140.0), ("b", D(2024, 1, 1), 140.0)])
    rows = [usd(model_id="a", model_key="a", valid_from=D(2023 + i, 1, 1), valid_to=D(2024 + i, 1, 1),
                input_orig=8.0 / 2 ** i, output_orig=8.0 / 2 ** i, source_row=i + 1) for i in range(4)]
    rows.append(usd(model_id="b", model_key="b", valid_from=None, observed_from=D(2026, 6, 1), input_orig=0.01,
                    output_orig=0.01, date_basis="observed", source="litellm", list_price=False, source_row=9,
                    snapshot=D(2026, 12, 31)))
    pts = pm.price_points(refs(frame(*rows)), cap, fx_table=FX)
    assert pts.filter(pl.col("model_id") == "b")["basis"].to_list() == ["first_seen"]
    cheap, fits = pm.cheapest_at_capability(pts, 130)
    f = fits["United States"]
    assert f["n"] == 4 and f["factor_per_year"] == pytest.approx(2.0, rel=0.01) and f["first_seen"] == 1
    assert not cheap.filter(pl.col("model_id") == "b")["kept"].any()
    assert "first-seen" in pm.describe_trend("United States", f, 130)


def test_models_at_the_threshold_without_a_release_date_are_counted_per_country():
    cap = _cap([("a", D(2023, 1, 1), 140.0), ("u", None, 150.0), ("v", None, 120.0)]).with_columns(
        pl.Series("country_bucket", ["United States"] * 3))
    assert pm.undated_at(cap, 130) == {"United States": 1}  # 'v' is under the threshold
    rows = [usd(model_id="a", model_key="a", valid_from=D(2023 + i, 1, 1), valid_to=D(2024 + i, 1, 1),
                input_orig=8.0 / 2 ** i, output_orig=8.0 / 2 ** i, source_row=i + 1) for i in range(4)]
    pts = pm.price_points(refs(frame(*rows)), cap, fx_table=FX)
    assert set(pts["model_id"]) == {"a"}
    _, fits = pm.cheapest_at_capability(pts, 130, undated=pm.undated_at(cap, 130))
    assert fits["United States"]["undated"] == 1
    assert "without a known release date, left out: 1" in pm.describe_trend("United States", fits["United States"], 130)


def test_no_trend_on_fewer_than_four_dated_points():
    cap = _cap([("a", D(2023, 1, 1), 140.0)])
    rows = [usd(model_id="a", model_key="a", valid_from=D(2023 + i, 1, 1), valid_to=D(2024 + i, 1, 1),
                input_orig=8.0 / 2 ** i, output_orig=8.0 / 2 ** i, source_row=i + 1) for i in range(3)]
    pts = pm.price_points(refs(frame(*rows)), cap, fx_table=FX)
    _, fits = pm.cheapest_at_capability(pts, 130)
    f = fits["United States"]
    assert f["factor_per_year"] is None and f["n"] == 3
    assert "no trend" in pm.describe_trend("United States", f, 130)


def test_price_war_default_trends_rest_on_four_dated_points_or_none(built):
    sel = built["reference_prices"].filter(pl.col("country_bucket").is_in(["United States", "China"]))
    pts = pm.price_points(sel, built["capability"])
    _, fits = pm.cheapest_at_capability(pts, 130.0, D(2024, 1, 1))
    for f in fits.values():
        assert f["factor_per_year"] is None or (f["n"] >= 4 and f["factor_low"] < f["factor_per_year"] < f["factor_high"])
    # Gemini 1.5 Flash (released 2024-09) first listed by the first LiteLLM snapshot (2025-02-06): first seen
    gem = pts.filter(pl.col("model_id") == "gemini-1-5-flash")
    assert len(gem) and (gem.filter(pl.col("source") == "litellm")["basis"] == "first_seen").all()
    # no point rests on a reading the rule overruled: every point is a reference_prices period start
    starts = set(sel.select("model_id", "valid_from").iter_rows())
    assert all((m, s) in starts for m, s in pts.select("model_id", "start").iter_rows())
