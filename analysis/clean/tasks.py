"""The builders' tables: task scores per benchmark (`task_scores`) and context windows (`context_windows`).

- `task_scores`: one row per (source record, benchmark): a model's score on one benchmark as the source gives it.
  Two sources: Epoch AI's Benchmarking Hub files (`EPOCH_BENCHMARKS`: coding, agentic coding, math, long context,
  reasoning; each file its own benchmark and scale, Epoch's standard error kept where the file gives one) and the
  ten pinned LiveBench releases (`LIVEBENCH_RELEASES`: one row per model and category, the mean of the category's
  task scores as the LiveBench site computes it; a category with a missing task has no score for that model).
  Each benchmark is its own scale and each LiveBench release its own `edition` (questions are refreshed, so
  scores of two releases are never compared). Names resolve to canonical models through the one model crosswalk
  (analysis/curated/crosswalk.py: Epoch's 'Model version' is the ECI file's key; LiveBench names as the capability
  step resolves them, the models of every pinned release known to the crosswalk, analysis.link.crosswalk_steps);
  a name it does not know goes to quarantine with the reason.
- `context_windows`: one row per (LiteLLM file, first-party key): the key's `max_input_tokens` (else
  `max_tokens`, LiteLLM's older field for the same limit) as the lab's own API states it, in the eight dated
  LiteLLM files the price panel reads; the same first-party and text-mode rules as the prices
  (`analysis.clean.prices.LITELLM_LAB_PROVIDERS`, `LITELLM_TEXT_MODES`). One window per model and date is chosen
  by a written rule in analysis.metrics.builders (`window_reference`).
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from analysis.acquire.readers import describe_json, expect_json, reject_repeated_keys, require_columns
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult
from analysis.clean.prices import LITELLM_FAMILY, LITELLM_LAB_PROVIDERS, LITELLM_TEXT_MODES, litellm_shape
from analysis.core.errors import InputError
from analysis.core.schema import COUNTRY_BUCKETS, SOURCE_COLUMNS, Column, Table
from analysis.core.vocab import BASES, RELEASE_DATE_BASIS_DOC
from analysis.curated import crosswalk as xw

CODING, AGENTIC, MATH, LONG_CONTEXT, REASONING = "coding", "agentic_coding", "math", "long_context", "reasoning"
LANGUAGE, DATA_ANALYSIS, INSTRUCTIONS = "language", "data_analysis", "instruction_following"
FAMILIES = (CODING, AGENTIC, MATH, LONG_CONTEXT, REASONING, LANGUAGE, DATA_ANALYSIS, INSTRUCTIONS)
FAMILY_NAMES = {CODING: "coding", AGENTIC: "agentic coding", MATH: "math", LONG_CONTEXT: "long context",
                REASONING: "reasoning", LANGUAGE: "language", DATA_ANALYSIS: "data analysis",
                INSTRUCTIONS: "instruction following"}

# Epoch Benchmarking Hub files: local path -> (benchmark id, display name, family, score column, its standard error
# column or None, scale). Each file is one benchmark on its own scale.
EPOCH_BENCHMARKS = {
    "epoch/benchmarks/aider_polyglot_external.csv": ("aider_polyglot", "Aider Polyglot", CODING, "Percent correct",
                                                     None, "percent"),
    "epoch/benchmarks/terminalbench_external.csv": ("terminal_bench", "Terminal-Bench", AGENTIC, "Accuracy mean",
                                                    "Accuracy SE", "fraction"),
    "epoch/benchmarks/swe_bench_verified.csv": ("swe_bench_verified", "SWE-bench Verified", AGENTIC, "mean_score",
                                                "stderr", "fraction"),
    "epoch/benchmarks/math_level_5.csv": ("math_level_5", "MATH Level 5", MATH, "mean_score", "stderr", "fraction"),
    "epoch/benchmarks/otis_mock_aime_2024_2025.csv": ("otis_mock_aime", "OTIS Mock AIME 2024-2025", MATH,
                                                      "mean_score", "stderr", "fraction"),
    "epoch/benchmarks/frontiermath.csv": ("frontiermath", "FrontierMath", MATH, "mean_score", "stderr", "fraction"),
    "epoch/benchmarks/fictionlivebench_external.csv": ("fiction_livebench_120k", "Fiction.LiveBench (120k tokens)",
                                                       LONG_CONTEXT, "120k token score", None, "fraction"),
    "epoch/benchmarks/gpqa_diamond.csv": ("gpqa_diamond", "GPQA Diamond", REASONING, "mean_score", "stderr",
                                          "fraction"),
}
EPOCH_SOURCE = "epoch_benchmarks"  # the crosswalk source name of these files (its exceptions file)
EPOCH_EDITION = "hub"

LIVEBENCH_DIR = "capability/livebench_livebench.github.io"
LIVEBENCH_RELEASES = ("2024_06_24", "2024_07_26", "2024_08_31", "2024_11_25", "2025_04_02", "2025_04_25",
                      "2025_05_30", "2025_11_25", "2025_12_23", "2026_01_08")
LIVEBENCH_CATEGORIES = {"Coding": CODING, "Agentic Coding": AGENTIC, "Mathematics": MATH, "Reasoning": REASONING,
                        "Language": LANGUAGE, "Data Analysis": DATA_ANALYSIS, "IF": INSTRUCTIONS}


# releases whose pinned table ends without a final newline upstream (the file as committed; its sha256 is pinned, so
# a download cut short is refused at fetch): read with final_newline=False
LIVEBENCH_NO_FINAL_NEWLINE = ("2024_11_25", "2025_04_02", "2025_04_25", "2025_05_30", "2025_11_25")


def livebench_table_read(release: str) -> Read:
    return Read(livebench_table(release), final_newline=release not in LIVEBENCH_NO_FINAL_NEWLINE)


def livebench_table(release: str) -> str:
    return f"{LIVEBENCH_DIR}/table_{release}.csv"


def livebench_categories(release: str) -> str:
    return f"{LIVEBENCH_DIR}/categories_{release}.json"


def livebench_benchmark(category: str) -> str:
    return "livebench_" + category.casefold().replace(" ", "_")


BENCHMARK_NAMES = {**{v[0]: v[1] for v in EPOCH_BENCHMARKS.values()},
                   **{livebench_benchmark(c): f"LiveBench {c}" for c in LIVEBENCH_CATEGORIES}}
BENCHMARK_FAMILY = {**{v[0]: v[2] for v in EPOCH_BENCHMARKS.values()},
                    **{livebench_benchmark(c): f for c, f in LIVEBENCH_CATEGORIES.items()}}

_MODEL_COLUMNS = (
    Column("model_id", pl.String, "Canonical model id from the model crosswalk.", nullable=False),
    Column("model", pl.String, "Canonical model name.", nullable=False),
    Column("source_model", pl.String, "The source's own name of the model (Epoch 'Model version' with its "
           "reasoning-effort suffix, LiveBench's id).", nullable=False),
    Column("organizations", pl.List(pl.String), "Canonical organizations.", nullable=False),
    Column("country_bucket", pl.String, "US–China comparison bucket of the canonical model.", nullable=False,
           allowed=COUNTRY_BUCKETS),
    Column("release_date", pl.Date, "Release date of the canonical model (`canonical_models`); null when no source "
           "dates it.", nullable=True),
    Column("release_date_basis", pl.String, RELEASE_DATE_BASIS_DOC, nullable=False, allowed=BASES),
    Column("first_seen", pl.Date, "For models only leaderboards or price sources know: the earliest pinned file "
           "listing a name of the model.", nullable=True),
)

TASK_SCORES = Table(
    name="task_scores",
    description="One row per (source record, benchmark): a model's score on one benchmark as the source reports "
    "it (Epoch AI Benchmarking Hub files; LiveBench category means per release). Each benchmark is its own scale "
    "and each LiveBench release its own edition: scores are compared only within one (benchmark, edition).",
    primary_key=("benchmark", "edition", "source_file", "source_row"),
    columns=(
        *_MODEL_COLUMNS,
        Column("benchmark", pl.String, "Benchmark id (an Epoch file, or 'livebench_<category>').", nullable=False,
               allowed=tuple(BENCHMARK_NAMES)),
        Column("family", pl.String, "Task family of the benchmark.", nullable=False, allowed=FAMILIES),
        Column("edition", pl.String, "'hub' for an Epoch file; the LiveBench release (YYYY_MM_DD), whose scores are "
               "not comparable with another release's.", nullable=False),
        Column("score", pl.Float64, "Score on the benchmark's own scale (`scale`).", nullable=False, min=0.0),
        Column("scale", pl.String, "'fraction' (0-1), 'percent' (0-100) or 'livebench' (0-100 mean of task "
               "scores).", nullable=False, allowed=("fraction", "percent", "livebench")),
        Column("stderr", pl.Float64, "The source's standard error of the score, where it gives one.", min=0.0),
        Column("as_of", pl.Date, "Snapshot date of the source file.", nullable=False),
        *SOURCE_COLUMNS,
    ),
)

# context-window sources: LiteLLM's first-party keys, models.dev's first-party providers, OpenRouter endpoints
# served by the model's own lab
WINDOW_SOURCES = ("litellm", "models.dev", "openrouter")
MODELS_DEV_DIR = "pricing/models.dev"
MODELS_DEV_FILES = tuple(f"{MODELS_DEV_DIR}/models_dev_{d}.json" for d in
                         ("2025-07-01", "2025-10-01", "2026-01-01", "2026-04-02", "2026-07-01"))
# models.dev providers that are a lab's own API (international and China sites); resellers, routers, clouds and
# the labs' coding/token subscription plans are not
MODELS_DEV_LAB_PROVIDERS = ("openai", "anthropic", "google", "xai", "mistral", "deepseek", "alibaba", "alibaba-cn",
                            "moonshotai", "moonshotai-cn", "zai", "zhipuai", "minimax", "minimax-cn", "stepfun",
                            "xiaomi")
OPENROUTER_ENDPOINTS = "pricing/openrouter/openrouter_endpoints_2026-08-08.csv"
OPENROUTER_ENDPOINT_COLUMNS = ("model_slug", "provider_slug", "context_length", "is_disabled")
WINDOW_PROVIDERS = tuple(dict.fromkeys((*LITELLM_LAB_PROVIDERS, *MODELS_DEV_LAB_PROVIDERS)))

CONTEXT_WINDOWS = Table(
    name="context_windows",
    description="One row per (source file, first-party record): the context window (maximum input tokens) a lab's "
    "own API states for a model: LiteLLM's first-party keys (8 dated files), models.dev's first-party providers "
    "(5 dated snapshots) and OpenRouter endpoints served by the model's own lab (one file). One window per model "
    "and date is chosen by analysis.metrics.builders.window_reference.",
    primary_key=("source_file", "source_row"),
    columns=(
        Column("model_key", pl.String, "LiteLLM key.", nullable=False),
        Column("provider", pl.String, "The source's provider: LiteLLM `litellm_provider`, the models.dev provider "
               "id, or OpenRouter's `provider_slug` (always a lab's own API).", nullable=False),
        Column("organization", pl.String, "The lab the provider stands for (data/curated/price_providers.csv).",
               nullable=False),
        Column("country_bucket", pl.String, "Bucket of that organization.", nullable=False, allowed=COUNTRY_BUCKETS),
        Column("model_id", pl.String, "Canonical model id (the price crosswalk's rules for LiteLLM keys); null when "
               "the key links to no model.", nullable=True),
        Column("max_input_tokens", pl.Int64, "Context window: `max_input_tokens`, else `max_tokens` (LiteLLM's older "
               "field).", nullable=False, min=1, unit="tokens"),
        Column("window_field", pl.String, "The field the window was read from.", nullable=False,
               allowed=("max_input_tokens", "max_tokens", "limit.context", "context_length")),
        Column("as_of", pl.Date, "Snapshot date of the file.", nullable=False),
        *SOURCE_COLUMNS,
        Column("source", pl.String, "Window source: 'litellm', 'models.dev' or 'openrouter'.", nullable=False,
               allowed=WINDOW_SOURCES),
    ),
)


# --- task scores ---------------------------------------------------------------------------------------------

def _number(text: str | None) -> float | None:
    try:
        v = float(text) if text is not None else None
    except ValueError:
        return None
    return v if v is not None and math.isfinite(v) else None


def _model_fields(m: xw.Model) -> dict:
    return dict(model_id=m.model_id, model=m.model, organizations=list(m.organizations),
                country_bucket=m.country_bucket, release_date=m.release_date,
                release_date_basis=m.release_date_basis, first_seen=m.first_seen)


def _unlinked(cw: xw.Crosswalk, source: str, name: str) -> str:
    return (cw.unlinked_reasons.get((source, name))
            or f"model name not in the crosswalk (key '{xw.norm_key(name)}'); add to "
               "data/curated/model_crosswalk_capability.csv")


def _frame(table: Table, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c.name: c.dtype for c in table.columns}) if rows else table.empty()


def clean_epoch(src: Sources, crosswalk: xw.Crosswalk) -> StepResult:
    """`task_scores` rows of the Epoch Benchmarking Hub files: every record's score, its standard error where the
    file has one; a record without a model name, a score that is not a finite number in its scale's range, or a
    name the crosswalk does not know goes to quarantine."""
    led = Ledger("task_scores")
    rows = []
    for path in src.paths():
        bench, _, family, col, se_col, scale = EPOCH_BENCHMARKS[path]
        df = src[path]
        require_columns(path, df, ["Model version", col, *([se_col] if se_col else [])])
        led.count_in(path, len(df))
        top = 100.0 if scale == "percent" else 1.0
        as_of = src.snapshot(path)
        for r in df.iter_rows(named=True):
            name, rec = r["Model version"], r["source_row"]
            if not name:
                led.reject(path, rec, None, "Model version", "no model name")
                continue
            score = _number(r[col])
            if score is None or not 0 <= score <= top:
                led.reject(path, rec, name, col, f"no score in 0..{top:g}: {r[col]!r:.40}")
                continue
            se = _number(r[se_col]) if se_col else None
            if se is not None and se < 0:
                led.reject(path, rec, name, se_col, f"negative standard error {r[se_col]!r:.40}")
                continue
            m = crosswalk.lookup(name, EPOCH_SOURCE)
            if m is None:
                led.reject(path, rec, name, "name", _unlinked(crosswalk, EPOCH_SOURCE, name))
                continue
            rows.append(dict(**_model_fields(m), source_model=name, benchmark=bench, family=family,
                             edition=EPOCH_EDITION, score=score, scale=scale, stderr=se, as_of=as_of,
                             source_file=path, source_row=rec))
    return led.result(TASK_SCORES, _frame(TASK_SCORES, rows))


def check_categories(path: str, data) -> dict[str, list[str]]:
    """A LiveBench categories file: {category: [task column, ...]}, every category one the project maps."""
    data = expect_json(path, "top level", data, dict)
    for name, ts in data.items():
        if not isinstance(ts, list) or not ts or not all(isinstance(t, str) for t in ts):
            raise InputError(f"{path}: category {name!r}: expected a list of task names, found {ts!r:.80}")
        if name not in LIVEBENCH_CATEGORIES:
            raise InputError(f"{path}: category {name!r} is not one of {sorted(LIVEBENCH_CATEGORIES)} (map it to a "
                             "task family in analysis/clean/tasks.py)")
    return data


def category_means(row: dict, categories: dict[str, list[str]]) -> dict[str, float]:
    """The mean of each category's task scores (a category with a missing or non-numeric task is left out)."""
    out = {}
    for cat, tasks in categories.items():
        vals = [_number(row.get(t)) for t in tasks]
        if all(v is not None for v in vals):
            out[cat] = sum(vals) / len(vals)
    return out


