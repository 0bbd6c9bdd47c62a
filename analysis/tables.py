"""Load clean tables for notebooks and metrics, recording where the loaded rows came from."""

from __future__ import annotations

import polars as pl

from analysis import paths

# What this process loaded: the report build asks the kernel after each notebook (analysis.report), to know
# which clean tables the report depends on (incremental builds) and which files its rows came from
# (analysis.provenance). READ: names of the tables loaded; SOURCE_FILES: for each table (or direct read), the
# distinct `source_file` values of the rows loaded (manifest local paths, or data/curated/<file> for curated rows).
READ: set[str] = set()
SOURCE_FILES: dict[str, set[str]] = {}


def source_files_of(df: pl.DataFrame) -> set[str]:
    """Distinct non-null values of the frame's `source_file` column and of `source_file_*` columns (a table of
    pairs, such as price_conflicts, keeps one per side)."""
    cols = [c for c in df.columns if c == "source_file" or c.startswith("source_file_")]
    return {v for c in cols for v in df[c].drop_nulls().unique().to_list()}


def load(name: str) -> pl.DataFrame:
    path = paths.tables_dir() / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python -m analysis build` first")
    df = pl.read_parquet(path)
    READ.add(name)
    SOURCE_FILES.setdefault(name, set()).update(source_files_of(df))
    return df


def record_files(label: str, files) -> None:
    """Record files read directly rather than through a clean table (the replication reads Epoch's inputs as
    published): `label` names the read, `files` are manifest local paths or data/curated/<file>."""
    SOURCE_FILES.setdefault(label, set()).update(files)


def record() -> dict:
    """What the process loaded, as JSON-ready data: {"tables": [...], "source_files": {label: [...]}}."""
    return {"tables": sorted(READ), "source_files": {k: sorted(v) for k, v in sorted(SOURCE_FILES.items())}}
