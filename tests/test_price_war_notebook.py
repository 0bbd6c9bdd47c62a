"""The price-war notebook runs under papermill with non-default parameters."""

from pathlib import Path

import nbformat
import papermill as pm

NB = Path(__file__).resolve().parent.parent / "notebooks" / "price_war.ipynb"


def test_price_war_notebook_cny(built, tmp_path):
    out = tmp_path / "price_war_cny.ipynb"
    pm.execute_notebook(str(NB), str(out), kernel_name="python3", cwd=str(NB.parent),
                        parameters=dict(currency="CNY", blend_ratio=1.0, start_date="2024-05-01",
                                        end_date="2026-03-31", countries=["China", "United States"],
                                        providers=["DeepSeek", "Alibaba", "OpenAI"], eci_threshold=125.0),
                        progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "crosswalk coverage" in text
    md = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
          if "text/markdown" in o.get("data", {})]
    assert "currency CNY" in md[0]["data"]["text/markdown"]


def test_notebook_committed_without_outputs():
    nb = nbformat.read(NB, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
