"""Markup from the data is text in every output: Markdown links, images, reference-style links, raw HTML and
javascript: URLs injected into a model name, an organization name, an event title and an event URL of a
corrupted copy of the data never become a link, an image or live HTML in the built reports (notebook
Markdown, chart text and hover in the plotly JSON, tables) or the index.

The module fixture corrupts scratch copies of the ECI snapshot and the curated organizations/events CSVs,
builds the tables and the catch_up and policy_timeline reports in a subprocess (the registry and crosswalk
are cached per process) and the tests read the written HTML. test_security.py opens release_pace and
policy_timeline in a browser; these checks are static and cover the Markdown syntaxes as well.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from analysis import paths

ECI_CSV = "epoch/epoch_capabilities_index.csv"
EVIL_HOST = "evil.test"
MD_IMG = f"![pixel](https://{EVIL_HOST}/pixel.png)"
MD_LINK = "[click](javascript:alert(1))"
MD_REF = "[click][9] [9]: javascript:alert(1)"
RAW_HTML = f'<img src="https://{EVIL_HOST}/raw.png"><a href="javascript:alert(2)">x</a>'
PAYLOAD = f"{MD_IMG} {MD_LINK} {MD_REF} {RAW_HTML}"
EVIL_MODEL_SUFFIX = f" {PAYLOAD}"
EVIL_ORG = f"Evil Org {PAYLOAD}"
EVIL_ORG_ALIAS = "Evil Org Alias"
EVIL_EVENT_URL = f"https://example.test/a)![x](https://{EVIL_HOST}/url.png)[y](javascript:alert(3))\"><img/src=x>"
REPORTS = ["catch_up", "policy_timeline"]


@pytest.fixture(scope="module")
def site(built, tmp_path_factory, injected_build) -> Path:
    root = tmp_path_factory.mktemp("markup")
    injected = []

    def eci(rows):  # the five best-scoring US and Chinese models: their names and one organization
        h = rows[0]
        scored = sorted((r for r in rows[1:] if r[h.index("ECI Score")]),
                        key=lambda r: -float(r[h.index("ECI Score")]))[:5]
        for i, r in enumerate(scored):
            for col in ("Model name", "Display name"):
                r[h.index(col)] = r[h.index(col)] + EVIL_MODEL_SUFFIX
            injected.append(r[h.index("Model version")])
            if i == 0:
                r[h.index("Organization")] = EVIL_ORG_ALIAS

    def orgs(rows):
        rows.append([EVIL_ORG, EVIL_ORG_ALIAS, "United States", "company", "test row: injected markup"])

    def events(rows):
        h = rows[0]
        for r in rows[1:]:
            r[h.index("title")] = r[h.index("title")][:40] + " " + PAYLOAD
            r[h.index("source_url")] = EVIL_EVENT_URL

    env = injected_build(root, {f"external/{ECI_CSV}": eci, "curated/organizations.csv": orgs,
                                "curated/policy_events.csv": events})
    cap = pl.read_parquet(root / "clean" / "current" / "capability.parquet")
    assert cap.filter(pl.col("model").str.contains(EVIL_HOST, literal=True)).height > 0, "injection not kept"
    ev = pl.read_parquet(root / "clean" / "current" / "events.parquet")
    assert ev.filter(pl.col("title").str.contains(EVIL_HOST, literal=True)).height > 0
    done = subprocess.run([sys.executable, "-m", "analysis", "report", *REPORTS], env=env, cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return root / "reports"


def _decoded(path: Path) -> str:
    """The page with plotly's JSON escapes undone (its figures write '<' as \\u003c): what a browser would get
    to interpret if plotly rendered the text as HTML."""
    s = path.read_text(encoding="utf-8")
    return s.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&").replace('\\"', '"')


LIVE = [
    ("a javascript: link", re.compile(r"""<a\b[^>]*href\s*=\s*["']?\s*javascript:""", re.I)),
    ("an image from the data", re.compile(rf"""<img\b[^>]*src\s*=\s*["']?[^"'>]*{re.escape(EVIL_HOST)}""", re.I)),
    ("an image from the data (src=x)", re.compile(r"<img/src=x", re.I)),
    ("the injected raw HTML", re.compile(re.escape(RAW_HTML))),
]


@pytest.mark.parametrize("page", [*REPORTS, "index"])
def test_markup_from_the_data_is_never_live_in_the_page(site, page):
    path = site / f"{page}.html"
    assert path.is_file(), sorted(p.name for p in site.iterdir())
    text = _decoded(path)
    found = [(what, m.group(0)[:120]) for what, rx in LIVE for m in [rx.search(text)] if m]
    assert found == [], f"{page}: {found}"


@pytest.mark.parametrize("page", REPORTS)
def test_the_injected_names_are_shown_as_text(site, page):
    """The payload reached the page (so the test above looked at it): as escaped text."""
    raw = (site / f"{page}.html").read_text(encoding="utf-8")
    assert EVIL_HOST in raw, f"{page}: the injected text is not in the page at all"
    assert "&lt;img" in raw or "\\u003cimg" in raw or "&amp;lt;img" in raw, page


def test_no_link_to_the_injected_event_url(site):
    """The event URL is an http URL that breaks out of a Markdown link: no link or image is made from its tail."""
    text = _decoded(site / "policy_timeline.html")
    assert not re.search(rf"""(src|href)\s*=\s*["']?https://{re.escape(EVIL_HOST)}/url\.png""", text, re.I)
