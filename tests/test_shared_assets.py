"""One plotly.js and one stylesheet for the whole site; single-file exports that embed them.

Every report of notebooks/reports.toml is built into a scratch folder and opened in headless Chromium with
the network cut: each draws all its charts from reports/assets/. A standalone export, moved alone to
another folder, draws too, reading no other file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.figures import plots
from analysis.site import kernels, report, shared_assets

SITE_LIMIT_MB = 12  # the 10 reports of issue 18 (57 MB when every page embedded plotly.js)


@pytest.fixture(scope="module")
def site_built(site):
    """Every report of reports.toml, built into a scratch reports folder (the run's shared site: read only)."""
    return site


@pytest.fixture()
def site_copy(site, copy_site, tmp_path):
    """A copy of the shared site for a test that writes into it (exports, a rebuild)."""
    return copy_site(site, tmp_path / "reports")


# --- small inline pages -----------------------------------------------------------------------------------

def _page(css: str = "x{}" * 20_000) -> str:
    return (f'<html><head><style type="text/css">\n{css}</style><style type="text/css">\nsmall{{}}</style></head>'
            f'<body><script charset="utf-8" src="{shared_assets.src()}"></script><div>chart</div></body></html>')


def test_share_stylesheet_moves_the_big_style_to_assets_and_standalone_puts_everything_back(tmp_path):
    page = _page()
    shared = shared_assets.share_stylesheet(page, tmp_path)
    link = re.search(r'<link rel="stylesheet" href="(assets/jupyterlab-[0-9a-f]{16}\.css)">', shared)
    assert link and (tmp_path / link.group(1)).read_text() == "x{}" * 20_000
    assert "small{}" in shared and len(shared) < 1000  # the small style stays inline
    assert shared_assets.share_stylesheet(_page(), tmp_path) == shared  # same CSS, same file name
    alone = shared_assets.standalone_html(shared, tmp_path)
    js = shared_assets._bundled().read_text(encoding="utf-8")
    assert link.group(0) not in alone and f'src="{shared_assets.src()}"' not in alone
    assert js in alone and "x{}" * 20_000 in alone
    assert alone.index("x{}") < alone.index("small{}")  # the stylesheet is back in its place


def test_a_page_without_a_big_style_or_charts_is_left_as_it_is(tmp_path):
    page = '<html><head><style type="text/css">\nsmall{}</style></head><body>text</body></html>'
    assert shared_assets.share_stylesheet(page, tmp_path) == page
    assert shared_assets.standalone_html(page, tmp_path) == page
    assert not (tmp_path / "assets").exists()


def test_asset_is_versioned_written_once_and_replaced_when_truncated(tmp_path):
    v = shared_assets.version()
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", v)
    target = shared_assets.ensure_asset(tmp_path)
    assert target == tmp_path / "assets" / f"plotly-{v}.min.js"
    assert target.read_bytes() == shared_assets._bundled().read_bytes()
    mtime = target.stat().st_mtime_ns
    assert shared_assets.ensure_asset(tmp_path).stat().st_mtime_ns == mtime  # kept
    target.write_bytes(b"half")
    assert shared_assets.ensure_asset(tmp_path).read_bytes() == shared_assets._bundled().read_bytes()


def test_renderer_embeds_plotly_unless_a_report_build_names_the_shared_copy(monkeypatch):
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["a"], y=[1])).to_dict()
    monkeypatch.delenv(shared_assets.ENV, raising=False)
    plots.setup()
    first, second = (plots.OfflineHTMLRenderer().to_mimebundle(fig)["text/html"] for _ in range(2))
    assert "* plotly.js v" in first and "* plotly.js v" not in second and f'src="{shared_assets.src()}"' not in first
    monkeypatch.setenv(shared_assets.ENV, shared_assets.src())
    plots.setup()
    first, second = (plots.OfflineHTMLRenderer().to_mimebundle(fig)["text/html"] for _ in range(2))
    assert f'src="{shared_assets.src()}"' in first and "* plotly.js v" not in first
    assert "<script charset=\"utf-8\" src=" not in second and "Plotly.newPlot" in second


def test_report_kernels_are_told_the_shared_copy():
    args = kernels.kernel_args()
    assert args[0].startswith("--IPKernelApp.exec_lines=") and f"boot({shared_assets.src()!r})" in args[0]
    # the other kernel options (the log level, IPython's history in memory) are kept
    assert args[1:] == kernels.KERNEL_ARGS


