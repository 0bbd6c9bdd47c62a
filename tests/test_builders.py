"""The builders' tables and claims: task scores, ranks at release, gap to the best US model, context windows."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis.clean import tasks
from analysis.clean.common import Sources
from analysis.core.errors import InputError
from analysis.curated import crosswalk as xw
from analysis.metrics import builders
from analysis.site import claims
from analysis.site.claims import NOT_MEASURABLE, NOT_SUPPORTED, PARTLY, SUPPORTED

D = dt.date
US, CN = "United States", "China"


def _scores(rows) -> pl.DataFrame:
    """Inline task_scores rows: (model_id, org, bucket, release_date, benchmark, edition, score, stderr)."""
    out = []
    for i, (m, org, bucket, rel, bench, ed, score, se) in enumerate(rows, start=1):
        out.append(dict(model_id=m, model=m.upper(), source_model=m, organizations=[org], country_bucket=bucket,
                        release_date=rel, release_date_basis="eci" if rel else "first_seen",
                        first_seen=None if rel else D(2025, 1, 1), benchmark=bench,
                        family=tasks.BENCHMARK_FAMILY[bench], edition=ed, score=score, scale="fraction", stderr=se,
                        as_of=D(2026, 1, 1), source_file="f.csv", source_row=i))
    return tasks.TASK_SCORES.validate(pl.DataFrame(out, schema={c.name: c.dtype for c in tasks.TASK_SCORES.columns}))


B = "math_level_5"
ROWS = [
    ("us-a", "OpenAI", US, D(2024, 1, 1), B, "hub", 0.50, 0.02),
    ("cn-a", "DeepSeek", CN, D(2024, 6, 1), B, "hub", 0.60, 0.02),   # best at its release
    ("us-b", "OpenAI", US, D(2025, 1, 1), B, "hub", 0.80, 0.02),
    ("cn-b", "DeepSeek", CN, D(2025, 6, 1), B, "hub", 0.79, 0.02),   # second at release, within uncertainty
    ("cn-b", "DeepSeek", CN, D(2025, 6, 1), B, "hub", 0.70, 0.02),   # a weaker variant of the same model
    ("us-c", "Anthropic", US, D(2026, 1, 1), B, "hub", 0.95, 0.01),
    ("un-x", "Alibaba", CN, None, B, "hub", 0.99, None),             # undated: no rank at release
]


def test_rank_at_release_counts_only_models_released_by_then():
    r = builders.ranks(_scores(ROWS)).filter(pl.col("benchmark") == B)
    got = {x["model_id"]: x for x in r.iter_rows(named=True)}
    assert got["cn-b"]["score"] == 0.79  # the model's best variant
    assert (got["us-a"]["rank_at_release"], got["us-a"]["n_at_release"]) == (1, 1)
    assert (got["cn-a"]["rank_at_release"], got["cn-a"]["n_at_release"]) == (1, 2)
    assert (got["cn-b"]["rank_at_release"], got["cn-b"]["n_at_release"]) == (2, 4)
    assert got["un-x"]["rank_at_release"] is None and builders.undated(_scores(ROWS)) == 1
    # in the edition (the data's end) every model counts, the undated one too
    assert got["cn-b"]["rank_in_edition"] == 4 and got["un-x"]["rank_in_edition"] == 1


def test_gap_to_the_best_us_model_and_uncertainty():
    r = builders.ranks(_scores(ROWS))
    got = {x["model_id"]: x for x in r.iter_rows(named=True)}
    assert got["cn-a"]["gap_us_at_release"] == pytest.approx(0.50 - 0.60)  # ahead: negative
    assert got["cn-b"]["gap_us_at_release"] == pytest.approx(0.80 - 0.79)
    assert got["cn-b"]["gap_us_in_edition"] == pytest.approx(0.95 - 0.79)
    assert got["cn-b"]["within_uncertainty"] is True  # 0.01 <= 1.96 * sqrt(2) * 0.02
    assert got["us-a"]["within_uncertainty"] is True  # it is the best
    late = builders.ranks(_scores(ROWS + [("cn-c", "DeepSeek", CN, D(2026, 2, 1), B, "hub", 0.5, 0.01)]))
    assert late.filter(pl.col("model_id") == "cn-c")["within_uncertainty"][0] is False


def test_as_of_drops_later_models_and_files():
    r = builders.ranks(_scores(ROWS), as_of="2025-03-01")
    assert set(r["model_id"]) == {"us-a", "cn-a", "us-b", "un-x"}


def test_lab_peak_and_top_tier_need_a_field():
    r = builders.ranks(_scores(ROWS))
    small = builders.lab_benchmarks(r, ["DeepSeek"], k=1, min_field=10).row(0, named=True)
    assert small["peak_rank"] is None and small["now_rank"] == 4  # 4 models at most at release: no placement
    lb = builders.lab_benchmarks(r, ["DeepSeek"], k=1, min_field=2).row(0, named=True)
    assert (lb["peak_model"], lb["peak_rank"], lb["peak_top_tier"]) == ("CN-A", 1, True)
    assert builders.top_tier(2, True, 1) is True and builders.top_tier(2, False, 1) is False
    assert builders.top_tier(None, True, 1) is None
    fam = builders.lab_families(builders.lab_benchmarks(r, ["DeepSeek"], k=1, min_field=2), k=1)
    assert fam.row(0, named=True)["family_top_tier"] is True
    # now: rank 4 in the edition; the best (the undated 0.99) states no standard error, so no uncertainty call
    assert (lb["now_rank"], lb["now_top_tier"], lb["now_within"]) == (4, False, None)
    late = builders.ranks(_scores(ROWS[:-1]))  # without it the best is us-c, 0.95 ± 0.01 vs 0.79 ± 0.02: outside
    assert builders.lab_benchmarks(late, ["DeepSeek"], k=1, min_field=2)["now_within"][0] is False
    assert builders.lab_benchmarks(r, ["DeepSeek"], k=4, min_field=2)["now_top_tier"][0] is True
    now = builders.lab_families(builders.lab_benchmarks(r, ["DeepSeek"], k=1, min_field=2), reading="end")
    assert (now["top_tier_benchmarks"][0], now["family_top_tier"][0]) == (0, False)
    # a field smaller than min_field is no placement now either
    assert builders.lab_families(builders.lab_benchmarks(r, ["DeepSeek"], k=1, min_field=10), reading="end").is_empty()


def test_livebench_editions_are_never_mixed():
    rows = [("a", "OpenAI", US, D(2024, 1, 1), "livebench_coding", "2024_06_24", 50.0, None),
            ("b", "DeepSeek", CN, D(2024, 2, 1), "livebench_coding", "2024_06_24", 40.0, None),
            ("b", "DeepSeek", CN, D(2024, 2, 1), "livebench_coding", "2025_04_02", 90.0, None),
            ("c", "OpenAI", US, D(2025, 3, 1), "livebench_coding", "2025_04_02", 30.0, None)]
    r = builders.ranks(_scores(rows))
    b_first = r.filter((pl.col("model_id") == "b") & pl.col("first_edition")).row(0, named=True)
    assert (b_first["edition"], b_first["rank_at_release"]) == ("2024_06_24", 2)
    lb = builders.lab_benchmarks(r, ["DeepSeek"], k=1, min_field=1).row(0, named=True)
    assert (lb["peak_rank"], lb["now_edition"], lb["now_rank"]) == (2, "2025_04_02", 1)


def _windows(rows, source="litellm") -> pl.DataFrame:
    """Inline context_windows rows: (key, provider, org, bucket, model_id, window, date[, source])."""
    out = []
    for i, (k, p, o, b, m, w, day, *src) in enumerate(rows, start=1):
        src = src[0] if src else source
        out.append(dict(model_key=k, provider=p, organization=o, country_bucket=b, model_id=m, max_input_tokens=w,
                        window_field="max_input_tokens", as_of=day, source_file=f"{src}_{day}.json", source_row=i,
                        source=src))
    return tasks.CONTEXT_WINDOWS.validate(pl.DataFrame(out, schema={c.name: c.dtype for c in
                                                                    tasks.CONTEXT_WINDOWS.columns}))


def test_window_resolution_majority_then_larger():
    d1, d2 = D(2025, 1, 1), D(2025, 6, 1)
    w = _windows([("moonshot/kimi-a", "moonshot", "Moonshot AI", CN, "kimi", 131072, d1),
                  ("moonshot/kimi-b", "moonshot", "Moonshot AI", CN, "kimi", 131072, d1),
                  ("moonshot/kimi-c", "moonshot", "Moonshot AI", CN, "kimi", 262144, d1),   # outvoted
                  ("moonshot/kimi-a", "moonshot", "Moonshot AI", CN, "kimi", 131072, d2),
                  ("moonshot/kimi-c", "moonshot", "Moonshot AI", CN, "kimi", 262144, d2),   # tie: the larger
                  ("xai/grok", "xai", "xAI", US, None, 2_000_000, d2)])                    # unlinked key
    ref = builders.window_reference(w)
    got = {(r["model"], r["as_of"]): r for r in ref.iter_rows(named=True)}
    assert got[("kimi", d1)]["max_input_tokens"] == 131072 and got[("kimi", d1)]["keys_agreeing"] == 2
    assert got[("kimi", d2)]["max_input_tokens"] == 262144 and got[("kimi", d2)]["chosen_key"] == "moonshot/kimi-c"
    assert got[("key:xai/grok", d2)]["max_input_tokens"] == 2_000_000
    lw = builders.lab_windows(ref)
    r = builders.window_rank(lw, "Moonshot AI")
    assert (r["date"], r["rank"], r["labs"], r["larger_labs"]) == (d2, 2, 2, ["xAI"])
    assert builders.window_rank(lw, "Moonshot AI", as_of="2025-02-01")["rank"] == 1
    assert builders.window_rank(lw, "DeepSeek")["found"] is False


def test_window_resolution_across_sources():
    """Rule 2: each source's newest file on or before the date speaks; rule 3: most sources, then the newest file,
    then the precedence LiteLLM, models.dev, OpenRouter."""
    d1, d2, d3 = D(2026, 1, 1), D(2026, 4, 1), D(2026, 8, 1)
    k = ("Moonshot AI", CN)
    w = _windows([
        ("moonshot/kimi", "moonshot", *k, "kimi", 131072, d1, "litellm"),
        ("moonshotai/kimi", "moonshotai", *k, "kimi", 262144, d2, "models.dev"),
        ("moonshotai/kimi", "moonshotai", *k, "kimi", 262144, d3, "openrouter"),
        ("moonshot/old", "moonshot", *k, "old", 8192, d1, "litellm"),       # listed by LiteLLM only at d1
        ("moonshot/old2", "moonshot", *k, "old2", 4096, d1, "litellm"),
        ("moonshot/new", "moonshot", *k, "new", 4096, d3, "litellm"),       # LiteLLM's next file drops old, old2
        ("moonshotai/tie", "moonshotai", *k, "tie", 100, d1, "models.dev"),
        ("moonshot/tie", "moonshot", *k, "tie", 200, d1, "litellm")])
    ref = builders.window_reference(w)
    got = {(r["model"], r["as_of"]): r for r in ref.iter_rows(named=True)}
    assert got[("kimi", d1)]["max_input_tokens"] == 131072 and got[("kimi", d1)]["rule"] == "single source"
    # at d2 LiteLLM (d1 file) says 131072, models.dev 262144: a tie of one each, the newer file wins
    assert (got[("kimi", d2)]["max_input_tokens"], got[("kimi", d2)]["rule"]) == (262144, "newest file")
    # at d3 models.dev and OpenRouter agree against LiteLLM's d3 file, which no longer lists kimi: both agree
    assert (got[("kimi", d3)]["max_input_tokens"], got[("kimi", d3)]["rule"]) == (262144, "sources agree")
    assert got[("kimi", d3)]["sources"] == 2
    # same file date, different values: the precedence (LiteLLM first)
    assert (got[("tie", d1)]["max_input_tokens"], got[("tie", d1)]["rule"]) == (200, "precedence")
    # a model a source no longer lists is not carried forward
    assert ("old", d1) in got and ("old", d3) not in got and ("new", d3) in got
    # a majority: three sources, two agreeing
    m = _windows([("a/x", "moonshot", *k, "x", 10, d1, "litellm"), ("b/x", "moonshotai", *k, "x", 20, d1, "models.dev"),
                  ("c/x", "moonshotai", *k, "x", 20, d1, "openrouter")])
    r = builders.window_reference(m).row(0, named=True)
    assert (r["max_input_tokens"], r["rule"], r["source"], r["stated"]) == \
        (20, "majority", "models.dev", "litellm 10; models.dev 20; openrouter 20")


@pytest.mark.parametrize("n, want", [
    (dict(coding_n=0, math_n=0), NOT_MEASURABLE),
    # the default reading: now decides; at release can only make it partly
    (dict(coding_n=4, coding_top=0, math_n=4, math_top=0, coding_n_rel=4, coding_top_rel=2, math_n_rel=4,
          math_top_rel=4), PARTLY),
    (dict(coding_n=4, coding_top=2, math_n=4, math_top=2, coding_n_rel=4, coding_top_rel=0, math_n_rel=4,
          math_top_rel=0), SUPPORTED),
    (dict(coding_n=4, coding_top=0, math_n=4, math_top=0, coding_n_rel=4, coding_top_rel=1, math_n_rel=4,
          math_top_rel=1), NOT_SUPPORTED),
    (dict(reading="release", coding_n=4, coding_top=0, math_n=4, math_top=0, coding_n_rel=4, coding_top_rel=2,
          math_n_rel=4, math_top_rel=4), SUPPORTED),
    (dict(reading="end", coding_n=4, coding_top=0, math_n=4, math_top=0, coding_n_rel=4, coding_top_rel=2,
          math_n_rel=4, math_top_rel=4), NOT_SUPPORTED),
    (dict(coding_n=4, coding_top=2, math_n=4, math_top=4), SUPPORTED),
    (dict(coding_n=4, coding_top=1, math_n=4, math_top=2), PARTLY),
    (dict(coding_n=0, coding_top=0, math_n=3, math_top=3), PARTLY),
    (dict(coding_n=4, coding_top=1, math_n=4, math_top=1), NOT_SUPPORTED)])
def test_verdict_coding(n, want):
    assert claims.verdict_coding(n) == want


@pytest.mark.parametrize("n, want", [
    (dict(found=False), NOT_MEASURABLE), (dict(found=True, rank=1, labs=8), SUPPORTED),
    (dict(found=True, rank=4, labs=8), PARTLY), (dict(found=True, rank=5, labs=8), NOT_SUPPORTED)])
def test_verdict_context(n, want):
    assert claims.verdict_context(n) == want


@pytest.mark.parametrize("n, want", [
    (dict(families_n=0), NOT_MEASURABLE), (dict(families_n=6, families_top=4, best_other=4), SUPPORTED),
    (dict(families_n=6, families_top=4, best_other=6), PARTLY), (dict(families_n=6, families_top=3, best_other=3), PARTLY),
    (dict(families_n=6, families_top=3, best_other=5), NOT_SUPPORTED),
    (dict(families_n=8, families_top=1, best_other=8, families_n_rel=8, families_top_rel=7, best_other_rel=8),
     PARTLY),
    (dict(families_n=8, families_top=1, best_other=8, families_n_rel=8, families_top_rel=2, best_other_rel=8),
     NOT_SUPPORTED),
    (dict(reading="release", families_n=8, families_top=1, best_other=8, families_n_rel=8, families_top_rel=7,
          best_other_rel=6), SUPPORTED)])
def test_verdict_versatile(n, want):
    assert claims.verdict_versatile(n) == want


# --- the clean steps on inline inputs -------------------------------------------------------------------------

def _cw() -> xw.Crosswalk:
    cw = xw.Crosswalk()
    m = xw.Model("deepseek-r1", "DeepSeek-R1", D(2025, 1, 20), ("DeepSeek",), CN, True, "eci")
    cw.models[m.key] = m
    cw.add_alias("DeepSeek-R1", m.key)
    return cw


def _epoch_frame(rows):
    return pl.DataFrame([{"Model version": n, "mean_score": s, "stderr": se, "source_row": i}
                         for i, (n, s, se) in enumerate(rows, start=1)], schema={"Model version": pl.String,
                                                                              "mean_score": pl.String, "stderr": pl.String,
                                                                              "source_row": pl.Int64})


def test_epoch_step_quarantines_bad_rows_and_accounts_for_every_row():
    path = "epoch/benchmarks/math_level_5.csv"
    df = _epoch_frame([("DeepSeek-R1_high", "0.9", "0.01"), ("DeepSeek-R1_low", "0.8", None), (None, "0.5", "0.1"),
                       ("DeepSeek-R1", "1.5", "0.1"), ("DeepSeek-R1", "nan", "0.1"), ("Unknown-9", "0.3", "0.1"),
                       ("DeepSeek-R1", "0.3", "-1")])
    r = tasks.clean_epoch(Sources({path: df}, {path: D(2025, 10, 15)}), _cw())
    assert len(r.df) == 2 and set(r.df["model_id"]) == {"deepseek-r1"}
    assert r.df.filter(pl.col("source_row") == 2)["stderr"][0] is None
    q = {x["source_row"]: x for x in r.quarantine.iter_rows(named=True)}
    assert set(q) == {3, 4, 5, 6, 7}
    assert q[3]["column"] == "Model version" and q[6]["column"] == "name" and q[7]["column"] == "stderr"
    c = r.counts.row(0, named=True)
    assert (c["rows_in"], c["rows_used"], c["rows_quarantined"]) == (7, 2, 5)


def test_epoch_step_names_a_missing_column():
    path = "epoch/benchmarks/math_level_5.csv"
    df = _epoch_frame([("DeepSeek-R1", "0.9", "0.01")]).drop("mean_score")
    with pytest.raises(InputError, match="math_level_5.csv: missing column.*mean_score"):
        tasks.clean_epoch(Sources({path: df}, {path: D(2025, 10, 15)}), _cw())


def test_livebench_categories_must_be_known():
    with pytest.raises(InputError, match="category 'Poetry'"):
        tasks.check_categories("c.json", {"Poetry": ["haiku"]})
    with pytest.raises(InputError, match="expected a list of task names"):
        tasks.check_categories("c.json", {"Coding": "lcb"})
    assert tasks.category_means({"a": "10", "b": "20", "c": None}, {"Coding": ["a", "b"], "IF": ["c"]}) == \
        {"Coding": 15.0}


def test_windows_step_keeps_first_party_text_keys():
    from analysis.curated.inputs import Inputs

    inp = Inputs()
    path = "pricing/litellm/model_prices_2025-02-06.json"
    data = {"sample_spec": {"max_input_tokens": 1}, "moonshot/kimi-k2": {"litellm_provider": "moonshot",
                                                                         "mode": "chat", "max_input_tokens": 131072},
            "deepseek/deepseek-chat": {"litellm_provider": "deepseek", "mode": "chat", "max_tokens": 65536},
            "openrouter/x": {"litellm_provider": "openrouter", "mode": "chat", "max_input_tokens": 10},
            "moonshot/kimi-bad": {"litellm_provider": "moonshot", "mode": "chat", "max_input_tokens": "lots"},
            "last_updated": "2025-01-01"}
    r = tasks.clean_windows(Sources({path: data}, {path: D(2025, 2, 6)}), xw.Crosswalk(), inp.registry,
                            inp.providers)
    got = dict(zip(r.df["model_key"], r.df["max_input_tokens"], strict=True))
    assert got == {"moonshot/kimi-k2": 131072, "deepseek/deepseek-chat": 65536}
    assert r.df.filter(pl.col("model_key") == "deepseek/deepseek-chat")["window_field"][0] == "max_tokens"
    c = r.counts.row(0, named=True)
    assert (c["rows_in"], c["rows_used"], c["rows_quarantined"]) == (6, 2, 4)


def test_models_dev_step_keeps_first_party_text_models():
    from analysis.curated.inputs import Inputs

    inp = Inputs()
    path = tasks.MODELS_DEV_FILES[0]
    data = {"_commit": "abc", "providers": {
        "moonshotai": {"provider": {}, "models": {
            "kimi-k2": {"limit": {"context": 131072}, "modalities": {"output": ["text"]}},
            "kimi-old": {"limit": {"context": 8192}, "status": "deprecated"},
            "kimi-img": {"limit": {"context": 8192}, "modalities": {"output": ["image"]}},
            "kimi-none": {"limit": {"context": 0}}}},
        "openrouter": {"models": {"moonshotai/kimi-k2": {"limit": {"context": 131072}}}},
        "broken": "not an object"}}
    r = tasks.clean_models_dev_windows(Sources({path: data}, {path: D(2025, 7, 1)}), xw.Crosswalk(), inp.registry,
                                       inp.providers)
    assert r.df["model_key"].to_list() == ["moonshotai/kimi-k2"]
    assert (r.df["organization"][0], r.df["source"][0], r.df["window_field"][0]) == \
        ("Moonshot AI", "models.dev", "limit.context")
    q = dict(zip(r.quarantine["key"], r.quarantine["column"], strict=True))
    assert q == {"moonshotai/kimi-old": "status", "moonshotai/kimi-img": "modalities",
                 "moonshotai/kimi-none": "limit.context", "openrouter/moonshotai/kimi-k2": "provider",
                 "broken": "models"}
    c = r.counts.row(0, named=True)
    assert (c["rows_in"], c["rows_used"], c["rows_quarantined"]) == (6, 1, 5)


def test_openrouter_step_keeps_endpoints_of_the_models_own_lab():
    from analysis.curated.inputs import Inputs

    inp = Inputs()
    path = tasks.OPENROUTER_ENDPOINTS
    rows = [("moonshotai/kimi-k3", "moonshotai", "1048576", "False"), ("moonshotai/kimi-k3", "deepinfra", "1048576",
                                                                       "False"),
            ("~moonshotai/kimi-latest", "moonshotai", "1048576", "False"), ("qwen/qwen3-max", "alibaba", "262144",
                                                                             "False"),
            ("qwen/qwen3-max", "alibaba", "lots", "False"), ("z-ai/glm-5", "z-ai", "202752", "True")]
    df = pl.DataFrame([dict(model_slug=a, provider_slug=b, context_length=c, is_disabled=d, source_row=i)
                       for i, (a, b, c, d) in enumerate(rows, start=1)])
    r = tasks.clean_openrouter_windows(Sources({path: df}, {path: D(2026, 8, 8)}), xw.Crosswalk(), inp.registry,
                                       inp.providers)
    assert list(zip(r.df["model_key"], r.df["organization"], r.df["max_input_tokens"], strict=True)) == \
        [("moonshotai/kimi-k3", "Moonshot AI", 1048576), ("qwen/qwen3-max", "Alibaba", 262144)]
    q = {x["source_row"]: x["column"] for x in r.quarantine.iter_rows(named=True)}
    assert q == {2: "provider_slug", 3: "model_slug", 5: "context_length", 6: "is_disabled"}
    c = r.counts.row(0, named=True)
    assert (c["rows_in"], c["rows_used"], c["rows_quarantined"]) == (6, 2, 4)
    with pytest.raises(InputError, match="missing column.*context_length"):
        tasks.clean_openrouter_windows(Sources({path: df.drop("context_length")}, {path: D(2026, 8, 8)}),
                                       xw.Crosswalk(), inp.registry, inp.providers)


def test_lab_card_says_what_the_data_do_not_cover():
    r = builders.ranks(_scores(ROWS))
    per = builders.lab_benchmarks(r, ["DeepSeek"], k=1, min_field=2)
    models = pl.DataFrame({"model_id": ["cn-a", "cn-b"], "model": ["CN-A", "CN-B"],
                           "organizations": [["DeepSeek"], ["DeepSeek"]], "release_date": [D(2024, 6, 1), D(2025, 6, 1)],
                           "notable": [True, True], "open_weights": [True, False], "parameters": [7e9, None],
                           "domains": [["Language"], ["Language", "Vision"]]})
    ref = pl.DataFrame({"model_id": ["cn-b"], "organization": ["DeepSeek"], "input_usd_per_m": [0.5],
                        "output_usd_per_m": [1.5], "valid_from": [D(2025, 6, 1)], "valid_to": [None],
                        "snapshot": [D(2025, 12, 1)], "source": ["llm-prices"]},
                       schema_overrides={"valid_to": pl.Date})
    win = builders.window_reference(_windows([("deepseek/chat", "deepseek", "DeepSeek", CN, "cn-b", 65536,
                                               D(2025, 7, 1))]))
    card = builders.lab_card("DeepSeek", per, models, ref, win, None, None, ["math", "coding"])
    got = dict(zip(card["what"], card["value"], strict=True))
    assert got["Notable models per year"] == "2024: 1 · 2025: 1 (to date)"
    assert got["Best now: math"] == "CN-B: rank 4 of 6 on MATH Level 5; best UN-X"
    assert got["Best at release: math"] == "CN-A: rank 1 of 2 on MATH Level 5"
    assert got["Best now: coding"] == builders.NOT_IN_DATA
    assert got["Price of its best model now"] == "cn-b: USD 0.5 in / 1.5 out per 1M tokens"
    assert got["Largest context window"] == "65,536 tokens (cn-b)"
    assert got["Open weights (models of the last 12 months)"] == "0 of 1"
    assert got["What it ships"].startswith("2 models in 2 domains (Language, Vision); 1 distinct")
    assert got["Share of OpenRouter tokens (last complete week)"] == builders.NOT_IN_DATA


# --- the real data ----------------------------------------------------------------------------------------------

@pytest.mark.snapshots
def test_task_scores_link_the_us_and_chinese_rows(built):
    """Every US and Chinese row the crosswalk can place is linked: the floor the crosswalk holds for other sources."""
    from analysis.curated.inputs import Inputs
    from analysis.link import canonical
    from analysis.store.build import StepResult

    q = built["quarantine"].filter(pl.col("table") == "task_scores")
    res = StepResult(tasks.TASK_SCORES, built["task_scores"], q,
                     built["row_counts"].filter(pl.col("table") == "task_scores"))
    inp = Inputs()
    names = canonical.capability_names(res, inp.name_orgs, inp.registry)
    for bucket in (US, CN):
        n = names.filter(pl.col("country_bucket") == bucket)
        assert n["linked"].sum() / len(n) >= 0.95, n.filter(~pl.col("linked"))
    counts = built["row_counts"].filter(pl.col("table") == "task_scores")
    assert len(counts) == len(tasks.EPOCH_BENCHMARKS) + len(tasks.LIVEBENCH_RELEASES)
    assert (counts["rows_in"] == counts["rows_used"] + counts["rows_quarantined"]).all()


@pytest.mark.snapshots
def test_claims_on_the_real_data(built):
    data = claims.Data(task_scores=built["task_scores"], context_windows=built["context_windows"])
    c = claims.claim_coding(data)
    n = c.numbers
    assert n["math_n"] >= 3 and n["coding_n"] >= 3 and c.verdict == claims.verdict_coding(n)
    # DeepSeek-R1 was the best or second-best model at its release on MATH Level 5 (Epoch's file, checked by hand)
    r = builders.ranks(built["task_scores"])
    r1 = r.filter((pl.col("model_id") == "deepseek-r1") & (pl.col("benchmark") == "math_level_5")).row(0, named=True)
    assert r1["rank_at_release"] <= 2 and r1["n_at_release"] >= 10
    # present tense: DeepSeek's R1-era launches were top-tier at release, none of its models is now (checked
    # against the cards: rank 7 of 48 on Aider Polyglot, rank 7 of 88 on MATH Level 5)
    assert (n["coding_top"], n["math_top"]) == (0, 0) and n["math_top_rel"] * 2 >= n["math_n_rel"]
    assert c.verdict == PARTLY and str(n["end"]) in c.finding
    k = claims.claim_context(data)
    # 2026-08-08: OpenRouter's endpoints file lists moonshotai/kimi-k3 served by Moonshot AI with context_length
    # 1048576; LiteLLM's newest file (2026-07-24) alone gives Moonshot 262,144 tokens (kimi-k2), below xAI's 2M
    assert (k.numbers["window"], k.numbers["source"], str(k.numbers["date"])) == (1048576, "openrouter", "2026-08-08")
    assert "xAI" in k.numbers["larger_labs"] and k.verdict == claims.verdict_context(k.numbers)
    lite = claims.claim_context(data, {"source": "litellm"})
    assert lite.numbers["window"] == 262144 and lite.verdict == NOT_SUPPORTED
    v = claims.claim_versatile(data)
    assert v.numbers["families_n"] >= 5 and v.verdict == claims.verdict_versatile(v.numbers)
    assert v.numbers["families_top"] < v.numbers["families_top_rel"]


def test_rank_chart_axis_starts_at_rank_one_and_gives_each_lab_its_own_colour():
    from analysis.figures import builders as figs

    r = builders.ranks(_scores(ROWS))
    fig = figs.ranks_at_release(r, "math", ["DeepSeek", "OpenAI", "Anthropic"])
    y = fig.layout.yaxis
    assert y.range[1] == 0.5 and y.range[0] > 1 and y.tickvals[0] == 1 and 0 not in y.tickvals
    colors = {t.name: t.marker.color for t in fig.data}
    assert len(set(colors.values())) == len(colors) == 3
    assert colors["DeepSeek"] in figs.LAB_HUES[CN] and colors["OpenAI"] in figs.LAB_HUES[US]
