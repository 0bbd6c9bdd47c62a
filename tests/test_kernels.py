"""The report kernels of analysis.site.kernels: jupyter_client's own, planned ahead, killed when done or unused.

Every wait here is for a condition (a reply to this test's own request, a process that ended), never a time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from analysis.site import kernels


def _stream_text(out: list) -> str:
    return "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")


def _execute_in_report_kernel(nb, before=None) -> None:
    """Run `nb`'s cells with nbclient in a report kernel, as the build does (`before(kc)` once the kernel is ready)."""
    from nbclient import NotebookClient

    async def run():
        km = await kernels.start()
        try:
            async with kernels.ready_client(km) as kc:
                if before is not None:
                    before(kc)
                client = NotebookClient(nb, km=km, kernel_name=kernels.KERNEL, timeout=60)
                client.kc = kc
                await client.async_execute()
        finally:
            await kernels.stop(km)

    asyncio.run(run())


def test_a_report_kernel_runs_code_and_is_gone_once_stopped():
    async def run():
        km = await kernels.start()
        try:
            assert await km.is_alive()
            connection_file = km.connection_file
            out: list = []
            async with kernels.ready_client(km) as kc:
                # the kernel started with the report arguments: the preloaded modules are there, the charts load
                # the shared plotly.js; the cells run as __main__ in the notebooks' folder
                # what the imports made is out of the collector's passes; polars runs on POLARS_THREADS threads
                code = (f"import gc, os, sys, polars; print(sorted(m for m in {kernels.PRELOAD!r} if m in sys.modules), "
                        f"os.environ[{kernels.shared_assets.ENV!r}], __name__, os.getcwd(), gc.get_freeze_count() > 0, "
                        "gc.isenabled(), polars.thread_pool_size())")
                reply = await kc.execute_interactive(code, timeout=60, output_hook=out.append)
        finally:
            await kernels.stop(km)
        return km, connection_file, reply, out

    km, connection_file, reply, out = asyncio.run(run())
    assert reply["content"]["status"] == "ok"
    assert _stream_text(out).split() == [*str(sorted(kernels.PRELOAD)).split(), kernels.shared_assets.src(),
                                         "__main__", str(kernels.paths.notebooks_dir()), "True", "True",
                                         kernels.POLARS_THREADS]
    assert not km.has_kernel and not Path(connection_file).exists()


def test_a_thread_count_the_environment_sets_is_kept(monkeypatch):
    monkeypatch.setenv("POLARS_MAX_THREADS", "3")
    assert kernels.kernel_env()["POLARS_MAX_THREADS"] == "3"
    monkeypatch.delenv("POLARS_MAX_THREADS")
    env = kernels.kernel_env()
    assert env["POLARS_MAX_THREADS"] == kernels.POLARS_THREADS and env["PATH"]


def test_a_kernel_that_dies_while_starting_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(kernels, "kernel_args", lambda: ["--IPKernelApp.exec_lines=import os; os._exit(3)"])

    async def run() -> None:
        km = await kernels.start()
        try:
            async with kernels.ready_client(km):
                pass
        finally:
            await kernels.stop(km)

    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        asyncio.run(run())


class _Fake:
    def __init__(self, log: list) -> None:
        self.stopped = False
        log.append(self)


@pytest.fixture
def fake_kernels(monkeypatch):
    """launch() replaced by a recorder; `stop` marks the fake stopped. Yields the list of launched fakes."""
    log: list = []
    monkeypatch.setattr(kernels, "launch", lambda: _Fake(log))
    monkeypatch.setattr(kernels, "stop_now", lambda k: setattr(k, "stopped", True))
    return log


@pytest.mark.parametrize("total,ahead", [(1, 1), (2, 2), (5, 2), (13, 2), (3, 8), (0, 2)])
def test_warm_kernels_start_one_per_notebook_and_keep_one_ahead(fake_kernels, total, ahead):
    log = fake_kernels
    warm = kernels.WarmKernels()
    warm.plan(total, ahead=ahead)
    warm.settle()
    assert len(log) == min(total, ahead)  # the first notebooks' kernels, now
    for i in range(total):
        k = warm.reserve()
        warm.settle()
        assert k is log[i] and not k.stopped
        # while notebooks are to come, one kernel is waiting (or booting) for the next, never more than `ahead`
        assert len(log) - (i + 1) == (max(1, min(ahead, total) - (i + 1)) if i + 1 < total else 0)
    assert len(log) == total  # one kernel per notebook, none wasted
    warm.close()
    assert not any(k.stopped for k in log)  # those reserved are the notebooks' own to stop


