"""The clean `prices` table: interval logic, tiers, and checked-by-hand rows of the real snapshots."""

import datetime as dt

import polars as pl
import pytest

from analysis import crosswalk, registry
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


def _cw(*eci_rows, exc=None):
    rows = [{"Model version": v, "Model name": n, "Release date": d, "Organization": o,
             "Model accessibility": "API access"} for v, n, d, o in eci_rows]
    return crosswalk.build(rows, [], registry.load(), exc or {})


def test_crosswalk_links_ignoring_hyphens():
    cw = _cw(("qwen-3.7-max", "Qwen 3.7 Max", "2026-01-01", "Alibaba"))
    assert crosswalk.link("x", "qwen3.7-max", cw) == ("qwen-3-7-max", "rule")


def test_crosswalk_price_key_shares_the_capability_id():
    cw = _cw(("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14", "OpenAI"))
    assert crosswalk.link("litellm", "openai/gpt-4.1-2025-04-14:batch", cw) == ("gpt-4-1", "rule")
    assert crosswalk.link("llm-prices", "gpt-4.1", cw)[0] == cw.resolve_model("GPT-4.1", "lmarena")


def test_crosswalk_exact_id_beats_suffix_folding():
    # norm_key drops '-preview', but 'o1-preview' is its own release
    cw = _cw(("o1-preview-2024-09-12", "o1-preview", "2024-09-12", "OpenAI"), ("o1-2024-12-17", "o1", "2024-12-05", "OpenAI"))
    assert crosswalk.link("llm-prices", "o1-preview", cw) == ("o1-preview", "rule")
    assert crosswalk.link("llm-prices", "o1", cw) == ("o1", "rule")


def test_crosswalk_latest_alias_stays_unlinked():
    cw = _cw(("claude-3-5-sonnet-20241022", "Claude 3.5 Sonnet", "2024-10-22", "Anthropic"))
    assert crosswalk.link("litellm", "claude-3-5-sonnet-latest", cw) == ("claude-3-5-sonnet-latest", "unlinked")


def test_crosswalk_exception_wins():
    cw = _cw(("model-a", "A", "2025-01-01", "OpenAI"), ("model-b", "B", "2025-01-01", "OpenAI"),
             exc={("llm-prices", "a"): "b"})
    assert crosswalk.link("llm-prices", "a", cw) == ("b", "exception")
    assert crosswalk.link("litellm", "a", cw) == ("a", "rule")


def test_crosswalk_unlinked_exception_target():
    cw = _cw(("deepseek-chat", "DeepSeek-V3.2", "2025-12-01", "DeepSeek"), exc={("llm-prices", "deepseek-chat"): "-"})
    assert crosswalk.link("llm-prices", "deepseek-chat", cw) == ("deepseek-chat", "unlinked")
    assert crosswalk.link("litellm", "deepseek-chat", cw) == ("deepseek-v3-2", "rule")


def test_crosswalk_unlinked_keeps_rule_id():
    assert crosswalk.link("s", "Foo 1.5", _cw()) == ("foo-1-5", "unlinked")


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
    # the alias switched to DeepSeek-V3-0324 on 2025-03-24 (data/curated/model_aliases.csv): the period is split there
    assert (new["input_usd_per_m"], new["output_usd_per_m"], new["valid_to"]) == (0.27, 1.1, D(2025, 3, 24))


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
    # the first period is split on 2026-07-31, when the id moved to V4-Flash-0731 (data/curated/model_aliases.csv)
    assert p.select("input_orig", "output_orig").rows() == [(1.0, 2.0), (1.0, 2.0), (1.5, 4.5), (3.0, 9.0)]
    assert p["valid_from"].to_list() == [D(2026, 7, 7), D(2026, 7, 31), D(2026, 8, 17), D(2026, 8, 21)]
    assert p["crosswalk"].to_list() == ["alias", "unlinked", "unlinked", "unlinked"]
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


# measured with the project crosswalk (2026-11 build): 353 / 623 keys (56.7%; price-only crosswalk before: 264, 42%)
PRICE_COVERAGE_FLOOR = {"litellm": 0.52, "llm-price-cn-tables": 0.51, "llm-prices": 0.71, "llm-prices-cn": 0.55}


def test_crosswalk_coverage_does_not_drop(built):
    cov = crosswalk.coverage(built["prices"])
    share = cov["linked"].sum() / cov["keys"].sum()
    assert share >= 0.56, crosswalk.coverage_report(built["prices"])
    for source, share in zip(cov["source"], cov["share_linked"], strict=True):
        assert share >= PRICE_COVERAGE_FLOOR[source], source


