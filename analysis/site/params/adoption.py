"""Parameters of notebooks/adoption.ipynb (see analysis/site/params/__init__.py)."""

from analysis.site.params import Param, event_params


def categories() -> tuple[str, ...] | None:
    """The use-category keys of the clean OpenRouter category table (None before a build)."""
    import polars as pl

    from analysis.core import paths

    try:  # read directly (not tables.load: the report build records which tables a notebook reads)
        path = paths.tables_dir() / "openrouter_categories.parquet"
        return tuple(sorted(pl.read_parquet(path, columns=["category"])["category"].unique(maintain_order=True).to_list()))
    except (OSError, pl.exceptions.ColumnNotFoundError):
        return None


SPEC = [
    Param("start_date", "date", None, "first week included; None: from the first week of the snapshot",
          optional=True),
    Param("end_date", "date", None, "last week included; None: up to the snapshot", optional=True),
    Param("category", "choice", None, "a use category key; None: all OpenRouter traffic", choices=categories,
          optional=True),
    Param("top_n", "int", 3, "models listed per origin and month", low=1, high=1000),
    *event_params(),
]
