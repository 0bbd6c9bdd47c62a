"""Notebook parameters: declared once (analysis/site/params/<notebook>.py), validated before any work.

Every bad input of issue 14's table ends with a non-zero exit and one line naming the parameter and what is
allowed: through the CLI (before any notebook runs) and through papermill (in the validation cell, before
any later cell runs).
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import cli
from analysis.site import params, report

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# (report, parameter, value as the user types it (JSON), what the one-line message must say)
BAD = [
    ("catch_up", "metric", '"mmlu"', "metric 'mmlu' is not one of: aa_intelligence_index, eci,"),
    ("performance_per_dollar", "metric", '"mmlu"', "metric 'mmlu' is not one of: aa_intelligence_index, eci,"),
    ("release_pace", "start_date", '"2024-13-45"', "start_date '2024-13-45' is not an ISO date YYYY-MM-DD"),
    ("release_pace", "countries", "[]", "countries [] is empty; give a list of: United States, China,"),
    ("release_pace", "countries", '["USA"]', "countries has 'USA', not in: United States, China,"),
    ("release_pace", "period", '"week"', "period 'week' is not one of: year, quarter, month"),
    ("performance_per_dollar", "threshold", "5", "threshold must be in (0, 1], got 5"),
    ("price_war", "blend_ratio", "-1", "blend_ratio must be in [0, inf), got -1"),
    # issue 31: every number within a sane range and int64, every categorical against its allowed values
    ("policy_timeline", "window_days", "100000000000000000000",
     "window_days 100000000000000000000 is past the int64 range; give an integer in [1, 3650]"),
    ("policy_timeline", "window_days", "3651", "window_days must be in [1, 3650], got 3651"),
    ("release_pace", "top_k", "9223372036854775808", "top_k 9223372036854775808 is past the int64 range"),
    ("adoption", "top_n", "1001", "top_n must be in [1, 1000], got 1001"),
    ("release_pace", "domain", '"Nonexistent"', "domain 'Nonexistent' is not one of: 3D modeling, Audio,"),
    ("release_pace", "domain", '"<b>x</b>"', "domain '<b>x</b>' is not one of:"),
    ("release_pace", "domain", '"Driving"', "no model matches domain='Driving': the charts would be empty"),
    ("release_pace", "end_date", '"2014-12-31"', "no model matches end_date='2014-12-31'"),
    ("price_war", "providers", '["Nobody"]', "providers has 'Nobody', not an organization of the prices table"),
    ("price_war", "flagships", '["nope"]', "flagships ['nope']: no model id with a reference price"),
]


def _cli(capsys, *argv):
    rc = cli.main(["report", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("name,key,value,message", BAD, ids=[f"{b[0]}-{b[1]}-{b[2]}" for b in BAD])
def test_cli_rejects_bad_value_before_running(built, capsys, monkeypatch, name, key, value, message):
    monkeypatch.setattr(report, "execute", lambda *a, **k: pytest.fail("a notebook ran"))
    rc, out, err = _cli(capsys, name, "-p", key, value)
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) <= 200, err
    assert lines[0].startswith(f"error: report {name}: {message}"), err


def test_cli_rejects_unknown_name_with_closest(built, capsys, monkeypatch):
    monkeypatch.setattr(report, "execute", lambda *a, **k: pytest.fail("a notebook ran"))
    rc, out, err = _cli(capsys, "release_pace", "-p", "start_dat", '"2018-01-01"')
    assert rc == 2
    assert err.strip() == ("error: report release_pace: unknown parameter 'start_dat' of release_pace; "
                           "did you mean 'start_date'? (see --help-params)")


def test_help_params_prints_the_table(built, capsys):
    rc, out, err = _cli(capsys, "price_war", "--help-params")
    assert rc == 0, err
    assert "parameters of notebooks/price_war.ipynb" in out
    assert "blend_ratio" in out and "a number in [0, inf)" in out
    assert "currency" in out and "one of: USD, CNY" in out
    rc, out, err = _cli(capsys, "nosuch", "--help-params")
    assert rc == 2 and "known: release_pace" in err


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_spec_matches_parameters_cell_and_validation_cell_follows(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    cell = {t.targets[0].id: ast.literal_eval(t.value) for t in ast.parse(nb.cells[i].source).body}
    spec = params.spec(nb_path.stem)
    assert spec is not None, f"analysis/site/params/{nb_path.stem}.py is missing"
    assert {p.name: p.default for p in spec} == cell
    assert f"params.validate({nb_path.stem!r}, globals())" in nb.cells[i + 1].source
    params.validate(nb_path.stem, cell)


def test_named_reports_pass_validation(built):
    assert report.check_parameters(report.load_specs(), {}) is None


def test_checks_on_small_values():
    p = params.Param("x", "list", None, "h", choices=("a", "b"), optional=True, empty="nothing")
    params.check(p, None)
    params.check(p, [])
    with pytest.raises(params.ParamError, match=r"^x has 'c', not in: a, b$"):
        params.check(p, ["a", "c"])
    d = params.Param("d", "date", "2020-01-01", "h")
    for bad in ("2020-1-1", "20200101", 20200101, None, "2020-02-30"):
        with pytest.raises(params.ParamError, match=r"^d .* is not an ISO date YYYY-MM-DD$"):
            params.check(d, bad)
    n = params.Param("n", "int", 1, "h", low=1)
    for bad in (0, 1.5, True, "3"):
        with pytest.raises(params.ParamError):
            params.check(n, bad)
    params.check(n, 7)
    big = params.Param("big", "int", 1, "h")  # no declared range: still an int64
    with pytest.raises(params.ParamError, match=r"^big 9223372036854775808 is past the int64 range"):
        params.check(big, 2**63)
    params.check(big, 2**63 - 1)
    many = params.Param("c", "choice", None, "h", choices=tuple(f"value-{i:03d}" for i in range(50)))
    with pytest.raises(params.ParamError) as e:
        params.check(many, "other")
    assert len(str(e.value)) < 200 and str(e.value).endswith("(50 in all, see --help-params)")
    assert "value-049" in many.describe(full=True)


@pytest.mark.parametrize("name,key,value,message", BAD, ids=[f"{b[0]}-{b[1]}-{b[2]}" for b in BAD])
def test_papermill_stops_in_the_validation_cell(built, tmp_path, name, key, value, message):
    """Through papermill's own execution, in this process (the CLI's start costs seconds per case; the CLI's
    exit code and message are checked once, below): the value parsed as `papermill -y` parses it."""
    import papermill as pm
    import yaml

    nb_in = ROOT / "notebooks" / f"{name}.ipynb"
    out = tmp_path / "out.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as failed:
        pm.execute_notebook(str(nb_in), str(out), parameters=yaml.safe_load(f"{key}: {value}"),  # JSON is YAML
                            kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False)
    assert failed.value.ename == "ParamError" and failed.value.evalue.startswith(message), failed.value.evalue
    assert f"ParamError: {message}" in str(failed.value)  # what the CLI prints on its way out
    nb = json.loads(out.read_text())
    errors = [(i, o) for i, c in enumerate(nb["cells"]) for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1
    i, err = errors[0]
    assert "params.validate" in "".join(nb["cells"][i]["source"])
    assert len(err["traceback"]) == 1 and err["traceback"][0].startswith(f"ParamError: {message}")
    assert all(c.get("execution_count") is None for c in nb["cells"][i + 1:] if c["cell_type"] == "code")


def test_papermill_stops_on_an_unknown_name(built, tmp_path):
    out = tmp_path / "out.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "release_pace.ipynb"),
                           str(out), "-p", "start_dat", "2018-01-01", "--cwd", str(ROOT / "notebooks")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert ("ParamError: unknown parameter 'start_dat' of release_pace; did you mean 'start_date'?"
            in proc.stderr), proc.stderr[-2000:]


def test_injected_names_only_from_papermill_cells():
    ns = {"In": ["", "x = 1", "# Parameters\nstart_dat = '2018'\n", "periods = 3"], "periods": 3}
    assert params.injected_names(ns) == ["start_dat"]
    params.validate("release_pace", {"In": ["", "periods = 3"], "periods": 3})


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_papermill_reads_every_declared_parameter(nb_path, caplog):
    from papermill.inspection import inspect_notebook

    with caplog.at_level("WARNING", logger="papermill"):
        inferred = inspect_notebook(str(nb_path))
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert list(inferred) == [p.name for p in params.spec(nb_path.stem)]


_NAMED_SETS = [s for s in report.load_specs() if s.parameters]


@pytest.mark.parametrize("spec", _NAMED_SETS, ids=lambda s: s.name)
def test_papermill_takes_the_named_parameter_sets_without_warnings(spec, tmp_path, caplog):
    """Every parameter set of reports.toml, through papermill's own injection (in this process: the CLI's start
    costs seconds per set; the CLI path is checked once below)."""
    import papermill as pm

    with caplog.at_level("WARNING", logger="papermill"):
        pm.execute_notebook(str(ROOT / "notebooks" / spec.notebook), str(tmp_path / "out.ipynb"),
                            parameters=dict(spec.parameters), prepare_only=True, progress_bar=False)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Unable to parse" not in text and "unknown parameter" not in text.lower(), text
    injected = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    cell = next(c for c in injected.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert all(f"{k} = " in cell.source for k in spec.parameters), cell.source


def test_papermill_cli_takes_a_named_parameter_set_from_a_yaml_file(tmp_path):
    spec = _NAMED_SETS[0]
    yaml_file = tmp_path / "params.yaml"
    yaml_file.write_text(json.dumps(spec.parameters))  # JSON is YAML
    proc = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / spec.notebook),
                           str(tmp_path / "out.ipynb"), "-f", str(yaml_file), "--prepare-only"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Unable to parse" not in proc.stderr and "unknown parameter" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("notebook", ["release_pace", "price_war", "replication"])
def test_checking_static_parameters_imports_no_polars(notebook):
    """`report NAME -p ...` checks its parameters before any work; for the notebooks whose choices are fixed
    lists (not read from the data, as catch_up's metrics are) that imports no polars (0.6 s on the rerun's
    critical path): the choices live in analysis.core.vocab, not in the metric modules."""
    code = ("import sys; from analysis.site import report; "
            f"specs = [s for s in report.load_specs() if s.notebook == '{notebook}.ipynb']; "
            "assert specs and report.check_parameters(specs, {}) is None; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('polars', 'pandas', 'pyarrow')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
