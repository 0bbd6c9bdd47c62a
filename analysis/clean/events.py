"""Clean `events` and `genai_filings` tables: dated policy and market events, and China's reported
generative-AI service filing counts.

load: the project's curated, cited `data/curated/policy_events.csv` and `data/curated/genai_filings.csv`, and the
Vorp Labs US AI Law Change Dataset (upstream CSV with a block of '#' comment lines before its header) ->
process: curated rows are checked strictly (a bad curated row is an error naming file, record and column:
the project wrote it, so the project fixes it); upstream rows are mapped onto the curated vocabulary
(event type -> kind, state / agency -> actor) and rows that cannot be used go to quarantine with a reason ->
save: schema-checked `events` (curated + upstream) and `genai_filings` tables.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from analysis.acquire.readers import curated_whole_number, parse_csv_text
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult
from analysis.core import vocab
from analysis.core.errors import InputError
from analysis.core.safety import safe_url
from analysis.core.schema import Column, Table

CURATED_FILE = "data/curated/policy_events.csv"
FILINGS_FILE = "data/curated/genai_filings.csv"
VORPLABS_FILE = "policy/vorplabs_research-datasets/us-ai-law-changes.csv"

PRECISIONS = ("day", "month", "uncertain")
JURISDICTIONS = vocab.JURISDICTIONS
JURISDICTION_NAMES = vocab.JURISDICTION_NAMES
KINDS = vocab.EVENT_KINDS
FILING_REPORTERS = ("CAC", "CNNIC")
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 1, 1)
TITLE_MAX = 80

CURATED_COLUMNS = ["event_id", "date", "date_precision", "jurisdiction", "actor", "kind", "title", "description",
                   "source_url", "source_note"]
CURATED_REQUIRED = ["event_id", "date", "date_precision", "jurisdiction", "actor", "kind", "title", "source_url"]
FILINGS_COLUMNS = ["date", "filed_cumulative", "registered_cumulative", "reporter", "announced", "source_url",
                   "source_note"]
VORPLABS_REQUIRED = ["id", "jurisdiction", "instrument", "event_date", "event_type", "summary",
                     "primary_source_url", "url"]

# upstream event_type -> kind; ids whose kind differs from their type's default
VORPLABS_KINDS = {
    "enacted-law": vocab.KIND_LEGISLATION,
    "executive-action": vocab.KIND_EXECUTIVE_ORDER,
    "proposed-policy": vocab.KIND_REGULATION,
    "upcoming-operative-date": vocab.KIND_REGULATION,
}
VORPLABS_KIND_EXCEPTIONS = {"US-FED-2026-BIS-FRONTIER-SUSPENSION": vocab.KIND_EXPORT_CONTROL}
# federal actor from the start of the instrument's name (first match wins)
FEDERAL_ACTORS = (
    (r"^Executive Order\b", "President"),
    (r"^NSPM\b", "President"),
    (r"^Commerce\b", "Commerce"),
    (r"^FTC\b", "FTC"),
    (r"\bEO \d+", "White House"),  # programmes launched under an executive order
)
FEDERAL = "United States, federal"

SOURCE_FILE = Column("source_file", pl.String, "File of the row: data/curated/<file> for the project's curated "
                     "CSVs, else the upstream file by its path below data/external/.", nullable=False)
SOURCE_ROW = Column("source_row", pl.Int64, "1-based record number of the row in its file (header and "
                    "comment lines not counted).", nullable=False, min=1)

EVENTS = Table(
    name="events",
    description="Dated policy and market events (export controls, regulation, strategies, filings, summits, "
    "market shocks), US, China, EU and international. Curated and cited row by row by this project "
    "(data/curated/policy_events.csv), plus the US records of the Vorp Labs US AI Law Change Dataset.",
    primary_key=("event_id",),
    columns=(
        Column("event_id", pl.String, "Identifier: curated ids as written; Vorp Labs ids lower-cased.",
               nullable=False),
        Column("date", pl.Date, "Date of the event (for month precision the first of the month).", nullable=False,
               min=MIN_DATE, max=MAX_DATE),
        Column("date_precision", pl.String, "How exact the date is: 'day'; 'month' (only the month is known); "
               "'uncertain' (a day is given, but sources disagree or only bound it).", nullable=False,
               allowed=PRECISIONS),
        Column("jurisdiction", pl.String, "Who acts: US, CN (China), EU, US-CN (bilateral), INTL (multilateral).",
               nullable=False, allowed=JURISDICTIONS),
        Column("actor", pl.String, "Agency, office, company or state that acts (e.g. BIS, CAC, President, "
               "Colorado).", nullable=False),
        Column("kind", pl.String, "Kind of event, from a closed list.", nullable=False, allowed=KINDS),
        Column("title", pl.String, f"Short title (at most {TITLE_MAX} characters for upstream rows).",
               nullable=False),
        Column("description", pl.String, "One-line description."),
        Column("source_url", pl.String, "Primary source of the row (http or https URL).", nullable=False),
        Column("source_note", pl.String, "Further sources, date conflicts and how they were resolved; for "
               "upstream rows the dataset record URL and citation."),
        Column("origin", pl.String, "'curated' (this project) or 'vorplabs' (Vorp Labs dataset).", nullable=False,
               allowed=("curated", "vorplabs")),
        SOURCE_FILE,
        SOURCE_ROW,
    ),
    notes=("A date is when the event was announced or took effect, as the title says; see source_note for the "
           "other dates of the same act.",),
)

GENAI_FILINGS = Table(
    name="genai_filings",
    description="China's cumulative count of generative-AI services filed with the Cyberspace Administration "
    "of China (CAC), and of apps/features registered locally, as REPORTED by the CAC or CNNIC on the dates "
    "given. Counts are as reported, not audited; curated in data/curated/genai_filings.csv.",
    primary_key=("date",),
    columns=(
        Column("date", pl.Date, "Date the cumulative count refers to.", nullable=False, min=MIN_DATE, max=MAX_DATE),
        Column("filed_cumulative", pl.Int64, "Generative-AI services filed (备案), cumulative.", nullable=False,
               unit="services", min=0),
        Column("registered_cumulative", pl.Int64, "Apps/features registered (登记), cumulative.", unit="services",
               min=0),
        Column("reporter", pl.String, "Who reported the count.", nullable=False, allowed=FILING_REPORTERS),
        Column("announced", pl.Date, "Date the count was announced.", min=MIN_DATE, max=MAX_DATE),
        Column("source_url", pl.String, "Source of the count (http or https URL).", nullable=False),
        Column("source_note", pl.String, "Other sources and caveats."),
        SOURCE_FILE,
        SOURCE_ROW,
    ),
)


# --- checks -------------------------------------------------------------------------------------------

def _fail(label: str, record: int, column: str, message: str) -> InputError:
    return InputError(f"{label}: record {record} (line {record + 1}), column {column!r}: {message}")


def is_http_url(value: str | None) -> bool:
    return safe_url(value) is not None  # the project's one URL rule (analysis.core.safety)


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or "") else None
    except ValueError:
        return None


def _check_curated_events(label: str, df: pl.DataFrame) -> pl.DataFrame:
    seen: dict[str, int] = {}
    dates = []
    for r in df.iter_rows(named=True):
        n = r["source_row"]
        for col in CURATED_REQUIRED:
            if not r[col]:
                what = "no source: every event needs a source URL" if col == "source_url" else "empty"
                raise _fail(label, n, col, what)
        if r["event_id"] in seen:
            raise _fail(label, n, "event_id", f"{r['event_id']!r} already used at record {seen[r['event_id']]}")
        seen[r["event_id"]] = n
        d = _parse_date(r["date"])
        if d is None:
            raise _fail(label, n, "date", f"{r['date']!r} is not a valid YYYY-MM-DD date")
        if not MIN_DATE <= d <= MAX_DATE:
            raise _fail(label, n, "date", f"{d} outside {MIN_DATE}..{MAX_DATE}")
        for col, allowed in (("date_precision", PRECISIONS), ("jurisdiction", JURISDICTIONS), ("kind", KINDS)):
            if r[col] not in allowed:
                raise _fail(label, n, col, f"{r[col]!r} not in {allowed}")
        if r["date_precision"] == "month" and d.day != 1:
            raise _fail(label, n, "date", f"month precision needs the first of the month, got {d}")
        if not is_http_url(r["source_url"]):
            raise _fail(label, n, "source_url", f"{r['source_url']!r} is not an http(s) URL")
        dates.append(d)
    return df.with_columns(pl.Series("date", dates, dtype=pl.Date))


# --- steps --------------------------------------------------------------------------------------------

def clean_curated(src: Sources) -> StepResult:
    """Curated events: every row must pass (errors name file, record and column)."""
    label, df = src[CURATED_FILE]
    df = _check_curated_events(label, df)
    out = df.select(
        *CURATED_COLUMNS,
        pl.lit("curated").alias("origin"),
        pl.lit(label).alias("source_file"),
        "source_row",
    ).with_columns(pl.col("description", "source_note").replace("", None))
    led = Ledger("events")
    led.count_in(label, len(df))
    return led.result(EVENTS, out)


def _comment_header(text: str) -> dict[str, str]:
    """'# Key: value' lines at the top of the file -> {key: value}."""
    meta = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("#").partition(":")
        meta[key.strip().lower()] = value.strip()
    return meta


def short_title(text: str, limit: int = TITLE_MAX) -> str:
    """Cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def federal_actor(instrument: str) -> str | None:
    for pattern, actor in FEDERAL_ACTORS:
        if re.search(pattern, instrument):
            return actor
    return None


