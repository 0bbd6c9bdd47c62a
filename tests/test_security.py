"""Untrusted text: markup and javascript: links in names, titles and URLs of the data never run in a reader's
browser, are shown as text, and only http(s) URLs from the data become links.

The session fixture `injected_site` (tests/conftest.py; the payloads are in tests/injected_markup.py, shared
with test_markup_from_data.py) copies the snapshots and the curated CSVs into scratch folders, injects markup
into a model name, an organization (registered as an alias of a new registry row, in the scratch copy of
organizations.csv) and a policy event's title and description, builds the tables and renders the
release_pace and policy_timeline reports (with catch_up) and the index once per run; the tests open them in
headless Chromium.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from injected_markup import EVIL_MODEL, EVIL_ORG, EVIL_TITLE, IMG, SCRIPT

from analysis.core import paths, safety
from analysis.core.errors import InputError
from analysis.figures import events as evfigs


@pytest.fixture(scope="module")
def evil(injected_site) -> Path:
    """The reports of the run's scratch project with markup in its inputs (read only)."""
    m = pl.read_parquet(injected_site / "clean" / "current" / "models.parquet")
    assert EVIL_MODEL in m["model"].to_list()  # the injected rows were kept, not quarantined
    assert m.filter(pl.col("model") == EVIL_MODEL)["organizations"].item().to_list() == [EVIL_ORG]
    return injected_site / "reports"


def _open(browser, path: Path) -> dict:
    """Load a page offline (the module's `offline_page`), hover every chart point, and report what happened."""
    page = browser.open(path, width=1300, height=1000)
    page.wait_for_timeout(500)
    # hover a few points of every chart (plotly draws hover labels with the data's text)
    for el in page.locator(".plotly-graph-div .point").all()[:300:10]:
        try:
            el.hover(timeout=200, force=True)
        except Exception:  # noqa: BLE001 - points hidden behind others
            pass
    info = page.evaluate("""() => ({
        xss: typeof window.__xss,
        text: document.body.innerText,
        svgText: [...document.querySelectorAll('svg text, svg tspan')].map(t => t.textContent).join('\\n'),
        data: JSON.stringify([...document.querySelectorAll('.plotly-graph-div')].map(g => g.data || [])),
        badLinks: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
            .filter(h => !/^(https?:|#|[\\w.-]+\\.html(#[\\w%:,?'()!.-]*)?$|(data\\/[\\w.-]+\\/[\\w.-]+|[\\w.-]+)\\/chart-\\d+\\.csv$|tables\\/([\\w-]+\\.(json|md))?$)/i.test(h.trim())),
        handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(
            a => /^on/i.test(a.name) && /__xss/.test(a.value))).length,
        injectedScripts: [...document.querySelectorAll('script')]
            .filter(s => s.textContent.trim() === 'window.__xss=1').length,
        imgs: document.querySelectorAll('img[src="x"]').length,
    })""")  # noqa: E501 - one JS regex of the allowed links
    info.update(dialogs=list(browser.dialogs), external=list(browser.external), errors=list(browser.errors))
    source = path.read_text(encoding="utf-8")
    # the file itself never carries the markup unescaped (plotly's JSON writes '<' as \u003c)
    info["raw_markup"] = [m for m in (SCRIPT, IMG, EVIL_ORG) if m in source]
    return info


def _assert_inert(info: dict, name: str) -> None:
    assert info["xss"] == "undefined", f"{name}: markup from the data ran"
    assert info["dialogs"] == [], f"{name}: a dialog fired: {info['dialogs']}"
    assert info["handlers"] == 0 and info["injectedScripts"] == 0 and info["imgs"] == 0, name
    assert info["badLinks"] == [], f"{name}: non-http(s) links: {info['badLinks']}"
    assert info["external"] == [], f"{name}: tried to reach the network: {info['external']}"
    assert info["raw_markup"] == [], f"{name}: markup from the data written unescaped into the HTML"


