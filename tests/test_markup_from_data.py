"""Markup from the data is text in every output: Markdown links, images, reference-style links, raw HTML and
javascript: URLs injected into a model name, an organization name, an event title and an event URL of a
corrupted copy of the data never become a link, an image or live HTML in the built reports (notebook
Markdown, chart text and hover in the plotly JSON, tables) or the index.

The session fixture `injected_site` (tests/conftest.py; the payloads are in tests/injected_markup.py, shared
with test_security.py) corrupts scratch copies of the ECI snapshot and the curated organizations/events CSVs,
builds the tables and the catch_up and policy_timeline reports (with release_pace) in a subprocess once per
run, and the tests read the written HTML. test_security.py opens release_pace and
policy_timeline in a browser; these checks are static and cover the Markdown syntaxes as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from injected_markup import EVIL_HOST, RAW_HTML

REPORTS = ["catch_up", "policy_timeline"]


@pytest.fixture(scope="module")
def site(injected_site) -> Path:
    """The reports of the run's scratch project with markup in its inputs (read only)."""
    cap = pl.read_parquet(injected_site / "clean" / "current" / "capability.parquet")
    assert cap.filter(pl.col("model").str.contains(EVIL_HOST, literal=True)).height > 0, "injection not kept"
    ev = pl.read_parquet(injected_site / "clean" / "current" / "events.parquet")
    assert ev.filter(pl.col("title").str.contains(EVIL_HOST, literal=True)).height > 0
    return injected_site / "reports"


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
