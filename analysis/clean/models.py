"""Clean `models` table: one row per model release across Epoch AI's model files.

load: notable, large-scale and frontier model CSVs (all text) ->
process: per-file checks (name, date, numbers, organizations) with bad rows to quarantine; the rows
that pass are normalised, resolved through the organization registry and merged across files by
model name (file priority: notable, then large-scale, then frontier, the newest snapshot first) ->
save: schema-checked `models` table, with every contributing upstream record listed in `source_rows`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis import registry
from analysis.clean.common import (
    StepResult,
    clean_text,
    concat_quarantine,
    counts_frame,
    iso_date,
    quarantine_rows,
    read_csv_strings,
    slug,
)
from analysis.schema import COUNTRY_BUCKETS, SOURCE_COLUMNS, Column, Table

# file -> (flag column, priority); lower priority wins when files disagree
SOURCES = {
    "epoch/notable_ai_models.csv": ("notable", 0),
    "epoch/large_scale_ai_models.csv": ("large_scale", 1),
    "epoch/frontier_ai_models.csv": ("frontier", 2),
}
REQUIRED = ["Model", "Organization", "Publication date", "Domain", "Parameters", "Training compute (FLOP)", "Model accessibility"]
ACCESS = (
    "Open weights (unrestricted)",
    "Open weights (non-commercial)",
    "Open weights (restricted use)",
    "API access",
    "Hosted access (no API)",
    "Unreleased",
    "Unknown",
)
MIN_DATE = dt.date(1940, 1, 1)
# bounds beyond which a number is an error, not a model (largest real values are ~3e12 params, ~5e26 FLOP)
MAX_PARAMETERS = 1e16
MAX_COMPUTE = 1e31

MODELS = Table(
    name="models",
    description="One row per model release across Epoch AI's notable, large-scale and frontier model files.",
    primary_key=("model_id",),
    columns=(
        Column(
            "model_id",
            pl.String,
            "Canonical model id: the model name folded to lower-case ASCII words joined by '-'.",
            nullable=False,
            origin="derived: slug of `Model`",
        ),
        Column(
            "model",
            pl.String,
            "Model name (white space folded, trailing newlines removed).",
            nullable=False,
            origin="Epoch `Model`",
        ),
        Column(
            "organizations",
            pl.List(pl.String),
            "Canonical organizations (data/raw/organizations.csv), in upstream order, without repeats.",
            nullable=False,
            origin="Epoch `Organization` via data/raw/organizations.csv",
        ),
        Column(
            "countries",
            pl.List(pl.String),
            "Countries of those organizations, from the registry, without repeats.",
            nullable=False,
            origin="data/raw/organizations.csv `country`",
        ),
        Column(
            "country_bucket",
            pl.String,
            "US–China comparison bucket: a US and a Chinese organization -> "
            "'US–China joint'; else any US organization -> 'United States'; any Chinese (incl. Hong Kong) -> "
            "'China'; else 'Other'.",
            nullable=False,
            allowed=COUNTRY_BUCKETS,
            origin="derived: analysis.registry.bucket",
        ),
        Column(
            "release_date",
            pl.Date,
            "Publication / release date (Epoch 'Publication date').",
            nullable=False,
            origin="Epoch `Publication date`",
        ),
        Column(
            "open_weights",
            pl.Boolean,
            "Weights downloadable (any licence). From 'Model accessibility', "
            "else Epoch's 'Open model weights?'; null when neither is given.",
            origin="Epoch `Model accessibility`, `Open model weights?`",
        ),
        Column(
            "accessibility",
            pl.String,
            "Epoch 'Model accessibility'; 'Unknown' when blank.",
            nullable=False,
            allowed=ACCESS,
            origin="Epoch `Model accessibility`",
        ),
        Column(
            "parameters",
            pl.Float64,
            "Number of parameters.",
            unit="parameters",
            min=1,
            max=MAX_PARAMETERS,
            origin="Epoch `Parameters`",
        ),
        Column(
            "training_compute_flop",
            pl.Float64,
            "Training compute.",
            unit="FLOP",
            min=1,
            max=MAX_COMPUTE,
            origin="Epoch `Training compute (FLOP)`",
        ),
        Column("domains", pl.List(pl.String), "Epoch 'Domain', split on commas.", nullable=False, origin="Epoch `Domain`"),
        Column(
            "notable",
            pl.Boolean,
            "Listed in Epoch's Notable AI Models.",
            nullable=False,
            origin="file membership: notable_ai_models.csv",
        ),
        Column(
            "large_scale",
            pl.Boolean,
            "Listed in Epoch's Large-Scale AI Models (> 1e23 FLOP).",
            nullable=False,
            origin="file membership: large_scale_ai_models.csv",
        ),
        Column(
            "frontier",
            pl.Boolean,
            "Listed in Epoch's Frontier AI Models, or flagged 'Frontier model' in the notable file.",
            nullable=False,
            origin="frontier_ai_models.csv membership, Epoch `Frontier model`",
        ),
        *SOURCE_COLUMNS,
        Column(
            "source_rows",
            pl.List(pl.String),
            "Every upstream record merged into this row, as 'file#record'.",
            nullable=False,
            origin="derived: every merged record",
        ),
    ),
)


def _num(col: str) -> pl.Expr:
    return clean_text(pl.col(col)).cast(pl.Float64, strict=False)


def _check_file(local_path: str, df: pl.DataFrame, reg: registry.Registry, today: dt.date):
    """Split one file's rows into usable (normalised) rows and quarantined rows."""
    q = []
    d = df.with_columns(
        clean_text(pl.col("Model")).alias("model"),
        clean_text(pl.col("Publication date")).alias("_date_text"),
        clean_text(pl.col("Organization")).alias("_org_text"),
        _num("Parameters").alias("parameters"),
        _num("Training compute (FLOP)").alias("training_compute_flop"),
    ).with_columns(iso_date(pl.col("_date_text")).alias("release_date"))

    def take(mask: pl.Expr, column: str, reason: str | pl.Expr):
        nonlocal d
        mask = mask.fill_null(False)  # a null test result is not a failure (and must not drop the row)
        bad = d.filter(mask)
        if len(bad):
            q.append(quarantine_rows("models", local_path, bad, "Model", column, reason))
        d = d.filter(~mask)

    take(pl.col("model").is_null(), "Model", "no model name")
    # the same record twice in one file (every upstream column equal): keep the first, quarantine the rest
    first_seen: dict[tuple, int] = {}
    upstream = [c for c in df.columns if c != "source_row"]
    firsts = [first_seen.setdefault(rec, n) for n, rec in zip(d["source_row"], d.select(upstream).iter_rows(), strict=True)]
    d = d.with_columns(pl.Series("_first", firsts, dtype=pl.Int64))
    take(
        pl.col("source_row") != pl.col("_first"),
        "Model",
        pl.format("exact duplicate of record {} (every column equal)", pl.col("_first")),
    )
    take(pl.col("_date_text").is_null(), "Publication date", "no release date")
    take(pl.col("release_date").is_null(), "Publication date", pl.format("unparseable release date '{}'", pl.col("_date_text")))
    take(
        pl.col("release_date") < MIN_DATE,
        "Publication date",
        pl.format("release date {} before {}", pl.col("_date_text"), pl.lit(str(MIN_DATE))),
    )
    take(
        pl.col("release_date") > today,
        "Publication date",
        pl.format("release date {} after the build date {}", pl.col("_date_text"), pl.lit(str(today))),
    )
    # a second reading of the same model and date in one file (not an exact duplicate: its values differ):
    # the first record is kept, the second goes to quarantine (merging them would mix two readings silently)
    ids = [slug(m) for m in d["model"].to_list()]
    first_reading: dict[tuple, int] = {}
    firsts = [first_reading.setdefault((i, day), n)
              for i, day, n in zip(ids, d["release_date"].to_list(), d["source_row"].to_list(), strict=True)]
    d = d.with_columns(pl.Series("_first_reading", firsts, dtype=pl.Int64))
    take(
        pl.col("source_row") != pl.col("_first_reading"),
        "Model",
        pl.format("second reading of the same model and release date as record {} (first kept)",
                  pl.col("_first_reading")),
    )
    for col, out, hi in (
        ("Parameters", "parameters", MAX_PARAMETERS),
        ("Training compute (FLOP)", "training_compute_flop", MAX_COMPUTE),
    ):
        text = clean_text(pl.col(col))
        take(text.is_not_null() & pl.col(out).is_null(), col, pl.format("not a number: '{}'", text))
        take(pl.col(out).is_nan(), col, "NaN")
        take(pl.col(out) <= 0, col, pl.format("not positive: {}", pl.col(out)))
        take(pl.col(out) > hi, col, pl.format("implausibly large: {}", pl.col(out)))
    take(pl.col("_org_text").is_null(), "Organization", "no organization")

    # organizations: split comma-joined lists, resolve every part through the registry
    org_lists = []
    for text in d["_org_text"].to_list():
        parts = [p.strip() for p in text.split(",") if p.strip()]
        resolved, unknown = [], []
        for p in parts:
            o = reg.resolve(p)
            if o is None:
                unknown.append(p)
            elif o.name not in resolved:
                resolved.append(o.name)
        org_lists.append((resolved, "; ".join(unknown) if unknown else None))
    d = d.with_columns(
        pl.Series("organizations", [r for r, _ in org_lists], dtype=pl.List(pl.String)),
        pl.Series("_unknown_orgs", [u for _, u in org_lists], dtype=pl.String),
    )
    take(
        pl.col("_unknown_orgs").is_not_null(),
        "Organization",
        pl.format("unknown organization(s) {} (add to data/raw/organizations.csv)", pl.col("_unknown_orgs")),
    )
    return d, q


