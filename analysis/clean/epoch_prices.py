"""Clean tables of Epoch AI's price-trend inputs and published trends (github.com/epoch-research/llm-benchmark-efficiency).

The replication report reproduces Epoch's 21 published price trends with the project's own method
(`analysis.metrics.prices.epoch_price_trends`) on Epoch's own inputs; these steps are the one reader of those files:

- `epoch_price_inputs`: one row per model of Epoch's two input tables (`aa_data_with_math5.csv`, then
  `epoch_ai_price_data_not_in_aa_with_benchmarks.csv`): name, release date, USD per 1M tokens and the six benchmark
  scores Epoch's thresholds use; `excluded` marks the reasoning models Epoch leaves out of per-token prices (curated,
  cited: data/curated/epoch_price_excluded_models.csv). A record without a release date or a price is quarantined.
- `epoch_price_results`: one row per published trend of `lowest_price_models_results.csv`: benchmark, threshold
  model, sample size and price reduction factor per year.
"""

from __future__ import annotations

import polars as pl

from analysis.clean.common import Ledger, Read, Sources, Step, StepResult
from analysis.core.errors import InputError
from analysis.core.rules import clean_text, iso_date
from analysis.core.schema import SOURCE_COLUMNS, Column, Table

DIR = "epoch/llm-benchmark-efficiency"
INPUT_FILES = (f"{DIR}/aa_data_with_math5.csv", f"{DIR}/epoch_ai_price_data_not_in_aa_with_benchmarks.csv")
RESULTS_FILE = f"{DIR}/lowest_price_models_results.csv"
EXCLUDED_FILE = "data/curated/epoch_price_excluded_models.csv"
EXCLUDED_COLUMNS = ("model", "reason", "source_url", "source_quote")
# Epoch's benchmark columns -> the table's column names
BENCHES = {"MMLU": "mmlu", "GPQA Diamond": "gpqa_diamond", "HumanEval": "humaneval", "MATH-500": "math_500",
           "LMSys Chatbot Arena ELO": "lmsys_arena_elo", "MATH 5": "math_5"}
INPUT_COLUMNS = ("Model Name", "Release Date", "USD per 1M Tokens", *BENCHES)
RESULTS_COLUMNS = ("bench", "threshold_model", "sample_size", "price_reduction_factor_per_year")

EPOCH_PRICE_INPUTS = Table(
    name="epoch_price_inputs",
    description="Epoch AI's inputs of its LLM inference price trends (epoch.ai/data-insights/llm-inference-price-"
    "trends): one row per model of its two input tables, with the benchmark scores its thresholds use. Read by the "
    "replication report only (the project's own prices are in `prices`).",
    primary_key=("source_file", "source_row"),
    columns=(
        Column("model", pl.String, "Epoch's 'Model Name'.", nullable=False),
        Column("release_date", pl.Date, "Epoch's 'Release Date'.", nullable=False),
        Column("usd_per_m_tokens", pl.Float64, "Epoch's 'USD per 1M Tokens' (its blended price).", nullable=False),
        *(Column(c, pl.Float64, f"Epoch's '{b}' score; null when not given.", nullable=True)
          for b, c in BENCHES.items()),
        Column("excluded", pl.Boolean, "A reasoning model Epoch leaves out of per-token prices "
               "(data/curated/epoch_price_excluded_models.csv).", nullable=False),
        *SOURCE_COLUMNS,
    ),
)

EPOCH_PRICE_RESULTS = Table(
    name="epoch_price_results",
    description="Epoch AI's published LLM price trends (lowest_price_models_results.csv): one row per benchmark and "
    "threshold model.",
    primary_key=("bench", "threshold_model"),
    columns=(
        Column("bench", pl.String, "Benchmark (Epoch's column name).", nullable=False),
        Column("threshold_model", pl.String, "The model whose score sets the threshold.", nullable=False),
        Column("sample_size", pl.Int64, "Points of the published fit.", nullable=False),
        Column("price_reduction_factor_per_year", pl.Float64, "Published factor per year.", nullable=False),
        *SOURCE_COLUMNS,
    ),
)


