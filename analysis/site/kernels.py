"""The report kernels: jupyter_client's AsyncKernelManager, started ahead of the notebooks that run in them.

A report notebook runs in a fresh `python3` kernel, started, driven and stopped through jupyter_client's public
API only: `AsyncKernelManager.start_kernel` (the kernel spec, its connection file and ports, as JupyterLab and
nbclient start it), the manager's `client()` and its `wait_for_ready`, and `shutdown_kernel(now=True)`.
nbclient then runs the cells with that manager and client (`NotebookClient(km=...)`, `client.kc`).

`WarmKernels` starts kernels ahead of the notebooks, in a background thread of its own, so that a kernel's start
(ipykernel's imports and the PRELOAD imports: most of a second) overlaps this process's own work (hashing the
inputs, importing nbclient and papermill, injecting the parameters, the previous notebook's export) instead of
following it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from analysis.core import paths
from analysis.site import shared_assets

KERNEL = "python3"

# The kernel talks to the build over Unix domain sockets (jupyter_client's "ipc" transport; the socket files sit
# beside the connection file, readable by this user only, and go with it), not loopback TCP, jupyter's default:
# with TCP the build picks free ports and the kernel binds them a moment later, and on a busy machine another
# process (another kernel starting) can take a port in between, so the kernel dies with "Address already in use".
# Socket files have no such race.
TRANSPORT = "ipc"
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]

# What every report notebook imports first (polars, plotly, the chart and table helpers: about a second): a
# report kernel imports them while it starts (`boot`, run by IPython's `exec_lines`), in its own process, while
# this one imports nbclient and papermill and injects the parameters, so the notebook's first cell finds them
# loaded. Only imports: no table is read and nothing is set up (the notebook's own cells do that, as in JupyterLab).
PRELOAD = ("analysis.figures.plots", "analysis.store.tables", "analysis.site.tables_html", "analysis.figures.events")

# Report kernels run polars on this many threads (polars's own POLARS_MAX_THREADS, unless the environment sets it):
# a build runs two kernels side by side, the tables are thousands of rows, and polars's default pool (a thread per
# core in every kernel) spends more CPU handing small jobs between threads than it saves.
POLARS_THREADS = "1"


def boot(plotlyjs_src: str) -> None:
    """What a report kernel runs as it starts, before the notebook's first cell: the charts load the site's shared
    plotly.js (analysis.site.shared_assets), the PRELOAD modules are imported, and what the imports made is left out
    of the garbage collector's later passes (the standard library's `gc.freeze`: modules, classes and functions live
    as long as the kernel; without it every full collection in the notebook walks them again, about 0.1 s per
    report). No collection runs during the imports, which make no garbage worth one."""
    import gc
    import importlib
    import os

    os.environ[shared_assets.ENV] = plotlyjs_src
    gc.disable()
    try:
        for module in PRELOAD:
            importlib.import_module(module)
    finally:
        gc.enable()
    gc.freeze()


def kernel_args() -> list[str]:
    """The report kernel's arguments: `boot` runs at its start (IPython's `exec_lines`), it logs errors only (cell
    errors and outputs are not log messages and still show), IPython keeps its history in memory (as nbclient asks
    of its kernels)."""
    return [f"--IPKernelApp.exec_lines=import analysis.site.kernels; analysis.site.kernels.boot({shared_assets.src()!r})",
            *KERNEL_ARGS]


def kernel_env() -> dict[str, str]:
    """The report kernel's environment: this process's, with POLARS_THREADS unless POLARS_MAX_THREADS is set."""
    import os

    return {"POLARS_MAX_THREADS": POLARS_THREADS, **os.environ}


async def start(name: str = KERNEL):
    """A started report kernel: jupyter_client's AsyncKernelManager for kernel spec `name`, run in the notebooks'
    folder with the report kernel's arguments. Raises what jupyter_client raises (no such kernel, ...)."""
    import uuid

    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_path, jupyter_runtime_dir

    # named up front in jupyter's runtime folder, as jupyter_client names it, so that the socket files (named after
    # it) have an absolute path: the kernel runs in the notebooks' folder, this process may not
    connection_file = str(Path(jupyter_runtime_dir()) / f"kernel-{uuid.uuid4()}.json")
    # kernel specs from jupyter's kernel folders (and ipykernel's own python3), as JupyterLab finds them; not also
    # IPython 3's old ~/.ipython/kernels, whose look-up imports IPython into this process (a fifth of the time
    # before the kernel is launched) for nothing else
    specs = KernelSpecManager(kernel_dirs=jupyter_path("kernels"))
    km = AsyncKernelManager(kernel_name=name, transport=TRANSPORT, connection_file=connection_file,
                            kernel_spec_manager=specs)
    await km.start_kernel(extra_arguments=kernel_args(), cwd=str(paths.notebooks_dir()), env=kernel_env())
    return km


