"""Model crosswalk: rules on inline records, coverage on the real snapshots."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from conftest import eci_releases

from analysis.clean import leaderboards
from analysis.clean.capability import CAPABILITY
from analysis.clean.common import StepResult
from analysis.curated import crosswalk, registry
from analysis.store import build
from analysis.store.build import format_coverage

REG = registry.load()


def eci(version, name, date, org="OpenAI", access="API access"):
    return {"Model version": version, "Model name": name, "Release date": date, "Organization": org,
            "Model accessibility": access}


def xbuild(eci_rows, *args, **kw):
    """crosswalk.build with the ECI rows through the ECI step (analysis.clean.eci), as the build gives them."""
    return crosswalk.build(eci_releases(eci_rows, REG), *args, **kw)


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
    cw = xbuild([eci("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14")], [], REG)
    assert cw.resolve_model("gpt-4.1-2025-04-14", "lmarena") == "gpt-4-1"
    assert cw.resolve_model("GPT-4.1", "livebench") == "gpt-4-1"


def test_aa_slug_joins_the_eci_model_and_unknown_aa_model_is_added():
    cw = xbuild([eci("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14")],
                         [aa("gpt-4-1", "GPT-4.1", "OpenAI", "2025-04-14"),
                          aa("glm-9", "GLM-9", "Z AI", "2026-01-01", True)], REG)
    assert cw.lookup("gpt-4-1", "artificial_analysis").origin == "eci"
    m = cw.lookup("glm-9", "artificial_analysis")
    assert (m.model_id, m.country_bucket, m.open_weights, m.release_date) == (
        "glm-9", "China", True, dt.date(2026, 1, 1))


def test_display_name_shared_by_two_releases_is_ambiguous():
    cw = xbuild([eci("model-a-0101", "Model A", "2025-01-01"), eci("model-a-0601", "Model A", "2025-06-01"),
                          eci("model-b", "Model B", "2025-02-01")], [], REG)
    # 'Model A' names the same model_id on two dates: the first release keeps the name
    assert cw.lookup("Model A", "lmarena").release_date == dt.date(2025, 1, 1)
    assert cw.lookup("model-a-0601", "lmarena").release_date == dt.date(2025, 6, 1)


def test_thinking_mode_falls_back_to_the_release_but_own_release_wins():
    cw = xbuild([eci("deepseek-v3.2", "DeepSeek-V3.2", "2025-12-01", "DeepSeek"),
                          eci("kimi-k2", "Kimi K2", "2025-07-12", "Moonshot"),
                          eci("kimi-k2-thinking", "Kimi K2 Thinking", "2025-11-06", "Moonshot")], [], REG)
    assert cw.resolve_model("deepseek-v3.2-thinking", "lmarena") == "deepseek-v3-2"
    assert cw.resolve_model("kimi-k2-thinking", "lmarena") == "kimi-k2-thinking"


def test_livebench_claude_word_order_and_effort_suffix():
    cw = xbuild([eci("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05", "Anthropic")], [], REG)
    assert cw.resolve_model("claude-4-1-opus-20250805-thinking-32k", "livebench") == "claude-opus-4-1"
    assert cw.resolve_model("claude-opus-4-1-20250805-high-effort", "livebench") == "claude-opus-4-1"


def test_exception_overrides_rules_for_its_source_only():
    cw = xbuild([eci("mistral-medium-3.1", "Mistral Medium 3.1", "2025-08-12", "Mistral AI")], [], REG,
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
# With the leaderboard-only models of analysis.link.canonical (2026-12 build): AA 96.6%, LMArena 96.7%, LiveBench 99.2%.
COVERAGE_FLOOR = {
    "capability/japhba_artificial-analysis-snapshot/aa_models_2026-07-02.json": 0.95,
    "capability/smallai-api_llm-ranking/leaderboard-text_2026-07-08.json": 0.95,
    "capability/smallai-api_llm-ranking/leaderboard-text-style-control_2026-07-08.json": 0.95,
    "capability/livebench_livebench.github.io/table_2026_01_08.csv": 0.95,
}


@pytest.mark.parametrize("source_file", sorted(COVERAGE_FLOOR))
def test_coverage_does_not_drop(built, source_file):
    cap, q = built["capability"], built["quarantine"]
    used = cap.filter(pl.col("source_file") == source_file)["source_model"].n_unique()
    missed = q.filter((pl.col("source_file") == source_file) & (pl.col("column") == "name"))["key"].n_unique()
    assert used / (used + missed) >= COVERAGE_FLOOR[source_file]


def test_seed_names_resolve_across_sources(built):
    cw = build.base_crosswalk(registry.load())
    # Kimi K2: ECI 'Kimi-K2-Instruct' (release 2025-07-12), AA slug 'kimi-k2', LMArena 'kimi-k2-0711-preview'
    ids = {cw.resolve_model("Kimi-K2-Instruct", "epoch"), cw.resolve_model("kimi-k2", "artificial_analysis"),
           cw.resolve_model("kimi-k2-0711-preview", "lmarena")}
    assert ids == {"kimi-k2"}
    assert cw.lookup("kimi-k2-0711-preview", "lmarena").release_date == dt.date(2025, 7, 12)


def test_epoch_model_files_add_canonical_models():
    def ep(name, date, org, domain="Language"):
        return {"Model": name, "Publication date": date, "Organization": org, "Domain": domain,
                "Model accessibility": "API access"}
    cw = xbuild([eci("gpt-4o", "GPT-4o", "2024-05-13")], [], REG, epoch_rows=[
        ep("Doubao-pro", "2024-10-28", "ByteDance"), ep("GPT-4o", "2024-05-13", "OpenAI"),  # already known
        ep("AlphaGo Zero", "2017-10-18", "DeepMind", domain="Games"),  # not a language model
        ep("Nobody-1", "2024-01-01", "No Such Lab")])  # organization not in the registry
    m = cw.lookup_price("Doubao-pro-32k", "llm-price-cn-tables")[0]
    assert m is not None and (m.model_id, m.origin, m.release_date) == ("doubao-pro", "epoch_models",
                                                                         dt.date(2024, 10, 28))
    assert sorted(m.model_id for m in cw.models.values()) == ["doubao-pro", "gpt-4o"]


def test_price_coverage_sentence_counts_chat_keys_per_country():
    from analysis.core import vocab
    rows = [("litellm", "gpt-x", "rule", vocab.US), ("litellm", "gpt-y", "unlinked", vocab.US),
            ("litellm", "qwen-x", "alias", vocab.CHINA), ("litellm", "qwen-x", "unlinked", vocab.CHINA),
            ("litellm", "qwen-z", "unlinked", vocab.CHINA), ("litellm", "gpt-x-realtime", "unlinked", vocab.US)]
    prices = pl.DataFrame(rows, schema=["source", "model_key", "crosswalk", "country_bucket"], orient="row")
    text = crosswalk.price_coverage_sentence(prices)
    assert "LiteLLM 1 of 2 US and 1 of 2 Chinese link to a canonical model" in text
    assert "(1 non-chat keys" in text


def test_a_report_lists_the_unlinked_keys_with_the_builds_reasons():
    """The report's list of unlinked price keys is the build's file (its reasons, the crosswalk's exceptions
    included), limited to the price sources shown; without the file the same rule works them out."""
    from analysis.core import vocab
    prices = pl.DataFrame([("litellm", "gpt-y", "unlinked", vocab.US), ("litellm", "gpt-x", "rule", vocab.US)],
                          schema=["source", "model_key", "crosswalk", "country_bucket"], orient="row")
    unlinked = pl.DataFrame({"source": ["litellm", "aa.json", "litellm"], "name": ["gpt-y", "zz", "tts-1"],
                             "country_bucket": [vocab.US, None, vocab.US],
                             "reason": ["kept unlinked by the exceptions file", "not in the crosswalk",
                                        "non-chat mode"]})
    text = crosswalk.coverage_report(prices, max_list=5, unlinked=unlinked)
    assert "litellm:gpt-y (kept unlinked by the exceptions file)" in text and "zz" not in text and "tts" not in text
    assert "litellm:gpt-y (unknown model)" in crosswalk.coverage_report(prices, max_list=5)


def test_capability_coverage_sentence_counts_quarantined_names():
    cap = pl.DataFrame({"metric": ["m", "m", "m", "other"], "source_file": ["f", "f", "f", "g"],
                        "source_model": ["a", "a", "b", "c"]})
    q = pl.DataFrame({"source_file": ["f", "f", "f", "g"], "column": ["name", "name", "score", "name"],
                      "key": ["x", "x", "y", "z"]})
    from analysis.metrics import coverage

    text = coverage.capability_coverage_sentence(cap, "m", q)
    assert text.startswith("Crosswalk coverage: 2 of 3 distinct model names of f (67%)")
    assert "the other 1 are left out" in text


# --- canonical models beyond the Epoch / AA files (analysis.link.canonical) ----------------------------------

from analysis.core.errors import InputError  # noqa: E402
from analysis.curated.inputs import NameOrg, load_name_orgs, org_of  # noqa: E402
from analysis.link import canonical  # noqa: E402

D = dt.date
NAME_ORGS_HEADER = "pattern,organization,source_url,note\n"


def name_orgs(tmp_path: Path, body: str):
    p = tmp_path / "model_name_orgs.csv"
    p.write_text(NAME_ORGS_HEADER + body, encoding="utf-8")
    return load_name_orgs(REG, p)


def test_name_orgs_first_matching_pattern_wins(tmp_path):
    rules = name_orgs(tmp_path, "gemma-2-9b-it-simpo,Princeton University,https://x.test,a\n"
                                "(?:gemini|gemma)-,Google,https://x.test,b\nhunyuan-,Tencent Hunyuan,https://x.test,c\n")
    assert org_of("gemma-2-9b-it-simpo", rules) == "Princeton University"
    assert org_of("gemma-2-2b-it", rules) == "Google"
    assert org_of("Hunyuan-T1-20250711", rules) == "Tencent"  # an alias of the registry: its canonical name
    assert org_of("vicuna-13b", rules) is None


@pytest.mark.parametrize("body, message", [
    ("hunyuan-,Tencent,https://x.test,\n", "column 'note' is empty"),
    ("hunyuan-(,Tencent,https://x.test,n\n", "column 'pattern': not a regular expression"),
    ("hunyuan-,No Such Lab,https://x.test,n\n", "column 'organization': 'No Such Lab' is not an organization"),
    ("hunyuan-,Tencent,https://x.test,n\nhunyuan-,Tencent,https://x.test,other\n", "'hunyuan-' appears twice"),
    ("hunyuan-,Tencent,arena listing,n\n", "column 'source_url': 'arena listing' is not a URL"),
    ("hunyuan-,Tencent,https://x.test\n", ""),  # a record cut short
    ("", None),  # header only: no rules, no error
])
def test_name_orgs_bad_rows_are_one_line_errors_naming_file_and_record(tmp_path, body, message):
    if message is None:
        assert name_orgs(tmp_path, body) == ()
        return
    with pytest.raises(InputError) as e:
        name_orgs(tmp_path, body)
    msg = str(e.value)
    assert msg.startswith(str(tmp_path / "model_name_orgs.csv")) or "model_name_orgs.csv" in msg.split(":")[0]
    assert message in msg and "\n" not in msg


def test_name_orgs_accepts_a_bom_and_crlf(tmp_path):
    p = tmp_path / "model_name_orgs.csv"
    p.write_bytes(b"\xef\xbb\xbf" + (NAME_ORGS_HEADER + "hunyuan-,Tencent,https://x.test,n\n").replace("\n", "\r\n")
                  .encode())
    assert [(r.pattern.pattern, r.organization) for r in load_name_orgs(REG, p)] == [("hunyuan-", "Tencent")]


def test_the_curated_name_orgs_file_loads():
    rules = load_name_orgs(REG)
    assert org_of("ernie-5.1", rules) == "Baidu" and org_of("dola-seed-2.0-pro", rules) == "ByteDance"


def obs(source, name, org, first_seen, source_date=None, linked=False):
    return canonical.Observation(source, name, org, first_seen, source_date, linked)


def dates(cw):
    return {m.model_id: (m.release_date, m.release_date_basis, m.first_seen) for m in cw.models.values()}


def test_first_seen_is_an_upper_bound_never_a_release_date():
    cw = crosswalk.build([], [], REG)
    canonical.extend(cw, [obs("lmarena", "ernie-9", "Baidu", D(2026, 7, 8)),
                          obs("llm-prices-cn", "ernie-9", "Baidu", D(2026, 3, 1)),  # the earliest file listing it
                          obs("lmarena", "hunyuan-t9-20250711", "Tencent", D(2026, 7, 8), D(2025, 7, 11))], reg=REG)
    assert dates(cw) == {"ernie-9": (None, "first_seen", D(2026, 3, 1)),
                         "hunyuan-t9-20250711": (D(2025, 7, 11), "source_date", D(2026, 7, 8))}
    t = canonical.clean(None, cw).df
    assert t.filter(pl.col("model_id") == "ernie-9").select("release_date", "first_seen").row(0) == (None, D(2026, 3, 1))


def test_a_stated_date_later_than_the_first_sighting_is_not_a_release_date():
    cw = crosswalk.build([], [], REG)
    canonical.extend(cw, [obs("llm-prices", "grok-9", "xAI", D(2026, 8, 5), D(2026, 8, 1)),  # stated price start
                          obs("lmarena", "grok-9", "xAI", D(2026, 7, 8)),  # ...but listed 24 days before it
                          obs("llm-prices", "grok-8", "xAI", D(2026, 9, 30), D(2026, 8, 1)),
                          obs("lmarena", "grok-8", "xAI", D(2026, 8, 5))], reg=REG)
    assert dates(cw) == {"grok-9": (None, "first_seen", D(2026, 7, 8)),
                         "grok-8": (D(2026, 8, 1), "source_date", D(2026, 8, 5))}


def test_a_name_folding_to_another_groups_key_bounds_that_models_first_seen():
    # 'hunyuan-hy3-preview' (LMArena, 2026-07-08) folds to 'hunyuan-hy3' (a price key first seen 2026-08-02): the
    # LMArena rows resolve to hunyuan-hy3, so its first sighting is the LMArena file's, and no model is left that
    # no name resolves to
    cw = crosswalk.build([], [], REG)
    canonical.extend(cw, [obs("llm-prices-cn", "hunyuan-hy3", "Tencent", D(2026, 8, 2)),
                          obs("lmarena", "hunyuan-hy3-preview", "Tencent", D(2026, 7, 8))], reg=REG)
    assert cw.resolve_model("hunyuan-hy3-preview", "lmarena") == "hunyuan-hy3"
    assert dates(cw) == {"hunyuan-hy3": (None, "first_seen", D(2026, 7, 8))}


def test_an_artificial_analysis_sighting_dates_a_model_only_other_sources_add():
    cw = crosswalk.build([], [], REG)
    canonical.extend(cw, [obs("lmarena", "mercury-9", "Inception Labs", D(2026, 7, 8))], reg=REG,
                     sightings=[obs(canonical.AA_SOURCE, "mercury-9", None, D(2026, 7, 2), D(2026, 2, 20)),
                                obs(canonical.AA_SOURCE, "no-such-model", None, D(2026, 7, 2), D(2026, 1, 1))])
    assert dates(cw) == {"mercury-9": (D(2026, 2, 20), "aa", D(2026, 7, 2))}


def test_epoch_and_aa_dates_win_over_every_other_source():
    cw = xbuild([eci("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14")],
                         [aa("glm-9", "GLM-9", "Z AI", "2026-01-01")], REG)
    canonical.extend(cw, [obs("llm-prices", "gpt-4.1", "OpenAI", D(2025, 3, 1), D(2025, 3, 1)),
                          obs("lmarena", "glm-9", "Z.ai", D(2025, 6, 1), D(2025, 6, 1))], reg=REG)
    assert {(m.model_id, m.release_date, m.release_date_basis) for m in cw.models.values()} == {
        ("gpt-4-1", D(2025, 4, 14), "eci"), ("glm-9", D(2026, 1, 1), "aa")}


def test_stated_dates_over_7_days_apart_go_to_the_conflicts():
    cw = crosswalk.build([], [], REG)
    canonical.extend(cw, [obs("llm-prices", "grok-9", "xAI", D(2026, 8, 5), D(2026, 8, 1)),
                          obs("litellm", "grok-9", "xAI", D(2026, 8, 5), D(2026, 7, 8)),  # 24 days earlier
                          obs("llm-prices", "grok-8", "xAI", D(2026, 9, 30), D(2026, 8, 1)),
                          obs("lmarena", "grok-8", "xAI", D(2026, 8, 5))], reg=REG)  # seen later: consistent
    assert [(c.model_id, c.release_date, c.release_date_source, c.alternative_date, c.alternative_source)
            for c in cw.conflicts] == [("grok-9", D(2026, 7, 8), "source_date", D(2026, 8, 1),
                                        "llm-prices (source_date)")]
    t = canonical.clean_conflicts(None, cw).df
    assert t.select("model_id", "days_apart").rows() == [("grok-9", 24)]


def test_names_of_different_sources_meet_in_one_model():
    cw = crosswalk.build([], [], REG)
    canonical.extend(cw, [obs("llm-prices", "gpt-5.6-sol", "OpenAI", D(2026, 8, 5)),
                          obs("llm-prices-cn", "gpt-5-6-sol", "OpenAI", D(2026, 8, 3)),
                          obs("lmarena", "gpt-5.6-sol", "OpenAI", D(2026, 7, 8)),
                          obs("llm-price-cn-tables", "Baichuan3-Turbo", "Baichuan", D(2024, 6, 6)),
                          obs("llm-price-cn-tables", "Baichuan3-Turbo-128k", "Baichuan", D(2024, 6, 7))], reg=REG)
    assert sorted((m.model_id, m.first_seen) for m in cw.models.values()) == [
        ("baichuan3-turbo", D(2024, 6, 6)), ("gpt-5-6-sol", D(2026, 7, 8))]
    assert cw.resolve_model("gpt-5-6-sol", "llm-prices-cn") == cw.resolve_model("gpt-5.6-sol", "lmarena") \
        == "gpt-5-6-sol"
    assert cw.resolve_model("Baichuan3-Turbo-128k", "llm-price-cn-tables") == "baichuan3-turbo"


def test_moving_aliases_exceptions_non_chat_and_unknown_orgs_never_become_models():
    cw = crosswalk.build([], [], REG, {("llm-price-cn-tables", "GLM-4"): "-"})
    canonical.extend(cw, [obs("litellm", "xai/grok-4-latest", "xAI", D(2025, 7, 3)),
                          obs("litellm", "deepseek-chat", "DeepSeek", D(2025, 2, 6)),  # listed in the aliases file
                          obs("lmarena", "gpt-5.2-chat-latest-20260210", "OpenAI", D(2026, 7, 8), D(2026, 2, 10)),
                          obs("llm-price-cn-tables", "GLM-4", "Z.ai", D(2024, 6, 6)),
                          obs("litellm", "gpt-9-realtime", "OpenAI", D(2025, 2, 6)),
                          obs("lmarena", "vicuna-13b", None, D(2026, 7, 8))], {"deepseek-chat"}, reg=REG)
    assert [m.model_id for m in cw.models.values()] == ["gpt-5-2-chat-latest-20260210"]  # dated: not moving
    assert cw.unlinked_reasons == {
        ("litellm", "xai/grok-4-latest"): canonical.MOVING, ("litellm", "deepseek-chat"): canonical.MOVING,
        ("llm-price-cn-tables", "GLM-4"): canonical.KEPT, ("litellm", "gpt-9-realtime"): canonical.NON_CHAT,
        ("lmarena", "vicuna-13b"): canonical.NO_ORG}


def test_a_known_models_id_spelled_as_a_name_links_to_it():
    ep = {"Model": "GLM-4 (0520)", "Publication date": "2024-05-20", "Organization": "Zhipu AI", "Domain": "Language",
          "Model accessibility": "API access"}
    cw = crosswalk.build([], [], REG, epoch_rows=[ep])
    assert cw.resolve_model("glm-4-0520", "lmarena") is None  # the rules fold the name to 'glm-4'... not known
    canonical.extend(cw, [obs("lmarena", "glm-4-0520", "Z.ai", D(2026, 7, 8))], reg=REG)
    assert len(cw.models) == 1 and cw.resolve_model("glm-4-0520", "lmarena") == "glm-4-0520"


def test_canonical_models_table_carries_the_basis():
    cw = xbuild([eci("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14")], [], REG)
    canonical.extend(cw, [obs("lmarena", "ernie-9", "Baidu", D(2026, 7, 8))], reg=REG)
    t = canonical.clean(None, cw).df
    assert t.select("model_id", "release_date_basis", "origin", "country_bucket").rows() == [
        ("ernie-9", "first_seen", "lmarena", "China"), ("gpt-4-1", "eci", "eci", "United States")]


def test_capability_coverage_report_gives_us_and_china_shares():
    rules = (NameOrg(re.compile("ernie-"), "Baidu"),)
    cap = pl.DataFrame({"source_model": ["gpt-x"], "source_file": ["f.json"], "country_bucket": ["United States"]})
    q = pl.DataFrame({"table": ["capability"] * 2, "source_file": ["f.json"] * 2, "source_row": [2, 3],
                      "key": ["ernie-x", "zz-1"], "column": ["name"] * 2, "reason": ["r1", "r2"]})
    counts = pl.DataFrame({"table": ["capability"], "source_file": ["f.json"], "rows_in": [3], "rows_used": [1],
                           "rows_quarantined": [2]})
    r = StepResult(CAPABILITY, cap, q, counts)
    text = canonical.capability_coverage_report(r, rules, REG)
    assert "1/3 (33%)" in text and "US 1/1 (100%)" in text and "China 0/1 (0%)" in text and "ernie-x" not in text
    un = canonical.unlinked_capability(r, rules, REG)
    assert un.rows() == [("f.json", "ernie-x", "China", "r1"), ("f.json", "zz-1", None, "r2")]


# --- the floors of issue 12, on the real snapshots ------------------------------------------------------

PRICE_FLOOR = 0.90  # measured 2026-12 with the i12-aliases rows: the lowest pair is litellm China 63/68 (92.6%)
LMARENA_TEXT = "capability/smallai-api_llm-ranking/leaderboard-text_2026-07-08.json"


# the syaoranwe tables price US labs only in USD converted at the author's fixed rate: all quarantined, no US key
NO_KEYS = {("llm-price-syaoranwe", "United States")}


@pytest.mark.parametrize("source", sorted(crosswalk.PRICE_SOURCES))
def test_floor_us_and_chinese_chat_price_keys_linked(built, source):
    from analysis.core import vocab
    keys = crosswalk.key_status(built["prices"].filter(pl.col("source") == source))
    for bucket in (vocab.US, vocab.CHINA):
        k = keys.filter((pl.col("mode") == "chat") & (pl.col("country_bucket") == bucket))
        if (source, bucket) in NO_KEYS:
            assert k.is_empty(), (source, bucket)
            continue
        share = k["linked"].mean()
        assert share >= PRICE_FLOOR, (source, bucket, share, k.filter(~pl.col("linked"))["model_key"].to_list())


def _lmarena_names(built) -> pl.DataFrame:
    from analysis.curated.inputs import Inputs
    counts = built["row_counts"].filter(pl.col("table") == "capability")
    r = StepResult(CAPABILITY, built["capability"], built["quarantine"].filter(pl.col("table") == "capability"),
                   counts)
    i = Inputs()
    names = canonical.capability_names(r, i.name_orgs, i.registry).filter(pl.col("source_file") == LMARENA_TEXT)
    from analysis.acquire.readers import read_json
    from analysis.clean import leaderboards

    ratings = {n: v["rating"] for n, v in leaderboards.arena_entries(LMARENA_TEXT, read_json(LMARENA_TEXT))}
    return names.with_columns(pl.col("name").replace_strict(ratings, return_dtype=pl.Float64).alias("rating"))


def test_floor_lmarena_top_30_of_each_country_linked(built):
    from analysis.core import vocab
    names = _lmarena_names(built)
    for bucket in (vocab.US, vocab.CHINA):
        top = names.filter(pl.col("country_bucket") == bucket).sort("rating", descending=True).head(30)
        assert len(top) == 30
        assert top["linked"].all(), top.filter(~pl.col("linked"))["name"].to_list()


def test_floor_95_percent_of_lmarena_entries_of_us_and_chinese_labs_linked(built):
    from analysis.core import vocab
    names = _lmarena_names(built)
    labs = names.filter(pl.col("country_bucket").is_in([vocab.US, vocab.CHINA]))
    assert labs["linked"].mean() >= 0.95, labs.filter(~pl.col("linked"))["name"].to_list()
    # names of labs the registry does not know (Nexusflow, Together AI, Nomic AI, ...) have no country: even
    # counted as US or Chinese the share holds
    assert (labs["linked"].sum() / (len(labs) + names["country_bucket"].is_null().sum())) >= 0.95


def test_release_dates_agree_between_canonical_models_and_capability(built):
    on = ["model_id", "release_date", "release_date_basis", "first_seen"]
    cap = built["capability"].select(on).unique()
    can = built["canonical_models"].select(on)
    assert cap.join(can, on=on, how="anti", nulls_equal=True).is_empty()
    assert set(built["canonical_models"]["release_date_basis"]) <= set(canonical.BASES)
    # no moving alias is a canonical model of its own
    assert built["canonical_models"].filter(pl.col("model_id").str.ends_with("latest")).is_empty()


def test_livebench_nothinking_mode_is_the_release():
    cw = xbuild([eci("gpt-5.1-2025-11-13", "GPT-5.1", "2025-11-13")], [], REG)
    assert cw.resolve_model("gpt-5.1-2025-11-13-nothinking", "livebench") == "gpt-5-1"


def _history(tmp_path, monkeypatch, text: str) -> dict:
    monkeypatch.setenv("ANALYSIS_EXTERNAL_DIR", str(tmp_path))
    p = tmp_path / canonical.LMARENA_HISTORY
    p.parent.mkdir(parents=True)
    p.write_text(text, encoding="utf-8")
    return canonical.arena_first_listed()


def test_arena_history_gives_the_first_release_listing_a_model(tmp_path, monkeypatch):
    got = _history(tmp_path, monkeypatch, ",vicuna-13b,zephyr-7b-beta\n20230508,1050.5,0.0\n20231108,1040.0,1070.1\n")
    assert got == {"vicuna-13b": D(2023, 5, 8), "zephyr-7b-beta": D(2023, 11, 8)}


@pytest.mark.parametrize("text, message", [
    (",vicuna-13b\n2023-05-08,1.0\n", "record 1, column 1: '2023-05-08' is not a YYYYMMDD date"),
    (",vicuna-13b\n20230508,n/a\n", "record 1, column 'vicuna-13b': 'n/a' is not a number"),
])
def test_arena_history_bad_values_name_file_record_and_column(tmp_path, monkeypatch, text, message):
    with pytest.raises(InputError, match=message) as e:
        _history(tmp_path, monkeypatch, text)
    assert str(e.value).startswith(canonical.LMARENA_HISTORY)


def test_real_arena_history_bounds_old_leaderboard_only_models(built):
    can = built["canonical_models"].filter(pl.col("model_id") == "vicuna-13b")
    assert can.select("release_date", "release_date_basis", "first_seen", "origin").rows() == [
        (None, "first_seen", D(2023, 5, 8), "lmarena")]


def test_unlinked_price_keys_take_the_crosswalks_reason_where_it_says_more():
    from analysis.core import vocab
    prices = pl.DataFrame([("llm-price-cn-tables", "GLM-4", "unlinked", vocab.CHINA),
                           ("llm-price-cn-tables", "GLM-9", "unlinked", vocab.CHINA)],
                          schema=["source", "model_key", "crosswalk", "country_bucket"], orient="row")
    out = crosswalk.unlinked_names(prices, reasons={("llm-price-cn-tables", "GLM-4"): canonical.KEPT})
    assert out.select("name", "reason").rows() == [("GLM-4", canonical.KEPT), ("GLM-9", "unknown model")]


def test_a_parenthesised_display_name_does_not_blur_another_releases_version_id():
    # ECI: version 'DeepSeek-R1' (2025-01-20) and the display name 'DeepSeek-R1 (May 2025)' of R1-0528, which folds
    # to the same key: the version id keeps it, so LMArena's 'deepseek-r1' is R1, not R1-0528
    cw = xbuild([eci("DeepSeek-R1", "DeepSeek-R1", "2025-01-20", "DeepSeek"),
                          eci("DeepSeek-R1-0528", "DeepSeek-R1 (May 2025)", "2025-05-28", "DeepSeek")], [], REG)
    assert cw.lookup("deepseek-r1", "lmarena").release_date == D(2025, 1, 20)
    assert cw.lookup("deepseek-r1-0528", "lmarena").release_date == D(2025, 5, 28)
    # two display names without a version id of their own still make the key ambiguous
    cw = xbuild([eci("x-1-a", "Xmodel (Jan)", "2025-01-20"), eci("x-1-b", "Xmodel (May)", "2025-05-28")],
                         [], REG)
    assert cw.lookup("xmodel", "lmarena") is None


def test_deepseek_r1_and_r1_0528_keep_their_own_dates_on_every_path():
    cw = build.base_crosswalk(REG)
    if not cw.models:
        pytest.skip("the capability snapshots are not fetched")
    got = {(src, name): (cw.lookup(name, src).model_id, cw.lookup(name, src).release_date)
           for src, name in [("lmarena", "deepseek-r1"), ("lmarena", "deepseek-r1-0528"),
                             ("artificial_analysis", "deepseek-r1"), ("artificial_analysis", "deepseek-r1-0120")]}
    assert got == {("lmarena", "deepseek-r1"): ("deepseek-r1", D(2025, 1, 20)),
                   ("lmarena", "deepseek-r1-0528"): ("deepseek-r1-may-2025", D(2025, 5, 28)),
                   ("artificial_analysis", "deepseek-r1"): ("deepseek-r1-may-2025", D(2025, 5, 28)),
                   ("artificial_analysis", "deepseek-r1-0120"): ("deepseek-r1", D(2025, 1, 20))}


def _snapshot_dates() -> dict[str, dt.date]:
    from analysis.acquire import manifest

    return {e.local_path: dt.date.fromisoformat(e.snapshot_date) for e in manifest.load()}


def test_no_release_date_is_a_snapshot_date_or_later_than_its_file(built):
    """The real data: a release date comes from a source that dates releases. A model known only from leaderboard or
    price files has none ('first_seen', with the earliest file listing it as `first_seen`); no release date or first
    sighting is later than the file of the row; a date a source states is never later than the first sighting."""
    snap = _snapshot_dates()
    listing = {p: d for p, d in snap.items() if p.startswith(("capability/smallai", "capability/livebench", "pricing/"))}
    listing_days = set(listing.values()) | set(canonical.arena_first_listed().values())
    cap, can = built["capability"], built["canonical_models"]
    for t in (cap, can):
        undated = t.filter(pl.col("release_date_basis") == "first_seen")
        assert len(undated) and undated["release_date"].is_null().all() and undated["first_seen"].is_not_null().all()
        dated = t.filter(pl.col("release_date_basis") != "first_seen")
        assert dated["release_date"].is_not_null().all()
        # a dated model on a listing file's day: only where a dating source (Epoch, AA, a date stamp in the name, a
        # stated price start) gives that day, and then never after the model's first sighting
        on_listing_day = dated.filter(pl.col("release_date").is_in(list(listing_days)))
        assert set(on_listing_day["release_date_basis"]) <= set(canonical.DATED_BASES)
        assert dated.filter(pl.col("release_date") > pl.col("first_seen")).is_empty()
    rows = cap.with_columns(pl.col("source_file").replace_strict(snap, return_dtype=pl.Date).alias("file_date"))
    assert rows.filter(pl.col("release_date") > pl.col("file_date")).is_empty()
    assert rows.filter(pl.col("first_seen") > pl.col("file_date")).is_empty()
    # every model first seen in a leaderboard file is dated at most at that file's date; the ~30 LMArena-only models
    # that carried the leaderboard's snapshot date as a release date carry none now. Every pinned LMArena snapshot
    # is a listing file (analysis.clean.leaderboards.lmarena_snapshot_files): a name is first seen in the earliest one
    # listing it
    arena_days = {snap[f] for f in leaderboards.lmarena_snapshot_files(snap)}
    lm = can.filter(pl.col("origin") == "lmarena")
    assert lm.filter(pl.col("release_date").is_in(list(arena_days))).is_empty()
    assert len(lm.filter(pl.col("first_seen").is_in(list(arena_days)))) > 0
    # hunyuan-hy3 was listed by LMArena (as hunyuan-hy3-preview) in the snapshot of 2026-05-01 first, before the
    # price file of 2026-08-02
    hy3 = can.filter(pl.col("model_id") == "hunyuan-hy3").row(0, named=True)
    first = snap["capability/smallai-api_llm-ranking/leaderboard-text-style-control_2026-05-01.json"]
    assert (hy3["release_date"], hy3["first_seen"]) == (None, first)


def test_deepseek_r1_rows_carry_their_own_release_dates(built):
    cap = built["capability"].filter(pl.col("source_model").is_in(["deepseek-r1", "deepseek-r1-0528"]))
    got = {(f.split("/")[1], m): (i, d) for f, m, i, d in
           cap.select("source_file", "source_model", "model_id", "release_date").unique().iter_rows()}
    assert got[("smallai-api_llm-ranking", "deepseek-r1")] == ("deepseek-r1", D(2025, 1, 20))
    assert got[("smallai-api_llm-ranking", "deepseek-r1-0528")] == ("deepseek-r1-may-2025", D(2025, 5, 28))
    assert got[("japhba_artificial-analysis-snapshot", "deepseek-r1")] == ("deepseek-r1-may-2025", D(2025, 5, 28))


# --- one reading of the ECI and AA files -------------------------------------------------------------

def test_an_eci_record_the_eci_step_quarantines_never_becomes_a_model():
    """A release dated 2099 is quarantined by the ECI step and, since the crosswalk takes that step's release
    records, is no model (before, the crosswalk parsed the file again and made it one). A record without a score is
    no capability row but still a dated release of a known organization: the crosswalk keeps it."""
    rows = [eci("gpt-9-2099", "GPT-9", "2099-01-01"), eci("gpt-4.1-2025-04-14", "GPT-4.1", "2025-04-14"),
            {**eci("gpt-4o-2024-05-13", "GPT-4o", "2024-05-13"), "ECI Score": ""}]
    recs = eci_releases(rows, REG, today=dt.date(2026, 7, 1))
    assert [r["source_model"] for r in recs] == ["gpt-4.1-2025-04-14", "gpt-4o-2024-05-13"]
    cw = crosswalk.build(recs, [], REG)
    assert cw.lookup("gpt-9-2099", "lmarena") is None and cw.resolve_model("GPT-9", "livebench") is None
    assert {m.model_id for m in cw.models.values()} == {"gpt-4-1", "gpt-4o"}


def test_an_eci_variant_is_a_name_of_the_model_kept():
    """ECI rows repeating a model's score (same model and release date) are quarantined as variants; their versions
    still resolve to the model kept."""
    rows = [eci("o3-2025-04-16_high", "o3", "2025-04-16"), eci("o3-2025-04-16_low", "o3", "2025-04-16")]
    cw = crosswalk.build(eci_releases(rows, REG), [], REG)
    assert len(cw.models) == 1
    assert cw.resolve_model("o3-2025-04-16_low", "lmarena") == cw.resolve_model("o3-2025-04-16_high", "lmarena") == "o3"


@pytest.mark.parametrize("release", ["2024-13-01", "13/01/2024", 20240101, "2024-1-1"])
def test_an_aa_release_that_is_not_a_date_names_file_record_and_column(release):
    from analysis.core.errors import InputError

    with pytest.raises(InputError) as e:
        crosswalk.build([], [aa("x-1", "X 1", "OpenAI", "2025-01-01"), aa("x-2", "X 2", "OpenAI", release)], REG)
    assert str(e.value) == f"{crosswalk.AA_FILE}: record 2, column 'release': {release!r} is not a YYYY-MM-DD date"
    assert canonical.observe_aa([aa("x-1", "X 1", "OpenAI", None)], D(2026, 7, 2))[0].source_date is None


def test_an_epoch_model_record_the_models_step_quarantines_for_its_date_never_becomes_a_model():
    """The crosswalk's Epoch-only models come from the records whose 'Publication date' the models step accepts
    (one release-date rule for Epoch's model files): a record dated after the build date, before 1940 or with no
    date is no model; a well-dated one is."""
    from analysis.acquire.readers import parse_csv_text
    from analysis.clean import eci, models
    from analysis.clean.common import Sources
    from analysis.link import crosswalk_steps

    header = models.REQUIRED
    def row(name, date):
        return {"Model": name, "Organization": "OpenAI", "Publication date": date, "Domain": "Language",
                "Model accessibility": "API access"}
    records = [row("Future LM", "2099-01-01"), row("Ancient LM", "1900-01-01"), row("Undated LM", ""),
               row("Real LM", "2025-03-01")]
    text = ",".join(header) + "\n" + "\n".join(",".join(r.get(c, "") for c in header) for r in records) + "\n"
    first, *rest = crosswalk_steps.EPOCH_READS
    frames = {first.path: parse_csv_text(first.path, text)}
    frames.update({r.path: parse_csv_text(r.path, ",".join(header) + "\n") for r in rest})
    frames[crosswalk.AA_FILE] = []
    frames[crosswalk_steps.EXCEPTIONS_FILE] = ("exceptions.csv", pl.DataFrame(
        {c: [] for c in ("source_row", *crosswalk.EXCEPTIONS_COLUMNS)},
        schema={"source_row": pl.Int64, **dict.fromkeys(crosswalk.EXCEPTIONS_COLUMNS, pl.String)}))
    src = Sources(frames, dict.fromkeys(frames, dt.date(2026, 7, 15)))
    eci_src = Sources({eci.SOURCE: parse_csv_text(eci.SOURCE, ",".join(eci.REQUIRED) + "\n")},
                      {eci.SOURCE: dt.date(2026, 7, 1)})
    cw = crosswalk_steps.clean_base(src, eci.clean(eci_src, registry=REG), REG, today=dt.date(2026, 7, 15))
    assert {(m.model, m.origin) for m in cw.models.values()} == {("Real LM", "epoch_models")}