def clean_vorplabs(src: Sources) -> StepResult:
    """US records of the Vorp Labs dataset, mapped onto the curated vocabulary; bad rows to quarantine."""
    text = src[VORPLABS_FILE]
    meta = _comment_header(text)
    # the pinned snapshot ends without a final newline (its last record must still be complete)
    df = parse_csv_text(VORPLABS_FILE, text, VORPLABS_REQUIRED, comment_prefix="#", final_newline=False)
    citation = meta.get("citation") or "Vorp Labs, US AI Law Change Dataset"
    licence = meta.get("license", "").split(",")[0] or "CC BY 4.0"
    led = Ledger("events")
    led.count_in(VORPLABS_FILE, len(df))
    rows, seen_ids = [], {}
    for r in df.iter_rows(named=True):
        r = {k: (v.strip() if isinstance(v, str) else v) for k, v in r.items()}

        def reject(column: str, reason: str, r=r) -> None:
            led.reject(VORPLABS_FILE, r["source_row"], r.get("id") or None, column, reason)

        if not r["id"]:
            reject("id", "no id")
            continue
        d = _parse_date(r["event_date"] or "")
        if d is None:
            reject("event_date", f"unparseable event date {r['event_date']!r}")
            continue
        kind = VORPLABS_KIND_EXCEPTIONS.get(r["id"]) or VORPLABS_KINDS.get(r["event_type"] or "")
        if kind is None:
            reject("event_type", f"unknown event type {r['event_type']!r} (add it to VORPLABS_KINDS)")
            continue
        if not r["instrument"]:
            reject("instrument", "no instrument name")
            continue
        if not is_http_url(r["primary_source_url"]):
            reject("primary_source_url", f"no http(s) source URL: {r['primary_source_url']!r}")
            continue
        if not r["jurisdiction"]:
            reject("jurisdiction", "no jurisdiction")
            continue
        if r["jurisdiction"] == FEDERAL:
            actor = federal_actor(r["instrument"])
            if actor is None:
                reject("instrument", f"no federal actor rule matches {r['instrument']!r} (add one to FEDERAL_ACTORS)")
                continue
        else:
            actor = r["jurisdiction"]  # a state
        if r["id"].lower() in seen_ids:  # a second reading of one event in one file: the first is kept
            reject("id", f"second record of id {r['id']!r} (record {seen_ids[r['id'].lower()]} is kept)")
            continue
        seen_ids[r["id"].lower()] = r["source_row"]
        note = "; ".join(x for x in (r["url"], f"{citation} ({licence})") if x)
        rows.append(dict(
            event_id=r["id"].lower(), date=d, date_precision="day", jurisdiction=vocab.JURISDICTION_US, actor=actor,
            kind=kind, title=short_title(r["instrument"]), description=r["summary"] or None,
            source_url=r["primary_source_url"], source_note=note, origin="vorplabs",
            source_file=VORPLABS_FILE, source_row=r["source_row"],
        ))
    out = pl.DataFrame(rows, schema={c.name: c.dtype for c in EVENTS.columns}) if rows else EVENTS.empty()
    return led.result(EVENTS, out)