def test_warm_kernels_close_kills_those_never_reserved(fake_kernels):
    log = fake_kernels
    warm = kernels.WarmKernels()
    warm.start(1)  # the CLI's, for a named report
    warm.plan(3, ahead=2)
    first = warm.reserve()
    warm.close()  # e.g. a bad parameter: nothing more runs
    assert [k.stopped for k in log] == [False, True] and first is log[0]
    assert warm.reserve() is not None and len(log) == 3  # a reserve after close starts one for itself
    warm.close()


def test_a_kernel_that_cannot_be_started_ahead_is_none():
    assert kernels.launch("no-such-kernel") is None


def test_a_report_builds_when_its_kernel_could_not_be_started_ahead(built, tmp_path, monkeypatch):
    """The fallback of every report kernel: with none started ahead, the notebook's run starts one itself."""
    import io

    from analysis.site import report

    monkeypatch.setattr(kernels, "launch", lambda *a, **k: None)
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path / "reports"))
    out = io.StringIO()
    assert report.build_reports(names=["performance_per_dollar_aa_cny"], force=True, out=out) == 0, out.getvalue()
    assert (tmp_path / "reports" / "performance_per_dollar_aa_cny.html").is_file()


def test_a_report_whose_kernel_dies_while_starting_fails_naming_that(built, tmp_path, monkeypatch, capsys):
    """The kernel's death is the error the build reports (a second cleanup once hid it behind an AssertionError)."""
    import io

    from analysis.site import report

    monkeypatch.setattr(kernels, "kernel_args", lambda: ["--IPKernelApp.exec_lines=import os; os._exit(3)"])
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path / "reports"))
    assert report.build_reports(names=["performance_per_dollar_aa_cny"], force=True, out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "report performance_per_dollar_aa_cny) failed in a cell: RuntimeError: Kernel died before replying" in err


def test_replies_to_an_earlier_kernel_info_do_not_reach_the_cells():
    """wait_ready may ask kernel_info more than once (a busy machine answers late); a reply left over on shell, and
    start-up messages left on IOPub, are not taken for a cell's: nbclient keeps only its own requests' messages."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)"),
                                         nbformat.v4.new_code_cell("print('second')")])

    def ask_again(kc):
        for _ in range(3):
            kc.kernel_info()  # replies nobody reads before the cells run

    _execute_in_report_kernel(nb, before=ask_again)
    # joined per cell: a busy kernel may flush between print's two writes, "42" then "\n"
    assert [_stream_text([{"msg_type": "stream", "content": o} for o in c.outputs]) for c in nb.cells] == ["42\n",
                                                                                                         "second\n"]


def test_a_retired_kernel_is_gone_once_the_build_closes():
    """A finished notebook's kernel is killed in the background (WarmKernels.retire); close() waits for it."""
    km = asyncio.run(kernels.start())
    connection_file = km.connection_file
    warm = kernels.WarmKernels()
    warm.retire(km)
    warm.close()
    assert not km.has_kernel and not Path(connection_file).exists()


def test_the_probes_record_is_read_whatever_stream_outputs_carry_it():
    """The probe's one JSON line arrives in as many stdout outputs as the kernel flushed: on a busy machine a flush
    falls between print's two writes (the JSON, then its newline), or inside a longer text. Found on a fresh clone
    under load: the newline alone came last, and the build said the kernel had not said which tables it loaded."""
    from analysis.site import report

    def cell(*texts, name="stdout"):
        return {"outputs": [{"output_type": "stream", "name": name, "text": t} for t in texts]}

    line = '{"tables": ["models"], "published": {}}'
    expected = {"tables": ["models"], "published": {}}
    assert report.probe_record(cell(line + "\n")) == expected
    assert report.probe_record(cell(line, "\n")) == expected  # the shape seen under load
    assert report.probe_record(cell(line[:10], line[10:], "\n")) == expected
    assert report.probe_record(cell("a warning line\n", line + "\n")) == expected
    assert report.probe_record(cell(line + "\n", name="stderr")) is None
    assert report.probe_record(cell(line[:10] + "\n")) is None
    assert report.probe_record(cell("[1, 2]\n")) is None
    assert report.probe_record({"outputs": []}) is None


def test_a_flush_between_prints_two_writes_splits_the_stream_as_the_probe_expects():
    """The mechanism, in a real report kernel: stdout flushed between the JSON and its newline (what ipykernel's
    timed flush does under load) comes as two stream outputs, and the probe's reader still finds the record."""
    import nbformat

    from analysis.site import report

    code = ("import json, sys\nsys.stdout.write(json.dumps({'tables': ['models']}))\nsys.stdout.flush()\n"
            "_ = sys.stdout.write('\\n')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    _execute_in_report_kernel(nb)
    outputs = nb.cells[0].outputs
    assert [o.text for o in outputs] == ['{"tables": ["models"]}', "\n"]
    assert report.probe_record(nb.cells[0]) == {"tables": ["models"]}