async def wait_ready(kc, timeout: float | None = 60) -> None:
    """Return once the kernel has answered kernel_info on shell and IOPub is connected (a message of the
    kernel's reached this client's subscription), with the client's public calls (`kernel_info`,
    `get_shell_msg`, `get_iopub_msg`, `is_alive`).

    This is what jupyter_client's `wait_for_ready` checks, without its last step, a wait for 0.2 s of silence on
    IOPub: messages left over from start-up are never mistaken for a cell's, since nbclient keeps only the
    messages whose parent is its own request (and so is any reply to a kernel_info asked twice, below). A kernel
    that dies first raises RuntimeError("Kernel died before replying to kernel_info"), one that stays silent
    RuntimeError("Kernel didn't respond in N seconds")."""
    from queue import Empty

    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = await kc.get_shell_msg(timeout=1)
        except Empty:
            reply = None
        if reply is not None and reply["msg_type"] == "kernel_info_reply":
            try:
                await kc.get_iopub_msg(timeout=0.2)  # the status messages of that request: IOPub is connected
                return
            except Empty:
                pass  # not subscribed yet: ask again
        if not await kc.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if deadline is not None and time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


@asynccontextmanager
async def ready_client(km, timeout: float | None = 60):
    """The kernel's client, its channels started and the kernel ready (`wait_ready`); channels stopped on the way
    out."""
    kc = km.client()
    kc.start_channels()
    try:
        await wait_ready(kc, timeout=timeout)
        kc.allow_stdin = False  # as nbclient sets it: a report asks no input
        yield kc
    finally:
        kc.stop_channels()


async def stop(km) -> None:
    """Kill the kernel (`shutdown_kernel(now=True)`) and remove its connection file. Every output is in once the
    last cell is done and nothing of the kernel is kept, so it is not asked to shut down (about a second)."""
    if km is None:
        return
    if await km.is_alive():
        await km.shutdown_kernel(now=True)
    else:
        await km.cleanup_resources()


def stop_now(km) -> None:
    """`stop`, from code that runs no event loop."""
    if km is not None:
        asyncio.run(stop(km))


def launch(name: str = KERNEL):
    """Start a report kernel from code that runs no event loop (a thread of its own); None when it cannot be
    started here (the notebook's own run then starts it again, and reports what goes wrong)."""
    try:
        return asyncio.run(start(name))
    except Exception:  # noqa: BLE001 - raised again, with its cause, where the notebook starts its kernel
        return None


class WarmKernels:
    """Kernels started ahead of the notebooks that will run in them, in one background thread.

    `start(n)` starts n kernels; `plan(total, ahead)` says how many notebooks the build will run and starts the
    first `ahead` kernels; `reserve()` hands one kernel to a notebook (one started ahead, waiting for its start
    if need be, else one started now) and, while notebooks are still to come and none is waiting, starts the
    next one. `stop(kernel)` kills one reserved but never used, `retire(kernel)` one whose notebook is done (in
    the background); `close()` kills those never reserved and waits for those retired. A kernel runs one
    notebook only; `report.execute` retires it when the notebook is done. None stands for a kernel that could not
    be started here (the notebook's run then starts one itself)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Future] = []
        self._to_come = 0  # notebooks of the build not yet given a kernel, beyond those waiting
        self._starter: ThreadPoolExecutor | None = None
        self._stopper: ThreadPoolExecutor | None = None

    def _submit(self) -> Future:
        with self._lock:
            if self._starter is None:
                self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-start")
            return self._starter.submit(lambda: launch())  # looked up when it runs (tests replace it)

    def start(self, n: int) -> None:
        for _ in range(n):
            fut = self._submit()
            with self._lock:
                self._pending.append(fut)

    def plan(self, total: int, ahead: int) -> None:
        """The build runs `total` notebooks; `ahead` kernels (those started earlier count) start now."""
        with self._lock:
            missing = max(0, min(ahead, total) - len(self._pending))
            self._to_come = max(0, total - len(self._pending) - missing)
        self.start(missing)

    def reserve(self):
        with self._lock:
            waiting = self._pending.pop(0) if self._pending else None
            if waiting is None and self._to_come:
                self._to_come -= 1  # this notebook's kernel starts now
            refill = self._to_come > 0 and not self._pending
            if refill:
                self._to_come -= 1
        own = waiting or self._submit()  # before the next one: the starter thread starts them in turn
        if refill:
            self.start(1)
        return own.result()

    def settle(self) -> None:
        """Wait until every kernel start asked for so far has run (the starter thread runs them in turn)."""
        with self._lock:
            starter = self._starter
        if starter is not None:
            starter.submit(lambda: None).result()

    @staticmethod
    def stop(k) -> None:
        stop_now(k)

    def retire(self, km) -> None:
        """Kill the kernel of a notebook that is done, in a thread of its own: killing and reaping it (about a
        tenth of a second) need not hold up the notebook's export. `close()` waits until it is gone."""
        with self._lock:
            if self._stopper is None:
                self._stopper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-stop")
            self._stopper.submit(stop_now, km)

    def close(self) -> None:
        with self._lock:
            pending, self._pending, self._to_come = self._pending, [], 0
            starter, self._starter = self._starter, None
            stopper, self._stopper = self._stopper, None
        if starter is not None:  # stopped in the starter thread, which runs no event loop (the caller may)
            for fut in pending:
                starter.submit(lambda f=fut: stop_now(f.result()))
            starter.shutdown(wait=True)
        if stopper is not None:  # the kernels of finished notebooks, gone before this returns
            stopper.shutdown(wait=True)
