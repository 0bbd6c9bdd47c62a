"""Notebooks: committed clean, one parameters cell, run under papermill with non-default parameters."""

import json
import re
from pathlib import Path

import papermill as pm
import pytest

from analysis.site import report

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(nb):
    cells = json.loads(nb.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c.get("outputs") or c.get("execution_count")]
    assert dirty == [], f"{nb.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_exactly_one_parameters_cell_and_python3_kernel(nb):
    data = json.loads(nb.read_text())
    tagged = [c for c in data["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert data["metadata"]["kernelspec"]["name"] == "python3"


# what a digit may belong to in prose: names (repositories, chips, licences, the top3 column), units and formulas
_NAMES_AND_FORMULAS = re.compile(r"`[^`]*`|[\w.-]+/[\w.-]+|\bH20\b|CC BY \d\.\d|top-?3|\b1M tokens|\(ratio \+ 1\)"
                                 r"|10\^\(−slope\)|log10|1/k")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_prose_types_no_number(nb):
    """Numbers and constants in a report's text are computed in a code cell (from the data or the constant in
    analysis/, e.g. MIN_TREND_POINTS, price_conflicts.REL_TOL) and displayed with Markdown, never typed into a
    Markdown cell, where they go stale when the data or the constant change."""
    cells = json.loads(nb.read_text())["cells"]
    typed = [(i, line) for i, c in enumerate(cells) if c["cell_type"] == "markdown"
             for line in "".join(c["source"]).splitlines() if re.search(r"\d", _NAMES_AND_FORMULAS.sub("", line))]
    assert typed == [], typed


def test_every_notebook_has_a_report():
    specs = report.load_specs()
    assert {s.notebook for s in specs} == {nb.name for nb in NOTEBOOKS}


def test_release_pace_with_non_default_parameters(built, tmp_path):
    out = tmp_path / "rp.ipynb"
    pm.execute_notebook(
        "notebooks/release_pace.ipynb", str(out), kernel_name="python3", cwd="notebooks", progress_bar=False,
        request_save_on_cell_execute=False, shutdown_kernel="immediate",
        parameters=dict(start_date="2021-01-01", end_date="2024-12-31", countries=["China", "United States"],
                        domain="Language", period="quarter", top_k=5, fit_start="2021-01-01"),
    )
    nb = json.loads(out.read_text())
    text = "".join(o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", []))
                   for c in nb["cells"] for o in c.get("outputs", []))
    html = "".join("".join(o.get("data", {}).get("text/markdown", "")) for c in nb["cells"]
                   for o in c.get("outputs", []))
    assert "in the Language domain" in html and "2021-01-01" in html
    assert "Other" not in html.split("By bucket:")[1].split("\n")[0]  # only the chosen buckets
    plotly_outputs = [o for c in nb["cells"] for o in c.get("outputs", [])
                      if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(plotly_outputs) == 5  # release-pace charts (the Hub adoption section moved to adoption.ipynb)
    assert "Traceback" not in text
