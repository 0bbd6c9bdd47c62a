"""Clean `models` table: one row per model release across Epoch AI's model files.

load: notable, large-scale and frontier model CSVs (all text) ->
process: per-file checks (name, date, numbers, organizations) with bad rows to quarantine; the rows
that pass are normalised, resolved through the organization registry and merged across files by
model name (file priority: notable, then large-scale, then frontier, the newest snapshot first) ->
save: schema-checked `models` table, with every contributing upstream record listed in `source_rows`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import polars as pl

from analysis.clean import eci
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult, no_rows, take_date_bounds, take_organizations
from analysis.core.rules import clean_text, iso_date, open_weights, slug
from analysis.core.schema import COUNTRY_BUCKETS, SOURCE_COLUMNS, Column, Table
from analysis.curated import registry

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
# bounds beyond which a number is an error, not a model (largest real values are ~3e12 params, ~5e26 FLOP)
MAX_PARAMETERS = 1e16
MAX_COMPUTE = 1e31

MAX_DATE_DAYS = 7  # release dates further apart than this go to release_date_conflicts

MODELS = Table(
    name="models",
    description="One row per model release across Epoch AI's notable, large-scale and frontier model files.",
    primary_key=("model_id",),
    columns=(
        Column(
            "model_id",
            pl.String,
            "Canonical model id: the model name folded to lower-case ASCII words joined by '-', keeping '+' "
            "('deeplabv3+' is not 'deeplabv3'); where records of different organizations or more than a year apart "
            "would share an id, each keeps its name's case ('CaLM' vs 'CALM'), then its release year.",
            nullable=False,
            origin="derived: `model_slug` of `Model` (analysis/clean/models.py)",
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
            "Canonical organizations (data/curated/organizations.csv), in upstream order, without repeats.",
            nullable=False,
            origin="Epoch `Organization` via data/curated/organizations.csv",
        ),
        Column(
            "countries",
            pl.List(pl.String),
            "Countries of those organizations, from the registry, without repeats.",
            nullable=False,
            origin="data/curated/organizations.csv `country`",
        ),
        Column(
            "country_bucket",
            pl.String,
            "US–China comparison bucket: a US and a Chinese organization -> "
            "'US–China joint'; else any US organization -> 'United States'; any Chinese (incl. Hong Kong) -> "
            "'China'; else 'Other'.",
            nullable=False,
            allowed=COUNTRY_BUCKETS,
            origin="derived: analysis.curated.registry.bucket",
        ),
        Column(
            "release_date",
            pl.Date,
            "Release date, one per canonical model across `models` and `capability`, by precedence: the "
            "release date of the model's Epoch ECI rows in `capability` (of the release nearest the publication date), "
            "else of the project crosswalk (Artificial Analysis 'release'), else the Epoch model files' "
            "'Publication date'. Disagreements of "
            f"more than {MAX_DATE_DAYS} days are listed in `release_date_conflicts`.",
            nullable=False,
            origin="crosswalk release date, else Epoch `Publication date`",
        ),
        Column(
            "release_date_source",
            pl.String,
            "Where `release_date` comes from: 'eci' | 'aa' (project crosswalk) | 'epoch_models' (the model files).",
            nullable=False,
            allowed=("eci", "aa", "epoch_models"),
            origin="derived: release-date precedence",
        ),
        Column(
            "publication_date",
            pl.Date,
            "Epoch model files' 'Publication date' (the alternative when it differs from `release_date`).",
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


def release_dated(local_path: str, df: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """The records of an Epoch model file whose 'Publication date' passes this step's release-date rule
    (`take_date_bounds`: a date, not before MIN_DATE, not after the build date). The crosswalk takes its Epoch-only
    models from these records only, so a record this step quarantines for its date never becomes a model there."""
    d = df.with_columns(clean_text(pl.col("Publication date")).alias("_date_text")).with_columns(
        iso_date(pl.col("_date_text")).alias("_release_date"))
    d = take_date_bounds(Ledger(MODELS.name), d, "_release_date", "_date_text", "Publication date", today,
                         file=local_path, key="Model")
    return d.drop("_date_text", "_release_date")


def _check_file(local_path: str, df: pl.DataFrame, reg: registry.Registry, today: dt.date,
                led: Ledger) -> pl.DataFrame:
    """The usable (normalised) rows of one file; the others go to the ledger with their reason."""
    d = df.with_columns(
        clean_text(pl.col("Model")).alias("model"),
        clean_text(pl.col("Publication date")).alias("_date_text"),
        clean_text(pl.col("Organization")).alias("_org_text"),
        _num("Parameters").alias("parameters"),
        _num("Training compute (FLOP)").alias("training_compute_flop"),
    ).with_columns(iso_date(pl.col("_date_text")).alias("release_date"))

    def take(d, mask: pl.Expr, column: str, reason: str | pl.Expr):
        return led.take(d, mask, column, reason, file=local_path, key="Model")

    d = take(d, pl.col("model").is_null(), "Model", "no model name")
    # the same record twice in one file (every upstream column equal): keep the first, quarantine the rest
    first_seen: dict[tuple, int] = {}
    upstream = [c for c in df.columns if c != "source_row"]
    firsts = [first_seen.setdefault(rec, n) for n, rec in zip(d["source_row"], d.select(upstream).iter_rows(), strict=True)]
    d = d.with_columns(pl.Series("_first", firsts, dtype=pl.Int64))
    d = take(d, pl.col("source_row") != pl.col("_first"), "Model",
             pl.format("exact duplicate of record {} (every column equal)", pl.col("_first")))
    d = take_date_bounds(led, d, "release_date", "_date_text", "Publication date", today, file=local_path,
                         key="Model")
    # a second reading of the same model and date in one file (not an exact duplicate: its values differ):
    # the first record is kept, the second goes to quarantine (merging them would mix two readings silently)
    ids = [slug(m) for m in d["model"].to_list()]
    first_reading: dict[tuple, int] = {}
    firsts = [first_reading.setdefault((i, day), n)
              for i, day, n in zip(ids, d["release_date"].to_list(), d["source_row"].to_list(), strict=True)]
    d = d.with_columns(pl.Series("_first_reading", firsts, dtype=pl.Int64))
    d = take(d, pl.col("source_row") != pl.col("_first_reading"), "Model",
             pl.format("second reading of the same model and release date as record {} (first kept)",
                       pl.col("_first_reading")))
    for col, out, hi in (
        ("Parameters", "parameters", MAX_PARAMETERS),
        ("Training compute (FLOP)", "training_compute_flop", MAX_COMPUTE),
    ):
        text = clean_text(pl.col(col))
        d = take(d, text.is_not_null() & pl.col(out).is_null(), col, pl.format("not a number: '{}'", text))
        d = take(d, pl.col(out).is_nan(), col, "NaN")
        d = take(d, pl.col(out) <= 0, col, pl.format("not positive: {}", pl.col(out)))
        d = take(d, pl.col(out) > hi, col, pl.format("implausibly large: {}", pl.col(out)))
    d = take(d, pl.col("_org_text").is_null(), "Organization", "no organization")
    # organizations: split comma-joined lists, resolve every part through the registry
    return take_organizations(led, d, "_org_text", "Organization", reg, file=local_path, key="Model")


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
        pl.col("model").map_elements(model_slug, return_dtype=pl.String).alias("model_id"),
        pl.col("organizations"),
        pl.Series("countries", countries, dtype=pl.List(pl.String)),
        pl.col("release_date"),
        access.alias("accessibility"),
        open_weights(access, open_q).alias("open_weights"),
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


_ID_RE = re.compile(r"[^a-z0-9+]+")
_CASED_ID_RE = re.compile(r"[^A-Za-z0-9+]+")
MAX_MERGE_DAYS = 365  # records more than a year apart are different releases


def model_slug(name: str, keep_case: bool = False) -> str:
    """Id of a model name: ASCII words joined by '-', '+' kept ('DeepLabV3+' -> 'deeplabv3+'); lower-case
    unless keep_case ('CaLM' -> 'CaLM')."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return (_CASED_ID_RE.sub("-", s) if keep_case else _ID_RE.sub("-", s.casefold())).strip("-")


