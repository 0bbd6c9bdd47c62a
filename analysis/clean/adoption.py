"""Clean `adoption`: weekly Hugging Face Hub activity per AI lab (open-weights adoption).

load: `adoption/franri3008_hf-activity/hf_weekly_activity.json` (a list of weekly rows per lab id) and its
`orgs.json` (lab id -> region for the 25 labs of the upstream chart page).
process: lab ids are display names ("Meta Llama", "Qwen", "Mistral AI_"); each resolves to a canonical
organization through the registry (data/curated/organizations.csv), which gives the country and the US–China
bucket; the upstream region is kept beside it. Rows of lab ids the registry does not know are quarantined
(with the id), as are rows with a missing or malformed field, a week_date before 1940 or after the snapshot date
(+2 days), a count that is not an integer in the int64 range, a week_date of another weekday than the file's week
labelling, and repeated (lab, week) rows (the shared rules of analysis.clean.common).
Upstream caveats (SOURCES.md): running totals start at the first week seen, not at the lab's first upload;
how downloads were counted is not documented: read them as relative activity, not installs.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis.clean.common import (
    LABELLING_REASON,
    Ledger,
    Read,
    Sources,
    Step,
    StepResult,
    count_problem,
    date_problem,
    week_labelling,
    weekday_name,
)
from analysis.core.errors import InputError
from analysis.core.schema import COUNTRY_BUCKETS, SOURCE_COLUMNS, Column, Table
from analysis.curated import registry

WEEKLY_FILE = "adoption/franri3008_hf-activity/hf_weekly_activity.json"
ORGS_FILE = "adoption/franri3008_hf-activity/orgs.json"
COUNTS = ("repos", "models", "datasets", "spaces", "likes", "downloads")

ADOPTION = Table(
    name="adoption",
    description="One row per (lab, week): new public Hugging Face Hub repositories (models, datasets, spaces), "
    "likes and downloads of an AI lab's organization account in that week, as counted by the upstream "
    "tracker. Measures open-weights activity and attention, not installs or usage.",
    columns=(
        Column("lab_id", pl.String, "The upstream lab id (a display name, e.g. 'Meta Llama', 'Qwen').", nullable=False,
               origin="hf_weekly_activity.json `id`"),
        Column("organization", pl.String, "Canonical organization the lab id resolves to (data/curated/organizations.csv).",
               nullable=False, origin="registry"),
        Column("country", pl.String, "Country of the organization (registry).", nullable=False, origin="registry"),
        Column("country_bucket", pl.String, "US–China comparison bucket of the organization's country.",
               nullable=False, allowed=COUNTRY_BUCKETS, origin="registry.bucket"),
        Column("upstream_region", pl.String, "Region the upstream chart gives the lab (orgs.json); null for lab ids "
               "outside its 25-lab list.", origin="orgs.json `region`"),
        Column("in_upstream_panel", pl.Boolean, "True for the 25 labs the upstream chart page lists in orgs.json.",
               nullable=False, origin="orgs.json"),
        Column("week_date", pl.Date, "Date the upstream gives the week (ISO week, year and week number upstream).",
               nullable=False, origin="hf_weekly_activity.json `week_date`"),
        *(Column(f"{c}_week", pl.Int64, f"New {c} in the week." if c not in ("likes", "downloads") else
                 f"{c.capitalize()} counted in the week (method not documented upstream).",
                 nullable=False, unit="count", min=0, origin=f"hf_weekly_activity.json `{c}_week`")
          for c in COUNTS),
        *SOURCE_COLUMNS,
    ),
    primary_key=("lab_id", "week_date"),
    notes=("Weeks without activity have no row (zero, not missing). Running totals upstream start at the first "
           "week seen, so they are not carried; sum the weekly columns instead.",),
)


def regions_from(data) -> dict[str, str]:
    """lab id -> upstream region, from the parsed orgs.json."""
    if not isinstance(data, list):
        raise InputError(f"{ORGS_FILE}: expected a list of lab objects")
    out = {}
    for i, r in enumerate(data, start=1):
        if not isinstance(r, dict) or "id" not in r or "region" not in r:
            raise InputError(f"{ORGS_FILE}: record {i}: missing field 'id' or 'region'")
        for key in ("id", "region"):  # null or an object would become the text 'None' / "{...}"
            if not isinstance(r[key], str) or not r[key].strip():
                raise InputError(f"{ORGS_FILE}: record {i}, key {key!r}: expected a name, found {r[key]!r:.60}")
        out[r["id"]] = r["region"]
    return out


def _iso_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _problem(r: dict, lab: str, org, snapshot: dt.date) -> tuple[str, str, dict] | tuple[None, None, dict]:
    """(column, reason) of the first problem of one weekly record (else None, None), and its counts: the date rule
    and the count rule of analysis.clean.common (a date in 1940..snapshot date + 2 days; a count in 0..int64)."""
    if not lab:
        return "id", "no lab id", {}
    if org is None:
        return "id", f"lab id {lab!r} is not in the organization registry (data/curated/organizations.csv)", {}
    week = _iso_date(r.get("week_date"))
    if week is None:
        return "week_date", f"week_date {r.get('week_date')!r:.60} is not an ISO date", {}
    reason = date_problem(week, snapshot, "week_date")
    if reason:
        return "week_date", reason, {}
    values = {}
    for c in COUNTS:
        reason = count_problem(r.get(f"{c}_week"), f"{c}_week")
        if reason:
            return f"{c}_week", reason, {}
        values[f"{c}_week"] = r[f"{c}_week"]
    return None, None, values


def rows_from_records(records: list, regions: dict[str, str], reg: registry.Registry, led: Ledger,
                      snapshot: dt.date) -> list[dict]:
    """The used rows of the upstream weekly records; the others go to the ledger (the first problem of each)."""
    ok, seen = [], set()
    led.count_in(WEEKLY_FILE, len(records))
    for i, r in enumerate(records, start=1):
        if not isinstance(r, dict):
            raise InputError(f"{WEEKLY_FILE}: record {i}: not an object")
        lab = str(r.get("id") or "").strip()
        key = f"{lab} {r.get('week_date')}"
        org = reg.resolve(lab) if lab else None
        column, reason, values = _problem(r, lab, org, snapshot)
        if column is not None:
            led.reject(WEEKLY_FILE, i, key, column, reason)
            continue
        ok.append(dict(lab_id=lab, organization=org.name, country=org.country,
                       country_bucket=registry.bucket([org.country]), upstream_region=regions.get(lab),
                       in_upstream_panel=lab in regions, week_date=_iso_date(r["week_date"]), **values,
                       source_file=WEEKLY_FILE, source_row=i, key=key))
    # one week labelling (analysis.clean.common.week_labelling), then one row per (lab, week)
    keep = week_labelling([row["week_date"] for row in ok])
    out = []
    for row in ok:
        key = row.pop("key")
        if row["week_date"].isoweekday() != keep:
            led.reject(WEEKLY_FILE, row["source_row"], key, "week_date",
                       LABELLING_REASON.format(row["week_date"].strftime("%A"), weekday_name(keep)))
        elif (row["lab_id"], row["week_date"]) in seen:
            led.reject(WEEKLY_FILE, row["source_row"], key, "week_date", "repeated (lab, week) row")
        else:
            seen.add((row["lab_id"], row["week_date"]))
            out.append(row)
    return out


def clean(src: Sources, registry: registry.Registry) -> StepResult:
    """`adoption` from the weekly Hub activity file and the upstream lab list."""
    records = src[WEEKLY_FILE]
    if not isinstance(records, list):
        raise InputError(f"{WEEKLY_FILE}: expected a list of weekly rows")
    led = Ledger("adoption")
    ok = rows_from_records(records, regions_from(src[ORGS_FILE]), registry, led, src.snapshot(WEEKLY_FILE))
    schema = {c.name: c.dtype for c in ADOPTION.columns}
    df = pl.DataFrame(ok, schema=schema).sort("lab_id", "week_date") if ok else ADOPTION.empty()
    return led.result(ADOPTION, df)


STEP = Step("adoption", clean, reads=(Read(WEEKLY_FILE, "json"), Read(ORGS_FILE, "json")), uses=("registry",))
