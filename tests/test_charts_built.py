"""Charts that read on their own, checked on every figure the notebooks produce (issue 13): the built reports'
partial periods, the layout rule, wrapped category labels, and chart CSVs with a datapackage.json."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import nbformat

from analysis.figures import plots
from analysis.site import chart_data, report_specs

# every notebook once, with its default parameters
NAMES = sorted({s.name for s in report_specs.load_specs() if not s.parameters})
PERIOD_TITLE = re.compile(r"\bper (year|quarter|month|week)\b(?!-end)|days before and after")  # month-ends are dates


# `site` (tests/conftest.py): every report built once per run, shared; its executed notebooks lie beside it
# (analysis.core.paths.executed_dir of a site moved with ANALYSIS_REPORTS_DIR: `<reports>.executed/`)


def _figures(site):
    for name in NAMES:
        nb = nbformat.read(site.with_name(f"{site.name}.executed") / f"{name}.ipynb", as_version=4)
        for n, (fig, _) in enumerate(chart_data.notebook_figures(nb), start=1):
            yield name, n, fig


def _title(fig) -> str:
    t = (fig.get("layout") or {}).get("title") or {}
    return t.get("text", "") if isinstance(t, dict) else str(t)


def test_the_notebooks_are_all_built(site):
    assert len(NAMES) >= 7 and all((site / f"{n}.html").is_file() for n in NAMES)


def test_every_period_chart_marks_its_partial_period(site):
    period = [(name, n, fig) for name, n, fig in _figures(site) if PERIOD_TITLE.search(_title(fig))]
    assert len(period) >= 8  # release pace (4), adoption (3), policy windows and releases
    unmarked = [(name, n, _title(fig)) for name, n, fig in period if not plots.partial_notes(fig)]
    assert not unmarked
    for _name, _n, fig in period:
        assert all(re.search(r"data to \d{4}-\d{2}-\d{2}", note) for note in plots.partial_notes(fig))


def test_every_figure_follows_the_layout_rule(site):
    """Legend right of the plot area (plotly reserves the margin), top-aligned, entries wrapped; no text drawn
    below the plot (source notes are HTML under the chart); category labels wrapped, never longer than the rule."""
    for name, n, fig in _figures(site):
        lay = fig["layout"]
        lg = lay.get("legend") or {}
        where = (name, n, _title(fig))
        if lay.get("showlegend") is not False:
            assert (lg.get("orientation"), lg.get("x"), lg.get("xanchor"), lg.get("yanchor")) == \
                ("v", plots.LEGEND_X, "left", "top"), where
        for t in fig["data"]:
            if t.get("showlegend") is not False and t.get("name"):
                assert all(len(re.sub(r"<[^>]+>", "", s)) <= plots.LEGEND_WRAP + 12
                           for s in t["name"].split("<br>")), (where, t["name"])
            if t.get("orientation") == "h" and t.get("type") == "bar":
                for label in chart_data.decode_array(t.get("y")) or []:
                    assert all(len(s) <= plots.LABEL_WRAP for s in str(label).split("<br>")), (where, label)
        assert not [a for a in lay.get("annotations") or [] if a.get("yref") == "paper" and (a.get("y") or 0) < 0
                    and "Source" in str(a.get("text"))], where
        assert (lay.get("meta") or {}).get("source", "").startswith("Source: "), where


def test_each_chart_has_a_short_source_line_with_the_full_list_in_details(site):
    html = (site / "release_pace.html").read_text(encoding="utf-8")
    assert html.count('class="chart-source"') == html.count('class="chart-download"') >= 5
    assert html.count("<details") >= 5


def test_chart_csvs_stand_alone_and_each_report_has_a_datapackage(site):
    for name in NAMES:
        folder = site / name
        csvs = sorted(p.name for p in folder.glob("chart-*.csv"))
        assert csvs, name
        for c in csvs:
            with open(folder / c, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            header = rows[0]
            assert header[0] == "trace", (name, c)
            assert not [h for h in header if h in ("x", "y", "z") or h.startswith("customdata_")], (name, c, header)
            # no HTML: no tag or entity in any cell (a literal '<' of the data, as in '<=14nm', stays)
            assert not [v for r in rows for v in r if re.search(r"<[A-Za-z/!]|&[a-z]+;|&#", v)], (name, c)
        pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert pkg["profile"] == "tabular-data-package" and re.fullmatch(r"[a-z0-9._-]+", pkg["name"])
        assert pkg["title"] and pkg["licenses"]
        assert sorted(r["path"] for r in pkg["resources"]) == csvs, name
        for r in pkg["resources"]:
            with open(folder / r["path"], newline="", encoding="utf-8") as f:
                header = next(csv.reader(f))
            assert [fld["name"] for fld in r["schema"]["fields"]] == header, (name, r["path"])
            assert r["title"] and r["sources"] and all(s.get("title") for s in r["sources"]), (name, r["path"])
            assert all(lic.get("name") or lic.get("path") for lic in r["licenses"]), (name, r["path"])
            if any("snapshot_date" in s for s in r["sources"]):
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["snapshot_date"]), (name, r["path"])


def test_every_datapackage_validates_with_frictionless(site):
    """Each report's datapackage.json is a valid Frictionless data package, and its CSVs match their schemas."""
    import frictionless

    for spec in report_specs.load_specs():
        pkg = site / spec.name / "datapackage.json"
        result = frictionless.validate(str(pkg))
        assert result.valid, (spec.name, [e.message for t in result.tasks for e in t.errors][:5]
                              + [e.message for e in result.errors][:5])
        meta = json.loads(pkg.read_text(encoding="utf-8"))
        names = [lic.get("name") for r in meta["resources"] for lic in r["licenses"]]
        assert set(filter(None, names)) <= set(chart_data.SPDX_URL), (spec.name, names)


