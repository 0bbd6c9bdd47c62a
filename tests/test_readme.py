"""The README is a user's guide: short, the quick start on its first screen, and no link to a file that is not there.

Reference material lives in docs/; every relative link of README.md and docs/*.md must point to an existing file
(anchors are not checked)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_LINES = 250
FIRST_SCREEN = 40
QUICK_START = ("ANALYSIS_MIRROR=../shared/data/external make reports",
               "ANALYSIS_MIRROR=../shared/data/external make test")

FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # http:, https:, mailto:, ...


def relative_links(text: str) -> list[str]:
    """Targets of the Markdown links of `text` that point into the repository (code spans and blocks left out)."""
    text = CODE.sub("", FENCE.sub("", text))
    return [t for t in LINK.findall(text) if not EXTERNAL.match(t) and not t.startswith("#")]


def test_relative_links_finds_only_local_targets():
    text = ("See [a](docs/a.md#x), [b](https://example.org), [c](#here), `[g](no.md)`\n"
            "```\n[h](no.md)\n```\n[i](mailto:x@y.z) [j](data/ \"title\")\n")
    assert relative_links(text) == ["docs/a.md#x", "data/"]


def test_readme_is_at_most_250_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines; reference material belongs in docs/"


def test_quick_start_is_on_the_first_screen():
    head = README.read_text(encoding="utf-8").splitlines()[:FIRST_SCREEN]
    assert "## Quick start" in head, f"no '## Quick start' heading in the first {FIRST_SCREEN} lines of README.md"
    after = "\n".join(head[head.index("## Quick start"):])
    for command in QUICK_START:
        assert command in after, f"{command!r} is not in the quick start's first {FIRST_SCREEN} lines"


DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file(doc):
    missing = []
    for target in relative_links(doc.read_text(encoding="utf-8")):
        path = target.split("#", 1)[0].split("?", 1)[0]
        if not (doc.parent / path).exists():
            missing.append(target)
    assert not missing, f"{doc.relative_to(ROOT)} links to files that do not exist: {missing}"
