"""Incremental report builds: each kind of change re-executes exactly the reports it should.

The executor is replaced by a recorder (no kernels) except in the last test, which builds one real report
and checks that a second build executes nothing.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from analysis.core import paths
from analysis.site import findings, fingerprint, generation, report, robustness

ROOT = Path(__file__).resolve().parent.parent
# which clean tables each notebook loads (what the kernel probe reports after a real run)
READS = {
    "release_pace.ipynb": ["events", "models", "organizations"],
    "adoption.ipynb": ["adoption", "events", "models", "openrouter_categories", "openrouter_daily",
                       "openrouter_weekly"],
    "policy_timeline.ipynb": ["events", "genai_filings", "models", "prices"],
    "catch_up.ipynb": ["capability", "events"],
    "price_war.ipynb": ["capability", "events", "price_conflicts", "prices"],
    "performance_per_dollar.ipynb": ["capability", "prices"],
    "replication.ipynb": ["capability", "models", "prices"],
    "builders.ipynb": ["context_windows", "task_scores"],
    "chips_and_control.ipynb": ["capability", "chips", "evaluations", "events", "model_hardware", "models",
                                "openrouter_endpoints"],
}
ALL = {"release_pace", "release_pace_language_quarterly", "policy_timeline", "policy_timeline_china_chips",
       "catch_up", "catch_up_lmarena_style_control", "price_war", "price_war_cny", "performance_per_dollar",
       "performance_per_dollar_aa_cny", "replication", "adoption", "adoption_programming", "builders", "chips_and_control"}


def write_table(name: str, values: list[int]) -> None:
    from analysis.store import tables

    target = tables.path(name)  # in its stage folder, as the build writes it
    target.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"x": values}).write_parquet(target)


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """Notebooks, reports.toml, clean tables, package code and reports in a scratch folder; a recording
    executor. Returns a build function giving the set of reports executed."""
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for f in [*(ROOT / "notebooks").glob("*.ipynb"), ROOT / "notebooks" / "reports.toml"]:
        shutil.copy(f, nb_dir)
    pkg = tmp_path / "analysis"
    shutil.copytree(ROOT / "analysis", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "notebooks_dir", lambda: nb_dir)
    monkeypatch.setattr(fingerprint, "PACKAGE", pkg)
    for var, sub in (("ANALYSIS_CLEAN_DIR", "clean"), ("ANALYSIS_REPORTS_DIR", "reports")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    paths.tables_dir().mkdir(parents=True)  # a plain folder standing in for the current generation
    for i, name in enumerate(["events", "models", "organizations", "genai_filings", "capability",
                              "price_conflicts", "prices", "adoption", "openrouter_weekly", "openrouter_daily",
                              "openrouter_categories", "chips", "evaluations", "model_hardware",
                              "openrouter_endpoints"]):
        write_table(name, [i])
    monkeypatch.setattr(findings, "findings", lambda: [])  # these read the real tables, not the stand-ins
    monkeypatch.setattr(robustness, "front_page", lambda: [])
    from analysis.site.params import release_pace as rp_params  # its -p check reads the real models table
    monkeypatch.setattr(rp_params, "CHECKS", [])
    calls: list[str] = []
    failing: set[str] = set()

    def fake_execute(spec, params, show_code=False, warm=None):
        calls.append(spec.name)
        if spec.name in failing:
            raise report.NotebookFailed(3, 2, "ValueError", "boom")
        # the page goes into the site generation the build is writing (analysis.site.generation), as
        # analysis.site.pages.finish_report writes it
        generation.active().page(spec.name).write_text(f"<html>{spec.name} {json.dumps(params)}</html>")
        return report.Built(paths.reports_dir() / f"{spec.name}.html", READS[spec.notebook], {})

    monkeypatch.setattr(report, "execute", fake_execute)

    def build(*names, **kw):
        calls.clear()
        code = report.build_reports(list(names) or None, out=io.StringIO(), **kw)
        return code, set(calls)

    build.failing = failing
    build.tmp = tmp_path
    return build


def test_first_build_executes_all_and_a_second_none(project):
    assert project() == (0, ALL)
    assert project() == (0, set())


def test_force_rebuilds_everything(project):
    project()
    assert project(force=True) == (0, ALL)


def test_changed_parameter_set_rebuilds_only_that_report(project):
    project()
    toml = project.tmp / "notebooks" / "reports.toml"
    text = toml.read_text()
    toml.write_text(text.replace('blend_ratio = 1.0, start_date = "2024-05-01"', 'blend_ratio = 2.0, start_date = "2024-05-01"'))
    assert project() == (0, {"price_war_cny"})


def test_command_line_parameter_runs_one_report_then_defaults_come_back(project):
    project()
    assert project("release_pace", extra_params={"start_date": "2020-01-01"}) == (0, {"release_pace"})
    assert project("release_pace", extra_params={"start_date": "2020-01-01"}) == (0, set())
    index = json.loads((paths.reports_dir() / "index.json").read_text())
    assert index["reports"]["release_pace"]["parameters"] == {"start_date": "2020-01-01"}
    assert len(index["reports"]) == len(ALL)  # the other reports stay on the index
    assert project() == (0, {"release_pace"})  # the plain build puts the default parameters back


def test_report_selected_by_notebook_path(project):
    project()
    assert project("notebooks/catch_up.ipynb", force=True) == (0, {"catch_up"})
    assert project("no_such_report") == (2, set())


def test_changed_notebook_rebuilds_its_reports(project):
    project()
    nb_path = project.tmp / "notebooks" / "catch_up.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["A new closing note."]})
    nb_path.write_text(json.dumps(nb))
    assert project() == (0, {"catch_up", "catch_up_lmarena_style_control"})


def test_changed_clean_table_rebuilds_the_reports_that_read_it(project):
    project()
    write_table("price_conflicts", [1, 2, 3])
    assert project() == (0, {"price_war", "price_war_cny"})
    write_table("genai_filings", [7])
    assert project() == (0, {"policy_timeline", "policy_timeline_china_chips"})
    write_table("prices", [9])
    assert project() == (0, {"price_war", "price_war_cny", "policy_timeline", "policy_timeline_china_chips",
                             "performance_per_dollar", "performance_per_dollar_aa_cny", "replication"})
    write_table("models", [8])
    assert project() == (0, {"release_pace", "release_pace_language_quarterly", "policy_timeline",
                             "policy_timeline_china_chips", "replication", "adoption", "adoption_programming",
                             "chips_and_control"})


def test_rewritten_table_with_the_same_content_rebuilds_nothing(project):
    project()
    write_table("capability", [4])  # same values as the fixture wrote: same bytes, newer mtime
    assert project() == (0, set())


def test_changed_package_module_rebuilds_everything(project):
    project()
    module = project.tmp / "analysis" / "metrics" / "pace.py"
    module.write_text(module.read_text() + "\n# a change\n")
    assert project() == (0, ALL)


def test_changed_report_template_rebuilds_everything(project):
    project()
    tpl = project.tmp / "analysis" / "site" / "templates" / "report" / "index.html.j2"
    tpl.write_text(tpl.read_text() + "\n")
    assert project() == (0, ALL)


def test_failed_report_is_rebuilt_next_time(project):
    project()
    project.failing.add("catch_up")
    assert project(force=True) == (1, ALL)
    index = json.loads((paths.reports_dir() / "index.json").read_text())
    assert index["reports"]["catch_up"]["status"] == "failed"
    project.failing.clear()
    assert project() == (0, {"catch_up"})
    assert project() == (0, set())


def test_missing_html_is_rebuilt(project):
    project()
    (paths.reports_dir() / "price_war.html").unlink()
    assert project() == (0, {"price_war"})


def test_index_findings_are_computed_again_only_when_tables_code_or_reports_toml_change(project, monkeypatch):
    """A rerun of one report with new parameters re-renders the index with the claims and findings it has:
    they are computed from the clean tables, the package code and reports.toml only, so they are computed
    again exactly when one of these changed."""
    calls = []

    def fake_findings():
        calls.append(len(calls))
        return [dict(value=str(len(calls)), text="finding", date="2026", report="release_pace")]

    monkeypatch.setattr(findings, "findings", fake_findings)
    claim_calls = []
    monkeypatch.setattr(robustness, "front_page", lambda: claim_calls.append(1) or [])
    index = lambda: json.loads((paths.reports_dir() / "index.json").read_text())  # noqa: E731
    assert project() == (0, ALL) and len(calls) == 1
    assert project("release_pace", extra_params={"period": "quarter"}) == (0, {"release_pace"})
    assert len(calls) == 1 and index()["findings"][0]["value"] == "1" and len(claim_calls) == 1
    write_table("capability", [99])  # a clean table changed
    project()
    assert len(calls) == 2 and index()["findings"][0]["value"] == "2"
    toml = project.tmp / "notebooks" / "reports.toml"
    toml.write_text(toml.read_text() + "\n")  # reports.toml changed (some findings use a report's parameters)
    project()
    assert len(calls) == 3
    (project.tmp / "analysis" / "findings.py").write_text("# changed\n", encoding="utf-8")  # the package changed
    project()
    assert len(calls) == 4 and len(claim_calls) == 4 and index()["claims"] == []


def test_real_report_rebuild_with_nothing_changed_executes_nothing(built, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path))
    first = io.StringIO()
    assert report.build_reports(["release_pace"], out=first) == 0
    entry = json.loads((tmp_path / "index.json").read_text())["reports"]["release_pace"]
    reads = entry["inputs"]["reads"]  # recorded by the kernel
    assert {"models", "organizations"} <= set(reads) and "prices" not in reads
    executed = json.loads((paths.executed_dir() / "release_pace.ipynb").read_text())
    assert not any("print(_j.dumps" in "".join(c["source"]) for c in executed["cells"])  # probe cell removed
    second = io.StringIO()
    assert report.build_reports(["release_pace"], out=second) == 0
    assert "release_pace: up to date" in second.getvalue() and "1 reports, 0 executed" in second.getvalue()
