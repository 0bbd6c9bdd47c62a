"""The report kernels: started directly, the moment a report build starts, and handed to nbclient ready.

A report notebook runs in a fresh `python3` kernel. jupyter_client's AsyncKernelManager would start it, but on
the way it imports jupyter_client, looks the kernel spec up through traitlets and the provisioner entry points
and writes the connection file (about 0.3 s before the kernel process even starts, in a process that is busy
importing nbclient and papermill meanwhile), and its client then waits an extra 0.2 s of silence on IOPub
before the first cell may run. Both sit on the critical path of a single report.

So this module does what AsyncKernelManager.start_kernel does for a local kernel, with the standard library
only: find the kernel spec (the same search path, jupyter_core's), pick five free loopback ports, write a
connection file readable by this user only, and start the spec's command line (in a session of its own, with
JPY_PARENT_PID, as jupyter_client's launcher does). `Kernel` is the part of the KernelManager interface
nbclient uses (`has_kernel`, `client`, `is_alive`, `shutdown_kernel`, `cleanup_resources`, `interrupt_kernel`);
its client is jupyter_client's AsyncKernelClient, which waits for the kernel_info reply and one IOPub message,
as jupyter_client does, without the final drain (the messages left there belong to the kernel_info request, and
nbclient reads only those whose parent is the cell it runs).

`WarmKernels` starts kernels ahead of the notebooks that will run in them. When no kernel spec is found or the
start fails, `reserve()` gives None and nbclient starts its own kernel the ordinary way (and reports any error).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from functools import cache
from pathlib import Path

from analysis import paths, shared_assets

KERNEL = "python3"

# The kernel runs on this machine over loopback TCP (jupyter's default transport); its start-up warning about
# unencrypted TCP says nothing actionable for a local build, so the kernel app logs errors only (cell errors
# and outputs are not log messages and still show).
# The kernel's first line imports the package, which keeps jsonschema's slow optional IRI checker out of it
# (analysis/__init__.py); this process imported the package before anything else, so it has the same.
KERNEL_ARGS = ["--IPKernelApp.exec_lines=import analysis", "--IPKernelApp.log_level=ERROR"]

# What every report notebook imports first (polars, plotly, the chart and table helpers: about a second): a
# report kernel imports them while it starts, in its own process, while this one imports nbclient and papermill
# and injects the parameters, so the notebook's first cell finds them loaded. Only imports: no table is read and
# nothing is set up (the notebook's own cells do that, as in JupyterLab).
PRELOAD = ("analysis.plots", "analysis.tables", "analysis.tables_html", "analysis.figures.events")


# A report kernel runs unattended: no debugger ever attaches to it. ipykernel imports debugpy at start (0.1 s of
# every kernel's start) only to offer one; started through this line instead of `-m ipykernel_launcher`, the kernel
# is ipykernel's own (the same launcher steps) with debugpy unavailable, so it starts without the debugger.
LAUNCHER = ("import sys; sys.modules['debugpy'] = None\n"
            "if sys.path and sys.path[0] == '': del sys.path[0]\n"  # as ipykernel_launcher does
            "from ipykernel import kernelapp; kernelapp.launch_new_instance()")


def kernel_command(argv: list[str]) -> list[str]:
    """The spec's command line, `-m ipykernel_launcher` run as LAUNCHER (any other command line as it is)."""
    for i in range(len(argv) - 1):
        if argv[i] == "-m" and argv[i + 1] == "ipykernel_launcher":
            return [*argv[:i], "-c", LAUNCHER, *argv[i + 2:]]
    return list(argv)


def kernel_args() -> list[str]:
    """KERNEL_ARGS, plus: charts load the site's shared plotly.js (analysis.shared_assets) instead of embedding it;
    the modules of PRELOAD are imported; IPython keeps its history in memory (as nbclient asks of its kernels)."""
    return [KERNEL_ARGS[0] + f"; import os; os.environ[{shared_assets.ENV!r}] = {shared_assets.src()!r}"
            + "".join(f"; import {m}" for m in PRELOAD), *KERNEL_ARGS[1:], "--HistoryManager.hist_file=:memory:"]


