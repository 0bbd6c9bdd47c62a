"""The report kernels of analysis.kernels: started as jupyter_client would, planned ahead, killed when unused."""

from __future__ import annotations

import asyncio
import json
import stat

import pytest

from analysis import kernels


def test_the_spec_found_is_the_one_jupyter_client_finds():
    from jupyter_client.kernelspec import KernelSpecManager

    argv, env, resource_dir = kernels.find_spec(kernels.KERNEL)
    spec = KernelSpecManager().get_kernel_spec(kernels.KERNEL)
    assert (argv, env, str(resource_dir)) == (spec.argv, spec.env, spec.resource_dir)
    assert kernels.find_spec("no-such-kernel") is None


def test_a_kernel_runs_code_and_is_gone_once_stopped():
    k = kernels.launch()
    assert k is not None and k.is_alive()
    info = json.loads(k.connection_file.read_text())
    assert stat.S_IMODE(k.connection_file.stat().st_mode) == 0o600  # the key is readable by this user only
    assert info["ip"] == "127.0.0.1" and len({info[p] for p in info if p.endswith("_port")}) == 5

    async def run() -> dict:
        kc = k.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            # the kernel started with the report arguments: the preloaded modules are there
            code = (f"import sys, os; print(sorted(m for m in {kernels.PRELOAD!r} if m in sys.modules), "
                    f"os.environ[{kernels.shared_assets.ENV!r}])")
            return await kc.execute_interactive(code, timeout=60, output_hook=out.append)
        finally:
            kc.stop_channels()

    out: list = []
    reply = asyncio.run(run())
    assert reply["content"]["status"] == "ok"
    text = "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")
    assert text.strip() == f"{sorted(kernels.PRELOAD)} {kernels.shared_assets.src()}"
    kernels.WarmKernels.stop(k)
    assert not k.is_alive() and not k.connection_file.exists()


def test_a_kernel_that_dies_while_starting_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(kernels, "kernel_args", lambda: ["--IPKernelApp.exec_lines=import os; os._exit(3)"])
    k = kernels.launch()

    async def wait() -> None:
        kc = k.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
        finally:
            kc.stop_channels()

    try:
        with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
            asyncio.run(wait())
    finally:
        k.kill()


class _Fake:
    def __init__(self, log: list) -> None:
        self.killed = False
        log.append(self)

    def kill(self) -> None:
        self.killed = True


@pytest.mark.parametrize("total,ahead", [(1, 1), (2, 2), (5, 2), (13, 2), (3, 8), (0, 2)])
def test_warm_kernels_start_one_per_notebook_and_keep_one_ahead(monkeypatch, total, ahead):
    log: list = []
    monkeypatch.setattr(kernels, "launch", lambda: _Fake(log))
    warm = kernels.WarmKernels()
    warm.plan(total, ahead=ahead)
    assert len(log) == min(total, ahead)  # the first notebooks' kernels, now
    for i in range(total):
        k = warm.reserve()
        assert k is log[i] and not k.killed
        # while notebooks are to come, one kernel is waiting (or booting) for the next, never more than `ahead`
        assert len(log) - (i + 1) == (max(1, min(ahead, total) - (i + 1)) if i + 1 < total else 0)
    assert len(log) == total  # one kernel per notebook, none wasted
    warm.close()
    assert not any(k.killed for k in log)  # those reserved are the notebooks' own to stop


def test_warm_kernels_close_kills_those_never_reserved(monkeypatch):
    log: list = []
    monkeypatch.setattr(kernels, "launch", lambda: _Fake(log))
    warm = kernels.WarmKernels()
    warm.start(1)  # the CLI's, for a named report
    warm.plan(3, ahead=2)
    assert len(log) == 2
    first = warm.reserve()
    warm.close()  # e.g. a bad parameter: nothing more runs
    assert [k.killed for k in log] == [False, True] and first is log[0]
    assert warm.reserve() is not None and len(log) == 3  # a reserve after close starts one for itself


