"""data/curated/reported_counts.csv: the official counts, read and checked, and set beside the measured ones."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from analysis.core import loaded, paths
from analysis.core.errors import InputError
from analysis.curated import reported_counts as rc
from analysis.metrics import reported
from analysis.site import provenance

GOOD = {"claim_id": "cn_large_models", "country": "CN", "quantity": "large AI models released", "value": "1509",
        "value_qualifier": "", "as_of": "2025-07-27", "stated_on": "2025-07-28", "stated_by": "CAICT at WAIC",
        "source_url": "http://en.people.cn/n3/2025/0728/c90000-20346026.html", "source_title": "Xinhua",
        "quote": "China has released 1,509 large AI models", "note": "", "confidence": "high"}


def _write(tmp_path, rows, header=rc.COLUMNS):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    p = tmp_path / "reported_counts.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    return p


def test_the_curated_file_reads_with_a_source_and_a_quote_per_row():
    df = rc.load(record=False)
    assert len(df) >= 40 and df["value"].dtype == pl.Int64
    for col in ("source_url", "stated_by", "quote", "confidence"):
        assert df[col].null_count() == 0, col
    assert set(df["country"]) <= set(rc.COUNTRIES)
    assert not df["quote"].str.contains("announcement not found").any()  # the row without a quote was dropped
    assert "/work/" not in (paths.curated_dir() / rc.FILE).read_text(encoding="utf-8")


def test_a_good_row_reads(tmp_path):
    df = rc.load(_write(tmp_path, [GOOD]), record=False)
    assert df.row(0, named=True)["value"] == 1509


@pytest.mark.parametrize("column, bad, says", [
    ("country", "USA", "column 'country'"),
    ("value", "1,509", "column 'value'"),
    ("value_qualifier", "about", "column 'value_qualifier'"),
    ("as_of", "July 2025", "column 'as_of'"),
    ("source_url", "en.people.cn/x", "column 'source_url'"),
    ("quote", "", "column 'quote': empty"),
    ("stated_by", "", "column 'stated_by': empty"),
    ("claim_id", "Large Models", "column 'claim_id'"),
])
def test_a_bad_value_names_file_record_and_column(tmp_path, column, bad, says):
    p = _write(tmp_path, [GOOD, {**GOOD, column: bad}])
    with pytest.raises(InputError) as e:
        rc.load(p, record=False)
    msg = str(e.value)
    assert "reported_counts.csv" in msg and "record 2 (line 3)" in msg and says in msg and "\n" not in msg


def test_a_wrong_header_is_refused(tmp_path):
    p = _write(tmp_path, [GOOD], header=[c for c in rc.COLUMNS if c != "confidence"])
    with pytest.raises(InputError, match="header"):
        rc.load(p, record=False)


def test_latest_puts_a_year_after_a_day_of_that_year():
    df = pl.DataFrame({"claim_id": ["cn_ai_companies"] * 3, "value": [5100, 6000, 6200],
                       "value_qualifier": ["more than"] * 3, "as_of": [None, "2025", "2025"],
                       "stated_on": ["2025-10-28", "2026-01-21", "2026-03-05"]})
    r = rc.latest(df, "cn_ai_companies")
    assert r["value"] == 6200 and rc.stated(r["value"], r["value_qualifier"]) == "6,200+"


def test_reading_it_credits_the_file_as_a_source(monkeypatch):
    monkeypatch.setattr(loaded, "SOURCE_FILES", {})
    monkeypatch.setattr(loaded, "READ", set())
    rc.load()
    src = provenance.report_sources(loaded.record(), entries=[])
    assert src.curated == ("data/curated/reported_counts.csv",)


def test_side_by_side_says_what_each_count_counts():
    reported_rows = rc.load(record=False)
    m = dict(year=2025, models_cn=33, models_us=60, orgs_cn=16, orgs_us=14, filed=868, registered=530,
             filed_date="2026-04-30", hf_labs_cn=6, hf_labs_us=10)
    t = reported.side_by_side(reported_rows, m)
    assert set(t["kind"]) == {"reported", "measured here"}
    assert t.filter(pl.col("kind") == "reported")["number"].to_list()[0] == "1,509"
    assert "China 16, US 14" in t["number"].to_list() and t["what"].null_count() == 0
