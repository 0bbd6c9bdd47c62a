"""Load clean tables for notebooks and metrics."""

from __future__ import annotations

import polars as pl

from analysis import paths

# Names of the tables loaded in this process: the report build asks the kernel after each notebook, to know
# which clean tables the report depends on (analysis.report, incremental builds).
READ: set[str] = set()


def load(name: str) -> pl.DataFrame:
    path = paths.tables_dir() / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python -m analysis build` first")
    READ.add(name)
    return pl.read_parquet(path)
