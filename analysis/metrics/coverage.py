"""How much of a source the model crosswalk links, in a sentence a report shows (reads the build's quarantine)."""

from __future__ import annotations

import polars as pl

from analysis.core import loaded
from analysis.store import tables


def capability_coverage_sentence(capability: pl.DataFrame, metric: str, quarantine: pl.DataFrame | None = None
                                 ) -> str:
    """One sentence for a report on one capability metric: how many distinct names of the metric's source file
    link to a canonical model with a release date. `quarantine` defaults to the build's quarantine table
    (only the rows of that source file are used, and recorded as read)."""
    rows = capability.filter(pl.col("metric") == metric)
    files = rows["source_file"].unique(maintain_order=True).sort().to_list()
    if not files:
        return f"No model has a `{metric}` score."
    if quarantine is None:
        quarantine = pl.read_parquet(tables.path("quarantine"))
        loaded.record_files("quarantine", files)
    missed = quarantine.filter((pl.col("column") == "name") & pl.col("source_file").is_in(files))["key"].n_unique()
    used = rows["source_model"].n_unique()
    total = used + missed
    return (f"Crosswalk coverage: {used} of {total} distinct model names of {', '.join(files)} "
            f"({used / total:.0%}) link to a canonical model with a release date; the other {missed} are left out "
            "(listed with their reason in data/clean/current/bookkeeping/unlinked_names.csv).")
