"""Chart CSVs from the frames the figure builders plot (analysis.figures.chart_frames) and the licences of their
datapackage.json (analysis.site.chart_data.licence): tiny inline figures and the real manifest."""

from __future__ import annotations

import dataclasses
import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pytest

from analysis.acquire import manifest
from analysis.figures import chart_frames, plots
from analysis.site import chart_data

EMPTY = {"columns": ["trace", "trace_index", "trace_type", "point"], "rows": []}  # a chart table without points


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
    chart_data.write_chart_csvs(tmp_path, [table])
    assert (tmp_path / "chart-1.csv").read_text().splitlines()[:2] == [
        "trace,trace_index,trace_type,point,Day,Models released", "US,0,scatter,0,2025-01-01,3"]


def test_no_note_column_when_no_point_is_partial():
    fig = plots.mark_partial(_fig(), {dt.date(2030, 1, 1): "partial: data to 2030-01-10"})
    assert "note" not in chart_frames.chart_table(fig)["columns"]


def test_a_trace_without_hover_has_rows_only_when_its_builder_attaches_a_frame():
    fig = _fig()
    chart_frames.attach(fig, pl.DataFrame({"d": [1, 1, None]}), {"d": "Day"}, name="band")
    t = chart_frames.chart_table(fig)
    assert [r[0] for r in t["rows"]] == ["US", "US", "CN", "band", "band", "band"]


def test_attach_px_follows_the_trace_order_of_plotly_express():
    """px draws a trace per combination of colour and symbol (colour first, each in category order, then order
    of appearance); with empty labels the traces are named by the symbol alone: the groups still land right."""
    import plotly.express as px

    d = pl.DataFrame({"x": [1, 2, 3, 4, 5], "y": [10, 20, 30, 40, 50], "c": ["b", "a", "b", "a", "c"],
                      "s": ["p", "q", "q", "p", "p"]})
    fig = px.scatter(d, x="x", y="y", color="c", symbol="s", category_orders={"c": ["a", "b", "c"]},
                     labels={"c": "", "s": ""})
    chart_frames.attach_px(fig, d, {"x": "X", "y": "Y", "c": "C"}, by=["c", "s"], orders={"c": ["a", "b", "c"]})
    rows = chart_frames.chart_table(fig)["rows"]
    assert [(r[1], r[4], r[6]) for r in rows] == [(0, 4, "a"), (1, 2, "a"), (2, 1, "b"), (3, 3, "b"), (4, 5, "c")]
    assert all(list(fig.data[r[1]].x)[r[3]] == r[4] and list(fig.data[r[1]].y)[r[3]] == r[5] for r in rows)
    # the columns of category_orders nest first, in the order given: here the symbol's column outside the colour's
    orders = {"s": ["q", "p"], "c": ["c", "b", "a"]}
    fig = px.scatter(d, x="x", y="y", color="c", symbol="s", category_orders=orders, labels={"c": "", "s": ""})
    chart_frames.attach_px(fig, d, {"x": "X", "y": "Y", "c": "C"}, by=["c", "s"], orders=orders)
    rows = chart_frames.chart_table(fig)["rows"]
    assert [r[4] for r in rows] == [3, 2, 5, 1, 4]
    assert all(list(fig.data[r[1]].x)[r[3]] == r[4] for r in rows)


# --- the report build: every chart has its table ------------------------------------------------------

def _nb(*outputs):
    import nbformat

    return nbformat.from_dict({"cells": [{"cell_type": "markdown", "source": "x"},
                                         {"cell_type": "code", "source": "", "outputs": list(outputs)}]})


def _chart(table=None):
    data = {chart_data.PLOTLY_MIME: {"data": [], "layout": {"title": {"text": "Releases <b>per</b> year"}}}}
    return {"output_type": "display_data", "data": {**data, **({chart_data.CHART_DATA_MIME: table} if table else {})}}


def test_a_chart_without_its_table_fails_the_report_naming_the_chart():
    from analysis.site import report

    assert chart_data.notebook_tables(_nb(_chart(EMPTY))) == [EMPTY]
    with pytest.raises(chart_data.ChartTableMissing) as err:
        chart_data.notebook_tables(_nb(_chart(EMPTY), _chart()))
    assert err.value.cell_index == 1
    line = report._failed_cell(err.value)
    assert line.startswith("cell 1: ChartDataError: chart 2 ('Releases per year') has no data table") and "\n" not in line


def test_a_chart_table_the_kernel_failed_to_make_fails_the_report_with_the_kernels_error():
    """IPython prints a display formatter's error as an error output and shows the figure without the table."""
    error = {"output_type": "error", "ename": "ChartDataError", "evalue": "chart 'R': trace 0 ('US') draws 3 points, "
             "its frame has 2 rows", "traceback": []}
    with pytest.raises(chart_data.ChartTableMissing, match="chart 1 .*draws 3 points, its frame has 2 rows"):
        chart_data.notebook_tables(_nb(error, _chart()))
    with pytest.raises(chart_data.ChartTableMissing, match="draws 3 points"):  # no chart shown at all
        chart_data.notebook_tables(_nb(error))


