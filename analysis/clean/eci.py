"""Clean `capability` rows from the Epoch Capabilities Index (ECI), and the file's release records for the crosswalk.

One row per model and metric ('eci') at the snapshot's as-of date. Rows without a score, a model name
or a release date, with an unknown organization, or repeating a model already read (the same model
served by another provider) go to quarantine with the reason. The one reading of this file: the crosswalk takes its
release records from this step (`StepResult.extra['releases']`: the records whose version, release date and
organizations pass these rules, scored or not), so a record quarantined here for its date or organization is never
a model.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.clean.capability import CAPABILITY
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult, take_date_bounds, take_organizations
from analysis.core import vocab
from analysis.core.rules import clean_text, iso_date, open_weights, slug
from analysis.curated.registry import Registry, bucket

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

    def take(d, mask: pl.Expr, column: str, reason, ledger: Ledger = led):
        return ledger.take(d, mask, column, reason, file=SOURCE, key="Model version")

    def release_rules(led: Ledger, d: pl.DataFrame) -> pl.DataFrame:
        """The rules on a record's release facts: date (present, a date, MIN_DATE..today), organizations."""
        d = take_date_bounds(led, d, "release_date", "_date_text", "Release date", today, file=SOURCE,
                             key="Model version")
        d = take(d, pl.col("_org_text").is_null(), "Organization", "no organization", led)
        d = take_organizations(led, d, "_org_text", "Organization", registry, file=SOURCE, key="Model version")
        access = clean_text(pl.col("Model accessibility"))
        return d.with_columns(
            pl.col("model").map_elements(slug, return_dtype=pl.String).alias("model_id"),
            pl.col("organizations").map_elements(
                lambda os: bucket([registry.orgs[o].country for o in os]), return_dtype=pl.String
            ).alias("country_bucket"),
            open_weights(access).alias("open_weights"),
        )

    d = take(d, pl.col("source_model").is_null(), "Model version", "no model version")
    bad_score = pl.col("_score_text").is_null() | pl.col("score").is_null() | pl.col("score").is_nan() \
        | pl.col("score").is_infinite()
    # a record without a score is no capability row, but still a dated release of a known organization: the same
    # release rules decide whether the crosswalk takes it (its quarantine reason stays the score's)
    unscored = release_rules(Ledger("capability"), d.filter(bad_score.fill_null(True)))
    d = take(d, pl.col("_score_text").is_null(), "ECI Score", "no ECI score")
    d = take(d, pl.col("score").is_null() | pl.col("score").is_nan() | pl.col("score").is_infinite(), "ECI Score",
             pl.format("not a number: '{}'", pl.col("_score_text")))
    d = release_rules(led, d)
    # ECI scores a model once; its variants (thinking budgets, providers) repeat the model's score. The record kept
    # is computed before the take (a reason computed on the rejected rows alone would name one of them)
    d = d.with_columns(pl.col("source_row").min().over("model_id", "release_date").alias("_first"))
    variants = d.filter(pl.col("source_row") != pl.col("_first"))
    d = take(d, pl.col("source_row") != pl.col("_first"), "Model name",
             pl.format("same model and release date as record {} (a variant repeating its score)", pl.col("_first")))

    out = d.select(
        "model_id", "model", "source_model", "organizations", "country_bucket",
        "release_date",
        pl.lit("eci").alias("release_date_basis"),
        pl.lit(None, pl.Date).alias("first_seen"),
        "open_weights",
        pl.lit(METRIC).alias("metric"),
        "score",
        pl.lit(None, pl.Float64).alias("ci_low"),
        pl.lit(None, pl.Float64).alias("ci_high"),
        pl.lit(None, pl.Boolean).alias("estimated"),
        pl.lit(src.snapshot(SOURCE)).alias("as_of"),
        pl.lit(SOURCE).alias("source_file"),
        "source_row",
    )
    result = led.result(CAPABILITY, out)
    # what the crosswalk takes from this file (analysis.curated.crosswalk.eci_records): every record whose release facts pass
    # the rules above: the rows kept, the variants (their versions are names of the model kept) and the records
    # without a score
    cols = ["source_row", "source_model", "model", "release_date", "organizations", "country_bucket", "open_weights"]
    result.extra["releases"] = pl.concat([out.select(cols), variants.select(cols), unscored.select(cols)],
                                         how="vertical").sort("source_row")
    return result


STEP = Step("capability:eci", clean, reads=(Read(SOURCE, columns=tuple(REQUIRED)),), uses=("registry",))
