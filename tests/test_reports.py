"""The report build on real data, and the reports opened in headless Chromium."""

import csv
import html as html_mod
import json
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from analysis.acquire import manifest
from analysis.core import paths
from analysis.figures import chart_frames
from analysis.site import chart_data, provenance, report, shared_assets


@pytest.fixture(scope="module")
def reports_built(site):
    """The built reports (release pace and adoption among them): the run's shared site, read only."""
    return site


def _executed(reports: Path, name: str) -> Path:
    """The executed notebook of a report of the site `reports` (outside it: analysis.core.paths.executed_dir)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_REPORTS_DIR", str(reports))
    try:
        return paths.executed_dir() / f"{name}.ipynb"
    finally:
        mp.undo()


def test_index_lists_the_report_with_parameters_and_snapshots(reports_built):
    index = json.loads((reports_built / "index.json").read_text())
    r = index["reports"]["release_pace"]
    assert r["status"] == "ok" and r["built_at"]
    assert r["snapshots"]["epoch/notable_ai_models.csv"] == "2026-07-15"
    html = (reports_built / "index.html").read_text()
    assert 'href="release_pace.html"' in html


def _csv_points(path: Path) -> list[int]:
    """Rows per trace of a chart CSV, in trace order."""
    with open(path, newline="", encoding="utf-8") as f:
        counts = Counter(int(r["trace_index"]) for r in csv.DictReader(f))
    return [counts[i] for i in range(max(counts) + 1)] if counts else []


def test_every_chart_has_its_csv_with_the_rows_it_shows(reports_built):
    nb = nbformat.read(_executed(reports_built, "release_pace"), as_version=4)
    figures = chart_data.notebook_figures(nb)
    assert len(figures) == 5
    csvs = sorted((reports_built / "release_pace").glob("chart-*.csv"))
    assert len(csvs) == len(figures)
    for n, (fig, _) in enumerate(figures, start=1):
        points = [chart_data.trace_points(t) if t.get("legendgroup") not in chart_frames.LEGEND_ONLY_GROUPS else 0
                  for t in fig["data"]]
        got = _csv_points(reports_built / "release_pace" / f"chart-{n}.csv")
        got += [0] * (len(points) - len(got))  # a last trace without rows (a legend swatch)
        # traces without points (none here) would have no rows: compare the non-empty ones in order
        assert got == [p for p in points if p] or got[: len(points)] == points, (n, got, points)
        assert sum(got) == sum(points) > 0


def test_chart_csv_holds_the_numbers_of_the_chart(reports_built):
    # chart 1 = releases per year; the United States bar of 2016 is the count of 2016 US notable releases
    rows = list(csv.DictReader(open(reports_built / "release_pace" / "chart-1.csv", encoding="utf-8")))
    us = {r["Year"][:4]: int(r["Models released"]) for r in rows if r["trace"] == "United States"}
    models = __import__("analysis.store.tables", fromlist=["load"]).load("models")
    import polars as pl

    n2016 = models.filter(pl.col("notable") & (pl.col("country_bucket") == "United States")
                          & (pl.col("release_date").dt.year() == 2016)).height
    assert us["2016"] == n2016


def test_each_chart_has_a_download_link_right_under_it(reports_built):
    html = (reports_built / "release_pace.html").read_text()
    assert html.count('class="chart-download"') == 5
    # page and data switch as one set: the page links its own build folder, which reports/release_pace shows
    base = re.search(r'href="(data/release_pace/[0-9TZ]+-[0-9a-f]+)/chart-1.csv"', html).group(1)
    for n in range(1, 6):
        assert f'href="{base}/chart-{n}.csv"' in html
        assert (reports_built / base / f"chart-{n}.csv").read_bytes() == \
            (reports_built / "release_pace" / f"chart-{n}.csv").read_bytes()
    # the link follows its chart's drawing script, before the next chart
    parts = html.split('class="plotly-graph-div"')[1:]
    assert all('class="chart-download"' in p.split("Plotly.newPlot")[1] for p in parts)


def test_report_ends_with_provenance_naming_every_source_and_licence(reports_built):
    html = (reports_built / "release_pace.html").read_text()
    block = html[html.index('<section class="provenance"'):]
    assert block.index("</section>") < block.index("</body>")
    for e in manifest.load():
        if e.dataset == "epoch_models":
            assert e.local_path in block and e.license in html_mod.unescape(block) and e.snapshot_date in block
    assert "How to cite" in block and provenance.CC_BY in block
    assert '<nav class="site-nav"' in html and 'href="index.html"' in html
    adoption = (reports_built / "adoption.html").read_text()
    block = adoption[adoption.index('<section class="provenance"'):]
    for e in manifest.by_dataset("adoption"):
        if e.local_path.startswith("adoption/franri3008"):  # the rows' files (the ATOM regions feed `check` only)
            assert e.local_path in block and e.license in html_mod.unescape(block) and e.snapshot_date in block


def test_index_has_findings_cards_previews_and_links(reports_built):
    html = (reports_built / "index.html").read_text()
    index = json.loads((reports_built / "index.json").read_text())
    assert len(index["findings"]) >= 1
    for f in index["findings"]:
        assert f["value"] in html_mod.unescape(html) and f["report"] in {s.name for s in report.load_specs()}
    card = html[html.index('data-report="release_pace" data-status="ok"'):]
    assert "<svg" in card.split("</section>")[0] and "5 charts" in card.split("</section>")[0]
    newest = max(index["reports"]["release_pace"]["snapshots"].values())
    assert f"data up to\n{newest}" in card.split("</section>")[0]  # newest snapshot of its data


def test_index_opens_with_the_claims_table_and_its_links_resolve(reports_built):
    index = json.loads((reports_built / "index.json").read_text())
    html = (reports_built / "index.html").read_text()
    assert len(index["claims"]) >= 8 and html.index('data-section="claims"') < html.index('class="card" data-report')
    checked = 0
    for c in index["claims"]:
        assert f'id="claim-{c["key"]}"' in html and f'data-verdict="{c["verdict"]}"' in html
        page, _, frag = c["href"].partition("#")
        if (reports_built / page).is_file():  # this fixture builds release_pace and adoption
            assert f'id="{frag}"' in (reports_built / page).read_text(), c["href"]
            checked += 1
    assert checked >= 3  # models, open weights (release_pace), default provider (adoption)
    # the reported counts beside the measured ones, in the release_pace report, with the curated file credited
    pace = (reports_built / "release_pace.html").read_text()
    assert 'id="Reported-counts-beside-measured-ones"' in pace and "1,509" in pace
    assert "data/curated/reported_counts.csv" in pace[pace.index('<section class="provenance"'):]


def test_report_html_hides_code_and_loads_the_shared_plotly(reports_built):
    html = (reports_built / "release_pace.html").read_text()
    assert "pace.releases_per_period" not in html  # code hidden
    assert "Plotly.newPlot" in html
    assert "cdn.plot.ly" not in html.split("Plotly.newPlot")[0][:2000]  # library beside it, not fetched
    # one copy of plotly.js for the site, loaded by relative path; none embedded in the page
    src = f"assets/plotly-{shared_assets.version()}.min.js"
    assert html.count(f'<script charset="utf-8" src="{src}"></script>') == 1
    assert "* plotly.js v" not in html and (reports_built / src).stat().st_size > 1_000_000


def test_failing_notebook_is_reported_and_marked(built, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path))
    # the CLI rejects a bad parameter before any run (tests/test_params.py); skip that check here so the
    # notebook itself fails, in its validation cell
    monkeypatch.setattr(report, "check_parameters", lambda *a, **k: None)
    code = report.build_reports(names=["release_pace"], extra_params={"period": "fortnight"})
    assert code == 1
    index = json.loads((tmp_path / "index.json").read_text())
    r = index["reports"]["release_pace"]
    assert r["status"] == "failed" and "release_pace.ipynb" in r["error"] and "cell" in r["error"]
    assert "FAILED" in (tmp_path / "index.html").read_text()


_FITS = """narrow => document.documentElement.scrollWidth <= window.innerWidth + 1
    && [...document.querySelectorAll('.plotly-graph-div')].every(gd => {
        const box = gd.getBoundingClientRect(), title = gd.querySelector('.gtitle');
        if (title && title.getBoundingClientRect().right > box.right + 1) return false;
        if (!narrow) return true;
        const legend = gd.querySelector('.legend'), xtitle = gd.querySelector('.g-xtitle');
        return !legend || !xtitle || !gd.dataset.narrow || gd._fullLayout.legend.orientation !== 'h'
            || legend.getBoundingClientRect().top >= xtitle.getBoundingClientRect().bottom;
    })"""


def test_charts_draw_in_headless_chromium_offline(reports_built, offline_page):
    errors, external = [], []
    for name in ("release_pace.html", "adoption.html", "index.html"):
        page = offline_page.open(reports_built / name)
        if name != "index.html":
            stem = name.removesuffix(".html")
            page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20000)
            graphs = page.locator(".plotly-graph-div").count()
            drawn = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')]
                .filter(d => d.querySelector('.main-svg') && d.querySelectorAll('.trace, .point, path').length > 3)
                .length""")
            assert graphs == {"release_pace": 5, "adoption": 4}[stem] and drawn == graphs
            # what each drawn chart holds, trace by trace, is what its CSV holds
            shown = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')].map(d =>
                d._fullData.map(t => t._length != null ? t._length
                    : Math.max(...['x','y','z','values'].map(k => (t[k] && t[k].length) || 0))))""")
            # (the partial-period legend swatches, analysis.figures.plots.mark_partial, draw a legend entry, no point)
            partial = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')].map(d =>
                d._fullData.map(t => t.legendgroup === 'partial'))""")
            for n, (points, swatch) in enumerate(zip(shown, partial, strict=True), start=1):
                points = [0 if s else p for p, s in zip(points, swatch, strict=True)]
                got = _csv_points(reports_built / stem / f"chart-{n}.csv")
                assert got + [0] * (len(points) - len(got)) == points, n
            links = page.locator("p.chart-download a")
            first = links.first.get_attribute("href")
            assert links.count() == graphs and re.fullmatch(rf"data/{stem}/[0-9TZ]+-[0-9a-f]+/chart-1\.csv", first)
            # a narrow and a middling window: no sideways scroll, no chart title past its chart, and (narrow) each
            # legend moved under its chart below the x axis's title, not over it (analysis.site.pages.NARROW_JS)
            for width in (380, 700):
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_function(_FITS, arg=width < 700, timeout=20000)
        else:
            assert page.locator('section.card[data-report="release_pace"] a[href="release_pace.html"]').count() == 1
            assert page.locator('[data-section="claims"] tr[data-verdict]').count() >= 8
            page.set_viewport_size({"width": 380, "height": 900})  # a narrow window: no horizontal scroll
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        errors += offline_page.errors
        external += offline_page.external
    assert external == [], f"the report tried to reach the network: {external}"
    assert errors == [], errors


