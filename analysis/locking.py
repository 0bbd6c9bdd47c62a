"""One build at a time: an exclusive advisory lock (fcntl.flock) on a lock file beside the outputs.

`python -m analysis fetch|build|report|all` take the lock for their whole run. A second run started
meanwhile waits (printing who holds it) up to a timeout, then fails with `LockTimeout` instead of
writing into the same folders at the same time. The kernel releases a flock when its process ends,
also on SIGKILL, so a killed build never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from analysis import paths

DEFAULT_TIMEOUT = 600.0


class LockTimeout(RuntimeError):
    pass


def lock_path() -> Path:
    """The lock file: in the clean folder (moved with ANALYSIS_CLEAN_DIR, so scratch builds lock apart)."""
    return paths.clean_dir() / ".build.lock"


def timeout_from_env() -> float:
    value = os.environ.get("ANALYSIS_LOCK_TIMEOUT")
    return float(value) if value else DEFAULT_TIMEOUT


@contextlib.contextmanager
def build_lock(what: str, timeout: float | None = None, poll: float = 0.1,
               out: TextIO = sys.stderr) -> Iterator[Path]:
    """Hold the build lock for the block; wait up to `timeout` seconds for it, else raise LockTimeout."""
    timeout = timeout_from_env() if timeout is None else timeout
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    holder = _read_holder(path)
                    print(f"{what}: waiting for another build to finish ({holder}; lock {path}, "
                          f"timeout {timeout:g}s)", file=out)
                    told = True
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"{what}: another build still holds {path} ({_read_holder(path)}) after {timeout:g}s; "
                        "try again when it has finished (or raise ANALYSIS_LOCK_TIMEOUT)"
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} running {what} since {time.strftime('%H:%M:%S')}\n".encode(), 0)
        _sweep(out)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _sweep(out: TextIO) -> None:
    """With the lock held, temporary files of killed runs are garbage: remove them."""
    from analysis import generations
    from analysis.atomic import remove_stale_temps

    gone = remove_stale_temps(paths.clean_dir())
    gone += remove_stale_temps(paths.tables_dir())
    stale_gens = generations.remove_stale()  # generations of a build killed before its switch
    # recursive: the report site's per-report folders (reports/<report>/.chart-1.*.tmp.csv)
    gone += remove_stale_temps(paths.reports_dir(), recursive=True)
    from analysis import chart_data
    gone += chart_data.sweep_builds()  # report build folders of killed runs (no page links them)
    gone += remove_stale_temps(paths.executed_dir(), recursive=True)  # executed notebooks (build/executed/)
    gone += remove_stale_temps(paths.external_dir(), recursive=True)
    if gone:
        print(f"removed {len(gone)} temporary file(s) left by an interrupted run", file=out)
    if stale_gens:
        print(f"removed {len(stale_gens)} unfinished or old build generation(s) from {paths.clean_dir()}", file=out)


def _read_holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "holder unknown"
    except OSError:
        return "holder unknown"
