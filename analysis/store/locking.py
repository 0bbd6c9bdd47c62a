"""One build at a time: an exclusive lock (filelock.FileLock, an flock on Unix) on a lock file beside the outputs.

`python -m analysis fetch|build|report|all` take the lock for their whole run. A second run started
meanwhile waits (printing who holds it) up to a timeout, then fails with `LockTimeout` instead of
writing into the same folders at the same time. The system releases the lock when its process ends,
also on SIGKILL, so a killed build never leaves a stale lock behind. Who holds it (pid, verb, since when) is
written beside the lock file, for the waiting run's message.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from analysis.core import paths

DEFAULT_TIMEOUT = 600.0


class LockTimeout(RuntimeError):
    pass


def lock_path() -> Path:
    """The lock file: in the clean folder (moved with ANALYSIS_CLEAN_DIR, so scratch builds lock apart)."""
    return paths.clean_dir() / ".build.lock"


def holder_path() -> Path:
    return lock_path().with_name(".build.lock.holder")


def timeout_from_env() -> float:
    value = os.environ.get("ANALYSIS_LOCK_TIMEOUT")
    return float(value) if value else DEFAULT_TIMEOUT


@contextlib.contextmanager
def build_lock(what: str, timeout: float | None = None, poll: float = 0.1,
               out: TextIO = sys.stderr) -> Iterator[Path]:
    """Hold the build lock for the block; wait up to `timeout` seconds for it, else raise LockTimeout."""
    from filelock import FileLock, Timeout

    timeout = timeout_from_env() if timeout is None else timeout
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"{what}: waiting for another build to finish ({_read_holder()}; lock {path}, "
              f"timeout {timeout:g}s)", file=out)
        try:
            lock.acquire(timeout=timeout, poll_interval=poll)
        except Timeout:
            raise LockTimeout(
                f"{what}: another build still holds {path} ({_read_holder()}) after {timeout:g}s; "
                "try again when it has finished (or raise ANALYSIS_LOCK_TIMEOUT)"
            ) from None
    try:
        holder_path().write_text(f"pid {os.getpid()} running {what} since {time.strftime('%H:%M:%S')}\n",
                                 encoding="utf-8")
        _sweep(out)
        yield path
    finally:
        lock.release()


def _sweep(out: TextIO) -> None:
    """With the lock held, temporary files of killed runs are garbage: remove them."""
    from analysis.core.atomic import remove_stale_temps
    from analysis.store import generations

    gone = remove_stale_temps(paths.clean_dir())
    gone += remove_stale_temps(paths.tables_dir())
    stale_gens = generations.remove_stale()  # generations of a build killed before its switch
    # recursive: the report site's per-report folders (reports/<report>/.chart-1.*.tmp.csv)
    gone += remove_stale_temps(paths.reports_dir(), recursive=True)
    gone += remove_stale_temps(paths.executed_dir(), recursive=True)  # executed notebooks (build/executed/)
    gone += remove_stale_temps(paths.external_dir(), recursive=True)
    if gone:
        print(f"removed {len(gone)} temporary file(s) left by an interrupted run", file=out)
    if stale_gens:
        print(f"removed {len(stale_gens)} unfinished or old build generation(s) from {paths.clean_dir()}", file=out)


def _read_holder() -> str:
    try:
        return holder_path().read_text(encoding="utf-8").strip() or "holder unknown"
    except OSError:
        return "holder unknown"
