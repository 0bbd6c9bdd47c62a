"""Clean `capability` rows from the Epoch Capabilities Index (ECI).

One row per model and metric ('eci') at the snapshot's as-of date. Rows without a score, a model name
or a release date, with an unknown organization, or repeating a model already read (the same model
served by another provider) go to quarantine with the reason.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis import vocab
from analysis.clean.capability import CAPABILITY
from analysis.clean.common import (
    Ledger,
    Read,
    Sources,
    Step,
    StepResult,
    clean_text,
    iso_date,
    open_weights,
    slug,
    take_date_bounds,
    take_organizations,
)
from analysis.registry import Registry, bucket

SOURCE = "epoch/epoch_capabilities_index.csv"
METRIC = vocab.METRIC_ECI
REQUIRED = ["Model version", "ECI Score", "Release date", "Organization", "Model accessibility", "Model name"]


def clean(src: Sources, registry: Registry, today: dt.date | None = None) -> StepResult:
    """`capability` rows of metric 'eci' from the ECI file (read by the build)."""
    today = today or dt.date.today()
    df = src[SOURCE]
    led = Ledger("capability")
    led.count_in(SOURCE, len(df))
    d = df.with_columns(
        clean_text(pl.col("Model version")).alias("source_model"),
        pl.coalesce(clean_text(pl.col("Model name")), clean_text(pl.col("Model version"))).alias("model"),
        clean_text(pl.col("ECI Score")).alias("_score_text"),
        clean_text(pl.col("Release date")).alias("_date_text"),
        clean_text(pl.col("Organization")).alias("_org_text"),
    ).with_columns(
        pl.col("_score_text").cast(pl.Float64, strict=False).alias("score"),
        iso_date(pl.col("_date_text")).alias("release_date"),
    )

    def take(d, mask: pl.Expr, column: str, reason):
        return led.take(d, mask, column, reason, file=SOURCE, key="Model version")

    d = take(d, pl.col("source_model").is_null(), "Model version", "no model version")
    d = take(d, pl.col("_score_text").is_null(), "ECI Score", "no ECI score")
    d = take(d, pl.col("score").is_null() | pl.col("score").is_nan() | pl.col("score").is_infinite(), "ECI Score",
             pl.format("not a number: '{}'", pl.col("_score_text")))
    d = take_date_bounds(led, d, "release_date", "_date_text", "Release date", today, file=SOURCE,
                         key="Model version")
    d = take(d, pl.col("_org_text").is_null(), "Organization", "no organization")
    d = take_organizations(led, d, "_org_text", "Organization", registry, file=SOURCE, key="Model version")
    d = d.with_columns(pl.col("model").map_elements(slug, return_dtype=pl.String).alias("model_id"))
    # ECI scores a model once; its variants (thinking budgets, providers) repeat the model's score. The record kept
    # is computed before the take (a reason computed on the rejected rows alone would name one of them)
    d = d.with_columns(pl.col("source_row").min().over("model_id", "release_date").alias("_first"))
    d = take(d, pl.col("source_row") != pl.col("_first"), "Model name",
             pl.format("same model and release date as record {} (a variant repeating its score)", pl.col("_first")))

    access = clean_text(pl.col("Model accessibility"))
    out = d.select(
        "model_id", "model", "source_model", "organizations",
        pl.col("organizations").map_elements(
            lambda os: bucket([registry.orgs[o].country for o in os]), return_dtype=pl.String
        ).alias("country_bucket"),
        "release_date",
        pl.lit("eci").alias("release_date_basis"),
        pl.lit(None, pl.Date).alias("first_seen"),
        open_weights(access).alias("open_weights"),
        pl.lit(METRIC).alias("metric"),
        "score",
        pl.lit(None, pl.Float64).alias("ci_low"),
        pl.lit(None, pl.Float64).alias("ci_high"),
        pl.lit(None, pl.Boolean).alias("estimated"),
        pl.lit(src.snapshot(SOURCE)).alias("as_of"),
        pl.lit(SOURCE).alias("source_file"),
        "source_row",
    )
    return led.result(CAPABILITY, out)


STEP = Step("capability:eci", clean, reads=(Read(SOURCE, columns=tuple(REQUIRED)),), uses=("registry",))
