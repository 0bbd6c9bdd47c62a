"""Official and published counts of Chinese (and US) AI models and companies, beside what the pinned data measure.

`data/curated/reported_counts.csv` holds one statement per row: what was counted (`quantity`), the number as
stated (`value`, with the source's hedge in `value_qualifier`: "more than", "close to", "nearly"), the date it
counts to (`as_of`: a day, a month or a year, as the source gives it), when and by whom it was stated, the
source URL, title and quote, a note on what it counts, and the curator's confidence. `load` reads it through
the project's curated-CSV reader and checks every row; `measured` computes the pinned data's nearest counts
(CAC filings, notable models and organizations per year, labs on Hugging Face); `side_by_side` puts the two
together for the release_pace report and the front page's first claim.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from analysis.acquire.readers import curated_label, curated_whole_number, read_curated_csv
from analysis.core import paths
from analysis.core.errors import InputError

FILE = "reported_counts.csv"  # in data/curated/
COLUMNS = ["claim_id", "country", "quantity", "value", "value_qualifier", "as_of", "stated_on", "stated_by",
           "source_url", "source_title", "quote", "note", "confidence"]
COUNTRIES = ("CN", "US", "World")
QUALIFIERS = ("more than", "close to", "nearly")
REQUIRED = ("claim_id", "country", "quantity", "value", "stated_by", "source_url", "source_title", "quote",
            "confidence")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CLAIM_ID = re.compile(r"^(cn|us|global)_[a-z_]+$")


def load(path: Path | None = None, record: bool = True) -> pl.DataFrame:
    """The curated statements, checked: one clear InputError (file, record, column) on the first bad value.

    `value` becomes an integer; `as_of` / `stated_on` stay text (a month or a year is kept as given).
    `record`: note the file as a source of the report that reads it (analysis.site.provenance)."""
    path = path or paths.curated_dir() / FILE
    label = curated_label(path)
    df = read_curated_csv(path, label, COLUMNS)
    for r in df.iter_rows(named=True):
        where = f"{label}: record {r['source_row']} (line {r['source_row'] + 1})"
        for col in REQUIRED:
            if not (r[col] or "").strip():
                raise InputError(f"{where}, column {col!r}: empty")
        if not _CLAIM_ID.match(r["claim_id"]):
            raise InputError(f"{where}, column 'claim_id': {r['claim_id']!r} is not cn_/us_/global_ + lower-case words")
        if r["country"] not in COUNTRIES:
            raise InputError(f"{where}, column 'country': {r['country']!r} is not one of {', '.join(COUNTRIES)}")
        if not re.fullmatch(r"\d+", r["value"]):
            raise InputError(f"{where}, column 'value': {r['value']!r} is not a whole number as stated")
        curated_whole_number(label, r["source_row"], "value", r["value"])  # within int64
        if r["value_qualifier"] is not None and r["value_qualifier"] not in QUALIFIERS:
            raise InputError(f"{where}, column 'value_qualifier': {r['value_qualifier']!r} is not one of "
                             f"{', '.join(QUALIFIERS)} (or empty)")
        for col in ("as_of", "stated_on"):
            if r[col] is not None and not _PARTIAL_DATE.match(r[col]):
                raise InputError(f"{where}, column {col!r}: {r[col]!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if not r["source_url"].startswith(("https://", "http://")):
            raise InputError(f"{where}, column 'source_url': {r['source_url']!r} is not an http(s) URL")
    if record:
        from analysis.core import loaded

        loaded.record_files("reported_counts", [label])
    return df.with_columns(pl.col("value").cast(pl.Int64))


def stated(value: int, qualifier: str | None) -> str:
    """The number as the source states it: '5,100+' for "more than 5,100", '~4,000' for "close to", ..."""
    n = f"{value:,}"
    return {"more than": f"{n}+", "close to": f"~{n}", "nearly": f"~{n}"}.get(qualifier or "", n)


def latest(reported: pl.DataFrame, claim_id: str) -> dict | None:
    """The statement of `claim_id` that counts to the newest date (then the newest statement, then the larger)."""
    d = reported.filter(pl.col("claim_id") == claim_id)
    if d.is_empty():
        return None
    return d.sort(_end_key(pl.col("as_of").fill_null(pl.col("stated_on"))), _end_key(pl.col("stated_on")),
                  "value", descending=True).row(0, named=True)


def _end_key(col: pl.Expr) -> pl.Expr:
    """A partial date's sort key at the end of its period: '2025' after '2025-10-28', '2025-10' after '2025-10-28'."""
    c = col.fill_null("")
    return (pl.when(c.str.len_chars() == 4).then(c + "-99-99")
            .when(c.str.len_chars() == 7).then(c + "-99").otherwise(c))
