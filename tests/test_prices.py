"""The clean `prices` table: interval logic, tiers, and checked-by-hand rows of the real snapshots."""

import datetime as dt

import polars as pl
import pytest
from conftest import eci_releases

from analysis.acquire.readers import parse_csv_text
from analysis.clean import prices
from analysis.clean.common import Sources
from analysis.clean.prices import collapse_snapshots
from analysis.core.errors import InputError
from analysis.curated import crosswalk, registry
from analysis.store import build

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
    return crosswalk.build(eci_releases(rows, registry.load()), [], registry.load(), exc or {})


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


# --- syaoranwe/LLM-Price tables: the curated section rule on inline records ------------------------

SYAO = prices.SYAORANWE_FILE
RULES = """section,table_label_contains,note_contains,rule,reason,source
GPT系列,,,usd_converted,USD converted at the author's fixed rate,README section GPT系列
通义千问开源系列,together.ai,,reseller,together.ai platform price,README table label together.ai
通义千问开源系列,最低报价,平台：阿里云,list_price,Alibaba Cloud's own price,README notes 平台：阿里云
通义千问开源系列,最低报价,,reseller,a third-party platform's quote,README notes name the platform
通义千问闭源系列,,,list_price,Alibaba's own API list price,README section 通义千问闭源系列
Deepseek系列,,,list_price,DeepSeek's own API list price,README section Deepseek系列
"""


def syao(*records, rules=RULES):
    """Run the syaoranwe reader on inline records (commit, local date, section, table label, kind, model, input,
    output[, note]); returns (periods by model key, quarantine)."""
    cols = list(prices.SYAORANWE_COLUMNS)
    rows = [dict(zip(cols, (c, d, sec, lab, kind, m, i, o, None, note), strict=True))
            for c, d, sec, lab, kind, m, i, o, *rest in records for note in [rest[0] if rest else None]]
    df = pl.DataFrame(rows, schema={c: pl.String for c in cols}).with_row_index("source_row", offset=1)
    df = df.with_columns(pl.col("source_row").cast(pl.Int64))
    src = Sources({SYAO: df, prices.SECTIONS_FILE: (prices.SECTIONS_FILE, parse_csv_text("rules", rules))},
                  {SYAO: D(2025, 6, 29)})
    periods, led = prices._parse_syaoranwe(src, None)
    q = led.quarantine()
    # rows in = rows used (records merged into periods) + rows quarantined
    assert sum(p["n_observations"] for p in periods) + len(q) == len(records)
    return periods, q


def reason_of(q, row):
    return q.filter(pl.col("source_row") == row)["reason"].item()


def test_syaoranwe_lab_list_price_kept_in_cny_and_dated_by_its_commit():
    periods, q = syao(("c1", "2024-12-17", "通义千问闭源系列", "价格：", "inference", "qwen-max", "40", "120"),
                      ("c2", "2025-02-06", "通义千问闭源系列", "价格：", "inference", "qwen-max", "2.4", "9.6"))
    assert q.is_empty()
    got = sorted((p["valid_from"], p["valid_to"], p["currency"], p["input_orig"], p["output_orig"], p["provider"])
                 for p in periods)
    assert got == [(D(2024, 12, 17), D(2025, 2, 6), "CNY", 40.0, 120.0, "通义千问闭源系列"),
                   (D(2025, 2, 6), None, "CNY", 2.4, 9.6, "通义千问闭源系列")]
    assert {p["source"] for p in periods} == {"llm-price-syaoranwe"}


def test_syaoranwe_reseller_table_quarantined_with_the_rule_reason():
    periods, q = syao(("c1", "2024-05-23", "通义千问开源系列", "**together.ai平台价格**", "inference", "qwen2-72b", "6.48",
                       "6.48"))
    assert periods == []
    assert reason_of(q, 1).startswith("reseller: together.ai platform price")
    assert q["column"].to_list() == ["section"]


def test_syaoranwe_row_note_decides_within_a_mixed_table():
    periods, q = syao(
        ("c1", "2025-02-06", "通义千问开源系列", "以下最低报价", "inference", "qwen2.5-vl-7b", "2", "5", "平台：阿里云"),
        ("c1", "2025-02-06", "通义千问开源系列", "以下最低报价", "inference", "qwen3-32b", "0.72", "2.76", "平台：DeepInfra"))
    assert [p["model_key"] for p in periods] == ["qwen2.5-vl-7b"]
    assert reason_of(q, 2).startswith("reseller: a third-party platform's quote")


def test_syaoranwe_fine_tuning_table_quarantined():
    periods, q = syao(("c1", "2025-02-06", "通义千问闭源系列", None, "finetune", "qwen-max", "40", "120"))
    assert periods == [] and "fine-tuning" in reason_of(q, 1)


def test_syaoranwe_usd_converted_at_a_fixed_rate_is_never_a_cny_list_price():
    # GPT系列 cells are CNY figures the author converted from USD at a fixed rate, without the USD original
    periods, q = syao(("c1", "2024-05-23", "GPT系列", "价格：", "inference", "gpt-4o", "36", "108"))
    assert periods == []
    assert reason_of(q, 1).startswith("usd_converted: USD converted at the author's fixed rate")


