"""The catch_up notebook runs under papermill with non-default parameters."""

from __future__ import annotations

import nbformat
import papermill as pm

from analysis.core import paths


def _run(tmp_path, name, **parameters):
    out = tmp_path / name
    pm.execute_notebook(
        str(paths.notebooks_dir() / "catch_up.ipynb"), str(out), kernel_name="python3",
        cwd=str(paths.notebooks_dir()), progress_bar=False, request_save_on_cell_execute=False, shutdown_kernel="immediate",
        parameters=parameters,
    )
    return out


def _figures(nb) -> list[dict]:
    """The plotly figures (JSON) the executed notebook shows, in order."""
    return [o["data"]["application/vnd.plotly.v1+json"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "application/vnd.plotly.v1+json" in o.get("data", {})]


def _event_groups(fig: dict) -> set[str]:
    return {t.get("legendgroup") for t in fig["data"] if (t.get("legendgroup") or "").startswith("events-")}


def test_catch_up_notebook_runs_with_non_default_parameters(built, tmp_path):
    out = _run(tmp_path, "catch_up.ipynb", metric="aa_intelligence_index", start_date="2024-06-01",
               end_date="2026-06-30", scope="country", rival="other_country", include_estimated=False,
               example=None, event_jurisdictions=["CN", "EU"], events_style="bands")
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o.get("text", "") if "text" in o else str(o.get("data", {}).get("text/markdown", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "aa_intelligence_index" in text
    assert "frontier-setting releases" in text
    html = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})]
    assert len(html) >= 4  # frontier, gap, lag, time-to-match charts embedded for the HTML report
    figs = _figures(nb)
    assert len(figs) == 5  # and the LMArena gap by snapshot
    # every time chart carries the chosen jurisdictions' events (CN and EU both have events in 2024-2026), no other
    assert all(_event_groups(f) == {"events-CN", "events-EU"} for f in figs)
    assert all(any(t.get("mode") == "lines" and t.get("legendgroup") == "events-CN" for t in f["data"])
               for f in figs)  # bands style draws lines


def test_catch_up_notebook_without_events(built, tmp_path):
    nb = nbformat.read(_run(tmp_path, "catch_up_no_events.ipynb", show_events=False), as_version=4)
    figs = _figures(nb)
    assert len(figs) == 5 and all(_event_groups(f) == set() for f in figs)
    # no events source note (the note is in layout.meta, written under the chart)
    assert all("policy_events" not in f["layout"]["meta"]["source_full"] for f in figs)


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(paths.notebooks_dir() / "catch_up.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])].__len__() == 1