def _normalise(local_path: str, d: pl.DataFrame, reg: registry.Registry) -> pl.DataFrame:
    flag, priority = SOURCES[local_path]
    cols = d.columns
    access = clean_text(pl.col("Model accessibility")).fill_null("Unknown")
    open_q = clean_text(pl.col("Open model weights?")) if "Open model weights?" in cols else pl.lit(None, pl.String)
    frontier_flag = (
        clean_text(pl.col("Frontier model")).str.to_lowercase().is_in(["true", "yes"]).fill_null(False)
        if "Frontier model" in cols
        else pl.lit(False)
    )
    countries = [list(dict.fromkeys(reg.orgs[o].country for o in orgs)) for orgs in d["organizations"].to_list()]
    return d.select(
        pl.col("model"),
        pl.col("model").map_elements(slug, return_dtype=pl.String).alias("model_id"),
        pl.col("organizations"),
        pl.Series("countries", countries, dtype=pl.List(pl.String)),
        pl.col("release_date"),
        access.alias("accessibility"),
        pl.when(access.str.starts_with("Open weights"))
        .then(True)
        .when(access.is_in(["API access", "Hosted access (no API)", "Unreleased"]))
        .then(False)
        .when(open_q == "Yes")
        .then(True)
        .when(open_q == "No")
        .then(False)
        .otherwise(None)
        .alias("open_weights"),
        pl.col("parameters"),
        pl.col("training_compute_flop"),
        clean_text(pl.col("Domain"))
        .fill_null("")
        .str.split(",")
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
        .alias("domains"),
        pl.lit(flag).alias("_flag"),
        (frontier_flag | pl.lit(flag == "frontier")).alias("_frontier"),
        pl.lit(priority).alias("_priority"),
        pl.lit(local_path).alias("source_file"),
        pl.col("source_row"),
        pl.format("{}#{}", pl.lit(local_path), pl.col("source_row")).alias("_ref"),
    )


