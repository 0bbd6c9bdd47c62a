"""What a report's output depends on besides its notebook and parameters, as hashes: the package code and curated
data (`code_hash`), the clean tables of the current build (`table_hashes`) and, for the index's headlines and
the front page's claims, notebooks/reports.toml too (`findings_key`). The report build records them in
reports/index.json to decide what to rebuild (analysis.site.report); the claims' robustness keeps its results
under `findings_key` (analysis.site.robustness)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from analysis.core import paths
from analysis.core.paths import PACKAGE  # (tests point it at a copy of the package)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_hashes(base: Path, files) -> list[tuple[str, str]]:
    return [(f.relative_to(base).as_posix(), sha(f.read_bytes())) for f in sorted(files) if f.is_file()]


def code_hash() -> str:
    """One hash of everything a notebook's output may depend on besides itself, its parameters and tables."""
    parts = _file_hashes(PACKAGE, [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts])
    parts += _file_hashes(PACKAGE, (PACKAGE / "site" / "templates").rglob("*"))
    parts += [("curated/" + n, h) for n, h in _file_hashes(paths.curated_dir(), paths.curated_dir().rglob("*"))]
    if paths.manifest_path().is_file():
        parts.append(("manifest.csv", sha(paths.manifest_path().read_bytes())))
    return sha(json.dumps(parts).encode())


def table_hashes() -> dict[str, str]:
    """Content hash of every clean table of the current build (data/clean/current/: one resolved folder, so
    all hashes are of one build's tables)."""
    from analysis.store import tables

    return {p.stem: sha(p.read_bytes()) for p in tables.table_files()}


def findings_key(code: str | None = None, tables: dict[str, str] | None = None) -> str:
    """What the index's headlines and findings are computed from: the clean tables, the package code + curated
    data (code_hash) and notebooks/reports.toml (the reports' parameters some findings use). The index keeps
    the key; a build with the same key (one report rerun with new parameters) reuses them instead of computing
    them again (seconds: they load tables and fit)."""
    code = code_hash() if code is None else code
    tables = table_hashes() if tables is None else tables
    specs = paths.notebooks_dir() / "reports.toml"
    return sha(json.dumps([code, tables, sha(specs.read_bytes()) if specs.is_file() else ""]).encode())
