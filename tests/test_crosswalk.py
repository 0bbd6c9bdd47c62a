"""Model crosswalk: rules on inline records, coverage on the real snapshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from analysis import crosswalk, registry
from analysis.build import format_coverage
from analysis.clean.capability import CAPABILITY
from analysis.clean.common import StepResult

REG = registry.load()


def eci(version, name, date, org="OpenAI", access="API access"):
    return {"Model version": version, "Model name": name, "Release date": date, "Organization": org,
            "Model accessibility": access}


def aa(slug, name, creator, release, open_=False):
    return {"slug": slug, "name": name, "creator": creator, "release": release, "open": open_}


@pytest.mark.parametrize("raw, key", [
    ("moonshotai/Kimi-K2-Instruct", "kimi-k2"),
    ("Kimi-K2-Instruct-0905", "kimi-k2-instruct-0905"),  # only trailing qualifiers are dropped
    ("claude-3-7-sonnet-20250219_2K", "claude-3-7-sonnet-20250219"),
    ("gemini-3-flash (thinking-minimal)", "gemini-3-flash"),
    ("GPT-4.1", "gpt-4-1"),
    ("gpt-oss-120b-high", "gpt-oss-120b"),
    ("kimi-k2-thinking", "kimi-k2-thinking"),  # a separate release: kept
    ("qwen3-max", "qwen3-max"),  # '-max' is a model tier, not an effort level
])
def test_norm_key(raw, key):
    assert crosswalk.norm_key(raw) == key


def test_eci_version_and_name_resolve_to_one_model():
    cw = crosswalk.build([eci("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14")], [], REG)
    assert cw.resolve_model("gpt-4.1-2025-04-14", "lmarena") == "gpt-4-1"
    assert cw.resolve_model("GPT-4.1", "livebench") == "gpt-4-1"


def test_aa_slug_joins_the_eci_model_and_unknown_aa_model_is_added():
    cw = crosswalk.build([eci("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14")],
                         [aa("gpt-4-1", "GPT-4.1", "OpenAI", "2025-04-14"),
                          aa("glm-9", "GLM-9", "Z AI", "2026-01-01", True)], REG)
    assert cw.lookup("gpt-4-1", "artificial_analysis").origin == "eci"
    m = cw.lookup("glm-9", "artificial_analysis")
    assert (m.model_id, m.country_bucket, m.open_weights, m.release_date) == (
        "glm-9", "China", True, dt.date(2026, 1, 1))


def test_display_name_shared_by_two_releases_is_ambiguous():
    cw = crosswalk.build([eci("model-a-0101", "Model A", "2025-01-01"), eci("model-a-0601", "Model A", "2025-06-01"),
                          eci("model-b", "Model B", "2025-02-01")], [], REG)
    # 'Model A' names the same model_id on two dates: the first release keeps the name
    assert cw.lookup("Model A", "lmarena").release_date == dt.date(2025, 1, 1)
    assert cw.lookup("model-a-0601", "lmarena").release_date == dt.date(2025, 6, 1)


def test_thinking_mode_falls_back_to_the_release_but_own_release_wins():
    cw = crosswalk.build([eci("deepseek-v3.2", "DeepSeek-V3.2", "2025-12-01", "DeepSeek"),
                          eci("kimi-k2", "Kimi K2", "2025-07-12", "Moonshot"),
                          eci("kimi-k2-thinking", "Kimi K2 Thinking", "2025-11-06", "Moonshot")], [], REG)
    assert cw.resolve_model("deepseek-v3.2-thinking", "lmarena") == "deepseek-v3-2"
    assert cw.resolve_model("kimi-k2-thinking", "lmarena") == "kimi-k2-thinking"


def test_livebench_claude_word_order_and_effort_suffix():
    cw = crosswalk.build([eci("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05", "Anthropic")], [], REG)
    assert cw.resolve_model("claude-4-1-opus-20250805-thinking-32k", "livebench") == "claude-opus-4-1"
    assert cw.resolve_model("claude-opus-4-1-20250805-high-effort", "livebench") == "claude-opus-4-1"


def test_exception_overrides_rules_for_its_source_only():
    cw = crosswalk.build([eci("mistral-medium-3.1", "Mistral Medium 3.1", "2025-08-12", "Mistral AI")], [], REG,
                         {("lmarena", "mistral-medium-2508"): "mistral-medium-3.1"})
    assert cw.resolve_model("mistral-medium-2508", "lmarena") == "mistral-medium-3-1"
    assert cw.resolve_model("mistral-medium-2508", "livebench") is None


def test_unknown_name_and_unknown_creator_do_not_resolve():
    cw = crosswalk.build([], [aa("x-1", "X 1", "No Such Lab", "2025-01-01")], REG)
    assert cw.resolve_model("x-1", "artificial_analysis") is None
    assert cw.resolve_model("nothing-like-it", "lmarena") is None


def test_exceptions_file_needs_every_column(tmp_path: Path):
    p = tmp_path / "x.csv"
    p.write_text("source,source_name,target,reason\nlmarena,a,b,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="every column"):
        crosswalk.load_exceptions(p)


def test_coverage_report_counts_unmatched_names_without_listing_them():
    q = pl.DataFrame({"table": ["capability"], "source_file": ["f.json"], "source_row": [2], "key": ["zz-1"],
                      "column": ["name"], "reason": ["not in the crosswalk"]})
    df = CAPABILITY.empty()
    counts = pl.DataFrame({"table": ["capability"], "source_file": ["f.json"], "rows_in": [1], "rows_used": [0],
                           "rows_quarantined": [1]})
    text = format_coverage(StepResult(CAPABILITY, df, q, counts))
    assert "0/1" in text and "zz-1" not in text  # the names go to data/clean/unlinked_names.csv


# --- real snapshots -----------------------------------------------------------------------------

# Coverage measured on the pinned snapshots (2026-11 build): AA 96.3%, LMArena 67.5% (older arena
# models are in neither ECI nor AA), LiveBench 88.1%. A drop below these floors means a rule broke.
COVERAGE_FLOOR = {
    "capability/japhba_artificial-analysis-snapshot/aa_models_2026-07-02.json": 0.95,
    "capability/smallai-api_llm-ranking/leaderboard-text_2026-07-08.json": 0.66,
    "capability/smallai-api_llm-ranking/leaderboard-text-style-control_2026-07-08.json": 0.66,
    "capability/livebench_livebench.github.io/table_2026_01_08.csv": 0.86,
}


@pytest.mark.parametrize("source_file", sorted(COVERAGE_FLOOR))
def test_coverage_does_not_drop(built, source_file):
    cap, q = built["capability"], built["quarantine"]
    used = cap.filter(pl.col("source_file") == source_file)["source_model"].n_unique()
    missed = q.filter((pl.col("source_file") == source_file) & (pl.col("column") == "name"))["key"].n_unique()
    assert used / (used + missed) >= COVERAGE_FLOOR[source_file]


def test_seed_names_resolve_across_sources(built):
    cw = crosswalk.load(registry.load())
    # Kimi K2: ECI 'Kimi-K2-Instruct' (release 2025-07-12), AA slug 'kimi-k2', LMArena 'kimi-k2-0711-preview'
    ids = {cw.resolve_model("Kimi-K2-Instruct", "epoch"), cw.resolve_model("kimi-k2", "artificial_analysis"),
           cw.resolve_model("kimi-k2-0711-preview", "lmarena")}
    assert ids == {"kimi-k2"}
    assert cw.lookup("kimi-k2-0711-preview", "lmarena").release_date == dt.date(2025, 7, 12)


def test_epoch_model_files_add_canonical_models():
    def ep(name, date, org, domain="Language"):
        return {"Model": name, "Publication date": date, "Organization": org, "Domain": domain,
                "Model accessibility": "API access"}
    cw = crosswalk.build([eci("gpt-4o", "GPT-4o", "2024-05-13")], [], REG, epoch_rows=[
        ep("Doubao-pro", "2024-10-28", "ByteDance"), ep("GPT-4o", "2024-05-13", "OpenAI"),  # already known
        ep("AlphaGo Zero", "2017-10-18", "DeepMind", domain="Games"),  # not a language model
        ep("Nobody-1", "2024-01-01", "No Such Lab")])  # organization not in the registry
    m = cw.lookup_price("Doubao-pro-32k", "llm-price-cn-tables")[0]
    assert m is not None and (m.model_id, m.origin, m.release_date) == ("doubao-pro", "epoch_models",
                                                                         dt.date(2024, 10, 28))
    assert sorted(m.model_id for m in cw.models.values()) == ["doubao-pro", "gpt-4o"]


def test_price_coverage_sentence_counts_chat_keys_per_country():
    from analysis import vocab
    rows = [("litellm", "gpt-x", "rule", vocab.US), ("litellm", "gpt-y", "unlinked", vocab.US),
            ("litellm", "qwen-x", "alias", vocab.CHINA), ("litellm", "qwen-x", "unlinked", vocab.CHINA),
            ("litellm", "qwen-z", "unlinked", vocab.CHINA), ("litellm", "gpt-x-realtime", "unlinked", vocab.US)]
    prices = pl.DataFrame(rows, schema=["source", "model_key", "crosswalk", "country_bucket"], orient="row")
    text = crosswalk.price_coverage_sentence(prices)
    assert "LiteLLM 1 of 2 US and 1 of 2 Chinese link to a canonical model" in text
    assert "(1 non-chat keys" in text


def test_capability_coverage_sentence_counts_quarantined_names():
    cap = pl.DataFrame({"metric": ["m", "m", "m", "other"], "source_file": ["f", "f", "f", "g"],
                        "source_model": ["a", "a", "b", "c"]})
    q = pl.DataFrame({"source_file": ["f", "f", "f", "g"], "column": ["name", "name", "score", "name"],
                      "key": ["x", "x", "y", "z"]})
    text = crosswalk.capability_coverage_sentence(cap, "m", q)
    assert text.startswith("Crosswalk coverage: 2 of 3 distinct model names of f (67%)")
    assert "the other 1 are left out" in text