def _guard_violations(rows: pl.DataFrame) -> set[str]:
    """model_ids whose records are of different organizations or more than MAX_MERGE_DAYS apart."""
    g = rows.group_by("model_id", maintain_order=True).agg(
        pl.col("organizations").list.sort().unique(maintain_order=True).len().alias("_orgs"),
        (pl.col("release_date").max() - pl.col("release_date").min()).dt.total_days().alias("_span"))
    return set(g.filter((pl.col("_orgs") > 1) | (pl.col("_span").fill_null(0) > MAX_MERGE_DAYS))["model_id"])


def assign_ids(rows: pl.DataFrame) -> pl.DataFrame:
    """Keep apart records that must not merge (merge guard): ids shared by records of different organizations
    or more than a year apart take the name's case where it distinguishes them, else the release year."""
    bad = _guard_violations(rows)
    if bad:
        rows = rows.with_columns(pl.when(pl.col("model_id").is_in(list(bad)))
                                 .then(pl.col("model").map_elements(lambda n: model_slug(n, keep_case=True),
                                                                    return_dtype=pl.String))
                                 .otherwise(pl.col("model_id")).alias("model_id"))
    bad = _guard_violations(rows)
    if bad:
        rows = rows.with_columns(pl.when(pl.col("model_id").is_in(list(bad)))
                                 .then(pl.format("{}-{}", pl.col("model").map_elements(model_slug, return_dtype=pl.String),
                                                 pl.col("release_date").dt.year()))
                                 .otherwise(pl.col("model_id")).alias("model_id"))
    return rows


def merges(rows: pl.DataFrame) -> pl.DataFrame:
    """The merges that happen: one row per model_id fed by more than one upstream record, with the distinct
    names, organizations and the span of release dates in days."""
    return (rows.group_by("model_id", maintain_order=True).agg(
        pl.len().alias("records"), pl.col("model").unique(maintain_order=True).sort().alias("names"),
        pl.col("organizations").list.sort().unique(maintain_order=True).alias("organizations"),
        (pl.col("release_date").max() - pl.col("release_date").min()).dt.total_days().alias("span_days"))
        .filter(pl.col("records") > 1).sort("model_id"))


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


