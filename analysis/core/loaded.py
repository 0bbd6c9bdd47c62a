"""What this process loaded: the report build asks the kernel after each notebook (analysis.site.report), to know
which clean tables the report depends on (incremental builds) and which files its rows came from
(analysis.site.provenance). READ: names of the tables loaded (analysis.store.tables.load); SOURCE_FILES: for each
table or direct read, the distinct `source_file` values of the rows loaded (manifest local paths, or
data/curated/<file> for curated rows)."""

from __future__ import annotations

READ: set[str] = set()
SOURCE_FILES: dict[str, set[str]] = {}


def record_files(label: str, files) -> None:
    """Record files read directly rather than through a clean table (a curated file a report reads): `label`
    names the read, `files` are manifest local paths or data/curated/<file>."""
    SOURCE_FILES.setdefault(label, set()).update(files)


def record() -> dict:
    """What the process loaded, as JSON-ready data: {"tables": [...], "source_files": {label: [...]}}."""
    return {"tables": sorted(READ), "source_files": {k: sorted(v) for k, v in sorted(SOURCE_FILES.items())}}
