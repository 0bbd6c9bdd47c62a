"""Build generations: the clean outputs of one build switch as one set.

A build writes its complete set of outputs into a new folder `data/clean/generations/<build id>/`: the clean
table of each source family at its top, the tables derived across sources in `derived/`, and the build's
bookkeeping (quarantine, row_counts, unlinked_names.csv, coverage.txt) in `bookkeeping/`
(analysis.store.tables.relpath). It records the build id and the sha256 of
every file in `build.json` there, then switches the symlink `data/clean/current` to it with one
`os.replace` (atomic on POSIX). Readers go through `paths.tables_dir()`, which resolves that symlink, so
they see the previous complete set or the new complete set, never tables of two builds side by side.

After the switch the older generations are removed (only the current one is kept); a generation left by a
killed build (never switched to) is removed by the next build or locked run. Builds are serialised by the
build lock (analysis.store.locking), so no other build writes a generation meanwhile.
"""

from __future__ import annotations

import fnmatch
import json
import os
import secrets
import shutil
import time
from pathlib import Path

from analysis.core import atomic, paths

MANIFEST = "build.json"
GENERATIONS = "generations"
CURRENT = "current"
# outputs written straight into data/clean/ by builds before generations existed
LEGACY_PATTERNS = ("*.parquet", "unlinked_names.csv", "coverage.txt")


def generations_dir() -> Path:
    return paths.clean_dir() / GENERATIONS


def current_link() -> Path:
    return paths.clean_dir() / CURRENT


def current_generation() -> Path | None:
    """The folder `current` points to, or None before the first build."""
    link = current_link()
    if not link.exists():
        return None
    return link.resolve()


def new_build_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}-{secrets.token_hex(3)}"


def new_generation() -> tuple[str, Path]:
    """A fresh, empty generation folder for a build that is about to write."""
    build_id = new_build_id()
    gen = generations_dir() / build_id
    gen.mkdir(parents=True)
    return build_id, gen


def carry_over(previous: Path | None, gen: Path, skip: set[str]) -> list[str]:
    """Hard-link (or copy) every output file (tables, unlinked_names.csv, coverage.txt) of `previous`
    whose name is not in `skip` into `gen`:
    a partial build (`build --table ...`) keeps the other tables of the current generation. Files are
    never modified in place (a build writes new files), so sharing an inode between generations is safe."""
    if previous is None or not previous.is_dir():
        return []
    names = []
    for src in sorted(previous.rglob("*")):
        rel = src.relative_to(previous).as_posix()
        if previous == paths.clean_dir() and "/" in rel:
            continue  # the outputs of a build from before generations lie at the top of data/clean/
        if (not src.is_file() or rel in skip or src.name.startswith(".") or rel.startswith(GENERATIONS + "/")
                or not any(fnmatch.fnmatch(src.name, p) for p in LEGACY_PATTERNS)):
            continue
        from analysis.store import tables

        if "/" not in rel:  # a build from before the stage folders kept every output at the top
            rel = tables.relpath(src.stem if src.suffix == ".parquet" else src.name)
            if rel in skip:
                continue
        target = gen / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, target)
        except OSError:  # another file system, or links not supported
            shutil.copy2(src, target)
        names.append(rel)
    return names


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(gen: Path) -> dict:
    return json.loads((gen / MANIFEST).read_text(encoding="utf-8"))


def switch(build_id: str, gen: Path, carried: list[str] = ()) -> None:
    """Record the generation's files in build.json, flush it to disk, then point `current` at it in one
    rename; afterwards remove every other generation and the legacy top-level outputs."""
    files = {}
    for f in sorted(gen.rglob("*")):
        if f.is_file() and f.name != MANIFEST and not f.name.startswith("."):
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
            files[f.relative_to(gen).as_posix()] = _sha256(f)
    manifest = {"build_id": build_id, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "files": files, "carried_over": sorted(carried)}
    (gen / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    with (gen / MANIFEST).open("rb") as fh:
        os.fsync(fh.fileno())
    _fsync_dir(gen)
    link = current_link()
    if link.is_dir() and not link.is_symlink():  # a plain folder (e.g. a copy without symlinks): move it aside
        os.replace(link, generations_dir() / f"moved-{new_build_id()}")
    # the switch: one atomic rename; relative, so the clean folder can be moved or copied
    atomic.replace_symlink(link, Path(GENERATIONS) / gen.name)
    _fsync_dir(paths.clean_dir())
    remove_stale()
    for pattern in LEGACY_PATTERNS:
        for f in paths.clean_dir().glob(pattern):
            if f.is_file() and not f.is_symlink():
                f.unlink()


def remove_stale() -> list[Path]:
    """Remove every generation but the current one (older builds, and builds killed before their switch).
    Only while holding the build lock, or from the build itself."""
    gone = atomic.remove_all_but(generations_dir(), current_generation())
    atomic.remove_stale_links(paths.clean_dir())
    return gone
