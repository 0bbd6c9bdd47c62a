"""Unit and currency rules for prices (analysis/clean/price_units.py, analysis/curated/fx.py)."""

import datetime as dt

import polars as pl
import pytest

from analysis.clean import price_units as u
from analysis.curated import fx


def test_per_token_to_per_m():
    assert u.per_token_to_per_m(2.5e-06) == pytest.approx(2.5)


def test_per_1k_to_per_m():
    assert u.per_1k_to_per_m(0.03) == pytest.approx(30.0)


@pytest.mark.parametrize("s", ["40元", "40 元", " 40  元 "])
def test_cny_string(s):
    assert u.parse_price_string(s) == u.ParsedPrice(40.0, "CNY")


def test_bare_number_takes_default_currency():
    assert u.parse_price_string("0.8") == u.ParsedPrice(0.8, "CNY")


def test_cny_with_usd_in_brackets_keeps_the_usd_original():
    assert u.parse_price_string("17.5元 ($2.5)") == u.ParsedPrice(2.5, "USD")
    assert u.parse_price_string("17.5 元 ($2.50)") == u.ParsedPrice(2.5, "USD")


def test_free_is_not_a_price():
    p = u.parse_price_string("免费")
    assert p.amount is None and "free" in p.reason


@pytest.mark.parametrize("s", ["-", "", None])
def test_missing_is_not_a_price(s):
    assert u.parse_price_string(s).amount is None


def test_unparseable_string_names_itself():
    p = u.parse_price_string("40元起")
    assert p.amount is None and "40元起" in p.reason


def test_price_problem_negative_placeholder():
    assert "negative" in u.price_problem(-1.0)


def test_price_problem_zero():
    assert "zero" in u.price_problem(0.0)


def test_price_problem_absurd():
    assert "implausible" in u.price_problem(5000.0)


def test_price_problem_absurd_in_cny_is_scaled():
    assert u.price_problem(5000.0, usd_per_cny=1 / 7) is None


def test_price_problem_ok():
    assert u.price_problem(3.0) is None


def test_tier_suffix_split_when_base_exists():
    assert u.split_tier_suffix("gpt-5.4-272k", {"gpt-5.4", "gpt-5.4-272k"}) == ("gpt-5.4", 272000)


def test_tier_suffix_kept_when_part_of_name():
    assert u.split_tier_suffix("moonshot-v1-8k", {"moonshot-v1-8k"}) == ("moonshot-v1-8k", None)


FX = pl.DataFrame({"date": [dt.date(2024, 5, 1), dt.date(2024, 6, 3)], "usd_cny": [7.24, 7.25]})


def test_fx_as_of_uses_most_recent_earlier_rate():
    r = fx.rates_on(pl.Series([dt.date(2024, 6, 2), dt.date(2024, 6, 3)]), FX)
    assert r["usd_cny"].to_list() == [7.24, 7.25]


def test_fx_too_old_rate_is_null():
    r = fx.rates_on(pl.Series([dt.date(2024, 8, 1)]), FX)
    assert r["usd_cny"][0] is None


def test_fx_before_first_rate_is_null():
    r = fx.rates_on(pl.Series([dt.date(2024, 4, 1)]), FX)
    assert r["usd_cny"][0] is None


def test_fx_table_is_monthly_from_2023():
    t = fx.load()
    months = set(t.filter(pl.col("date") >= dt.date(2023, 1, 1))["date"].dt.strftime("%Y-%m").to_list())
    want = {f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)}
    assert want <= months


def test_fx_table_agrees_with_llm_prices_cn_rate():
    # llm-prices-cn prices_2026-08-21.json: usd_to_cny_rate 6.7379 (a different source, a day apart)
    r = fx.rates_on(pl.Series([dt.date(2026, 8, 21)]), fx.load())["usd_cny"][0]
    assert r == pytest.approx(6.7379, rel=0.01)


def test_cache_hit_price_in_brackets_is_split_off():
    # syaoranwe's DeepSeek cells: "2（缓存命中为0.5）" = 2 per 1M input tokens, 0.5 on a cache hit
    assert u.split_cache_hit("2（缓存命中为0.5）") == ("2", "0.5")
    assert u.split_cache_hit("4 (缓存命中为1元)") == ("4", "1元")


@pytest.mark.parametrize("s", ["14.4(缓存击中则打2.5折)", "0.5-0.8", "3", None])
def test_cell_without_a_stated_cache_price_is_kept_whole(s):
    # a discount ("打2.5折") is not a price: nothing is computed from it
    assert u.split_cache_hit(s) == (s, None)
