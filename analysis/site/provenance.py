"""Where a report's numbers come from, read from the rows it loaded.

A report's sources are the manifest entries (data/manifest.csv) of the distinct `source_file` values of the rows
its notebook loaded (recorded by `analysis.store.tables` in the kernel, kept beside the executed notebook as
`build/executed/<report>.sources.json`: analysis.core.paths.executed_dir), plus the curated files (data/curated/) that
the tables it read are built with (`TABLE_INPUTS`: lookups that shape a row without being its `source_file`, such
as the organization registry). Everything the reader is told about provenance comes from `report_sources`: the block at the end of
each report, the licence credits, and the snapshot dates on the index card.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.acquire import manifest
from analysis.core import paths
from analysis.site import templating
from analysis.store.tables import TABLE_INPUTS

CURATED_PREFIX = "data/curated/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
PROJECT_CITATION = (
    "thousand-models contributors, \u201cthousand-models: data on the US\u2013China AI race\u201d, "
    "version {version}, report \u201c{title}\u201d built {built}. Code MIT licence; the data keep their "
    "upstream licences listed above."
)

class ProvenanceError(ValueError):
    pass


@dataclass(frozen=True)
class Sources:
    """A report's sources: the upstream manifest entries and the curated files, each once, sorted."""

    upstream: tuple[manifest.Entry, ...]
    curated: tuple[str, ...]  # data/curated/<file>

    def snapshot_dates(self) -> dict[str, str]:
        return {e.local_path: e.snapshot_date for e in self.upstream}

    def credits(self) -> list[tuple[str, str]]:
        """(citation, licence) once per work: the same citation at other commits or dates is one credit."""
        out: dict[tuple[str, str], None] = {}
        for e in self.upstream:
            out.setdefault((_COMMIT.sub("", e.citation), e.license), None)
        return list(out)


_COMMIT = re.compile(r" at [0-9a-f]{7,40}\b")


def report_sources(record: dict, entries: list[manifest.Entry] | None = None) -> Sources:
    """The sources of what a notebook loaded: `record` is `analysis.store.tables.record()` of its kernel."""
    entries = entries if entries is not None else manifest.load()
    by_path = {e.local_path: e for e in entries}
    files: set[str] = set()
    for found in (record.get("source_files") or {}).values():
        files.update(found)
    for table in record.get("tables") or []:
        if table not in TABLE_INPUTS:
            raise ProvenanceError(f"table {table!r} has no entry in analysis.store.tables.TABLE_INPUTS: declare the "
                                  f"curated files its step reads (an empty tuple if none)")
        files.update(TABLE_INPUTS[table])
    upstream, curated = [], []
    for f in sorted(files):
        if f.startswith(CURATED_PREFIX):
            if not (paths.curated_dir() / f.removeprefix(CURATED_PREFIX)).is_file():
                raise ProvenanceError(f"{f}: a source of the report, but no such curated file")
            curated.append(f)
        elif f in by_path:
            upstream.append(by_path[f])
        else:
            raise ProvenanceError(f"{f}: a source_file of the loaded rows, but not in data/manifest.csv")
    return Sources(tuple(sorted(upstream, key=lambda e: (e.dataset, e.local_path))), tuple(curated))


# --- the record beside the executed notebook -------------------------------------------------------------

def record_path(name: str) -> Path:
    return paths.executed_dir() / f"{name}.sources.json"


def read_record(name: str) -> dict | None:
    try:
        return json.loads(record_path(name).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def snapshot_dates(name: str) -> dict[str, str]:
    """The index card's snapshot dates of a built report (empty when it never built)."""
    rec = read_record(name)
    return report_sources(rec).snapshot_dates() if rec else {}


# --- the block at the end of a report ----------------------------------------------------------------------

def licence_note(licence: str) -> str:
    """What the licence asks, as HTML (trusted: written here)."""
    low = licence.lower()
    if "cc by" in low or "cc-by" in low:
        return (f'CC BY 4.0: credit given here as the licence asks; '
                f'<a href="{CC_BY}">licence</a>; this project cleaned, filtered and aggregated the data.')
    if "mit" in low:
        return "MIT: copyright and permission notice of the upstream repository apply."
    if "no licence" in low or "none seen" in low:
        return ("No licence stated upstream: used for analysis and commentary, with credit; the upstream files are "
                "not redistributed.")
    if "attribution" in low:
        return "Attribution requested by the source: given here."
    return ""


def _curated_rows(name: str) -> int:
    with open(paths.curated_dir() / name.removeprefix(CURATED_PREFIX), newline="", encoding="utf-8") as f:
        return max(sum(1 for _ in csv.reader(f)) - 1, 0)


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("thousand-models")
    except Exception:  # noqa: BLE001 - an uninstalled checkout still builds
        return "dev"


def provenance_html(spec, sources: Sources, built: str | None = None) -> str:
    from markupsafe import Markup

    rows = []
    for e in sources.upstream:
        up = e.url or (f"https://github.com/{e.upstream_repo}" if e.upstream_repo else "")
        label = (f"{e.upstream_repo} @ {e.commit[:7]}: {e.upstream_path}" if e.upstream_repo and e.commit
                 else up)
        rows.append(dict(name=Markup(templating.linkify(e.citation.split(";")[0])), path=e.local_path,
                         where=Markup(templating.link(up, label) if up else templating.esc(
                             "derived file, from a mirror only: " + e.derived_from)),
                         date=e.snapshot_date, licence=e.license))
    curated = [dict(path=f, rows=_curated_rows(f)) for f in sources.curated]
    credits = [dict(citation=Markup(templating.linkify(c)), licence=lic, note=Markup(licence_note(lic)))
               for c, lic in sources.credits()]
    cite = PROJECT_CITATION.format(version=_version(), title=spec.title,
                                   built=built or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"))
    return templating.render("provenance.html.j2", name=spec.name, rows=rows, curated=curated, credits=credits,
                             cite=cite)
