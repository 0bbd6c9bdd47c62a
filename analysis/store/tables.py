"""Load clean tables for notebooks and metrics, recording where the loaded rows came from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # polars is imported where a table is read: the report build's parameter checks import none
    import polars as pl

from analysis.core import paths
from analysis.core.loaded import READ, SOURCE_FILES


def source_files_of(df: pl.DataFrame) -> set[str]:
    """Distinct non-null values of the frame's `source_file` column and of `source_file_*` columns (a table of
    pairs, such as price_conflicts, keeps one per side)."""
    cols = [c for c in df.columns if c == "source_file" or c.startswith("source_file_")]
    return {v for c in cols for v in df[c].drop_nulls().unique(maintain_order=True).to_list()}


# Files a table's step reads to shape its rows (lookups) that are not any row's `source_file`: curated files
# as data/curated/<file>, upstream files by manifest local path. A test checks every table has its entry and
# every file exists.
TABLE_INPUTS: dict[str, tuple[str, ...]] = {
    "adoption": ("data/curated/organizations.csv", "adoption/franri3008_hf-activity/orgs.json"),
    "canonical_models": ("data/curated/organizations.csv", "data/curated/model_crosswalk_capability.csv",
                         "data/curated/model_aliases.csv", "data/curated/model_name_orgs.csv",
                         "data/curated/price_providers.csv",
                         "capability/nakasyou_lmarena-history/result_wide_elo_2023-05-08_to_2025-02-27.csv"),
    "capability": ("data/curated/organizations.csv", "data/curated/model_crosswalk_capability.csv",
                   "data/curated/model_aliases.csv", "data/curated/model_name_orgs.csv",
                   "capability/nakasyou_lmarena-history/result_wide_elo_2023-05-08_to_2025-02-27.csv"),
    "lmarena_snapshots": ("data/curated/organizations.csv", "data/curated/model_crosswalk_capability.csv",
                          "data/curated/model_aliases.csv", "data/curated/model_name_orgs.csv",
                          "capability/nakasyou_lmarena-history/result_wide_elo_2023-05-08_to_2025-02-27.csv"),
    "epoch_price_inputs": ("data/curated/epoch_price_excluded_models.csv",),
    "epoch_price_results": (),
    "events": (),
    "genai_filings": (),
    "models": ("data/curated/organizations.csv",),
    "openrouter_categories": ("data/curated/openrouter_authors.csv", "data/curated/organizations.csv"),
    "openrouter_daily": ("data/curated/openrouter_authors.csv", "data/curated/organizations.csv"),
    "openrouter_weekly": ("data/curated/openrouter_authors.csv", "data/curated/organizations.csv"),
    "organizations": ("data/curated/organizations.csv",),
    "price_conflicts": (),
    "reference_prices": (),
    "prices": ("data/curated/organizations.csv", "data/curated/price_providers.csv", "data/curated/fx_usd_cny.csv",
               "data/curated/model_crosswalk_capability.csv", "data/curated/model_aliases.csv",
               "data/curated/model_name_orgs.csv", "data/curated/syaoranwe_sections.csv"),
    "quarantine": (),
    "release_date_conflicts": (),
    "row_counts": (),
    "task_scores": ("data/curated/organizations.csv", "data/curated/model_crosswalk_capability.csv",
                    "data/curated/model_aliases.csv", "data/curated/model_name_orgs.csv"),
    "context_windows": ("data/curated/organizations.csv", "data/curated/price_providers.csv",
                        "data/curated/model_crosswalk_capability.csv", "data/curated/model_aliases.csv"),
    "chips": ("data/curated/chip_makers.csv", "data/curated/chip_families.csv"),
    "model_hardware": ("data/curated/organizations.csv", "data/curated/hardware_names.csv",
                       "data/curated/chip_makers.csv", "data/curated/chip_families.csv", "epoch/ml_hardware.csv"),
    "openrouter_endpoints": ("data/curated/openrouter_authors.csv", "data/curated/organizations.csv",
                             "data/curated/openrouter_providers.csv"),
    "evaluations": ("data/curated/organizations.csv",),
}


# Stages on disk, inside each build generation (data/clean/current/): the clean table of each source family at
# the top (models.parquet, prices.parquet, ...), tables derived across sources in derived/, and the build's own
# bookkeeping (quarantine, row accounting, the crosswalk's unlinked names and coverage) in bookkeeping/.
DERIVED = "derived"
BOOKKEEPING = "bookkeeping"
STAGES: dict[str, str] = {
    "price_conflicts": DERIVED, "reference_prices": DERIVED, "release_date_conflicts": DERIVED, "canonical_models": DERIVED,
    "quarantine": BOOKKEEPING, "row_counts": BOOKKEEPING,
}
BOOKKEEPING_FILES = ("unlinked_names.csv", "coverage.txt", "changes.json", "pins.csv")


def relpath(name: str) -> str:
    """Where table `name` (or a bookkeeping file such as unlinked_names.csv) lives inside a generation."""
    if name in BOOKKEEPING_FILES:
        return f"{BOOKKEEPING}/{name}"
    stage = STAGES.get(name)
    return f"{stage}/{name}.parquet" if stage else f"{name}.parquet"


def path(name: str, base: Path | None = None) -> Path:
    """The file of table `name` in `base` (default: the current generation, paths.tables_dir())."""
    return (base if base is not None else paths.tables_dir()) / relpath(name)


def table_files(base: Path | None = None) -> list[Path]:
    """Every table file of a generation (all stages), sorted by table name."""
    base = base if base is not None else paths.tables_dir()
    files = [*base.glob("*.parquet"), *(base / DERIVED).glob("*.parquet"), *(base / BOOKKEEPING).glob("*.parquet")]
    return sorted((p for p in files if not p.name.startswith(".")), key=lambda p: p.stem)


def sources(name: str) -> list[str]:
    """The files behind table `name` as this process loaded it: the distinct `source_file` values of the rows
    `load` returned, then the files its step reads as lookups (`TABLE_INPUTS`). Charts name their sources from
    this (analysis.figures), and the report's provenance block from the same record (analysis.site.provenance), so
    a chart's source line and the block cannot drift apart. Empty for a table not loaded here (a chart drawn
    from an inline table names no file)."""
    loaded = sorted(SOURCE_FILES.get(name, ()))
    return loaded + [f for f in TABLE_INPUTS.get(name, ()) if loaded and f not in loaded]


def unlinked_names() -> pl.DataFrame:
    """The build's unlinked names (bookkeeping/unlinked_names.csv: source, name, country_bucket, reason): every
    capability name and price key the crosswalk does not link, with the build's reason."""
    import polars as pl

    file = path("unlinked_names.csv")
    if not file.exists():
        raise FileNotFoundError(f"{file} is missing: run `python -m analysis build` first")
    return pl.read_csv(file, schema=dict.fromkeys(("source", "name", "country_bucket", "reason"), pl.String))


def load(name: str) -> pl.DataFrame:
    file = path(name)
    if not file.exists():
        raise FileNotFoundError(f"{file} is missing: run `python -m analysis build` first")
    import polars as pl

    df = pl.read_parquet(file)
    READ.add(name)
    SOURCE_FILES.setdefault(name, set()).update(source_files_of(df))
    return df