def clean_livebench(src: Sources, crosswalk: xw.Crosswalk) -> StepResult:
    """`task_scores` rows of every pinned LiveBench release: per model, the mean of each category's tasks. A record
    with no scored category, a second record of one model in a release, or a name the crosswalk does not know
    goes to quarantine."""
    led = Ledger("task_scores")
    rows = []
    for release in LIVEBENCH_RELEASES:
        cpath, tpath = livebench_categories(release), livebench_table(release)
        categories = check_categories(cpath, src[cpath])
        df = src[tpath]
        require_columns(tpath, df, ["model", *[t for ts in categories.values() for t in ts]])
        led.count_in(tpath, len(df))
        as_of, seen = src.snapshot(tpath), {}
        for r in df.iter_rows(named=True):
            name, rec = r["model"], r["source_row"]
            if not name:
                led.reject(tpath, rec, None, "model", "no model name")
                continue
            if name in seen:
                led.reject(tpath, rec, name, "model", f"second reading of the same model as record {seen[name]} "
                                                       "(the first is kept)")
                continue
            seen[name] = rec
            means = category_means(r, categories)
            bad = [c for c, v in means.items() if not 0 <= v <= 100]
            if not means or bad:
                led.reject(tpath, rec, name, "score", "no category with every task scored" if not means
                           else f"category mean outside 0..100 in {bad}")
                continue
            m = crosswalk.lookup(name, "livebench")
            if m is None:
                led.reject(tpath, rec, name, "name", _unlinked(crosswalk, "livebench", name))
                continue
            for cat, v in means.items():
                rows.append(dict(**_model_fields(m), source_model=name, benchmark=livebench_benchmark(cat),
                                 family=LIVEBENCH_CATEGORIES[cat], edition=release, score=v, scale="livebench",
                                 stderr=None, as_of=as_of, source_file=tpath, source_row=rec))
    return led.result(TASK_SCORES, _frame(TASK_SCORES, rows), one_row_per_record=False)


