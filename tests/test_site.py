"""The reader's side: chart CSVs, download links, provenance blocks, the front page, the data dictionary."""

import base64
import io
import json
import re

import numpy as np
import pytest

from analysis.acquire import manifest
from analysis.core import paths, safety
from analysis.site import chart_data, index_page, provenance, report, templating
from analysis.store import dictionary

# --- chart data -----------------------------------------------------------------------------------


def test_decode_array_reads_plotly_typed_arrays():
    arr = np.array([1.5, 2.5, 4.0])
    typed = {"dtype": "f8", "bdata": base64.b64encode(arr.tobytes()).decode()}
    assert chart_data.decode_array(typed) == [1.5, 2.5, 4.0]


def test_decode_array_reshapes_two_dimensional_typed_arrays():
    arr = np.arange(6, dtype="i4")
    typed = {"dtype": "i4", "bdata": base64.b64encode(arr.tobytes()).decode(), "shape": "3, 2"}
    assert chart_data.decode_array(typed) == [[0, 1], [2, 3], [4, 5]]


def test_download_link_goes_right_after_the_script_of_its_chart():
    body = ('<div class="plotly-graph-div" id="B"></div><script>draw B</script><p>between</p>'
            '<div class="plotly-graph-div" id="A"></div><script>draw A</script><p>end</p>')
    out = chart_data.insert_download_links(body, "r", [({"data": []}, "A"), ({"data": []}, "B")])
    assert out.index('href="r/chart-1.csv"') > out.index("draw A")  # chart 1 is div A, wherever it sits
    assert out.index('href="r/chart-2.csv"') < out.index("between")


def test_download_link_goes_below_the_chart_wrapper_and_its_source_note():
    note = '<div class="chart-source">Source: x<details><summary>all</summary><div>y</div></details></div>'
    body = ('<div style="height:600px"><div class="plotly-graph-div" id="A"></div><script>draw A</script> </div>'
            + note + chart_data.SOURCE_END + "<p>next</p>")
    out = chart_data.insert_download_links(body, "r", [({"data": []}, "A")])
    assert out.index(chart_data.SOURCE_END) < out.index('href="r/chart-1.csv"') < out.index("next")


def test_download_link_title_is_escaped():
    body = '<div class="plotly-graph-div" id="A"></div><script>x</script>'
    fig = {"data": [], "layout": {"title": {"text": "Prices <b>&</b> <img src=x onerror=alert(1)>"}}}
    out = chart_data.insert_download_links(body, "r", [(fig, "A")])
    assert "<img" not in out and "onerror" not in out and "Prices  &amp;" in out


# --- links and escaping ---------------------------------------------------------------------------


def test_only_http_links_are_made():
    assert safety.safe_url("javascript:alert(1)") is None
    assert safety.safe_url("file:///etc/passwd") is None
    assert templating.link("javascript:alert(1)", "x") == "x"
    assert templating.link("https://epoch.ai/data", "Epoch") == '<a href="https://epoch.ai/data">Epoch</a>'


def test_linkify_escapes_text_and_links_urls():
    out = templating.linkify('Epoch AI "<models>", https://epoch.ai/data; copy')
    assert "&lt;models&gt;" in out and '<a href="https://epoch.ai/data">https://epoch.ai/data</a>' in out


def test_index_escapes_titles_and_shows_findings():
    index = {"built_at": "2026-11-29 00:00 UTC", "headlines": ["gap <b>8</b> points"],
             "findings": [{"value": "58 vs 33", "text": "releases <script>", "date": "2025", "report": "x"}],
             "reports": {"x": {"name": "x", "title": "T <script>alert(1)</script>", "notebook": "n.ipynb",
                               "parameters": {"a": "<b>"}, "snapshots": {"f.csv": "2026-01-01"}, "status": "ok",
                               "built_at": "now"}}}
    html = index_page.render_index(index)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "58 vs 33" in html and 'href="x.html"' in html and "gap &lt;b&gt;8&lt;/b&gt; points" in html