def _excluded(label: str, df: pl.DataFrame) -> set[str]:
    """The excluded models' names; a name given twice is an InputError naming the file, record and column."""
    dup = df.filter(pl.col("model").is_duplicated() & (pl.int_range(pl.len()).over("model") > 0))
    if len(dup):
        r = dup.row(0, named=True)
        raise InputError(f"{label}: record {r['source_row']}, column 'model': {r['model']!r} appears twice")
    return set(df["model"].to_list())


def clean_inputs(src: Sources) -> StepResult:
    """`epoch_price_inputs` from Epoch's two input tables, in file order."""
    excluded = _excluded(*src[EXCLUDED_FILE])
    led = Ledger(EPOCH_PRICE_INPUTS.name)
    parts = []
    for f in INPUT_FILES:
        df = src[f]
        led.count_in(f, len(df))
        d = df.with_columns(clean_text(pl.col("Model Name")).alias("model"),
                            clean_text(pl.col("Release Date")).alias("_date_text"),
                            clean_text(pl.col("USD per 1M Tokens")).alias("_price_text"))
        d = d.with_columns(iso_date(pl.col("_date_text")).alias("release_date"),
                           pl.col("_price_text").cast(pl.Float64, strict=False).alias("usd_per_m_tokens"))

        def take(d, mask, column, reason, f=f):
            return led.take(d, mask, column, reason, file=f, key="Model Name")
        d = take(d, pl.col("model").is_null(), "Model Name", "no model name")
        d = take(d, pl.col("release_date").is_null(), "Release Date",
                 pl.format("no YYYY-MM-DD release date: '{}'", pl.col("_date_text").fill_null("")))
        d = take(d, pl.col("usd_per_m_tokens").is_null(), "USD per 1M Tokens",
                 pl.format("no price: '{}'", pl.col("_price_text").fill_null("")))
        parts.append(d.select(
            "model", "release_date", "usd_per_m_tokens",
            *(pl.col(b).cast(pl.Float64, strict=False).alias(c) for b, c in BENCHES.items()),
            pl.col("Model Name").is_in(list(excluded)).alias("excluded"),
            pl.lit(f).alias("source_file"), "source_row"))
    return led.result(EPOCH_PRICE_INPUTS, pl.concat(parts, how="vertical"))


def clean_results(src: Sources) -> StepResult:
    """`epoch_price_results` from Epoch's published trends."""
    df = src[RESULTS_FILE]
    led = Ledger(EPOCH_PRICE_RESULTS.name)
    led.count_in(RESULTS_FILE, len(df))
    d = df.with_columns(pl.col("sample_size").cast(pl.Int64, strict=False).alias("_n"),
                        pl.col("price_reduction_factor_per_year").cast(pl.Float64, strict=False).alias("_f"))
    for col, tmp in (("sample_size", "_n"), ("price_reduction_factor_per_year", "_f")):
        d = led.take(d, pl.col(tmp).is_null(), col, pl.format("not a number: '{}'", pl.col(col).fill_null("")),
                     file=RESULTS_FILE, key="threshold_model")
    out = d.select("bench", "threshold_model", pl.col("_n").alias("sample_size"),
                   pl.col("_f").alias("price_reduction_factor_per_year"), pl.lit(RESULTS_FILE).alias("source_file"),
                   "source_row")
    return led.result(EPOCH_PRICE_RESULTS, out)


# the pinned input tables end without a final newline (their last record's last field is empty)
INPUTS_STEP = Step("epoch_price_inputs", clean_inputs, reads=(
    *(Read(f, columns=INPUT_COLUMNS, final_newline=False) for f in INPUT_FILES),
    Read(EXCLUDED_FILE, "curated", EXCLUDED_COLUMNS)))
RESULTS_STEP = Step("epoch_price_results", clean_results, reads=(Read(RESULTS_FILE, columns=RESULTS_COLUMNS),))
STEPS = [INPUTS_STEP, RESULTS_STEP]
