"""Dated versions of one upstream file: a *family*.

A mirror keeps several versions of the same upstream file side by side, named by the date of the version
(`pricing/litellm/model_prices_2026-07-24.json`, `capability/smallai-api_llm-ranking/leaderboard-text_2026-07-08.json`).
The family of such a file is its path with that date replaced by `{date}`
(`pricing/litellm/model_prices_{date}.json`); a step that reads a family reads the versions the manifest pins
(analysis.clean.common.Read `versions`: the newest one, or all in date order), so moving a pin to a newer version
(`python -m analysis update`) needs no change of code.
"""

from __future__ import annotations

import re
from pathlib import Path

PLACEHOLDER = "{date}"
# an ISO date in a file name, not preceded or followed by another digit
_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


def date_of(local_path: str) -> str | None:
    """The version date in the file name (the last ISO date in it), or None."""
    found = _DATE.findall(Path(local_path).name)
    return found[-1] if found else None


def family(local_path: str) -> str | None:
    """The family of a dated file (`.../model_prices_{date}.json`), or None for a file without a date in its
    name."""
    name = Path(local_path).name
    found = list(_DATE.finditer(name))
    if not found:
        return None
    m = found[-1]
    parent = local_path[: len(local_path) - len(name)]
    return parent + name[: m.start()] + PLACEHOLDER + name[m.end():]


def is_family(path: str) -> bool:
    return PLACEHOLDER in path


def matches(declared: str, local_path: str) -> bool:
    """Whether `local_path` is the declared path, or a version of the declared family."""
    return declared == local_path or (is_family(declared) and family(local_path) == declared)


def with_date(pattern: str, date: str) -> str:
    return pattern.replace(PLACEHOLDER, date)


def pinned(pattern: str, local_paths) -> list[str]:
    """The versions of family `pattern` among `local_paths` (e.g. the manifest's), oldest first."""
    return sorted((p for p in local_paths if family(p) == pattern), key=lambda p: (date_of(p), p))


def in_mirror(pattern: str, mirror: Path) -> list[str]:
    """The versions of family `pattern` in the mirror folder (manifest-style paths), oldest first."""
    folder = mirror / Path(pattern).parent
    if not folder.is_dir():
        return []
    parent = Path(pattern).parent.as_posix()
    paths = [f"{parent}/{f.name}" if parent != "." else f.name for f in folder.iterdir() if f.is_file()]
    return pinned(pattern, paths)


__all__ = ["PLACEHOLDER", "date_of", "family", "in_mirror", "is_family", "matches", "pinned", "with_date"]