def test_a_kernel_that_cannot_be_started_here_is_left_to_nbclient(monkeypatch, tmp_path):
    """No spec, or no way to start it: launch gives None (the notebook's own client then starts a kernel)."""
    monkeypatch.setattr(kernels, "find_spec", lambda name=kernels.KERNEL: None)
    assert kernels.launch() is None
    monkeypatch.setattr(kernels, "find_spec", lambda name=kernels.KERNEL: (
        [str(tmp_path / "no-such-python"), "-f", "{connection_file}"], {}, tmp_path))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    assert kernels.launch() is None
    assert list((tmp_path / "runtime").iterdir()) == []  # its connection file removed


def test_a_report_builds_when_its_kernel_is_left_to_nbclient(built, tmp_path, monkeypatch):
    """The fallback of every report kernel: with none started here, nbclient starts one and the report is built."""
    import io

    from analysis import report

    monkeypatch.setattr(kernels, "launch", lambda *a, **k: None)
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path / "reports"))
    out = io.StringIO()
    assert report.build_reports(names=["performance_per_dollar_aa_cny"], force=True, out=out) == 0, out.getvalue()
    assert (tmp_path / "reports" / "performance_per_dollar_aa_cny.html").is_file()


def test_a_kernel_slow_to_answer_is_alive_while_its_process_is(monkeypatch, tmp_path):
    """A kernel still importing misses heartbeats; it is alive as long as its process is (a heartbeat-based check
    once took a kernel booting on a busy machine for a dead one, and failed the report)."""
    import sys

    monkeypatch.setattr(kernels, "find_spec", lambda name=kernels.KERNEL: (
        [sys.executable, "-c", "import time; time.sleep(60)", "{connection_file}"], {}, tmp_path))
    k = kernels.launch()

    async def check() -> list[bool]:
        kc = k.client()
        kc.start_channels()
        try:
            await asyncio.sleep(2.5)  # over two heartbeat periods without an answer
            alive = [await kc.is_alive(), kc.hb_channel.is_beating()]
            k.kill()
            return [*alive, await kc.is_alive()]
        finally:
            kc.stop_channels()

    try:
        assert asyncio.run(check()) == [True, False, False]
    finally:
        k.kill()


def test_a_report_whose_kernel_dies_while_starting_fails_naming_that(built, tmp_path, monkeypatch, capsys):
    """The kernel's death is the error the build reports (a second cleanup once hid it behind an AssertionError)."""
    import io

    from analysis import report

    monkeypatch.setattr(kernels, "kernel_args", lambda: ["--IPKernelApp.exec_lines=import os; os._exit(3)"])
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path / "reports"))
    assert report.build_reports(names=["performance_per_dollar_aa_cny"], force=True, out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "report performance_per_dollar_aa_cny) failed in a cell: RuntimeError: Kernel died before replying" in err


def test_the_report_kernel_is_ipykernels_own_launcher_without_the_debugger():
    spec = ["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert kernels.kernel_command(spec) == ["/venv/bin/python", "-Xfrozen_modules=off", "-c", kernels.LAUNCHER,
                                            "-f", "{connection_file}"]
    other = ["/usr/bin/other-kernel", "-m", "something", "{connection_file}"]
    assert kernels.kernel_command(other) == other
    k = kernels.launch()

    async def run() -> tuple[dict, list]:
        kc = k.client()
        kc.start_channels()
        out: list = []
        try:
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.kernel_info()
            reply = await kc._async_get_shell_msg(timeout=30)
            assert reply["parent_header"]["msg_id"] == msg_id
            await kc.execute_interactive("import sys; print(sys.modules.get('debugpy', 'absent'), "
                                         "sys.path.count(''), __name__)", timeout=60, output_hook=out.append)
            return reply["content"], out
        finally:
            kc.stop_channels()

    try:
        content, out = asyncio.run(run())
    finally:
        k.kill()
    assert content["status"] == "ok" and content["implementation"] == "ipython"
    assert "debugger" not in content["supported_features"]  # a standard kernel offers it
    # no debugpy; the notebook folder on the path once, as IPython puts it; the cells run as __main__
    assert "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream").split() == [
        "None", "1", "__main__"]
