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
                                        providers=["DeepSeek", "Alibaba", "OpenAI"], eci_threshold=125.0,
                                        event_jurisdictions=["US"], event_kinds=["export control", "licence"]),
                        progress_bar=False, request_save_on_cell_execute=False, shutdown_kernel="immediate")
    nb = nbformat.read(out, as_version=4)
    figs = _figures(nb)
    time_charts = [f for f in figs if "Reference list prices on" not in f["layout"]["title"]["text"]]
    assert len(figs) == 5 and len(time_charts) == 4  # histories, index, cheapest, cuts; + the distribution
    # the chosen US export-control/licence events (several between 2024-05 and 2026-03) on every time chart
    assert all(_event_groups(f) == {"events-US"} for f in time_charts)
    assert all(_event_groups(f) == set() for f in figs if f not in time_charts)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "crosswalk coverage" in text
    md = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
          if "text/markdown" in o.get("data", {})]
    assert "Prices in CNY" in md[0]["data"]["text/markdown"]  # the report's question, with its parameters
    assert "currency CNY" in md[1]["data"]["text/markdown"]


def test_price_war_notebook_without_events(built, tmp_path):
    out = tmp_path / "price_war_no_events.ipynb"
    pm.execute_notebook(str(NB), str(out), kernel_name="python3", cwd=str(NB.parent),
                        parameters=dict(show_events=False), progress_bar=False,
                        request_save_on_cell_execute=False, shutdown_kernel="immediate")
    figs = _figures(nbformat.read(out, as_version=4))
    assert len(figs) == 5 and all(_event_groups(f) == set() for f in figs)


def _figures(nb) -> list[dict]:
    """The plotly figures (JSON) the executed notebook shows, in order."""
    return [o["data"]["application/vnd.plotly.v1+json"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "application/vnd.plotly.v1+json" in o.get("data", {})]


def _event_groups(fig: dict) -> set[str]:
    return {t.get("legendgroup") for t in fig["data"] if (t.get("legendgroup") or "").startswith("events-")}


def test_notebook_committed_without_outputs():
    nb = nbformat.read(NB, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
