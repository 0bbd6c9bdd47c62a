"""JupyterLab: the kernel it starts is the project's, and every notebook runs top to bottom in it.

`make lab` runs `.venv/bin/jupyter lab notebooks/`; the notebooks name the kernel `python3`, which the
Makefile registers in the venv (`ipykernel install --sys-prefix --name python3`). These tests start that
same kernel through jupyter_client (as JupyterLab does) and run each notebook with its default parameters.
"""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_python3_kernel_resolves_to_this_environment():
    spec = KernelSpecManager().get_kernel_spec("python3")
    # a kernelspec of this environment (sys-prefix), not one of the user's or the system's
    assert Path(spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve()), spec.resource_dir
    cmd = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(cmd[0]).resolve() == Path(sys.executable).resolve(), cmd


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_in_the_lab_kernel(built, nb_path, tmp_path, monkeypatch):
    # anything a notebook might write beside the site goes to a scratch folder, not reports/
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path / "reports"))
    nb = nbformat.read(nb_path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    client = NotebookClient(nb, kernel_name="python3", timeout=600, shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(nb_path.parent)}})
    client.execute()  # raises CellExecutionError naming the cell on any error
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # charts show interactively in JupyterLab: the plotly mimetype output is there
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs)


def test_lab_run_covers_nbval_lax():
    """`make test` leaves out the separate `nbval --nbval-lax notebooks` run because the test above runs every
    notebook in the same kernel and fails on any cell error, which is all nbval-lax checks while no cell asks
    for its output to be compared. A notebook that adds such a cell needs nbval back in `make test`."""
    markers = [(p.name, i) for p in NOTEBOOKS for i, c in enumerate(nbformat.read(p, as_version=4).cells)
               if c.cell_type == "code" and any(m in c.source for m in ("NBVAL_CHECK_OUTPUT", "NBVAL_RAISES_EXCEPTION"))]
    assert markers == [], f"cells that nbval would compare or expect to raise: {markers}; run nbval in make test"
    assert len(NOTEBOOKS) >= 7


os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _lab_command() -> list[str]:
    """The command line `make lab` runs (dry run; the last line, after the data steps)."""
    import shlex
    import subprocess

    root = Path(__file__).resolve().parent.parent
    text = subprocess.run(["make", "-n", "--no-print-directory", "lab"], cwd=root, capture_output=True,
                          text=True, check=True).stdout
    line = next(ln for ln in reversed(text.splitlines()) if "jupyter lab" in ln)
    return shlex.split(line)


def test_make_lab_starts_as_this_user_and_answers(tmp_path):
    import socket
    import subprocess
    import time
    import urllib.request

    cmd = _lab_command()
    assert ("--allow-root" in cmd) == (os.geteuid() == 0), cmd
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    proc = subprocess.Popen([*cmd, "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                             "--ServerApp.port_retries=0", "--IdentityProvider.token="], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, answer = time.monotonic() + 120, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=5) as r:
                    answer = (r.status, r.read())
                    break
            except OSError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read()[-2000:]
        assert answer and answer[0] == 200 and b"started" in answer[1], answer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