# --- context windows -----------------------------------------------------------------------------------------

def _tokens(v) -> int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v != int(v):
        return None
    return int(v)


MAX_WINDOW = 100_000_000  # a stated window above 100M tokens is not a plausible reading


def clean_windows(src: Sources, crosswalk: xw.Crosswalk, registry, providers) -> StepResult:
    """`context_windows` rows of the LiteLLM files: first-party text-model keys with a stated window. Every key is
    a record: another provider, another mode, a fine-tuned model or a key without a plausible window goes to
    quarantine with the reason."""

    led = Ledger("context_windows")
    rows = []
    for f in src.paths():
        data = expect_json(f, "top level", src[f], dict)
        reject_repeated_keys(f, "top level", data)
        as_of = src.snapshot(f)
        led.count_in(f, len(data))
        for i, (key, v) in enumerate(data.items(), start=1):
            if not isinstance(v, dict):
                led.reject(f, i, key, None, f"value is {describe_json(v)}, not a model object")
                continue
            prov, mode = v.get("litellm_provider"), v.get("mode")
            if key == "sample_spec" or prov not in LITELLM_LAB_PROVIDERS:
                led.reject(f, i, key, "litellm_provider", f"provider {prov!r} is not a lab's own API")
                continue
            if mode not in LITELLM_TEXT_MODES or key.startswith("ft:"):
                led.reject(f, i, key, "mode", f"mode {mode!r} or a fine-tuned key: not a text model of the lab")
                continue
            field, window = "max_input_tokens", _tokens(v.get("max_input_tokens"))
            if window is None:
                field, window = "max_tokens", _tokens(v.get("max_tokens"))
            if window is None or not 0 < window <= MAX_WINDOW:
                led.reject(f, i, key, "max_input_tokens", f"no plausible window: max_input_tokens "
                           f"{v.get('max_input_tokens')!r:.30}, max_tokens {v.get('max_tokens')!r:.30}")
                continue
            org = providers.get(prov)
            if org is None or org not in registry.orgs:
                raise InputError(f"data/curated/price_providers.csv: no organization for LiteLLM provider {prov!r}")
            rows.append(_window_row(crosswalk, registry, "litellm", key, prov, org, window, field, as_of, f, i))
    return led.result(CONTEXT_WINDOWS, _frame(CONTEXT_WINDOWS, rows))


