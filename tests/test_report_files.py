"""Tables a report publishes beside its chart CSVs (analysis.site.report_files): written into the page's own build
folder, so they switch with the page; the replication's figures.csv is at reports/replication/figures.csv after a
build into an empty reports folder (a fresh clone) and after the next build too."""

from __future__ import annotations

import io
from types import SimpleNamespace

import nbformat
import polars as pl
import pytest

from analysis.core import paths
from analysis.metrics import replication
from analysis.site import chart_data, report, report_files


def _finish(name, published, monkeypatch):
    from analysis.site import pages as site
    from analysis.site import provenance

    monkeypatch.setattr(provenance, "provenance_html", lambda spec, sources: "<section>sources</section>")
    body = '<html><head></head><body><div class="plotly-graph-div" id="c0"></div><script>draw</script></body></html>'
    fig = {"data": [{"type": "scatter", "name": "s", "x": [1], "y": [2]}]}
    nb = nbformat.from_dict({"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "data": {chart_data.PLOTLY_MIME: fig,
                                                 "text/html": '<div id="c0" class="plotly-graph-div"></div>',
                                                 chart_data.CHART_DATA_MIME: {
                                                     "columns": ["trace", "trace_index", "trace_type", "point", "x", "y"],
                                                     "rows": [["s", 0, "scatter", 0, 1, 2]]}}}]}]})
    spec = SimpleNamespace(name=name, title="R", notebook="r.ipynb", parameters={})
    site.finish_report(spec, paths.reports_dir() / f"{name}.html", body, SimpleNamespace(upstream=[], curated=[]), nb,
                       published)


def test_published_file_lands_beside_the_chart_csvs_and_survives_the_next_build(scratch, monkeypatch):
    reports = paths.reports_dir()
    reports.mkdir(parents=True)
    _finish("r", {"t.csv": "a,b\n1,2\n"}, monkeypatch)
    assert sorted(p.name for p in (reports / "r").iterdir()) == ["chart-1.csv", "datapackage.json", "preview.json",
                                                                  "t.csv"]
    html = (reports / "r.html").read_text(encoding="utf-8")
    base = chart_data.href_base((reports / "r").resolve())
    assert f'href="{base}/t.csv"' in html  # the page links the file in its own build folder
    _finish("r", {"t.csv": "a,b\n3,4\n"}, monkeypatch)  # the next build: the new folder has the new file
    assert (reports / "r" / "t.csv").read_text(encoding="utf-8") == "a,b\n3,4\n"
    assert len(list((reports / "data" / "r").iterdir())) == 1


def test_a_report_that_publishes_nothing_has_no_extra_file_or_link(scratch, monkeypatch):
    paths.reports_dir().mkdir(parents=True)
    _finish("r", {}, monkeypatch)
    assert not list((paths.reports_dir() / "r").glob("t.csv"))
    assert "Tables of this report" not in (paths.reports_dir() / "r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["chart-1.csv", "../x.csv", "Figures.csv", "figures.txt", ""])
def test_publish_refuses_names_outside_the_plain_csv_names(name):
    with pytest.raises(ValueError, match="published file name"):
        report_files.publish(name, pl.DataFrame({"a": [1]}))


def test_publish_keeps_csv_text_for_the_build():
    report_files.PUBLISHED.clear()
    report_files.publish("x.csv", pl.DataFrame({"a": [1, 2]}))
    assert report_files.published() == {"x.csv": "a\n1\n2\n"}
    report_files.PUBLISHED.clear()


@pytest.fixture(scope="module")
def fresh_site(built, tmp_path_factory, build_reports_into):
    """The replication report built into an empty reports folder (a fresh clone), then built again (forced)."""
    out = tmp_path_factory.mktemp("fresh") / "reports"
    build_reports_into(out, ["replication"])
    first = (out / "replication" / "figures.csv").read_text(encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_REPORTS_DIR", str(out))
    try:
        assert report.build_reports(names=["replication"], force=True, out=io.StringIO()) == 0
    finally:
        mp.undo()
    return out, first


def test_figures_csv_is_where_the_readme_says_after_a_fresh_build_and_the_next(fresh_site):
    out, first = fresh_site
    folder = out / "replication"
    assert folder.is_symlink()  # reports/replication -> data/replication/<build id>: the page's own data folder
    assert (folder / "figures.csv").is_file() and (folder / "chart-1.csv").is_file()
    csv = pl.read_csv(folder / "figures.csv")
    assert csv.columns == replication.OUTPUT_COLUMNS
    assert csv["figure_id"].to_list() == replication.published_figures()["figure_id"].to_list()
    assert csv["project_value"].is_not_null().all()
    assert (folder / "figures.csv").read_text(encoding="utf-8") == first  # the same numbers on the next build
    html = (out / "replication.html").read_text(encoding="utf-8")
    assert f'href="data/replication/{folder.resolve().name}/figures.csv"' in html
    # the README documents this path
    assert "reports/replication/figures.csv" in (paths.ROOT / "README.md").read_text(encoding="utf-8")
