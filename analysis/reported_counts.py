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

from analysis import paths, vocab
from analysis.clean.common import InputError, curated_label, read_curated_csv

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
    `record`: note the file as a source of the report that reads it (analysis.provenance)."""
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
        if r["value_qualifier"] is not None and r["value_qualifier"] not in QUALIFIERS:
            raise InputError(f"{where}, column 'value_qualifier': {r['value_qualifier']!r} is not one of "
                             f"{', '.join(QUALIFIERS)} (or empty)")
        for col in ("as_of", "stated_on"):
            if r[col] is not None and not _PARTIAL_DATE.match(r[col]):
                raise InputError(f"{where}, column {col!r}: {r[col]!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if not r["source_url"].startswith(("https://", "http://")):
            raise InputError(f"{where}, column 'source_url': {r['source_url']!r} is not an http(s) URL")
    if record:
        from analysis import tables

        tables.record_files("reported_counts", [label])
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


def measured(models: pl.DataFrame, organizations: pl.DataFrame, filings: pl.DataFrame, adoption: pl.DataFrame,
             year: int, start_date=None, end_date=None, domain=None, notable_only: bool = True) -> dict:
    """The pinned data's nearest counts: CAC filings (latest), and for `year` the notable models and the
    organizations releasing them, US and China (pace.select_models with the report's parameters), and the
    labs of the Hugging Face panel active in `year`, by country bucket."""
    from analysis.metrics import adoption as adopt
    from analysis.metrics import pace

    sel = pace.select_models(models, start_date, end_date, None, domain, notable_only)
    sel = sel.filter(pl.col("release_date").dt.year() == year)
    rel = {r["country_bucket"]: r["releases"] for r in pace.releases_per_period(sel, "year").iter_rows(named=True)}
    orgs = {r["country_bucket"]: r["organizations"]
            for r in pace.organizations_per_year(sel, organizations).iter_rows(named=True)}
    f = filings.sort("date").row(-1, named=True) if len(filings) else None
    hub = adopt.period_totals(adopt.select(adoption), f"{year}-01-01", f"{year}-12-31")
    labs = {r["country_bucket"]: r["labs"] for r in hub.iter_rows(named=True)}
    return dict(year=year, models_cn=rel.get(vocab.CHINA, 0), models_us=rel.get(vocab.US, 0),
                orgs_cn=orgs.get(vocab.CHINA, 0), orgs_us=orgs.get(vocab.US, 0),
                filed=f["filed_cumulative"] if f else None, registered=f["registered_cumulative"] if f else None,
                filed_date=f["date"] if f else None, hf_labs_cn=labs.get(vocab.CHINA, 0),
                hf_labs_us=labs.get(vocab.US, 0), data_end=models["release_date"].max())


HEADLINE_CLAIMS = ("cn_large_models", "cn_ai_companies", "us_ai_companies", "cn_genai_filings")


def side_by_side(reported: pl.DataFrame, m: dict) -> pl.DataFrame:
    """One row per count: what is counted, the number, as of when, who counts it (reported or measured here)."""
    rows = []
    what = {"cn_large_models": "large AI models 'released' in China, cumulative (no published method)",
            "cn_ai_companies": "'AI enterprises' in China: a monitored set of core-AI-industry firms (chips, "
                               "vision, speech, robotics, apps), not model developers",
            "us_ai_companies": "AI enterprises in the US, counted by CAICT (no US official count exists)",
            "cn_genai_filings": "generative-AI services filed with the CAC (services, not companies)"}
    for cid in HEADLINE_CLAIMS:
        r = latest(reported, cid)
        if r is None:
            continue
        rows.append(dict(kind="reported", what=what[cid], number=stated(r["value"], r["value_qualifier"]),
                         as_of=r["as_of"] or r["stated_on"], counted_by=r["stated_by"], source=r["source_url"]))
    y = m["year"]
    if m["filed"] is not None:
        rows.append(dict(kind="measured here", what="generative-AI services filed with the CAC, cumulative "
                         "(data/curated/genai_filings.csv)", number=f"{m['filed']:,} filed, {m['registered']:,} "
                         "apps registered", as_of=str(m["filed_date"]), counted_by="CAC notices, as curated here",
                         source="data/curated/genai_filings.csv"))
    rows.append(dict(kind="measured here", what=f"notable AI models released in {y} (Epoch AI's selective list)",
                     number=f"China {m['models_cn']}, US {m['models_us']}", as_of=str(y),
                     counted_by="Epoch AI notable models, country of the organizations", source="Epoch AI"))
    rows.append(dict(kind="measured here", what=f"organizations releasing at least one notable model in {y}",
                     number=f"China {m['orgs_cn']}, US {m['orgs_us']}", as_of=str(y),
                     counted_by="Epoch AI notable models + this project's organization registry",
                     source="Epoch AI"))
    rows.append(dict(kind="measured here", what=f"labs of the Hugging Face panel active in {y} (a fixed panel, "
                     "not every lab)", number=f"China {m['hf_labs_cn']}, US {m['hf_labs_us']}", as_of=str(y),
                     counted_by="Hugging Face Hub activity panel (franri3008/hf-activity)", source="Hugging Face"))
    return pl.DataFrame(rows, schema={c: pl.String for c in ("kind", "what", "number", "as_of", "counted_by",
                                                             "source")})