def test_release_pace_shows_markup_as_text_and_runs_nothing(evil, offline_page):
    info = _open(offline_page, evil / "release_pace.html")
    _assert_inert(info, "release_pace")
    # the injected model and organization names are in the charts as text (hover labels / chart data)
    shown = info["svgText"] + info["data"]
    assert "window.__xss=1" in shown
    assert "Grok" in shown and ("<script>" in info["svgText"] or "&lt;script&gt;" in info["data"]
                                or "\\u003cscript\\u003e" in info["data"] or "<script>" in info["data"])


def test_policy_timeline_shows_the_title_as_text_and_runs_nothing(evil, offline_page):
    info = _open(offline_page, evil / "policy_timeline.html")
    _assert_inert(info, "policy_timeline")
    # the Markdown summary lists the event: its title is displayed literally, markup and link as text
    assert f"AI diffusion {SCRIPT} rule" in info["text"], info["text"][:3000]
    assert "javascript:window.__xss=1" not in " ".join(info["badLinks"])


def test_index_runs_nothing(evil, offline_page):
    _assert_inert(_open(offline_page, evil / "index.html"), "index")
    assert json.loads((evil / "index.json").read_text())["reports"]["policy_timeline"]["status"] == "ok"


def test_curated_event_with_javascript_url_is_rejected(tmp_path, monkeypatch, csv_rewriter):
    shutil.copytree(paths.curated_dir(), tmp_path / "raw")

    def bad(rows):
        rows[3][rows[0].index("source_url")] = "javascript:window.__xss=1"

    csv_rewriter(tmp_path / "raw" / "policy_events.csv", bad)
    monkeypatch.setenv("ANALYSIS_CURATED_DIR", str(tmp_path / "raw"))
    from analysis.clean import events
    from analysis.store import build

    with pytest.raises(InputError, match=r"policy_events.csv: record 3 .*column 'source_url'.*not an http\(s\) URL"):
        build.run_step(events.CURATED_STEP)


@pytest.mark.parametrize("url", ["javascript:window.__xss=1", " JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                 "vbscript:msgbox", "file:///etc/passwd", "//evil.example/x", "http://",
                                 "https://ok.example/a b", "https://ok.example/\nx", "", None])
def test_unsafe_urls_are_never_links(url):
    assert safety.safe_url(url) is None
    assert "<a " not in safety.link_html(url, "source")
    assert "<a " not in evfigs.source_html(url)


def test_http_urls_are_links_with_escaped_attributes():
    url = 'https://example.org/a?b=1&c="x"'
    assert safety.safe_url(url) == url
    a = safety.link_html(url, "<b>t</b>")
    assert a.startswith('<a href="https://example.org/a?b=1&amp;c=&quot;x&quot;"') and "&lt;b&gt;t" in a
    assert evfigs.source_html(url).startswith('<a href="https://example.org/')


def test_neutralize_markdown_keeps_markdown_and_disables_markup():
    md = f"**{EVIL_TITLE}** and [ok](https://example.org) and [x]( javascript:alert(1))"
    out = safety.neutralize_markdown(md)
    assert "<script>" not in out and "&lt;script&gt;" in out and "**" in out
    assert "](https://example.org)" in out and "javascript:" not in out.split("](")[2].split(")")[0]


@pytest.mark.parametrize("md", [
    "[click me][1]\n\n[1]: javascript:alert(1)",
    "intro\n  [evil]: <javascript:alert(1)>\n\n[evil]",
    "[x][y]\n\n[y]: data:text/html,<script>alert(1)</script> \"title\"",
])
def test_neutralize_markdown_disables_reference_style_links(md):
    import mistune  # the Markdown renderer nbconvert uses
    out = safety.neutralize_markdown(md)
    html_out = mistune.html(out)
    assert "javascript:" not in html_out and "data:text" not in html_out.split("<p>")[-1].split('href="')[-1][:12]
    assert 'href="javascript' not in html_out and 'href="data:' not in html_out


def test_neutralize_markdown_loads_no_image():
    import mistune  # the Markdown renderer nbconvert uses
    out = safety.neutralize_markdown("model ![x](https://evil.example/pixel.png) and ![y][1]\n\n[1]: https://e.x/p.png")
    assert "<img" not in mistune.html(out)


def test_neutralize_markdown_keeps_safe_reference_links():
    out = safety.neutralize_markdown("[docs][1]\n\n[1]: https://example.org/docs")
    assert "[1]: https://example.org/docs" in out
