"""Atomic file writes and switches: a reader sees the old complete file (or link) or the new one, never half of one.

The clean tables (analysis.store.generations) and the report site (analysis.site.generation) each switch a
`current` link between generation folders with `replace_symlink` and remove the other generations with
`remove_all_but`."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it over `target`, else remove it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; outputs are meant to be read
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def remove_stale_temps(directory: Path, recursive: bool = False) -> list[Path]:
    """Delete temporary files `atomic_path` left behind in `directory` by a killed run.

    Call it only while holding the build lock (analysis.store.locking): then no other run is writing there, so
    every such file belongs to a process that died before its rename."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = [p for p in (directory.rglob(".*.tmp*") if recursive else directory.glob(".*.tmp*")) if p.is_file()]
    for p in found:
        p.unlink(missing_ok=True)
    return found


TMP_LINK = ".tmp-link"  # a symlink made under a temporary name beside its place, then renamed into place


def replace_symlink(where: Path, target) -> None:
    """Make (or replace) the symlink `where` -> `target` in one rename (atomic on POSIX): a reader following
    `where` sees the old target or the new one."""
    where = Path(where)
    tmp = where.parent / f".{where.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_LINK}"
    os.symlink(target, tmp)
    os.replace(tmp, where)


def remove_stale_links(directory: Path) -> list[Path]:
    """Delete the temporary links `replace_symlink` left in `directory` by a killed run (under the build lock)."""
    directory = Path(directory)
    gone = [p for p in directory.glob(f".*{TMP_LINK}") if p.is_symlink()] if directory.is_dir() else []
    for p in gone:
        p.unlink(missing_ok=True)
    return gone


def remove_all_but(root: Path, keep: Path | None) -> list[Path]:
    """Remove every entry of `root` (folders with their contents, links, files) except the one that resolves to
    `keep`; returns what it removed (the older generations once a switch is made, or a killed run's)."""
    root = Path(root)
    gone = []
    for d in sorted(root.iterdir()) if root.is_dir() else []:
        if keep is not None and d.resolve() == keep:
            continue
        if d.is_dir() and not d.is_symlink():
            shutil.rmtree(d, ignore_errors=True)
        else:
            d.unlink(missing_ok=True)
        gone.append(d)
    return gone
