"""The catch_up notebook runs under papermill with non-default parameters."""

from __future__ import annotations

import nbformat
import papermill as pm

from analysis import paths


def test_catch_up_notebook_runs_with_non_default_parameters(built, tmp_path):
    out = tmp_path / "catch_up.ipynb"
    pm.execute_notebook(
        str(paths.notebooks_dir() / "catch_up.ipynb"), str(out), kernel_name="python3",
        cwd=str(paths.notebooks_dir()), progress_bar=False,
        parameters=dict(metric="aa_intelligence_index", start_date="2024-06-01", end_date="2026-06-30",
                        scope="country", rival="other_country", include_estimated=False, example=None),
    )
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o.get("text", "") if "text" in o else str(o.get("data", {}).get("text/markdown", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "aa_intelligence_index" in text
    assert "frontier-setting releases" in text
    html = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})]
    assert len(html) >= 4  # frontier, gap, lag, time-to-match charts embedded for the HTML report


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(paths.notebooks_dir() / "catch_up.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])].__len__() == 1