def _window_row(crosswalk: xw.Crosswalk, registry, source: str, key: str, prov: str, org: str, window: int,
                field: str, as_of, file: str, row: int) -> dict:
    """One `context_windows` row: the key linked through the crosswalk by `source`'s rules, the organization's
    country bucket from the registry."""
    from analysis.curated import registry as reg_mod

    link = crosswalk.lookup_price(key, source)[0]
    return dict(model_key=key, provider=prov, organization=org, country_bucket=reg_mod.bucket([registry.orgs[org].country]),
                model_id=link.model_id if link else None, max_input_tokens=window, window_field=field, as_of=as_of,
                source_file=file, source_row=row, source=source)


def _org_of(name: str, registry, providers) -> str | None:
    """A provider or author name's organization: data/curated/price_providers.csv, else the registry."""
    org = providers.get(name)
    if org is None:
        o = registry.resolve(name)
        org = o.name if o is not None else None
    return org if org in registry.orgs else None


def clean_models_dev_windows(src: Sources, crosswalk: xw.Crosswalk, registry, providers) -> StepResult:
    """`context_windows` rows of the models.dev snapshots: every model of every provider is a record; a model of a
    provider that is not a lab's own API (`MODELS_DEV_LAB_PROVIDERS`), one that outputs no text, one the provider
    marks deprecated, or one without a plausible `limit.context` goes to quarantine with the reason."""

    led = Ledger("context_windows")
    rows = []
    for f in src.paths():
        data = expect_json(f, "top level", src[f], dict)
        provs = expect_json(f, "providers", data.get("providers"), dict)
        as_of = src.snapshot(f)
        i = 0
        n_in = sum(len(v.get("models") or {}) if isinstance(v, dict) else 1 for v in provs.values())
        led.count_in(f, n_in)
        for prov, pv in provs.items():
            models = pv.get("models") if isinstance(pv, dict) else None
            if not isinstance(models, dict):
                i += 1
                led.reject(f, i, prov, "models", f"provider {prov!r} has no models object")
                continue
            for mid, m in models.items():
                i += 1
                key = f"{prov}/{mid}"
                if prov not in MODELS_DEV_LAB_PROVIDERS:
                    led.reject(f, i, key, "provider", f"provider {prov!r} is not a lab's own API")
                    continue
                if not isinstance(m, dict):
                    led.reject(f, i, key, None, f"value is {describe_json(m)}, not a model object")
                    continue
                out = ((m.get("modalities") or {}).get("output") if isinstance(m.get("modalities"), dict) else None)
                if out is not None and "text" not in out:
                    led.reject(f, i, key, "modalities", f"outputs {out!r:.40}, no text: not a text model")
                    continue
                if m.get("status") == "deprecated":
                    led.reject(f, i, key, "status", "deprecated by the provider")
                    continue
                window = _tokens((m.get("limit") or {}).get("context") if isinstance(m.get("limit"), dict) else None)
                if window is None or not 0 < window <= MAX_WINDOW:
                    led.reject(f, i, key, "limit.context", f"no plausible window: {m.get('limit')!r:.40}")
                    continue
                org = _org_of(prov, registry, providers)
                if org is None:
                    raise InputError(f"data/curated/price_providers.csv: no organization for models.dev provider "
                                     f"{prov!r}")
                row = _window_row(crosswalk, registry, "models.dev", mid, prov, org, window, "limit.context", as_of,
                                  f, i)
                rows.append(dict(row, model_key=key))
    return led.result(CONTEXT_WINDOWS, _frame(CONTEXT_WINDOWS, rows))