def test_sparkline_ignores_unsafe_colours():
    svg = index_page.sparkline_svg({"title": "t", "series": [{"name": "a", "color": "red\" onload=\"x", "y": [1, 2, 3]}]})
    assert "onload" not in svg and 'stroke="#555"' in svg


# --- provenance -----------------------------------------------------------------------------------


def _sources(tables, files):
    return provenance.report_sources({"tables": tables, "source_files": files})


def test_provenance_lists_the_source_files_of_the_loaded_rows_and_their_licences():
    files = {"events": ["data/curated/policy_events.csv", "policy/vorplabs_research-datasets/us-ai-law-changes.csv"],
             "models": ["epoch/notable_ai_models.csv"]}
    src = _sources(["events", "models"], files)
    assert [e.local_path for e in src.upstream] == ["epoch/notable_ai_models.csv",
                                                    "policy/vorplabs_research-datasets/us-ai-law-changes.csv"]
    assert src.curated == ("data/curated/organizations.csv", "data/curated/policy_events.csv")  # models' registry too
    spec = report.ReportSpec(name="r", notebook="policy_timeline.ipynb", title="T")
    block = provenance.provenance_html(spec, src, built="2026-11-29")
    for e in src.upstream:
        assert e.local_path in block and templating.esc(e.license) in block and e.snapshot_date in block
    assert "Vorp Labs" in block and provenance.CC_BY in block and "How to cite" in block
    assert "data/curated/policy_events.csv" in block and "data/curated/organizations.csv" in block


def test_a_source_file_outside_the_manifest_is_an_error_not_a_silent_gap():
    import pytest

    with pytest.raises(provenance.ProvenanceError, match="not in data/manifest.csv"):
        _sources(["models"], {"models": ["epoch/no_such_file.csv"]})
    with pytest.raises(provenance.ProvenanceError, match="no such curated file"):
        _sources([], {"x": ["data/curated/model_crosswalk.csv"]})
    with pytest.raises(provenance.ProvenanceError, match="TABLE_INPUTS"):
        _sources(["a_new_table"], {})


def test_every_table_declares_its_curated_inputs_and_they_exist():
    names = {t.name for t in dictionary.tables()}
    assert set(provenance.TABLE_INPUTS) == names
    known = {e.local_path for e in manifest.load()}
    for table, files in provenance.TABLE_INPUTS.items():
        for f in files:
            c = "data/curated/"
            ok = (paths.curated_dir() / f.removeprefix(c)).is_file() if f.startswith(c) else f in known
            assert ok, (table, f)


def test_reports_toml_lists_no_sources_by_hand():
    assert all(not hasattr(s, "datasets") for s in report.load_specs())
    assert "datasets" not in (paths.notebooks_dir() / "reports.toml").read_text()


# --- data dictionary ------------------------------------------------------------------------------