def _local_refs(html: str) -> set[str]:
    """The relative paths a page loads or links (its src and href values without a scheme), anchors dropped."""
    refs = re.findall(r'(?:href|src)="([^"#?]+)[^"]*"', html)
    return {r for r in refs if not re.match(r"^[a-z][a-z0-9+.-]*:|^/", r)}


def test_every_page_finds_what_it_links_also_at_its_real_path(reports_built):
    """A page is reached as reports/<name>.html, a link into the site's current generation; Chromium resolves
    the links of a path given on its command line (and `xdg-open` gives one), so the page is also read from
    .site/generations/<id>/<name>.html. From there too, plotly.js, the stylesheet, the chart CSVs and every other
    page and file it links must be found (analysis.site.generation.SHARED)."""
    missing = []
    pages = sorted(reports_built.glob("*.html"))
    assert len(pages) >= 15
    for page in pages:
        real = page.resolve()
        assert real.parent != reports_built.resolve(), f"{page.name} is not served from a generation"
        refs = _local_refs(real.read_text(encoding="utf-8"))
        assert any(r.startswith("assets/") for r in refs) or page.name in ("index.html", "changes.html"), page.name
        for ref in refs:
            for base in (page.parent, real.parent):  # as the stable link, and at its real path
                if not (base / ref).exists():
                    missing.append(f"{page.name}: {ref} from {'the link' if base == page.parent else 'its real path'}")
    assert missing == [], missing[:10]


