"""The clean `prices` table: interval logic, tiers, and checked-by-hand rows of the real snapshots."""

import datetime as dt

import polars as pl
import pytest

from analysis.clean import crosswalk
from analysis.clean.prices import collapse_snapshots

D = dt.date
SNAPS = [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]


def obs(snap, price, row=1, key="m"):
    return dict(k=key, snap=snap, p=price, source_row=row)


def test_collapse_merges_equal_consecutive_prices():
    out = collapse_snapshots([obs(SNAPS[0], 1), obs(SNAPS[1], 1, 2)], SNAPS, ("k",), ("p",))
    assert len(out) == 1
    assert (out[0]["valid_from"], out[0]["valid_to"], out[0]["n_observations"]) == (SNAPS[0], SNAPS[2], 2)


def test_collapse_open_end_when_seen_in_last_snapshot():
    out = collapse_snapshots([obs(s, 1) for s in SNAPS], SNAPS, ("k",), ("p",))
    assert out[0]["valid_to"] is None


def test_collapse_splits_on_price_change():
    out = collapse_snapshots([obs(SNAPS[0], 2), obs(SNAPS[1], 1, 2)], SNAPS, ("k",), ("p",))
    got = sorted((o["valid_from"], o["valid_to"], o["p"]) for o in out)
    assert got == [(SNAPS[0], SNAPS[1], 2), (SNAPS[1], SNAPS[2], 1)]


def test_collapse_gap_starts_a_new_period():
    out = collapse_snapshots([obs(SNAPS[0], 1), obs(SNAPS[2], 1, 3)], SNAPS, ("k",), ("p",))
    assert sorted((o["valid_from"], o["valid_to"]) for o in out) == [(SNAPS[0], SNAPS[1]), (SNAPS[2], None)]


def test_crosswalk_rule_strips_prefix_suffix_and_date():
    assert crosswalk.normalise("openai/gpt-4o-mini-2024-07-18:free") == "gpt-4o-mini"


def test_crosswalk_links_ignoring_hyphens():
    assert crosswalk.link("x", "qwen3.7-max", {"qwen37max": "qwen-3-7-max"}, {}) == ("qwen-3-7-max", "rule")


def test_crosswalk_exception_wins():
    assert crosswalk.link("s", "k", {"k": "a"}, {("s", "k"): "b"}) == ("b", "exception")


def test_crosswalk_unlinked_keeps_rule_id():
    assert crosswalk.link("s", "Foo 1.5", {}, {}) == ("foo-1-5", "unlinked")


# --- real snapshots ------------------------------------------------------------------------------

def one(prices, **eq):
    d = prices
    for k, v in eq.items():
        d = d.filter(pl.col(k) == v)
    assert len(d) == 1, d
    return d.row(0, named=True)


def test_deepseek_chat_change_2025_02_08(built):
    # pricing/llm-prices/deepseek.json, model deepseek-chat: 0.14/0.28 to 2025-02-08, 0.27/1.1 from it
    p = built["prices"].filter((pl.col("source") == "llm-prices") & (pl.col("model_key") == "deepseek-chat"))
    old = one(p, valid_to=D(2025, 2, 8))
    new = one(p, valid_from=D(2025, 2, 8))
    assert (old["input_usd_per_m"], old["output_usd_per_m"]) == (0.14, 0.28)
    assert (new["input_usd_per_m"], new["output_usd_per_m"], new["valid_to"]) == (0.27, 1.1, None)


def test_long_context_tier_kept_apart(built):
    # pricing/llm-prices/openai.json ids gpt-5.4 (base) and gpt-5.4-272k (5.0 / 22.5)
    p = built["prices"].filter((pl.col("source") == "llm-prices") & (pl.col("model_key") == "gpt-5.4"))
    t = one(p, price_kind="long_context")
    assert (t["min_input_tokens"], t["input_usd_per_m"], t["output_usd_per_m"]) == (272000, 5.0, 22.5)
    assert one(p, price_kind="base")["input_usd_per_m"] < 5.0


def test_llm_prices_cn_deepseek_v4_flash_history(built):
    # llm-prices-cn: deepseek-v4-flash 1/2 CNY until the 2026-08-17 file, 1.5/4.5 then, 3/9 from 2026-08-21
    p = built["prices"].filter((pl.col("source") == "llm-prices-cn") & (pl.col("model_key") == "deepseek-v4-flash")
                               & (pl.col("price_kind") == "base")).sort("valid_from")
    assert p.select("input_orig", "output_orig").rows() == [(1.0, 2.0), (1.5, 4.5), (3.0, 9.0)]
    assert p["valid_from"].to_list() == [D(2026, 7, 7), D(2026, 8, 17), D(2026, 8, 21)]
    assert p["currency"].unique().to_list() == ["CNY"]
    r = p.row(0, named=True)
    assert r["input_usd_per_m"] == pytest.approx(1.0 / r["usd_cny"])


def test_cn_table_qwen_max_first_row(built):
    # flanker_llmprice.cn_readme_tables.csv record 1: commit 49a5881 2024-05-25, qwen-max "40元" / "120元"
    p = built["prices"].filter((pl.col("source") == "llm-price-cn-tables") & (pl.col("model_key") == "qwen-max"))
    r = one(p, valid_from=D(2024, 5, 25))
    assert (r["currency"], r["input_orig"], r["output_orig"], r["source_row"]) == ("CNY", 40.0, 120.0, 1)
    assert r["fx_date"] == D(2024, 5, 1)


def test_cn_table_usd_original_in_brackets(built):
    # flanker: Anthropic "Claude 3 Opus" "105元 ($15)" / "525元 ($75)" -> USD 15 / 75 originals
    p = built["prices"].filter((pl.col("source") == "llm-price-cn-tables") & (pl.col("model_key") == "Claude 3 Opus"))
    assert set(p.select("currency", "input_orig", "output_orig").rows()) == {("USD", 15.0, 75.0)}


def test_free_rows_quarantined(built):
    q = built["quarantine"].filter((pl.col("table") == "prices") & pl.col("reason").str.starts_with("free"))
    assert len(q) == 60  # "免费" cells of the flanker tables


def test_crosswalk_coverage_does_not_drop(built):
    cov = crosswalk.coverage(built["prices"])
    share = cov["linked"].sum() / cov["keys"].sum()
    assert share >= 0.48, crosswalk.coverage_report(built["prices"])
