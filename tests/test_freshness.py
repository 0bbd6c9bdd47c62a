"""How old each source's data is on the build day (analysis.site.freshness), and the front page's marks."""

import datetime as dt
import re

import pytest

from analysis.acquire import manifest
from analysis.site import freshness, index_page, report_specs
from analysis.site.params import ParamError

D = dt.date


def _entry(path, dataset, day, repo="o/r"):
    return manifest.Entry(local_path=path, dataset=dataset, url="https://x/" + path, sha256="0" * 64, bytes=1,
                          license="CC BY 4.0", citation="c", snapshot_date=day, upstream_repo=repo,
                          upstream_path=path, commit="c" * 40)


ENTRIES = [
    _entry("a/1.csv", "alpha", "2026-01-31"), _entry("a/2.csv", "alpha", "2026-06-30"),  # newest file counts
    _entry("b/1.csv", "beta", "2026-06-30"),
    _entry("ad/hf.json", "adoption", "2025-10-07", repo="Franri3008/franri3008.github.io"),
    _entry("ad/or.csv", "adoption", "2026-05-06", repo="Kenneth-Top/workflows-"),
    _entry("h/hist.csv", "lmarena_history", "2025-02-27"),
]


def test_add_months_is_calendar_months():
    assert freshness.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert freshness.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert freshness.add_months(D(2025, 8, 15), 6) == D(2026, 2, 15)
    assert freshness.add_months(D(2025, 12, 1), 13) == D(2027, 1, 1)


def test_sources_date_age_and_stale_rule():
    built = D(2026, 12, 30)
    got = {s.key: s for s in freshness.sources(built, 6, ENTRIES)}
    # one source per dataset; `adoption` split by upstream repository (unrelated publishers)
    assert set(got) == {"alpha", "beta", "adoption/Franri3008/franri3008.github.io",
                        "adoption/Kenneth-Top/workflows-", "lmarena_history"}
    a = got["alpha"]
    assert (a.data_to, a.files, a.age_days) == (D(2026, 6, 30), ("a/1.csv", "a/2.csv"), 183)
    assert not a.stale  # 2026-06-30 + 6 months = 2026-12-30: not older than 6 months on 2026-12-30
    assert freshness.sources(D(2026, 12, 31), 6, ENTRIES)[-1].stale  # a day later it is
    assert got["adoption/Kenneth-Top/workflows-"].stale and got["adoption/Franri3008/franri3008.github.io"].stale
    hist = got["lmarena_history"]
    assert hist.fixed and not hist.stale  # a closed record: its age shown, never stale
    assert a.age_text() == "6.0 months (183 days)" and freshness.sources(D(2026, 7, 10), 6, ENTRIES)[-1].age_text() \
        == "10 days"
    # oldest data first; a lower threshold makes more sources stale
    assert [s.data_to for s in freshness.sources(built, 6, ENTRIES)] == sorted(s.data_to for s in got.values())
    assert {s.key for s in freshness.sources(D(2026, 8, 1), 1, ENTRIES) if s.stale} == {
        "alpha", "beta", "adoption/Franri3008/franri3008.github.io", "adoption/Kenneth-Top/workflows-"}


def test_stale_for_names_the_stale_sources_of_the_files():
    ages = freshness.sources(D(2026, 12, 31), 6, ENTRIES)
    assert [s.key for s in freshness.stale_for(["a/1.csv", "data/curated/organizations.csv"], ages)] == ["alpha"]
    assert freshness.stale_for(["h/hist.csv"], ages) == []  # fixed
    assert freshness.stale_for([], ages) == [] and freshness.stale_for(None, ages) == []


def test_the_threshold_is_a_checked_parameter(tmp_path):
    assert freshness.check_settings({}) == 6  # the declared default
    assert freshness.check_settings({"stale_after_months": 3}) == 3
    with pytest.raises(ParamError, match=r"stale_after_months must be in \[1, 120\], got 0"):
        freshness.check_settings({"stale_after_months": 0})
    with pytest.raises(ParamError, match="stale_after_months '6' is not an integer"):
        freshness.check_settings({"stale_after_months": "6"})
    with pytest.raises(ParamError, match=r"unknown setting\(s\) \['stale_after_month'\]"):
        freshness.check_settings({"stale_after_month": 6})
    # reports.toml is checked when the reports are read, before any work
    bad = tmp_path / "reports.toml"
    bad.write_text("[site]\nstale_after_months = -1\n")
    with pytest.raises(ParamError, match="stale_after_months must be in"):
        report_specs.load_specs(bad)
    assert freshness.stale_after_months() == 6  # the project's notebooks/reports.toml


def test_every_manifest_source_has_a_name():
    keys = {freshness.source_key(e) for e in manifest.load()}
    assert keys <= set(freshness.NAMES), sorted(keys - set(freshness.NAMES))
    assert set(freshness.FIXED) <= keys


def _claim(key, files):
    return dict(key=key, quote=f"claim {key}", finding="f", date="2026-07-01", verdict="supported", rule="r",
                report="catch_up", section="s", href="catch_up.html#s", **({"files": files} if files is not None
                                                                             else {}))


def test_front_page_shows_every_source_and_marks_claims_that_read_a_stale_one():
    entries = manifest.load()
    built = "2026-12-07 10:00 UTC"
    ages = freshness.sources(freshness.build_day(built), freshness.stale_after_months(), entries)
    stale = [s for s in ages if s.stale]
    fresh = [s for s in ages if not s.stale and not s.fixed]
    assert stale and fresh  # the real manifest on this day has both (else this test shows nothing)
    index = dict(built_at=built, reports={}, claims=[_claim("old", [stale[0].files[0], fresh[0].files[0]]),
                                                     _claim("new", [fresh[0].files[0]]), _claim("unknown", None)])
    page = index_page.render_index(index)
    for s in ages:  # every source with its date and age
        row = re.search(rf'<tr id="source-{re.escape(s.key.replace("/", "-"))}"[^>]*data-stale="(yes|no)"', page)
        assert row and row.group(1) == ("yes" if s.stale else "no"), s.key
        assert s.data_to.isoformat() in page and s.age_text() in page
    marks = dict(re.findall(r'<tr id="claim-(\w+)".*?(?:data-stale="([^"]*)"|</tr>)', page, flags=re.S))
    assert marks["old"] == stale[0].key and marks["new"] == "" and marks["unknown"] == ""


def test_built_front_page_marks_each_claim_by_the_files_it_read(site):
    """On the built site: every claim records the upstream files its measuring read, and the page marks exactly the
    claims among them that read a stale source, with the index's build day."""
    import json

    index = json.loads((site / "index.json").read_text(encoding="utf-8"))
    page = (site / "index.html").read_text(encoding="utf-8")
    ages = freshness.sources(freshness.build_day(index["built_at"]), freshness.stale_after_months())
    assert index["claims"]
    for c in index["claims"]:
        assert c["files"], c["key"]
        want = " ".join(s.key for s in freshness.stale_for(c["files"], ages))
        row = re.search(rf'<tr id="claim-{c["key"]}".*?</tr>', page, flags=re.S).group(0)
        got = re.search(r'class="stale-mark" data-stale="([^"]*)"', row)
        assert (got.group(1) if got else "") == want, c["key"]
    assert len(re.findall(r'<tr id="source-', page)) == len(ages)
