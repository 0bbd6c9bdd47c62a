"""The clean tables as a download (analysis.site.table_package): only tables whose upstream files all carry a
licence allowing redistribution, as CSV and Parquet with a Frictionless datapackage.json and the data dictionary;
written into the site's generation and kept while its inputs do not change."""

import json

import polars as pl
import pytest

from analysis.acquire import manifest
from analysis.clean import leaderboards
from analysis.curated import crosswalk
from analysis.site import chart_data, generation, table_package


def _entry(path, lic):
    return manifest.Entry(local_path=path, dataset="d", url="https://x/" + path, sha256="0" * 64, bytes=1, license=lic,
                          citation="c", snapshot_date="2026-01-01", upstream_repo="o/r", upstream_path=path,
                          commit="c" * 40)


def test_the_licence_rule_is_the_chart_packages_one():
    ok, mit, none = (_entry("a", "CC BY 4.0"), _entry("b", "MIT (upstream BerriAI/litellm)"),
                     _entry("c", "no licence stated (LMArena leaderboard data)"))
    assert table_package.unlicensed([ok, mit, none]) == [none]
    with pytest.raises(chart_data.LicenceUnknown):  # a licence text nobody has read stops the package
        table_package.unlicensed([_entry("d", "some new licence")])


def test_a_table_depends_on_what_its_steps_read_through_the_steps_they_need():
    """`models` resolves names through the crosswalk, which reads every leaderboard and Artificial Analysis: those
    files are behind it even though no row names them as its source."""
    files = table_package.declared_files("models")
    assert crosswalk.AA_FILE in files and set(leaderboards.lmarena_snapshot_files(e.local_path for e in manifest.load())) <= files
    assert table_package.declared_files("genai_filings") == {"data/curated/genai_filings.csv"}
    assert table_package.declared_files("no_such_table") == set()


@pytest.mark.snapshots
def test_the_package_of_the_real_tables(built, tmp_path):
    import frictionless

    pkg = table_package.write(tmp_path)
    result = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert result.valid, [e.message for t in result.tasks for e in t.errors][:5] + [e.message for e in result.errors]
    names = [r["name"] for r in pkg["resources"]]
    withheld = {w["name"]: w for w in pkg["withheld"]}
    assert names and not set(names) & set(withheld)
    assert "models" in withheld and crosswalk.AA_FILE in withheld["models"]["unlicensed_sources"]
    assert {"capability", "lmarena_snapshots", "prices", "openrouter_daily"} <= set(withheld)
    assert "quarantine" not in names + list(withheld)  # bookkeeping is not a clean table
    by_path = {e.local_path: e for e in manifest.load()}
    for r in pkg["resources"]:
        # every upstream file behind a published table has an SPDX licence; none of a withheld table's files is missing
        upstream = [s["file"] for s in r["sources"] if s["file"] in by_path]
        assert all("name" in chart_data.licence(by_path[f]) for f in upstream), r["name"]
        assert {lic["name"] for lic in r["licenses"] if "name" in lic} <= set(chart_data.SPDX_URL)
        parquet = pl.read_parquet(tmp_path / r["parquet"])
        assert parquet.equals(built[r["name"]]) and r["rows"] == len(parquet)
        csv = pl.read_csv(tmp_path / r["path"], infer_schema_length=0)
        assert csv.columns == [f["name"] for f in r["schema"]["fields"]] == parquet.columns
        assert len(csv) == len(parquet)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert all(f"`{n}`" in readme for n in names) and all(f"- `{w}`" in readme for w in withheld)
    assert table_package.BUILD_COMMAND in readme and "## Data dictionary" in readme


@pytest.mark.snapshots
def test_publish_writes_into_the_generation_and_keeps_an_unchanged_package(built, tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    with generation.publishing(reports) as gen:
        first = table_package.publish(gen)
    assert (reports / "tables" / "datapackage.json").is_file() and (reports / "tables").resolve() == first
    assert first.parent == chart_data.builds_dir("tables", reports)
    with generation.publishing(reports) as gen:  # same inputs: the package the site has is kept
        assert table_package.publish(gen) == first
    monkeypatch.setattr(table_package, "package_key", lambda: "other inputs")
    with generation.publishing(reports) as gen:
        second = table_package.publish(gen)
    assert second != first and (reports / "tables").resolve() == second
    assert not first.exists()  # the switch's tidy removed the build no link uses
    assert json.loads((reports / "tables" / "datapackage.json").read_text())["resources"]


def test_the_built_site_offers_the_package(site):
    import frictionless

    pkg = site / "tables" / "datapackage.json"
    assert frictionless.validate(str(pkg)).valid
    meta = json.loads(pkg.read_text(encoding="utf-8"))
    page = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="tables/datapackage.json"' in page and 'href="tables/README.md"' in page
    assert all(f"<code>{r['name']}</code>" in page for r in meta["resources"])