def _int(label: str, n: int, col: str, value: str, required: bool) -> int | None:
    if not value:
        if required:
            raise _fail(label, n, col, "empty")
        return None
    if not re.fullmatch(r"\d+", value):
        raise _fail(label, n, col, f"{value!r} is not a whole number")
    return curated_whole_number(label, n, col, value)  # within int64


def clean_filings(src: Sources) -> StepResult:
    """China's reported cumulative generative-AI filing counts (curated; every row must pass)."""
    label, df = src[FILINGS_FILE]
    rows, seen = [], {}
    for r in df.iter_rows(named=True):
        n = r["source_row"]
        d = _parse_date(r["date"])
        if d is None:
            raise _fail(label, n, "date", f"{r['date']!r} is not a valid YYYY-MM-DD date")
        if d in seen:
            raise _fail(label, n, "date", f"{d} already counted at record {seen[d]} (a date appears twice)")
        seen[d] = n
        announced = None
        if r["announced"]:
            announced = _parse_date(r["announced"])
            if announced is None:
                raise _fail(label, n, "announced", f"{r['announced']!r} is not a valid YYYY-MM-DD date")
            if announced < d:
                raise _fail(label, n, "announced", f"announced {announced} before the date counted {d}")
        if r["reporter"] not in FILING_REPORTERS:
            raise _fail(label, n, "reporter", f"{r['reporter']!r} not in {FILING_REPORTERS}")
        if not r["source_url"]:
            raise _fail(label, n, "source_url", "no source: every count needs a source URL")
        if not is_http_url(r["source_url"]):
            raise _fail(label, n, "source_url", f"{r['source_url']!r} is not an http(s) URL")
        rows.append(dict(
            date=d, filed_cumulative=_int(label, n, "filed_cumulative", r["filed_cumulative"], True),
            registered_cumulative=_int(label, n, "registered_cumulative", r["registered_cumulative"], False),
            reporter=r["reporter"], announced=announced, source_url=r["source_url"],
            source_note=r["source_note"] or None, source_file=label, source_row=n,
        ))
    out = pl.DataFrame(rows, schema={c.name: c.dtype for c in GENAI_FILINGS.columns}).sort("date")
    for col in ("filed_cumulative", "registered_cumulative"):
        s = out.filter(pl.col(col).is_not_null())
        drops = s.filter(pl.col(col) < pl.col(col).shift(1))
        if len(drops):
            r = drops.row(0, named=True)
            raise _fail(label, r["source_row"], col, f"cumulative count falls to {r[col]} at {r['date']}")
    led = Ledger("genai_filings")
    led.count_in(label, len(df))
    return led.result(GENAI_FILINGS, out)


CURATED_STEP = Step("events:curated", clean_curated, reads=(Read(CURATED_FILE, "curated", tuple(CURATED_COLUMNS)),))
VORPLABS_STEP = Step("events:vorplabs", clean_vorplabs, reads=(Read(VORPLABS_FILE, "text"),))
FILINGS_STEP = Step("genai_filings", clean_filings, reads=(Read(FILINGS_FILE, "curated", tuple(FILINGS_COLUMNS)),))
