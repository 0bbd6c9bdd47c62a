"""Where things live, relative to the repository root.

Every path can be moved with an environment variable so that tests (and users) can build into a
scratch folder without touching the checkout's own outputs.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # analysis/core/paths.py -> the repository
PACKAGE = ROOT / "analysis"


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).resolve() if value else default


def external_dir() -> Path:
    """Fetched upstream snapshots (git-ignored)."""
    return _env_path("ANALYSIS_EXTERNAL_DIR", ROOT / "data" / "external")


def curated_dir() -> Path:
    """Curated, cited CSVs written by this project (committed; hand-edited, so not "raw"): `data/curated/`.
    Moved with $ANALYSIS_CURATED_DIR (the older name $ANALYSIS_RAW_DIR is still read)."""
    value = os.environ.get("ANALYSIS_CURATED_DIR") or os.environ.get("ANALYSIS_RAW_DIR")
    return Path(value).resolve() if value else ROOT / "data" / "curated"


raw_dir = curated_dir  # the old name, kept for callers not yet renamed


def clean_dir() -> Path:
    """The build's folder (git-ignored): the lock, the generations and the `current` link. Read the tables
    through `tables_dir()`, not here."""
    return _env_path("ANALYSIS_CLEAN_DIR", ROOT / "data" / "clean")


def tables_dir() -> Path:
    """The clean, validated tables of the last finished build (rebuilt by `python -m analysis build`):
    `data/clean/current`, a symlink the build switches in one rename to its complete new generation
    (analysis.store.generations). Resolved here, so every file read through one returned path comes from the
    same build. Before any build: the (missing) `current` path, so readers say the build has not run."""
    current = clean_dir() / "current"
    try:
        return current.resolve(strict=True)
    except OSError:
        return current


def reports_dir() -> Path:
    """Static HTML reports (git-ignored, rebuilt by `python -m analysis report`)."""
    return _env_path("ANALYSIS_REPORTS_DIR", ROOT / "reports")


def executed_dir() -> Path:
    """The executed notebooks and each report's sources record (`<report>.ipynb`, `<report>.sources.json`):
    build byproducts the next build reads, not part of the site a reader opens, so they stay out of
    `reports/`: `build/executed/` (git-ignored). Moved with $ANALYSIS_EXECUTED_DIR; when only
    $ANALYSIS_REPORTS_DIR moves the site, beside it (`<reports>.executed/`), so two sites never share one."""
    value = os.environ.get("ANALYSIS_EXECUTED_DIR")
    if value:
        return Path(value).resolve()
    if os.environ.get("ANALYSIS_REPORTS_DIR"):
        site = reports_dir()
        return site.parent / f"{site.name}.executed"
    return ROOT / "build" / "executed"


def manifest_path() -> Path:
    """The pins (data/manifest.csv); $ANALYSIS_MANIFEST moves it (a scratch project's `update`)."""
    return _env_path("ANALYSIS_MANIFEST", ROOT / "data" / "manifest.csv")


def notebooks_dir() -> Path:
    return ROOT / "notebooks"


def mirror_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """The local mirror of upstream snapshots: --mirror, else $ANALYSIS_MIRROR, else None."""
    value = explicit or os.environ.get("ANALYSIS_MIRROR")
    if not value:
        return None
    return Path(value).expanduser().resolve()