def release_dates(df: pl.DataFrame, cw, eci_dates: list[tuple[str, dt.date]]) -> pl.DataFrame:
    """Apply the release-date precedence (see the `release_date` column): a model whose id is a canonical model
    of the project crosswalk takes the crosswalk's date (of its release nearest to the publication date)."""
    by_id: dict[str, list[tuple[dt.date, str]]] = {}
    for mid, d in eci_dates:  # the dates the capability table's ECI rows carry come first
        by_id.setdefault(mid, []).append((d, "eci"))
    for m in cw.models.values():
        if m.origin not in ("eci", "aa", "epoch_models"):
            continue  # models only leaderboards or price sources know (analysis.link.canonical): not Epoch's
        if m.model_id not in by_id or m.origin == "aa" and all(o == "aa" for _, o in by_id[m.model_id]):
            by_id.setdefault(m.model_id, []).append((m.release_date, m.origin))
    dates, origins = [], []
    for mid, pub in df.select("model_id", "release_date").iter_rows():
        cands = by_id.get(mid) or by_id.get(slug(mid)) or []
        if cands:
            d, origin = min(cands, key=lambda c: (abs((c[0] - pub).days), c[0]))
            dates.append(d)
            origins.append(origin)
        else:
            dates.append(pub)
            origins.append("epoch_models")
    return df.with_columns(pl.col("release_date").alias("publication_date"),
                           pl.Series("release_date", dates, dtype=pl.Date),
                           pl.Series("release_date_source", origins, dtype=pl.String))


RELEASE_CONFLICTS = Table(
    name="release_date_conflicts",
    description=f"Models whose release dates disagree by more than {MAX_DATE_DAYS} days between the project "
    "crosswalk (Epoch ECI / Artificial Analysis, the date `models` and `capability` use) and the Epoch model files.",
    primary_key=("model_id",),
    columns=(
        Column("model_id", pl.String, "Canonical model id (`models`).", nullable=False),
        Column("model", pl.String, "Model name (`models`).", nullable=False),
        Column("release_date", pl.Date, "The date chosen by the precedence (`models.release_date`).", nullable=False),
        Column("release_date_source", pl.String, "Source of the chosen date: 'eci' | 'aa'; for models only "
               "leaderboards or price sources know (analysis.link.canonical) 'source_date' | 'first_seen'.", nullable=False,
               allowed=("eci", "aa", "source_date", "first_seen")),
        Column("alternative_date", pl.Date, "The Epoch model files' 'Publication date'.", nullable=False),
        Column("alternative_source", pl.String, "Source of the alternative date.", nullable=False),
        Column("days_apart", pl.Int64, "alternative_date - release_date, in days.", nullable=False),
    ),
)


def clean_release_conflicts(src: Sources, m: StepResult) -> StepResult:
    """`release_date_conflicts` from the `models` step's result."""
    d = m.df.with_columns((pl.col("publication_date") - pl.col("release_date")).dt.total_days().alias("days_apart"))
    out = d.filter(pl.col("days_apart").abs() > MAX_DATE_DAYS).select(
        "model_id", "model", "release_date", "release_date_source",
        pl.col("publication_date").alias("alternative_date"),
        pl.lit("epoch_models").alias("alternative_source"), pl.col("days_apart").cast(pl.Int64)).sort("model_id")
    return no_rows(RELEASE_CONFLICTS, out)


def clean(src: Sources, eci_result: StepResult, registry: registry.Registry, crosswalk,
          today: dt.date | None = None) -> StepResult:
    """`models` from Epoch's model files.

    `eci_result`: the ECI step's result (its (model_id, release_date) come first in the release-date precedence,
    when the crosswalk has models). `crosswalk`: the project crosswalk (empty before the capability snapshots are
    fetched: the model files' dates are kept)."""
    reg, cw = registry, crosswalk
    eci_dates = eci_result.df.select("model_id", "release_date").unique(maintain_order=True).rows() if cw.models else []
    today = today or dt.date.today()
    led = Ledger("models")
    normalised = []
    for local_path in SOURCES:
        df = src[local_path]
        led.count_in(local_path, len(df))
        normalised.append(_normalise(local_path, _check_file(local_path, df, reg, today, led), reg))
    merged = release_dates(merge(assign_ids(pl.concat(normalised, how="vertical"))), cw, eci_dates)
    result = led.result(MODELS, merged, one_row_per_record=False)
    used = result.counts["rows_used"].sum()
    traced = result.df["source_rows"].list.len().sum()
    if used != traced:
        raise AssertionError(f"models: {used} upstream rows used but {traced} traced in source_rows")
    return result


STEP = Step("models", clean, reads=tuple(Read(f, columns=tuple(REQUIRED)) for f in SOURCES),
            needs=(eci.STEP, "crosswalk"), uses=("registry",))
RELEASE_CONFLICTS_STEP = Step("release_date_conflicts", clean_release_conflicts, needs=(STEP,))