def merge(rows: pl.DataFrame) -> pl.DataFrame:
    """Merge normalised rows of several files into one row per model_id (first non-null by priority)."""
    rows = rows.sort("_priority", "source_row")
    first = [
        "model",
        "organizations",
        "countries",
        "release_date",
        "open_weights",
        "parameters",
        "training_compute_flop",
        "domains",
        "source_file",
        "source_row",
    ]
    out = rows.group_by("model_id", maintain_order=True).agg(
        *[pl.col(c).drop_nulls().first().alias(c) for c in first],
        # accessibility: the first one that is not "Unknown", else "Unknown"
        pl.col("accessibility").filter(pl.col("accessibility") != "Unknown").first().alias("accessibility"),
        (pl.col("_flag") == "notable").any().alias("notable"),
        (pl.col("_flag") == "large_scale").any().alias("large_scale"),
        pl.col("_frontier").any().alias("frontier"),
        pl.col("_ref").alias("source_rows"),
    )
    return out.with_columns(
        pl.col("accessibility").fill_null("Unknown"),
        pl.col("countries").map_elements(registry.bucket, return_dtype=pl.String).alias("country_bucket"),
    )


def clean(reg: registry.Registry | None = None, today: dt.date | None = None) -> StepResult:
    reg = reg or registry.default()
    today = today or dt.date.today()
    normalised, quarantine, counts = [], [], []
    for local_path in SOURCES:
        df = read_csv_strings(local_path, REQUIRED)
        ok, q = _check_file(local_path, df, reg, today)
        normalised.append(_normalise(local_path, ok, reg))
        quarantine += q
        n_q = sum(len(x) for x in q)
        counts.append(dict(table="models", source_file=local_path, rows_in=len(df), rows_used=len(ok), rows_quarantined=n_q))
    merged = merge(pl.concat(normalised, how="vertical"))
    result = StepResult(MODELS, MODELS.validate(merged), concat_quarantine(quarantine), counts_frame(counts))
    result.check_accounting()
    used = result.counts["rows_used"].sum()
    traced = result.df["source_rows"].list.len().sum()
    if used != traced:
        raise AssertionError(f"models: {used} upstream rows used but {traced} traced in source_rows")
    return result