def test_litellm_batch_and_priority_kept_apart(built):
    # litellm/model_prices_2025-02-06.json, key "gpt-4o" (6th key): input/output_cost_per_token 2.5e-06 / 1e-05,
    # *_batches 1.25e-06 / 5e-06 -> per 1M: base 2.5 / 10, batch 1.25 / 5
    p = built["prices"].filter((pl.col("source") == "litellm") & (pl.col("model_key") == "gpt-4o")
                               & (pl.col("valid_from") == D(2025, 2, 6)))
    assert one(p, price_kind="base")["input_usd_per_m"] == pytest.approx(2.5)
    b = one(p, price_kind="batch")
    assert (b["input_usd_per_m"], b["output_usd_per_m"]) == (pytest.approx(1.25), pytest.approx(5.0))
    assert b["source_row"] == 6


def test_litellm_deepseek_chat_periods(built):
    # deepseek/deepseek-chat: 1.4e-07/2.8e-07 in the 2025-02-06 mirror file, 2.7e-07/1.1e-06 from the 2025-04-01 file
    # (the mirror snapshots are quarterly, so the 2025-02-08 change is observed on 2025-04-01)
    p = built["prices"].filter((pl.col("source") == "litellm") & (pl.col("model_key") == "deepseek/deepseek-chat")
                               & (pl.col("price_kind") == "base")).sort("valid_from")
    # split at the alias switch of 2025-03-24 (data/curated/model_aliases.csv)
    assert p.select("valid_from", "valid_to").rows()[:2] == [(D(2025, 2, 6), D(2025, 3, 24)), (D(2025, 3, 24), D(2025, 4, 1))]
    assert p["input_usd_per_m"].to_list()[:3] == [pytest.approx(0.14), pytest.approx(0.14), pytest.approx(0.27)]


def test_litellm_resellers_quarantined(built):
    q = built["quarantine"].filter((pl.col("source_file") == "pricing/litellm/model_prices_2026-07-24.json")
                                   & pl.col("reason").str.contains("resells"))
    assert "bedrock" in " ".join(q["reason"].to_list())


def test_crosswalk_exceptions_point_at_capability_models(built):
    ids = set(built["capability"]["model_id"].to_list())
    cw = crosswalk.load(registry.load())
    bad = {k: v for k, v in crosswalk.exceptions(cw).items() if v != "-" and crosswalk.link(*k, cw)[0] not in ids}
    assert not bad


def test_price_and_capability_ids_agree(built):
    # one crosswalk, one id space: every linked price id is a canonical model of the project crosswalk, and
    # most of them have capability rows (a few crosswalk models have no usable score, e.g. 'gpt-4v')
    # (models only Epoch's model files know, e.g. Doubao, are canonical without a score: counted apart)
    # (and models only price sources or leaderboards know, analysis.canonical: in `canonical_models`, counted apart)
    linked = set(built["prices"].filter(pl.col("crosswalk") != "unlinked")["model_id"].to_list())
    models = built["canonical_models"]
    assert linked <= set(models["model_id"].to_list())
    scored_origin = linked & set(models.filter(pl.col("origin").is_in(["eci", "aa"]))["model_id"].to_list())
    assert len(scored_origin & set(built["capability"]["model_id"].to_list())) >= 0.9 * len(scored_origin)


def test_deepseek_moving_alias_linked_per_date_and_labelled_version_linked(built):
    # data/curated/model_aliases.csv: 'deepseek-chat' served several releases, linked per period (unlinked only
    # outside the sourced periods); the README's 'deepseek-chat(v3)' row names DeepSeek-V3
    p = built["prices"].select("source", "model_key", "model_id", "crosswalk").unique()
    assert set(p.filter(pl.col("model_key") == "deepseek-chat")["crosswalk"].to_list()) == {"alias", "unlinked"}
    assert p.filter(pl.col("model_key") == "deepseek-chat(v3)").select("model_id", "crosswalk").rows() == [
        ("deepseek-v3", "exception")]


def test_crosswalk_exception_applied(built):
    # data/curated/model_crosswalk.csv: llm-prices claude-4.5-haiku -> claude-haiku-4-5
    r = built["prices"].filter((pl.col("source") == "llm-prices") & (pl.col("model_key") == "claude-4.5-haiku"))
    assert set(r.select("model_id", "crosswalk").rows()) == {("claude-haiku-4-5", "exception")}