def test_no_chart_table_failed_in_a_kernel(site):
    """A figure whose attached frames do not match its traces raises ChartDataError in the kernel's display
    formatter, which IPython reports as an output instead of failing the cell: no executed notebook has one."""
    for spec in report_specs.load_specs():
        text = (site.with_name(f"{site.name}.executed") / f"{spec.name}.ipynb").read_text(encoding="utf-8")
        assert "ChartDataError" not in text, spec.name


def test_every_chart_of_every_report_has_its_table_from_its_builders_frames(site):
    """Each chart of each built report (every reports.toml entry) carries the table of the frames its figure
    builder plotted (analysis.figures.chart_frames): one row per point of every trace a reader can hover (a trace
    without hover has rows only when its builder attached a frame for it), and its CSV is that table. No reader
    of plotly JSON is left to fall back on."""
    from analysis.figures import chart_frames

    assert not hasattr(chart_data, "figure_rows") and not hasattr(chart_data, "column_names")
    charts = 0
    for spec in report_specs.load_specs():
        nb = nbformat.read(site.with_name(f"{site.name}.executed") / f"{spec.name}.ipynb", as_version=4)
        figures = chart_data.notebook_figures(nb)
        tables = chart_data.notebook_tables(nb)  # raises for a chart without its table
        assert len(tables) == len(figures) > 0, spec.name
        for n, ((fig, _), table) in enumerate(zip(figures, tables, strict=True), start=1):
            charts += 1
            rows = Counter(r[1] for r in table["rows"])
            for i, t in enumerate(fig["data"]):
                if t.get("legendgroup") in chart_frames.LEGEND_ONLY_GROUPS:
                    assert i not in rows, (spec.name, n, i)
                elif i in rows or t.get("hoverinfo") != "skip":
                    assert rows[i] == chart_data.trace_points(t), (spec.name, n, i, t.get("name"))
            with open(site / spec.name / f"chart-{n}.csv", newline="", encoding="utf-8") as f:
                got = list(csv.reader(f))
            header, want = chart_data.chart_rows(table)
            assert got[0] == header and len(got) - 1 == len(want), (spec.name, n)
            # the builder names every column: no placeholder of a reader guessing from the plotly JSON
            assert not [h for h in header if re.fullmatch(r"detail \d+|(horizontal|vertical) axis value", h)
                        or "layout only" in h], (spec.name, n, header)
            assert [r[:4] for r in got[1:]] == [[str(c) for c in r[:4]] for r in want], (spec.name, n)
    assert charts >= 40
