"""`report NAME -p ... --output-name VARIANT`: the variant beside the defaults, listed in its own index section."""

import json
import re
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.site import report


def _files(base: Path) -> dict[str, bytes]:
    """The files a reader sees in the site `base` (its names, through their links; not the generations in
    .site/ behind them, analysis.site.generation)."""
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*"))
            if p.is_file() and not p.relative_to(base).parts[0] == ".site"}


@pytest.fixture(scope="module")
def defaults(site, copy_site, tmp_path_factory) -> Path:
    """The default reports (a copy of the run's shared site: the variants are written into it)."""
    return copy_site(site, tmp_path_factory.mktemp("defaults"))


def test_variant_is_written_beside_the_defaults(defaults, monkeypatch, capfd):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(defaults))
    before = _files(defaults)
    rc = main(["report", "release_pace", "-p", "start_date", '"2018-01-01"', "--output-name", "release_pace_2018"])
    out, err = capfd.readouterr()
    assert rc == 0, err
    assert "wrote reports/release_pace_2018.html" in out
    after = _files(defaults)
    # every default file is byte-identical, apart from the index and the changes record published with it (it
    # records a new data build at the next publication, and the test's tables may be newer than the site's)
    for name, data in before.items():
        if name not in ("index.html", "index.json", "changes.html", "changes.json"):
            assert after[name] == data, name
    new = set(after) - set(before)
    assert "release_pace_2018.html" in new
    assert any(n.startswith("data/release_pace_2018/") and n.endswith(".csv") for n in new), sorted(new)
    assert sorted(p.name for p in (defaults / "release_pace_2018").glob("chart-*.csv")) == sorted(
        n.rsplit("/", 1)[1] for n in new if n.startswith("data/release_pace_2018/") and "/chart-" in n)
    assert "2018-01-01" in after["release_pace_2018.html"].decode()
    # the index: the same, plus the variants section naming the variant and its parameters
    html = after["index.html"].decode()
    section = re.search(r'<section class="card variants".*?</section>\n', html, re.S)
    assert section and 'href="release_pace_2018.html"' in section.group(0)
    assert "start_date = &#34;2018-01-01&#34;" in section.group(0)  # Jinja escapes quotes as &#34;
    assert html.replace(section.group(0), "") == before["index.html"].decode()
    old_index, new_index = json.loads(before["index.json"]), json.loads(after["index.json"])
    assert new_index.pop("variants")["release_pace_2018"]["parameters"] == {"start_date": "2018-01-01"}
    assert new_index == old_index


def test_variant_name_may_not_replace_a_default(defaults, monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(defaults))
    monkeypatch.setattr(report, "execute", lambda *a, **k: pytest.fail("a notebook ran"))
    for name, why in (("catch_up", "is a default report"), ("../x", "is not a plain name")):
        rc = main(["report", "release_pace", "-p", "period", '"month"', "--output-name", name])
        err = capsys.readouterr().err
        assert rc == 2 and why in err, err
    rc = main(["report", "--output-name", "v"])
    assert rc == 2 and "exactly one report name" in capsys.readouterr().err