def find_spec(name: str = KERNEL) -> tuple[list[str], dict[str, str], Path] | None:
    """(argv, env, resource dir) of kernel spec `name`, found as jupyter_client's KernelSpecManager finds it:
    the first folder of jupyter_path('kernels') holding `<name>/kernel.json` (name compared in lower case);
    None when there is none (jupyter_client would then fall back to ipykernel's built-in spec)."""
    from jupyter_core.paths import jupyter_path

    for kernel_dir in jupyter_path("kernels"):
        try:
            entries = os.listdir(kernel_dir)
        except OSError:
            continue
        for entry in entries:
            spec = Path(kernel_dir) / entry / "kernel.json"
            if entry.lower() == name and spec.is_file():
                try:
                    data = json.loads(spec.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    return None
                if not isinstance(data.get("argv"), list) or data.get("interrupt_mode", "signal") != "signal":
                    return None  # not a spec this launcher knows: jupyter_client's way
                return [str(a) for a in data["argv"]], dict(data.get("env") or {}), spec.parent
    return None


def _free_ports(n: int) -> list[int]:
    """n distinct free loopback ports (bound together, then released), as jupyter_client picks them."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\0" * 8)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@cache
def _client_class():
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        """AsyncKernelClient whose wait_for_ready ends as soon as the kernel answered kernel_info and IOPub is
        connected (one IOPub message arrived), without jupyter_client's last 0.2 s wait for silence on IOPub.
        Whether the kernel is alive is asked of its process, as a KernelManager's client does (not of the
        heartbeat, which a kernel still importing on a busy machine can miss for a second: nbclient would take
        that for a dead kernel)."""

        process: Kernel | None = None

        async def _async_is_alive(self) -> bool:
            if self.process is not None:
                return self.process.is_alive()
            return await super()._async_is_alive()

        is_alive = _async_is_alive

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            import asyncio
            import time
            from queue import Empty

            deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass  # IOPub not connected yet: ask again
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
                await asyncio.sleep(0)

    return ReadyClient


class Kernel:
    """One started kernel process and its connection file; what nbclient needs of a kernel manager."""

    has_kernel = True  # a kernel that died while starting is found by the client's wait (is_alive)

    def __init__(self, proc: subprocess.Popen, connection_file: Path, info: dict) -> None:
        self.proc, self.connection_file, self.info = proc, connection_file, info
        self.kernel_id = connection_file.stem.removeprefix("kernel-")
        self.kernel_name = info["kernel_name"]

    def client(self, **kwargs):
        kc = _client_class()(**kwargs)
        kc.load_connection_info(self.info)
        kc.process = self
        return kc

    def is_alive(self) -> bool:
        return self.proc.poll() is None

    def interrupt_kernel(self) -> None:
        if self.is_alive():
            self.proc.send_signal(signal.SIGINT)  # the spec's interrupt_mode "signal"

    def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Killed, not asked to shut down: every output is in once the last cell is done, and nothing of the
        kernel is kept (a graceful shutdown costs about a second)."""
        self.kill()

    def cleanup_resources(self, restart: bool = False) -> None:
        self.connection_file.unlink(missing_ok=True)

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.cleanup_resources()


def launch(name: str = KERNEL, cwd: Path | None = None) -> Kernel | None:
    """Start kernel `name` with the report kernel's arguments; None when there is no spec this can start or the
    start fails here (nbclient then starts the kernel its own way, and reports what goes wrong)."""
    found = find_spec(name)
    if found is None:
        return None
    argv, spec_env, resource_dir = found
    from jupyter_core.paths import jupyter_runtime_dir

    connection_file = None
    try:
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)  # as jupyter_client makes it
        connection_file = runtime / f"kernel-{uuid.uuid4()}.json"
        ports = _free_ports(5)
        info = dict(zip(("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"), ports, strict=True),
                    ip="127.0.0.1", key=str(uuid.uuid4()), transport="tcp", signature_scheme="hmac-sha256",
                    kernel_name=name)
        fd = os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the key: this user only
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(info, f, indent=1)
        subs = {"{connection_file}": str(connection_file), "{resource_dir}": str(resource_dir),
                "{prefix}": sys.prefix}

        def fill(text: str) -> str:
            for k, v in subs.items():
                text = text.replace(k, v)
            return text

        cmd = [os.path.expanduser(fill(a)) for a in kernel_command(argv)] + kernel_args()
        env = {**os.environ, **{k: fill(str(v)) for k, v in spec_env.items()}, "JPY_PARENT_PID": str(os.getpid())}
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, cwd=str(cwd or paths.notebooks_dir()), env=env,
                                start_new_session=True)
    except OSError:
        if connection_file is not None:
            connection_file.unlink(missing_ok=True)
        return None
    return Kernel(proc, connection_file, info)


class WarmKernels:
    """Kernels started ahead of the notebooks that will run in them, so a kernel's start (ipykernel's imports,
    the PRELOAD imports: most of a second) overlaps this process's own work (hashing the inputs, importing
    nbclient and papermill, injecting the parameters, the previous notebook's export) instead of following it.

    `start(n)` starts n kernels; `plan(total)` says how many notebooks the build will run, and `reserve()` hands
    one kernel to a notebook (one started ahead, else one started now) and, while notebooks are still to come
    and none is waiting, starts the next one. `stop(kernel)` kills one reserved but never used; `close()` those
    never reserved. A kernel runs one notebook only; `report.execute` kills it when the notebook is done. None
    stands for a kernel that could not be started here (nbclient then starts its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Kernel | None] = []
        self._to_come = 0  # notebooks of the build not yet given a kernel, beyond those waiting

    def start(self, n: int) -> None:
        for _ in range(n):
            k = launch()
            with self._lock:
                self._pending.append(k)

    def plan(self, total: int, ahead: int) -> None:
        """The build runs `total` notebooks; `ahead` kernels (those started earlier count) start now."""
        with self._lock:
            missing = max(0, min(ahead, total) - len(self._pending))
            self._to_come = max(0, total - len(self._pending) - missing)
        self.start(missing)

    def reserve(self) -> Kernel | None:
        with self._lock:
            waiting = self._pending.pop(0) if self._pending else False
            if waiting is False and self._to_come:
                self._to_come -= 1  # this notebook's kernel starts now
            refill = self._to_come > 0 and not self._pending
            if refill:
                self._to_come -= 1
        k = launch() if waiting is False else waiting
        if refill:
            self.start(1)
        return k

    @staticmethod
    def stop(k: Kernel | None) -> None:
        if k is not None:
            k.kill()

    def close(self) -> None:
        with self._lock:
            pending, self._pending, self._to_come = self._pending, [], 0
        for k in pending:
            self.stop(k)
