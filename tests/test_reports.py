"""The report build on real data, and the reports opened in headless Chromium."""

import json
import shutil
from pathlib import Path

import pytest

from analysis import paths, report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def reports_built(built, tmp_path_factory):
    """Build the release-pace report into a scratch reports folder."""
    out = tmp_path_factory.mktemp("reports")
    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_REPORTS_DIR", str(out))
    try:
        code = report.build_reports(names=["release_pace"])
    finally:
        mp.undo()
    assert code == 0
    return out


def test_index_lists_the_report_with_parameters_and_snapshots(reports_built):
    index = json.loads((reports_built / "index.json").read_text())
    r = index["reports"]["release_pace"]
    assert r["status"] == "ok" and r["built_at"]
    assert r["snapshots"]["epoch/notable_ai_models.csv"] == "2026-07-15"
    html = (reports_built / "index.html").read_text()
    assert 'href="release_pace.html"' in html


def test_report_html_hides_code_and_embeds_plotly(reports_built):
    html = (reports_built / "release_pace.html").read_text()
    assert "pace.releases_per_period" not in html  # code hidden
    assert "plotly.js" in html or "Plotly.newPlot" in html
    assert "cdn.plot.ly" not in html.split("Plotly.newPlot")[0][:2000]  # library embedded, not fetched


def test_failing_notebook_is_reported_and_marked(built, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path))
    code = report.build_reports(names=["release_pace"], extra_params={"period": "fortnight"})
    assert code == 1
    index = json.loads((tmp_path / "index.json").read_text())
    r = index["reports"]["release_pace"]
    assert r["status"] == "failed" and "release_pace.ipynb" in r["error"] and "cell" in r["error"]
    assert "FAILED" in (tmp_path / "index.html").read_text()


def test_charts_draw_in_headless_chromium_offline(reports_built):
    assert CHROMIUM, "Chromium is not installed: `apt-get install chromium` (the README's test command does it)"
    from playwright.sync_api import sync_playwright

    errors, external = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def block(route):
            if not route.request.url.startswith("file://"):
                external.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", block)
        for name in ("release_pace.html", "index.html"):
            page.goto((reports_built / name).as_uri())
            page.wait_for_load_state("load")
            if name == "release_pace.html":
                page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20000)
                graphs = page.locator(".plotly-graph-div").count()
                drawn = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')]
                    .filter(d => d.querySelector('.main-svg') && d.querySelectorAll('.trace, .point, path').length > 3)
                    .length""")
                assert graphs == 5 and drawn == graphs
        browser.close()
    assert external == [], f"the report tried to reach the network: {external}"
    assert errors == [], errors
    assert external == [], f"the report tried to reach the network: {external}"


def test_report_output_path_is_inside_reports_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path))
    assert paths.reports_dir() == Path(tmp_path).resolve()
