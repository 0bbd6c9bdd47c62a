"""Replication of published figures with the project's own metric functions (see notebooks/replication.ipynb).

First the price method on its publisher's own inputs: Epoch AI's `llm-benchmark-efficiency` files (pinned in
data/manifest.csv, dataset `epoch_price_trends`), run through `analysis.metrics.prices.epoch_price_trends`, must
give the 21 trends of Epoch's `lowest_price_models_results.csv`.
"""

from __future__ import annotations

import polars as pl

from analysis import paths
from analysis.clean.common import InputError
from analysis.clean.events import read_curated
from analysis.metrics import prices as pm

EPOCH_DIR = "epoch/llm-benchmark-efficiency"
EPOCH_INPUTS = ("aa_data_with_math5.csv", "epoch_ai_price_data_not_in_aa_with_benchmarks.csv")
EPOCH_RESULTS = "lowest_price_models_results.csv"
EPOCH_BENCHES = ["MMLU", "GPQA Diamond", "HumanEval", "MATH-500", "LMSys Chatbot Arena ELO", "MATH 5"]
EPOCH_COLS = ["Model Name", "Release Date", "USD per 1M Tokens"]
EXCLUDED_FILE = "epoch_price_excluded_models.csv"
EXCLUDED_COLUMNS = ["model", "reason", "source_url", "source_quote"]
# Epoch's results name the first GPT-3 threshold "GPT-3"; its input files call the model this:
EPOCH_RENAMES = {"GPT-3 175B (davinci)": "GPT-3"}


def _read(name: str) -> pl.DataFrame:
    path = paths.external_dir() / EPOCH_DIR / name
    if not path.is_file():
        raise InputError(f"data/external/{EPOCH_DIR}/{name}: not found (run `python -m analysis fetch`)")
    try:
        return pl.read_csv(path, infer_schema_length=None)
    except pl.exceptions.PolarsError as e:
        raise InputError(f"data/external/{EPOCH_DIR}/{name}: unreadable CSV ({e})") from None


def epoch_price_inputs() -> pl.DataFrame:
    """Epoch's two input tables, stacked: model, date, price and the six benchmark scores (floats)."""
    parts = []
    for name in EPOCH_INPUTS:
        df = _read(name)
        missing = [c for c in [*EPOCH_COLS, *EPOCH_BENCHES] if c not in df.columns]
        if missing:
            raise InputError(f"data/external/{EPOCH_DIR}/{name}: missing column(s) {missing}")
        parts.append(df.select(
            pl.col("Model Name").cast(pl.String),
            pl.col("Release Date").cast(pl.String).str.to_date("%Y-%m-%d", strict=False),
            *(pl.col(c).cast(pl.Float64, strict=False) for c in ["USD per 1M Tokens", *EPOCH_BENCHES])))
    out = pl.concat(parts)
    bad = out.filter(pl.col("Release Date").is_null() | pl.col("USD per 1M Tokens").is_null())
    if len(bad):
        raise InputError(f"data/external/{EPOCH_DIR}: {len(bad)} row(s) without a date or a price, e.g. "
                         f"{bad['Model Name'][0]!r}")
    return out


def excluded_models() -> pl.DataFrame:
    """The reasoning models Epoch leaves out of per-token prices (curated, cited: data/raw/)."""
    return read_curated(EXCLUDED_FILE, EXCLUDED_COLUMNS)[1]


def epoch_trends_on_epoch_data() -> pl.DataFrame:
    """Epoch's method (analysis.metrics.prices.epoch_price_trends) on Epoch's own inputs, joined to the 21
    published trends: columns bench, threshold_model, published n / factor, project n / factor, ratio."""
    m = epoch_price_inputs().filter(~pl.col("Model Name").is_in(excluded_models()["model"].to_list()))
    ours = pm.epoch_price_trends(m, EPOCH_BENCHES).with_columns(
        pl.col("threshold_model").replace(EPOCH_RENAMES))
    pub = _read(EPOCH_RESULTS).select(
        "bench", "threshold_model", pl.col("sample_size").alias("published_n"),
        pl.col("price_reduction_factor_per_year").cast(pl.Float64).alias("published_factor"))
    return (pub.join(ours.rename({"n": "project_n", "factor_per_year": "project_factor"}),
                     on=["bench", "threshold_model"], how="full", coalesce=True)
            .with_columns((pl.col("project_factor") / pl.col("published_factor")).alias("ratio")))