def test_report_output_path_is_inside_reports_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path))
    assert paths.reports_dir() == Path(tmp_path).resolve()


def test_front_page_price_claim_runs_with_the_price_war_reports_parameters(built, monkeypatch):
    from analysis.site import claims, findings, params

    base = findings.report_parameters("price_war")
    assert base["eci_threshold"] == next(p.default for p in params.spec("price_war") if p.name == "eci_threshold")
    line = claims.claim_prices(claims.Data()).finding
    assert f"ECI {base['eci_threshold']:g}:" in line
    monkeypatch.setattr(findings, "report_parameters", lambda name: {**base, "eci_threshold": 125.0,
                                                                     "blend_ratio": 1.0})
    other = claims.claim_prices(claims.Data()).finding
    assert "ECI 125:" in other and "1:1 list price" in other


def test_every_chart_of_the_site_is_of_a_type_the_template_styles(reports_built):
    """The site's template keeps plotly_white's styling of the trace types the project draws only
    (plots.DRAWN_TRACE_TYPES): a chart of another type would take plotly's defaults, so its type must be added."""
    from analysis.figures import plots
    from analysis.site import report

    types, charts = set(), 0
    for spec in report.load_specs():
        nb = nbformat.read(_executed(reports_built, spec.name), as_version=4)
        for fig, _ in chart_data.notebook_figures(nb):
            charts += 1
            types |= {t.get("type", "scatter") for t in fig["data"]}
            assert set(fig["layout"]["template"]["data"]) <= set(plots.DRAWN_TRACE_TYPES)
    assert charts > 40 and types <= set(plots.DRAWN_TRACE_TYPES), sorted(types - set(plots.DRAWN_TRACE_TYPES))