def test_committed_data_dictionary_is_up_to_date():
    committed = (paths.ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert committed == dictionary.render(), "data/README.md is out of date: run `python -m analysis dictionary`"


def test_dictionary_documents_every_column_of_every_table():
    text = dictionary.render()
    for t in dictionary.tables():
        assert f"\n## {t.name}\n" in text
        for c in t.columns:
            assert f"| `{c.name}` |" in text, (t.name, c.name)


def test_dictionary_check_flags_a_stale_file(tmp_path, monkeypatch):
    monkeypatch.setattr(dictionary, "target", lambda: tmp_path / "README.md")
    (tmp_path / "README.md").write_text("old")
    assert dictionary.main(check=True) == 1
    assert dictionary.main() == 0 and dictionary.main(check=True) == 0


def test_preview_json_round_trip():
    figs = [({"data": [{"name": "US", "y": [1, 2, 3], "line": {"color": "#1f5fa8"}}],
              "layout": {"title": {"text": "T"}}}, None)]
    p = chart_data.preview(figs)
    assert json.loads(json.dumps(p))["series"][0]["y"] == [1, 2, 3]


# --- the index pair and a killed run's leftovers ----------------------------------------------------------------


def _index(built_at: str) -> dict:
    return {"built_at": built_at, "headlines": [], "findings": [],
            "reports": {"x": {"name": "x", "title": f"T {built_at}", "notebook": "n.ipynb", "parameters": {},
                              "snapshots": {"f.csv": "2026-01-01"}, "status": "ok", "built_at": built_at}}}


def test_a_run_killed_between_index_html_and_index_json_is_repaired_by_the_next(tmp_path, monkeypatch):
    import pytest

    from analysis.core import atomic

    index_page.write_index(_index("run 1"), tmp_path)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / ".chart-1.abcd1234.tmp.csv").write_text("half a chart")  # left by a killed CSV write

    real = atomic.write_text

    def killed_at_json(target, text):
        if target.name == "index.json":
            raise KeyboardInterrupt("killed")  # the process dies before index.json is renamed into place
        real(target, text)

    monkeypatch.setattr(atomic, "write_text", killed_at_json)
    with pytest.raises(KeyboardInterrupt):
        index_page.write_index(_index("run 2"), tmp_path)
    monkeypatch.setattr(atomic, "write_text", real)
    assert "T run 2" in (tmp_path / "index.html").read_text()  # a mixed pair: html of run 2, json of run 1
    assert json.loads((tmp_path / "index.json").read_text())["built_at"] == "run 1"

    fixed = index_page.repair(tmp_path)  # what the next run does first
    html = (tmp_path / "index.html").read_text()
    assert "T run 1" in html and "T run 2" not in html
    assert not list((tmp_path / "x").glob(".chart-*.tmp.csv"))
    assert tmp_path / "index.html" in fixed
    assert index_page.repair(tmp_path) == []  # a matching pair is left alone


# --- a report's page and its data files switch as one set --------------------------------------------------

def _table(fig: dict) -> dict:
    """The chart table the kernel's display formatter adds to a one-trace chart (analysis.figures.chart_frames)."""
    t = fig["data"][0]
    return {"columns": ["trace", "trace_index", "trace_type", "point", "x", "y"],
            "rows": [[t["name"], 0, "scatter", j, x, y] for j, (x, y) in enumerate(zip(t["x"], t["y"], strict=True))]}


def _finish(name: str, charts: int, monkeypatch):
    """site.finish_report on a page of `charts` one-point charts (provenance stubbed: not what is tested)."""
    from types import SimpleNamespace

    from analysis.site import pages as site
    from analysis.site import provenance

    monkeypatch.setattr(provenance, "provenance_html", lambda spec, sources: "<section>sources</section>")
    body = "<html><head></head><body>" + "".join(
        f'<div class="plotly-graph-div" id="c{n}"></div><script>draw {n}</script>' for n in range(charts)) + "</body></html>"
    figs = [{"data": [{"type": "scatter", "name": f"s{n}", "x": [n], "y": [charts]}]} for n in range(charts)]
    import nbformat

    nb = nbformat.from_dict({"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "data": {chart_data.PLOTLY_MIME: f, "text/html": f'<div id="c{n}" '
                                                   'class="plotly-graph-div"></div>',
                                                 chart_data.CHART_DATA_MIME: _table(f)}}
        for n, f in enumerate(figs)]}]})
    spec = SimpleNamespace(name=name, title="R", notebook="r.ipynb", parameters={})
    return site.finish_report(spec, paths.reports_dir() / f"{name}.html", body, SimpleNamespace(upstream=[], curated=[]),
                              nb)


def _page_set(reports, name: str) -> tuple[str, int, int]:
    """(build folder the page links, links on the page, chart CSVs in that folder)."""
    html = (reports / f"{name}.html").read_text(encoding="utf-8")
    bases = set(re.findall(r'href="(data/[^"]+)/chart-\d+\.csv"', html))
    assert len(bases) == 1, bases
    base = bases.pop()
    return base, html.count('class="chart-download"'), len(list((reports / base).glob("chart-*.csv")))


