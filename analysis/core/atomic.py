"""Atomic file writes: a reader sees the old complete file or the new complete file, never half of one."""

from __future__ import annotations

import contextlib
import os
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