def test_export_of_an_unknown_or_unbuilt_report_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path / "reports"))
    assert main(["export", "no_such_report"]) == 2
    assert "unknown report(s) ['no_such_report']" in capsys.readouterr().err
    assert main(["export", "release_pace"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "report 'release_pace' is not built" in err


# --- the real site -----------------------------------------------------------------------------------------

def test_site_holds_one_plotly_and_one_stylesheet_and_stays_small(site_built):
    specs = report.load_specs()
    pages = [site_built / f"{s.name}.html" for s in specs]
    assert all(p.is_file() for p in pages)
    assets = sorted(p.name for p in (site_built / "assets").iterdir())
    assert len(assets) == 2 and f"plotly-{shared_assets.version()}.min.js" in assets
    css = next(a for a in assets if a.endswith(".css"))
    for p in pages:
        html = p.read_text()
        assert html.count(f'src="{shared_assets.src()}"') == 1, p.name
        assert f'<link rel="stylesheet" href="assets/{css}">' in html, p.name
        assert "* plotly.js v" not in html and p.stat().st_size < 1_000_000, p.name
    total = sum(f.stat().st_size for f in site_built.rglob("*") if f.is_file()) / 1e6
    if len(specs) <= 10:
        assert total <= SITE_LIMIT_MB, f"reports/ is {total:.1f} MB"


DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
    .filter(d => d.querySelector('.main-svg') && d._fullData && d._fullData.length > 0).length"""


def test_every_report_draws_offline_from_the_shared_plotly(site_built, offline_page):
    for spec in report.load_specs():
        page = offline_page.open(site_built / f"{spec.name}.html")
        graphs = page.locator(".plotly-graph-div").count()
        assert graphs >= 1, spec.name
        page.wait_for_function(f"() => ({DRAWN})() === {graphs}", timeout=20000)
        assert page.evaluate("() => typeof Plotly") == "object", spec.name
        # the stylesheet applied: the lab CSS sets the notebook container's class rules
        assert page.evaluate("() => [...document.styleSheets].some(s => s.href && s.href.includes('assets/jupyterlab-'))")
        assert offline_page.external == [], spec.name
        assert [u for u in offline_page.requests if not u.startswith("file://")] == [], spec.name
        assert any(u.endswith(shared_assets.src()) for u in offline_page.requests), spec.name
        assert offline_page.errors == [], (spec.name, offline_page.errors)


def test_standalone_export_draws_from_a_copy_moved_alone(site_copy, tmp_path, monkeypatch, capsys, offline_page):
    site_built = site_copy
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(site_built))
    assert main(["export", "release_pace", "catch_up"]) == 0
    assert "export: wrote standalone/release_pace.html" in capsys.readouterr().out
    exported = site_built.parent / "standalone" / "release_pace.html"
    elsewhere = tmp_path / "mailed" / "release_pace.html"
    elsewhere.parent.mkdir()
    shutil.move(exported, elsewhere)
    html = elsewhere.read_text()
    assert "* plotly.js v" in html and f'src="{shared_assets.src()}"' not in html
    assert '<link rel="stylesheet" href="assets/' not in html
    built_page = (site_built / "release_pace.html").read_text()
    assert len(html) > len(built_page) + 4_000_000
    page = offline_page.open(elsewhere)
    graphs = page.locator(".plotly-graph-div").count()
    assert graphs == built_page.count('class="plotly-graph-div') >= 1  # every chart of the built report
    page.wait_for_function(f"() => ({DRAWN})() === {graphs}", timeout=20000)
    # nothing else read: not the network, not assets/
    assert offline_page.requests == [elsewhere.as_uri()], offline_page.requests
    assert offline_page.errors == [], offline_page.errors


def test_report_standalone_flag_builds_and_exports(site_copy, monkeypatch, capfd):
    site_built = site_copy
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(site_built))
    before = (site_built / "policy_timeline.html").stat().st_mtime_ns
    assert main(["report", "policy_timeline", "--standalone"]) == 0
    assert (site_built / "policy_timeline.html").stat().st_mtime_ns == before  # up to date: nothing executed
    assert "export: wrote standalone/policy_timeline.html" in capfd.readouterr().out
    alone = (site_built.parent / "standalone" / "policy_timeline.html").read_text()
    assert shared_assets._bundled().read_text(encoding="utf-8") in alone
    assert Path(site_built / "assets").is_dir() and "<link rel=\"stylesheet\" href=\"assets/" not in alone
