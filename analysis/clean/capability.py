"""The `capability` table: its one definition. Four steps feed it (analysis.clean.eci and the three of
analysis.clean.leaderboards), each returning rows of this table; the build concatenates them in order.
"""

from __future__ import annotations

import polars as pl

from analysis.core import vocab
from analysis.core.schema import COUNTRY_BUCKETS, SOURCE_COLUMNS, Column, Table
from analysis.core.vocab import BASES, RELEASE_DATE_BASIS_DOC

CAPABILITY = Table(
    name="capability",
    description="One row per (model, metric, as-of date, source row): a capability score as a source reports "
    "it. Metrics are never mixed: each `metric` is its own scale. Several source rows (variants such as "
    "reasoning effort) may map to one canonical model; a model absent from a snapshot has no row (missing, "
    "not zero).",
    primary_key=("model_id", "release_date", "metric", "as_of", "source_file", "source_row"),
    columns=(
        Column("model_id", pl.String, "Canonical model id from the model crosswalk (analysis/curated/crosswalk.py): "
               "slug of the Epoch model name, else of the Artificial Analysis slug.", nullable=False),
        Column("model", pl.String, "Model name as the source displays it.", nullable=False),
        Column("source_model", pl.String, "The source's own key for the model (e.g. ECI 'Model version').",
               nullable=False),
        Column("organizations", pl.List(pl.String), "Canonical organizations.", nullable=False),
        Column("country_bucket", pl.String, "US–China comparison bucket (see models.country_bucket).",
               nullable=False, allowed=COUNTRY_BUCKETS),
        Column("release_date", pl.Date, "Release date of the canonical model (`canonical_models`: Epoch ECI, "
               "else Artificial Analysis, else the Epoch model files, else a date the source gives); null when no "
               "source dates it (`release_date_basis` 'first_seen').", nullable=True),
        Column("release_date_basis", pl.String, RELEASE_DATE_BASIS_DOC, nullable=False, allowed=BASES),
        Column("first_seen", pl.Date, "For models only leaderboards or price sources know: the earliest pinned "
               "file listing a name of the model (released on or before it); null otherwise.", nullable=True),
        Column("open_weights", pl.Boolean, "Weights downloadable, from the source's accessibility field."),
        Column("metric", pl.String, "Metric id; each metric is its own scale.", nullable=False, allowed=vocab.METRICS),
        Column("score", pl.Float64, "Score on the metric's own scale.", nullable=False),
        Column("ci_low", pl.Float64, "Lower bound of the confidence interval, where the source gives one."),
        Column("ci_high", pl.Float64, "Upper bound of the confidence interval, where the source gives one."),
        Column("estimated", pl.Boolean, "The source flags the score as its own estimate (Artificial Analysis "
               "'ii_est'); null when the source has no such flag."),
        Column("as_of", pl.Date, "Date the score was read (the snapshot date).", nullable=False),
        *SOURCE_COLUMNS,
    ),
)