def test_ipython_swallows_a_formatter_error_which_the_build_then_finds():
    """In an IPython shell, a figure whose frame does not match shows without its table, the cell goes on: so the
    build must read the executed notebook (test above), not rely on the cell failing."""
    import plotly.io as pio
    from IPython.core.interactiveshell import InteractiveShell

    # plotly picks its default renderer when its renderer module is first imported: in a Jupyter kernel (or any
    # IPython shell) "plotly_mimetype+notebook", elsewhere "browser" or none. Which test of this process imports
    # it first is not this test's business: it sets the kernel's renderer itself.
    before = pio.renderers.default
    pio.renderers.default = "plotly_mimetype+notebook"
    shell = InteractiveShell.instance()
    try:
        assert chart_frames.register_formatter()
        fig = _fig()
        fig.data[0].x, fig.data[0].y = [1, 2, 3], [1, 2, 3]
        data, _ = shell.display_formatter.format(fig)  # no exception: IPython shows the traceback and goes on
    finally:
        InteractiveShell.clear_instance()
        pio.renderers.default = before
    assert chart_data.PLOTLY_MIME in data and chart_data.CHART_DATA_MIME not in data


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
    pkg = chart_data.datapackage("r", "R", [(fig, None)], None, [EMPTY])
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
    pkg = chart_data.datapackage("r", "R", figs, None, [EMPTY, EMPTY])
    assert [lic["name"] for lic in pkg["licenses"]] == ["CC-BY-4.0", "MIT"]
    assert [[lic["name"] for lic in r["licenses"]] for r in pkg["resources"]] == [["CC-BY-4.0"], ["MIT"]]


# --- converted builders ------------------------------------------------------------------------------------

def _row_matches_its_point(fig, table, x_col, y_col):
    """Every row of the chart table holds the x and y of the trace point it names."""
    i_x, i_y = table["columns"].index(x_col), table["columns"].index(y_col)
    for r in table["rows"]:
        t = fig.data[r[1]]
        assert chart_frames.plain(list(t.x)[r[3]]) == chart_frames.plain(r[i_x]), r
        assert chart_frames.plain(list(t.y)[r[3]]) == chart_frames.plain(r[i_y]), r


def test_window_counts_rows_and_notes_land_in_their_own_window():
    """Faceted bars whose traces share their names (a country in each window): each row is the point of its
    trace, and a window the data cover only in part is noted in that window only."""
    from analysis.figures import events as evfigs
    from analysis.metrics import pace, policy
    from analysis.store import tables

    events = evfigs.select_events(tables.load("events"), ["US"], None, "2025-01-01", None)
    win = policy.window_counts(events, pace.select_models(tables.load("models"), notable_only=True), "release_date",
                               "country_bucket", 90)
    fig = evfigs.window_counts_chart(win, 90)
    table = chart_frames.chart_table(fig)
    _row_matches_its_point(fig, table, "Notable model releases", "Event")
    window = {"x": "before", "x2": "after"}
    noted = {window[fig.data[r[1]].xaxis] for r in table["rows"] if r[-1] is not None}
    partial = set(win.filter(~pl.col("complete"))["window"].to_list())
    assert noted == partial and partial  # the data end inside the last event's after-window
    assert sum(r[-1] is not None for r in table["rows"]) == win.filter(~pl.col("complete")).height


def test_timeline_attaches_each_kind_and_jurisdiction_to_its_own_trace():
    from analysis.figures import events as evfigs
    from analysis.store import tables

    fig = evfigs.timeline(tables.load("events"))
    table = chart_frames.chart_table(fig)
    _row_matches_its_point(fig, table, "Event date", "Jurisdiction")
    assert len(table["rows"]) == tables.load("events").height


def test_a_chart_with_nothing_drawn_has_an_empty_table():
    """A selection no model meets (price_war with a threshold no model reaches) draws an empty chart with a
    note, and its table has no rows: the report does not fail on it."""
    from analysis.figures import prices as figs

    empty = pl.DataFrame(schema={"date": pl.Date, "blended": pl.Float64, "country_bucket": pl.String,
                                 "kept": pl.Boolean, "basis": pl.String, "model_id": pl.String,
                                 "eci_model": pl.String, "eci": pl.Float64, "provider": pl.String,
                                 "source_file": pl.String, "source_row": pl.Int64})
    fig = figs.cheapest(empty, {}, "USD", 1000.0)
    assert chart_frames.chart_table(fig) == {"columns": ["trace", "trace_index", "trace_type", "point"], "rows": []}
    assert any("No priced model" in a.text for a in fig.layout.annotations)
