"""Load clean tables for notebooks and metrics."""

from __future__ import annotations

import polars as pl

from analysis import paths


def load(name: str) -> pl.DataFrame:
    path = paths.clean_dir() / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python -m analysis build` first")
    return pl.read_parquet(path)
