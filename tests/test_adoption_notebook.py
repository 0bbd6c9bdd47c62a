"""The adoption notebook runs under papermill: default parameters and a category focus; its stated China shares
are the metrics' values for the first and last complete week."""

from pathlib import Path

import nbformat
import papermill as pm
import polars as pl
import pytest

from analysis.metrics import openrouter as orm
from analysis.store import tables

NB = Path(__file__).resolve().parent.parent / "notebooks" / "adoption.ipynb"


def _run(tmp_path, **params):
    out = tmp_path / "adoption.ipynb"
    pm.execute_notebook(str(NB), str(out), kernel_name="python3", cwd=str(NB.parent), parameters=params,
                        progress_bar=False, request_save_on_cell_execute=False, shutdown_kernel="immediate")
    nb = nbformat.read(out, as_version=4)
    md = "".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", []))
    charts = [o for c in nb.cells for o in c.get("outputs", []) if "application/vnd.plotly.v1+json" in o.get("data", {})]
    return md, charts


@pytest.mark.parametrize("category", [None, "programming"])
def test_adoption_states_first_and_last_complete_week_with_remainder(built, tmp_path, category):
    md, charts = _run(tmp_path, category=category, show_events=False)
    data = tables.load("openrouter_weekly") if category is None else tables.load("openrouter_categories").filter(
        pl.col("category") == category)
    fl = orm.first_last_complete(data)
    for r in fl.iter_rows(named=True):
        assert f"{r['china']:.1%}" in md and f"{r['remainder']:.1%}" in md and str(r["week_start"]) in md
    assert len(charts) == 4
    assert "licence none seen" in md
    if category is None:
        assert "2026-05-04 (week not over" in md  # the partial week is named
    else:
        assert "Programming category" in md


def test_adoption_unknown_category_is_a_clear_error(built, tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="category 'coding' is not one of"):
        _run(tmp_path, category="coding")