@pytest.mark.parametrize("kill_at", ["site:page-written", "site:before-switch", "site:after-switch"])
def test_report_killed_at_a_fixed_point_keeps_page_and_data_one_set(scratch, monkeypatch, kill_at):
    """Build r with 2 charts, then a build with 3 charts that dies at a stop point of the site's switch
    (analysis.core.faults): with its page written into the new generation, with the generation complete but not
    switched, or right after the switch. The page always matches the data it links (the old pair before the
    switch, the new pair after it); the next report build removes the dead build's folder and keeps the one the
    current page uses."""
    from analysis.core import faults
    from analysis.site import generation
    from analysis.store import locking

    reports = paths.reports_dir()
    reports.mkdir(parents=True)
    (reports / "r").mkdir()
    (reports / "r" / "chart-9.csv").write_text("layout before build folders")  # old layout: replaced
    _finish("r", 2, monkeypatch)
    first, links, files = _page_set(reports, "r")
    assert (links, files) == (2, 2) and (reports / "r").resolve() == (reports / first).resolve()
    assert sorted(p.name for p in (reports / "r").iterdir()) == ["chart-1.csv", "chart-2.csv", "datapackage.json",
                                                                  "preview.json"]

    def die(point):
        if point == kill_at:
            raise KeyboardInterrupt(f"killed at {point}")

    monkeypatch.setattr(faults, "stop_at", die)
    with pytest.raises(KeyboardInterrupt):
        _finish("r", 3, monkeypatch)
    base, links, files = _page_set(reports, "r")
    assert links == files == (3 if kill_at == "site:after-switch" else 2)
    assert (reports / "r").resolve() == (reports / base).resolve()
    assert len(list((reports / "data" / "r").iterdir())) == 2  # the dead (or the old) build's folder is still there
    monkeypatch.setattr(faults, "stop_at", lambda point: None)
    with locking.build_lock("report", out=io.StringIO()):
        generation.sweep()  # what the next report build does first, under the lock
    assert [p.name for p in (reports / "data" / "r").iterdir()] == [base.rsplit("/", 1)[1]]
    assert len(list(generation.generations_dir(reports).iterdir())) == 1
    _finish("r", 3, monkeypatch)  # the next build switches both and keeps only its own folder
    base, links, files = _page_set(reports, "r")
    assert links == files == 3 and [p.name for p in (reports / "data" / "r").iterdir()] == [base.rsplit("/", 1)[1]]
    assert (reports / "r").resolve() == (reports / base).resolve()


def test_templates_render_alike_with_jinjas_cache_and_without_one(monkeypatch, tmp_path):
    """The compiled-template cache (templating.bytecode_cache, in Jinja's per-user folder) changes no output; where
    Jinja finds no safe folder for it, templates are compiled as usual."""
    import jinja2

    from analysis.site import templating

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    cached = templating.bytecode_cache()
    assert isinstance(cached, jinja2.FileSystemBytecodeCache)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.html.j2").write_text("{% for r in rows %}<li>{{ r.name }}: {{ '%.2f' % r.v }}</li>{% endfor %}")
    rows = [{"name": "<b>a</b>", "v": 1.234}, {"name": "b", "v": 2}]

    def render(cache) -> str:  # a fresh environment each time, as a new build process has
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "t")), autoescape=True,
                                 bytecode_cache=cache)
        return env.get_template("x.html.j2").render(rows=rows)

    first, second, plain = render(cached), render(cached), render(None)  # compiled, then from the cache
    assert first == second == plain == "<li>&lt;b&gt;a&lt;/b&gt;: 1.23</li><li>b: 2.00</li>"
    assert list((tmp_path / "tmp").rglob("*.cache")), "the compiled template was kept"

    def refuse():
        raise RuntimeError("Cannot determine safe temp directory")
    monkeypatch.setattr(jinja2, "FileSystemBytecodeCache", refuse)
    assert templating.bytecode_cache() is None
