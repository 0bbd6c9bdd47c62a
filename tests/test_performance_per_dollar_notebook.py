"""The performance_per_dollar notebook runs under papermill with non-default parameters."""

from __future__ import annotations

import nbformat
import papermill as pm

from analysis.core import paths

NB = "performance_per_dollar.ipynb"


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_notebook_runs_with_non_default_parameters(built, tmp_path):
    out = tmp_path / NB
    pm.execute_notebook(
        str(paths.notebooks_dir() / NB), str(out), kernel_name="python3", cwd=str(paths.notebooks_dir()),
        progress_bar=False, request_save_on_cell_execute=False, shutdown_kernel="immediate",
        parameters=dict(metric="livebench_2026_01_08_global", threshold=0.9, blend_ratio=1.0,
                        as_of_date="2026-06-01", start_date="2025-01-01", currency="CNY",
                        event_jurisdictions=["CN"], events_style="bands"),
    )
    nb = nbformat.read(out, as_version=4)
    md = "\n".join(str(o.get("data", {}).get("text/markdown", "")) for o in _outputs(nb))
    assert "On **2026-06-01**" in md and "livebench_2026_01_08_global" in md
    assert "CNY/1M tokens" in md and "90%" in md
    html = [o for o in _outputs(nb) if "text/html" in o.get("data", {})
            and "plotly" in o["data"]["text/html"].lower()]
    assert len(html) >= 2  # scatter and ratio-over-time charts embedded for the HTML report
    figs = [o["data"]["application/vnd.plotly.v1+json"] for o in _outputs(nb)
            if "application/vnd.plotly.v1+json" in o.get("data", {})]
    groups = [{t.get("legendgroup") for t in f["data"] if (t.get("legendgroup") or "").startswith("events-")}
              for f in figs]
    assert groups[0] == set()  # the scatter has no time axis: no events
    assert groups[-1] == {"events-CN"}  # the ratio over time carries the chosen jurisdiction's events only


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(paths.notebooks_dir() / NB, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert nb.metadata["kernelspec"]["name"] == "python3"
