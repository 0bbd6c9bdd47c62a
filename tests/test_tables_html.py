"""The report table helper: formatted, escaped HTML; no polars repr; long tables say their row count."""

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from analysis.site.tables_html import MISSING, show_table, table_html


def _cells(h: str) -> list[str]:
    return re.findall(r'<td headers="[^"]*" class="gt_row[^"]*">(.*?)</td>', h)


def test_percent_rounding_dates_null_and_names():
    df = pl.DataFrame({"share": [0.1234, None], "price": [1.23456, float("inf")],
                       "date": [dt.date(2024, 1, 2), None], "n": [1200, None]})
    h = table_html(df, columns={"price": "Price (USD/M tokens)"}, percent=["share"], decimals={"price": 2})
    assert _cells(h) == ["12%", "1.23", "2024-01-02", "1,200", MISSING, MISSING, MISSING, MISSING]
    assert "Price (USD/M tokens)" in h and "shape: (" not in h and ">f64<" not in h and "inf" not in h
    assert "2 rows" in h


def test_cells_from_data_are_escaped():
    df = pl.DataFrame({"model": ["<script>alert(1)</script>", "[x](javascript:alert(1))"]})
    h = table_html(df)
    assert "<script>alert" not in h and "&lt;script&gt;alert(1)&lt;/script&gt;" in h
    assert 'href="javascript' not in h and "<a " not in h
    cap = table_html(df, caption="A & <b>B</b>")
    assert "A &amp; &lt;b&gt;B&lt;/b&gt; (2 rows)" in cap  # escaped once, not twice


def test_long_table_scrolls_and_states_its_row_count():
    df = pl.DataFrame({"i": list(range(40))})
    h = table_html(df, max_rows=10, caption="Numbers")
    assert len(_cells(h)) == 40  # every row is there, none cut
    assert "40 rows" in h and "overflow-y:auto;width:auto;height:480px" in h
    short = table_html(df.head(3), max_rows=10)
    assert "height:480px" not in short and "3 rows" in short
    assert "40 rows" in show_table(df).data


def _built_reports(site: Path) -> list[Path]:
    return sorted(p for p in site.glob("*.html") if p.name != "index.html")


@pytest.mark.snapshots
def test_no_built_report_prints_a_dataframe_repr(site):
    reports = _built_reports(site)  # every report, built from the clean tables once per run (conftest `site`)
    if not reports:
        pytest.fail("no built reports: run `make reports` first")
    for p in reports:
        text = p.read_text(encoding="utf-8")
        assert "shape: (" not in text, p.name
        assert not re.search(r"<td>(str|i64|f64|date|bool|i32|u32)</td>", text), p.name
        assert "<td>&hellip;</td>" not in text and "<td>…</td>" not in text, p.name
        # every scrolling (long) table states its row count in its heading
        for m in re.finditer(r"overflow-y:auto;width:auto;height:\d+px", text):
            assert re.search(r"[\d,]+ rows; scroll to see all", text[m.start():m.start() + 40000]), p.name