def test_syaoranwe_section_without_a_rule_is_quarantined_not_guessed():
    periods, q = syao(("c1", "2024-05-23", "新厂商系列", "价格：", "inference", "new-1", "1", "2"))
    assert periods == [] and "no rule for section '新厂商系列'" in reason_of(q, 1)


def test_syaoranwe_model_repeated_in_one_commit_keeps_its_first_row():
    periods, q = syao(("c1", "2025-02-06", "通义千问闭源系列", "价格：", "inference", "qwen-max", "2.4", "9.6"),
                      ("c1", "2025-02-06", "通义千问闭源系列", "价格：", "inference", "qwen-max", "3", "9"))
    assert [(p["input_orig"], p["source_row"]) for p in periods] == [(2.4, 1)]
    assert "second price for the model in the same README version as record 1" in reason_of(q, 2)


def test_syaoranwe_same_day_commits_the_last_holds():
    periods, q = syao(("c1", "2025-02-06", "通义千问闭源系列", "价格：", "inference", "qwen-max", "40", "120"),
                      ("c2", "2025-02-06", "通义千问闭源系列", "价格：", "inference", "qwen-max", "2.4", "9.6"))
    assert [(p["input_orig"], p["valid_from"], p["source_row"]) for p in periods] == [(2.4, D(2025, 2, 6), 2)]
    assert "superseded by record 2 of a later README version of the same day" in reason_of(q, 1)


def test_syaoranwe_api_id_with_its_served_model_and_cache_price():
    periods, q = syao(("c1", "2025-02-06", "Deepseek系列", "价格：", "inference", "deepseek-chat（基于DeepSeek-V3）",
                       "2（缓存命中为0.5）", "8"))
    (p,) = periods
    assert (p["model_key"], p["model_name"]) == ("deepseek-chat", "deepseek-chat（基于DeepSeek-V3）")
    assert (p["input_orig"], p["cached_input_orig"], p["output_orig"]) == (2.0, 0.5, 8.0)


def test_syaoranwe_rules_file_with_an_unknown_rule_is_an_error():
    bad = RULES + "GLM系列,,,maybe,?,README\n"
    with pytest.raises(InputError, match=r"data/curated/syaoranwe_sections.csv: record 7, column 'rule': 'maybe'"):
        syao(("c1", "2024-05-23", "GLM系列", "价格：", "inference", "GLM-4", "100", "100"), rules=bad)


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


def test_syaoranwe_qwen_max_cut_dated_by_the_commit_that_first_shows_it(built):
    # syaoranwe_LLM-Price_readme_tables.csv: qwen-max 40 / 120 元 until commit 58844cc (2024-12-17); 2.4 / 9.6 元 from
    # commit a1c9a4a, 2025-02-06 (section 通义千问闭源系列, Alibaba's own API)
    p = built["prices"].filter((pl.col("source") == "llm-price-syaoranwe") & (pl.col("model_key") == "qwen-max"))
    r = one(p, valid_from=D(2025, 2, 6))
    assert (r["currency"], r["input_orig"], r["output_orig"]) == ("CNY", 2.4, 9.6)
    assert (r["organization"], r["list_price"], r["date_basis"]) == ("Alibaba", True, "observed")
    assert one(p, valid_to=D(2025, 2, 6))["input_orig"] == 40.0


def test_syaoranwe_keeps_no_usd_converted_or_reseller_row(built):
    p = built["prices"].filter(pl.col("source") == "llm-price-syaoranwe")
    assert len(p) > 0 and set(p["currency"].unique()) == {"CNY"}
    assert set(p["country_bucket"].unique()) == {"China"}
    q = built["quarantine"].filter(pl.col("source_file") == prices.SYAORANWE_FILE)
    for rule in ("usd_converted", "reseller"):
        assert q["reason"].str.starts_with(f"{rule}:").any(), rule
    assert q["reason"].str.starts_with("fine-tuning").any()


def test_free_rows_quarantined(built):
    q = built["quarantine"].filter((pl.col("table") == "prices") & pl.col("reason").str.starts_with("free"))
    assert len(q) == 60  # "免费" cells of the flanker tables


# measured with the project crosswalk (2026-11 build): 353 / 623 keys (56.7%; price-only crosswalk before: 264, 42%)
PRICE_COVERAGE_FLOOR = {"litellm": 0.52, "llm-price-cn-tables": 0.51, "llm-prices": 0.71, "llm-prices-cn": 0.55,
                        "llm-price-syaoranwe": 0.90}


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
    cw = build.base_crosswalk(registry.load())
    bad = {k: v for k, v in crosswalk.exceptions(cw).items() if v != "-" and crosswalk.link(*k, cw)[0] not in ids}
    assert not bad


def test_price_and_capability_ids_agree(built):
    # one crosswalk, one id space: every linked price id is a canonical model of the project crosswalk, and
    # most of them have capability rows (a few crosswalk models have no usable score, e.g. 'gpt-4v')
    # (models only Epoch's model files know, e.g. Doubao, are canonical without a score: counted apart)
    # (and models only price sources or leaderboards know, analysis.link.canonical: in `canonical_models`, counted apart)
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