def test_the_template_styles_those_types_as_plotly_white_does():
    import plotly.io as pio

    from analysis.figures import plots

    plots.setup()
    ours, white = pio.templates[plots.TEMPLATE].to_plotly_json(), pio.templates["plotly_white"].to_plotly_json()
    assert set(ours["data"]) == set(white["data"]) & set(plots.DRAWN_TRACE_TYPES)
    assert all(ours["data"][k] == white["data"][k] for k in ours["data"])
    assert ours["layout"]["font"]["family"].startswith("Inter") and ours["layout"]["plot_bgcolor"] == "white"


def test_the_template_is_plotly_whites_merged_with_the_sites_layout_as_plotly_merges_them():
    """plots.template() merges the site's layout over plotly_white as JSON, validated once when registered; it is
    the template plotly's own merge_templates makes of the two (which validates and copies each several times)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from analysis.figures import plots

    plots.setup()
    merged = pio.templates.merge_templates(go.layout.Template(plots._base_template()),
                                           go.layout.Template(layout=plots._layout()))
    assert pio.templates[plots.TEMPLATE].to_plotly_json() == merged.to_plotly_json()
    assert merged.layout.xaxis.gridcolor is not None and merged.layout.xaxis.showgrid is False  # both sides kept


def test_a_figure_shows_as_plotlys_renderer_registry_would_show_it():
    """plots.mimebundle makes, with plotly's renderer classes, what plotly's registry makes for the renderer string
    "plotly_mimetype+<the site's HTML renderer>": the same JSON and the same HTML, plotly.js included once."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from analysis.figures import plots

    plots.setup()
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="a"), layout=dict(title="t"))
    pio.renderers["site_html"] = plots.OfflineHTMLRenderer()
    ours = [plots.mimebundle(fig) for _ in range(2)]
    plots.OfflineHTMLRenderer.plotlyjs_included = False
    theirs = [pio.renderers._build_mime_bundle(fig.to_dict(), "plotly_mimetype+site_html") for _ in range(2)]
    strip = re.compile(r'id="[0-9a-f-]{36}"|"[0-9a-f-]{36}"')  # each HTML output's own div id
    for a, b in zip(ours, theirs, strict=True):
        assert set(a) == set(b) == {"application/vnd.plotly.v1+json", "text/html"}
        assert a["application/vnd.plotly.v1+json"] == b["application/vnd.plotly.v1+json"]
        assert strip.sub("ID", a["text/html"]) == strip.sub("ID", b["text/html"])
    assert "* plotly.js v" in ours[0]["text/html"] and "* plotly.js v" not in ours[1]["text/html"]


@pytest.mark.filterwarnings("ignore:Your element with mimetype")  # the JSON-only output, on purpose
def test_the_export_drops_only_the_plotly_json_it_never_shows():
    """report._html_outputs_only: the same HTML as from the whole notebook, the notebook itself unchanged."""
    import copy

    import plotly.graph_objects as go

    from analysis.figures import plots
    from analysis.site import report

    plots.setup()
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="a"))
    bundle = plots.mimebundle(fig)
    assert {"application/vnd.plotly.v1+json", "text/html"} <= set(bundle)
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Title"),
        v4.new_code_cell("fig.show()", outputs=[v4.new_output("display_data", data=bundle)]),
        v4.new_code_cell("x", outputs=[v4.new_output("display_data", data={
            "application/vnd.plotly.v1+json": bundle["application/vnd.plotly.v1+json"]})]),  # no HTML copy: kept
        v4.new_code_cell("print(1)", outputs=[v4.new_output("stream", name="stdout", text="1\n")])])
    before = copy.deepcopy(nb)
    lite = report._html_outputs_only(nb)
    assert nb == before
    assert "application/vnd.plotly.v1+json" not in lite.cells[1].outputs[0].data
    assert lite.cells[2:] == nb.cells[2:] and lite.cells[2].outputs[0] is nb.cells[2].outputs[0]
    exporter = report._new_exporter(False)
    assert (exporter.from_notebook_node(lite, resources={"metadata": {"name": "t"}})[0]
            == exporter.from_notebook_node(nb, resources={"metadata": {"name": "t"}})[0])
