"""Chart CSVs from the frames the figure builders plot (analysis.chart_frames) and the licences of their
datapackage.json (analysis.chart_data.licence): tiny inline figures and the real manifest."""

from __future__ import annotations

import dataclasses
import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pytest

from analysis import chart_data, chart_frames, manifest, plots


def _fig():
    f = pl.DataFrame({"country": ["US", "US", "CN"], "day": [dt.date(2025, 1, 1), dt.date(2025, 2, 1),
                                                              dt.date(2025, 1, 1)], "n": [3, 4, 1]})
    fig = go.Figure([go.Scatter(name="US", x=[1, 2], y=[3, 4]), go.Scatter(name="CN", x=[1], y=[1]),
                     go.Scatter(name="band", x=[1, 1, None], y=[0, 1, None], hoverinfo="skip")])
    return chart_frames.attach(fig, f, {"day": "Day", "n": "Models released"}, series="country", x="day")


def test_chart_table_is_the_attached_frame_one_row_per_point_in_trace_order():
    t = chart_frames.chart_table(_fig())
    assert t["columns"] == ["trace", "trace_index", "trace_type", "point", "Day", "Models released"]
    assert t["rows"] == [["US", 0, "scatter", 0, "2025-01-01", 3], ["US", 0, "scatter", 1, "2025-02-01", 4],
                         ["CN", 1, "scatter", 0, "2025-01-01", 1]]  # the band (no hover) is decoration: no rows


def test_a_frame_that_does_not_match_its_trace_stops_the_chart():
    fig = _fig()
    fig.data[0].x, fig.data[0].y = [1, 2, 3], [1, 2, 3]
    with pytest.raises(chart_frames.ChartDataError, match="draws 3 points, its frame has 2 rows"):
        chart_frames.chart_table(fig)


def test_a_hoverable_trace_without_a_frame_stops_the_chart():
    fig = _fig()
    fig.add_trace(go.Scatter(name="fit", x=[1, 2], y=[1, 2]))
    with pytest.raises(chart_frames.ChartDataError, match="no frame attached"):
        chart_frames.chart_table(fig)


def test_partial_periods_become_the_note_column():
    fig = plots.mark_partial(_fig(), {dt.date(2025, 2, 1): "partial: data to 2025-02-10"})
    t = chart_frames.chart_table(fig)
    assert t["columns"][-1] == "note"
    assert [r[-1] for r in t["rows"]] == [None, "partial: data to 2025-02-10", None]


def test_the_build_writes_the_kernels_table_not_the_plotly_json(tmp_path):
    fig = _fig()
    table = chart_frames.chart_table(fig)
    chart_data.write_chart_csvs(tmp_path, [(fig.to_plotly_json(), None)], [table])
    assert (tmp_path / "chart-1.csv").read_text().splitlines()[:2] == [
        "trace,trace_index,trace_type,point,Day,Models released", "US,0,scatter,0,2025-01-01,3"]


# --- licences -------------------------------------------------------------------------------------------

def test_every_manifest_licence_text_has_a_curated_spdx_entry():
    for e in manifest.load():
        lic = chart_data.licence(e)
        assert lic.get("name") in (None, *chart_data.SPDX_URL), e.local_path


def test_an_upstream_without_a_licence_is_never_labelled_with_one():
    """Texts that mention a licence of something else ('... CC BY 4.0', 'MIT (... no licence stated)', a scraper's
    MIT) are files without a licence: no SPDX id, an explicit 'No licence found' entry."""
    entries = manifest.load()
    unlicensed = [e for e in entries if chart_data.SPDX[e.license] is None]
    assert any("CC BY 4.0" in e.license for e in unlicensed) and any(e.license.startswith("MIT") for e in unlicensed)
    for e in unlicensed:
        lic = chart_data.licence(e)
        assert "name" not in lic and lic["title"].startswith(chart_data.NO_LICENCE), e.local_path
    # in a data package: neither the resource nor the package carries a licence id for such a file
    fig = {"data": [{"type": "scatter", "name": "a", "x": [1], "y": [2]}],
           "layout": {"meta": {"source_files": [unlicensed[0].local_path]}}}
    pkg = chart_data.datapackage("r", "R", [(fig, None)], None)
    assert [lic.get("name") for lic in pkg["resources"][0]["licenses"]] == [None]
    assert [lic.get("name") for lic in pkg["licenses"]] == [None]


def test_a_licence_text_outside_the_mapping_stops_the_build():
    e = dataclasses.replace(manifest.load()[0], license="CC BY-NC 4.0 (probably)")
    with pytest.raises(chart_data.LicenceUnknown, match="no entry"):
        chart_data.licence(e)


def test_a_package_licence_is_its_files_licences_never_one_of_its_own():
    entries = manifest.load()
    cc = next(e for e in entries if chart_data.SPDX[e.license] == "CC-BY-4.0")
    mit = next(e for e in entries if chart_data.SPDX[e.license] == "MIT")
    figs = [({"data": [], "layout": {"meta": {"source_files": [p]}}}, None) for p in (cc.local_path, mit.local_path)]
    pkg = chart_data.datapackage("r", "R", figs, None)
    assert [lic["name"] for lic in pkg["licenses"]] == ["CC-BY-4.0", "MIT"]
    assert [[lic["name"] for lic in r["licenses"]] for r in pkg["resources"]] == [["CC-BY-4.0"], ["MIT"]]