def clean_openrouter_windows(src: Sources, crosswalk: xw.Crosswalk, registry, providers) -> StepResult:
    """`context_windows` rows of OpenRouter's endpoints file: an endpoint counts only where the provider serving it
    is the model's own lab (the provider's organization is the slug author's); another provider, a moving alias
    (`~author/...`), a disabled endpoint or one without a plausible `context_length` goes to quarantine."""

    led = Ledger("context_windows")
    rows = []
    for f in src.paths():
        df = src[f]
        require_columns(f, df, list(OPENROUTER_ENDPOINT_COLUMNS))
        led.count_in(f, len(df))
        as_of = src.snapshot(f)
        for r in df.iter_rows(named=True):
            slug, prov, rec = r["model_slug"] or "", r["provider_slug"] or "", r["source_row"]
            author = slug.split("/")[0] if "/" in slug else ""
            if author.startswith("~"):
                led.reject(f, rec, slug, "model_slug", "a moving alias, not one model")
                continue
            org = _org_of(prov, registry, providers)
            a_org = _org_of(author, registry, providers) if author else None
            if org is None or org != a_org:
                led.reject(f, rec, slug, "provider_slug", f"provider {prov!r} is not the model's lab "
                                                          f"({a_org or 'unknown'})")
                continue
            if (r["is_disabled"] or "").casefold() == "true":
                led.reject(f, rec, slug, "is_disabled", "endpoint disabled")
                continue
            window = _tokens(_number(r["context_length"]))
            if window is None or not 0 < window <= MAX_WINDOW:
                led.reject(f, rec, slug, "context_length", f"no plausible window: {r['context_length']!r:.30}")
                continue
            rows.append(_window_row(crosswalk, registry, "openrouter", slug, prov, org, window, "context_length",
                                    as_of, f, rec))
    return led.result(CONTEXT_WINDOWS, _frame(CONTEXT_WINDOWS, rows))


