"""Fill `data/external/` with the pinned upstream snapshots.

Source of each file, in order: a local mirror directory (`--mirror` or `$ANALYSIS_MIRROR`; a file's
place in it is its `local_path`), else the upstream URL of the manifest. Every file is verified
against its sha256 before it is put in place; a mismatch is refused with both hashes and leaves no
file behind. Files already present with the right hash are left alone (idempotent).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TextIO

from analysis.acquire import manifest
from analysis.core import paths
from analysis.core.atomic import atomic_path


class FetchError(RuntimeError):
    pass


def _copy_or_download(e: manifest.Entry, mirror: Path | None, tmp: Path, timeout: float) -> str:
    if mirror is not None:
        src = mirror / e.local_path
        if src.is_file():
            shutil.copyfile(src, tmp)
            return f"mirror {mirror}"
        if e.is_derived:
            raise FetchError(
                f"{e.local_path}: not found in the mirror {mirror}, and it is a DERIVED file with no "
                f"upstream URL ({e.derived_from}); it can only come from a mirror"
            )
    if e.is_derived:
        raise FetchError(
            f"{e.local_path}: DERIVED file with no upstream URL ({e.derived_from}); "
            "give a mirror with --mirror or ANALYSIS_MIRROR"
        )
    import urllib.request  # (here: every command imports this module for its errors, few download)

    try:
        with urllib.request.urlopen(e.url, timeout=timeout) as resp, open(tmp, "wb") as out:
            expected = resp.headers.get("Content-Length")
            copied = 0
            while block := resp.read(1 << 16):
                out.write(block)
                copied += len(block)
        if expected is not None and copied != int(expected):
            raise FetchError(f"{e.local_path}: download from {e.url} stopped at {copied} of {expected} bytes")
    except FetchError:
        raise
    except Exception as exc:  # network errors, HTTP errors, truncated reads
        raise FetchError(f"{e.local_path}: download from {e.url} failed: {exc}") from exc
    return e.url


def fetch(
    mirror: Path | None = None,
    datasets: list[str] | None = None,
    entries: list[manifest.Entry] | None = None,
    dest: Path | None = None,
    out: TextIO = sys.stdout,
    timeout: float = 60.0,
) -> list[Path]:
    """Fetch every manifest entry (optionally only some datasets). Returns the local files."""
    entries = entries if entries is not None else manifest.load()
    if datasets:
        unknown = set(datasets) - {e.dataset for e in entries}
        if unknown:
            raise FetchError(f"unknown dataset(s) {sorted(unknown)}; known: {sorted({e.dataset for e in entries})}")
        entries = [e for e in entries if e.dataset in datasets]
    dest = dest or paths.external_dir()
    done: list[Path] = []
    n = len(entries)
    for i, e in enumerate(entries, start=1):
        target = dest / e.local_path
        prefix = f"[{i:>3}/{n}] {e.local_path}"
        if target.is_file() and manifest.sha256_of(target) == e.sha256:
            print(f"{prefix}: ok (already present)", file=out)
            done.append(target)
            continue
        if target.is_file():
            print(f"{prefix}: present but its sha256 differs from the manifest; replacing it", file=out)
            target.unlink()
        with atomic_path(target) as tmp:
            origin = _copy_or_download(e, mirror, tmp, timeout)
            got = manifest.sha256_of(tmp)
            if got != e.sha256:
                raise FetchError(
                    f"{e.local_path}: sha256 mismatch (from {origin}): expected {e.sha256}, got {got}; "
                    "the file was not kept"
                )
        print(f"{prefix}: fetched from {origin}", file=out)
        done.append(target)
    print(f"fetch: {len(done)} file(s) in {dest}", file=out)
    return done
