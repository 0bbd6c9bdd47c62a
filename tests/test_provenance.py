"""Every report's provenance block lists exactly the files behind the rows its kernel loaded.

All reports are built once per run (the session fixture `site`, shared with the other tests of built pages); for
each, the tables the kernel read (its record beside the executed notebook) are loaded again here and their
`source_file` values, with the curated files those tables declare, must be exactly the files the block names."""

from __future__ import annotations

import html
import re

import polars as pl
import pytest

from analysis.acquire import manifest
from analysis.core import paths
from analysis.site import provenance, report
from analysis.store import tables


@pytest.fixture(scope="module")
def site_built(site):
    return site


def _expected(record: dict) -> set[str]:
    files: set[str] = set()
    for t in record["tables"]:
        files |= tables.source_files_of(pl.read_parquet(tables.path(t)))
        files |= set(provenance.TABLE_INPUTS[t])
    for label, found in record["source_files"].items():
        if label not in record["tables"]:  # files read directly (the replication's Epoch inputs)
            files |= set(found)
    return files


def _block(html: str) -> str:
    return html[html.index('<section class="provenance"'):html.index("</section>", html.index('class="provenance"'))]


@pytest.mark.parametrize("name", [s.name for s in report.load_specs()])
def test_provenance_block_lists_exactly_the_files_of_the_loaded_rows(site_built, name, monkeypatch):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(site_built))
    record = provenance.read_record(name)
    assert record and record["tables"], name
    block = _block((site_built / f"{name}.html").read_text(encoding="utf-8"))
    listed = set(re.findall(r"<code>([^<]+)</code>", block)) - {"data/manifest.csv"}
    assert listed == _expected(record)
    entries = {e.local_path: e for e in manifest.load()}
    for f in listed - {f for f in listed if f.startswith("data/curated/")}:
        assert entries[f].snapshot_date in block and entries[f].license in html.unescape(block)


def test_every_report_drawing_policy_events_credits_vorp_labs(site_built, monkeypatch):
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(site_built))
    vorp = pl.read_parquet(paths.tables_dir() / "events.parquet").filter(
        pl.col("source_file").str.starts_with("policy/vorplabs"))
    assert len(vorp) > 0
    drawing = [s.name for s in report.load_specs() if "events" in provenance.read_record(s.name)["tables"]]
    assert len(drawing) >= 8
    for name in drawing:
        block = _block((site_built / f"{name}.html").read_text(encoding="utf-8"))
        attribution = block[block.index('class="attribution"'):]
        assert "Vorp Labs" in attribution and provenance.CC_BY in attribution, name


@pytest.mark.parametrize("name", [s.name for s in report.load_specs()])
def test_every_chart_names_only_files_behind_the_rows_the_report_loaded(site_built, name, monkeypatch):
    """A chart's source line (layout.meta.source_files) comes from the same record as the block
    (analysis.store.tables.sources): every file it names is a file of the block, and a chart drawn from clean tables
    names at least one upstream file."""
    import nbformat

    from analysis.site import chart_data

    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(site_built))
    listed = set(re.findall(r"<code>([^<]+)</code>", _block((site_built / f"{name}.html").read_text(encoding="utf-8"))))
    nb = nbformat.read(paths.executed_dir() / f"{name}.ipynb", as_version=4)
    figures = chart_data.notebook_figures(nb)
    assert figures, name
    for n, (fig, _) in enumerate(figures, start=1):
        meta = (fig.get("layout") or {}).get("meta") or {}
        files = meta.get("source_files")
        assert files is not None, (name, n)
        assert set(files) <= listed, (name, n, sorted(set(files) - listed))
        if "Reported counts" not in meta.get("source_extra", ""):  # the one chart of cited statements only
            assert any(not f.startswith("data/curated/") for f in files), (name, n, files)