EPOCH_STEP = Step("task_scores:epoch", clean_epoch, reads=tuple(Read(f) for f in EPOCH_BENCHMARKS),
                  needs=("crosswalk",))
LIVEBENCH_STEP = Step("task_scores:livebench", clean_livebench,
                      reads=tuple(r for rel in LIVEBENCH_RELEASES
                                  for r in (Read(livebench_categories(rel), "json"), livebench_table_read(rel))),
                      needs=("crosswalk",))
WINDOWS_STEP = Step("context_windows", clean_windows, reads=(Read(LITELLM_FAMILY, "json", versions="all", shape=litellm_shape),),
                    needs=("crosswalk",), uses=("registry", "providers"))
MODELS_DEV_WINDOWS_STEP = Step("context_windows:models.dev", clean_models_dev_windows,
                               reads=tuple(Read(f, "json") for f in MODELS_DEV_FILES), needs=("crosswalk",),
                               uses=("registry", "providers"))
OPENROUTER_WINDOWS_STEP = Step("context_windows:openrouter", clean_openrouter_windows,
                               reads=(Read(OPENROUTER_ENDPOINTS, columns=OPENROUTER_ENDPOINT_COLUMNS),),
                               needs=("crosswalk",), uses=("registry", "providers"))
STEPS = [EPOCH_STEP, LIVEBENCH_STEP, WINDOWS_STEP, MODELS_DEV_WINDOWS_STEP, OPENROUTER_WINDOWS_STEP]


def snapshot_of(release: str) -> dt.date:
    """The date in a LiveBench release id ('2024_06_24' -> 2024-06-24)."""
    return dt.date.fromisoformat(release.replace("_", "-"))
