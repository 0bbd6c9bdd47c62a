"""The clean tables as a download: `reports/tables/` (a build folder `reports/data/tables/<build id>/`, switched
with the rest of the site), as Epoch's and Our World in Data's pages offer theirs.

A clean table is published only when every upstream file behind it carries a licence that allows redistribution
(an SPDX id in analysis.site.chart_data.SPDX; `licence` is the one mapping the chart packages use). The files
behind a table are those its build steps read, directly or through the steps they need (the crosswalk reads
every leaderboard and price source: a table resolved through it depends on them all), the `source_file` of its
rows and the lookups of analysis.store.tables.TABLE_INPUTS. The project's own curated files (data/curated/) are
its own work and carry its statement (chart_data.PROJECT_LICENCE), as the chart packages do. The build's
bookkeeping (quarantine, row counts) is not a clean table and is not published.

Each published table is written as CSV (list columns as JSON arrays) and Parquet, described in
`datapackage.json` (a Frictionless tabular data package: the schema from the table's definition in
analysis/clean or analysis/link, its sources with citation, upstream address and snapshot date, its licences and
the date its data run to); `README.md` holds the data dictionary of the published tables and lists every table
left out, with the upstream files without a licence that keep it out and the command that builds it locally.

`publish(gen)` writes the package into the site generation being written when the clean tables, the package
code, the curated files or the manifest changed since the package the site has (`package_key`), else keeps it.
"""

from __future__ import annotations

import json
from pathlib import Path

NAME = "tables"  # reports/tables -> .site/current/tables -> data/tables/<build id>
KEY_FILE = "package.key"
BUILD_COMMAND = "python -m analysis fetch && python -m analysis build"


def _tables():
    """The clean tables of the schemas (analysis.store.dictionary.tables), bookkeeping left out."""
    from analysis.store import dictionary, tables

    return [t for t in dictionary.tables() if tables.STAGES.get(t.name) != tables.BOOKKEEPING]


def declared_files(table: str) -> set[str]:
    """Every file the build steps of `table` read, directly or through the steps they need (analysis.store.build);
    a family of dated versions (analysis.acquire.versions) as the versions the manifest pins."""
    from analysis.acquire import manifest, versions
    from analysis.store import build

    pinned = [e.local_path for e in manifest.load()]
    steps = [s for s in build.STEPS if not s.makes_value and s.table == table]
    return {p for s in build._needed(steps) for r in s.reads
            for p in (versions.pinned(r.path, pinned) if r.versions else [r.path])}


def files_behind(table: str, df=None) -> tuple[list, list[str]]:
    """(manifest entries, curated files) behind `table`: its steps' declared reads, its rows' source files (`df`,
    the table as built) and its lookups (TABLE_INPUTS)."""
    from analysis.acquire import manifest
    from analysis.store import tables

    files = declared_files(table) | set(tables.TABLE_INPUTS.get(table, ()))
    if df is not None:
        files |= tables.source_files_of(df)
    by_path = {e.local_path: e for e in manifest.load()}
    curated = sorted(f if f.startswith("data/curated/") else f"data/curated/{f}" for f in files
                     if f not in by_path)
    return sorted((by_path[f] for f in files if f in by_path), key=lambda e: e.local_path), curated


def unlicensed(entries) -> list:
    """The manifest entries among `entries` whose licence does not allow redistribution (no SPDX id)."""
    from analysis.site.chart_data import licence

    return [e for e in entries if "name" not in licence(e)]


def _field(col) -> dict:
    import polars as pl

    kinds = {pl.String: "string", pl.Int64: "integer", pl.Int32: "integer", pl.UInt32: "integer",
             pl.Float64: "number", pl.Boolean: "boolean", pl.Date: "date", pl.Datetime: "datetime"}
    if isinstance(col.dtype, pl.List):
        kind = "array"
    else:
        kind = next((v for k, v in kinds.items() if col.dtype == k), "string")
    out = {"name": col.name, "type": kind, "description": col.description}
    if col.unit:
        out["unit"] = col.unit
    constraints = {}
    if not col.nullable:
        constraints["required"] = True
    if col.allowed is not None and kind == "string":
        constraints["enum"] = list(col.allowed)
    if kind in ("integer", "number") and col.min is not None:
        constraints["minimum"] = col.min
    if kind in ("integer", "number") and col.max is not None:
        constraints["maximum"] = col.max
    if constraints:
        out["constraints"] = constraints
    return out


def _csv_frame(df):
    """The table for its CSV: list columns as JSON arrays (Frictionless 'array'), the rest as is."""
    import polars as pl

    lists = [c for c, t in df.schema.items() if isinstance(t, pl.List)]
    return df.with_columns(pl.col(c).map_elements(lambda v: json.dumps(list(v), ensure_ascii=False),
                                                  return_dtype=pl.String) for c in lists) if lists else df


def plan(base: Path | None = None) -> tuple[list[dict], list[dict]]:
    """(published, withheld) tables of the current build: each with its Table, frame, manifest entries and
    curated files; withheld ones with the unlicensed entries that keep them out. Tables not built are skipped."""
    import polars as pl

    from analysis.store import tables

    published, withheld = [], []
    for t in _tables():
        file = tables.path(t.name, base)
        if not file.exists():
            continue
        df = pl.read_parquet(file)
        upstream, curated = files_behind(t.name, df)
        item = dict(table=t, df=df, upstream=upstream, curated=curated, file=file)
        bad = unlicensed(upstream)
        (withheld if bad else published).append(dict(item, unlicensed=bad))
    return published, withheld


def datapackage(published: list[dict], withheld: list[dict]) -> dict:
    """The Frictionless description of the package (see the module's docstring)."""
    from analysis.site.chart_data import PROJECT_LICENCE, licence

    resources = []
    for p in published:
        t, up = p["table"], p["upstream"]
        lics = {}
        for e in up:
            lic = licence(e)
            lics.setdefault(lic["name"], lic)
        if p["curated"]:
            lics.setdefault(PROJECT_LICENCE["title"], PROJECT_LICENCE)
        schema = {"fields": [_field(c) for c in t.columns]}
        resources.append({
            "name": t.name, "path": f"{t.name}.csv", "profile": "tabular-data-resource", "title": t.name,
            "description": t.description, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "parquet": f"{t.name}.parquet", "rows": len(p["df"]),
            "sources": [{"title": e.citation, "path": e.url or f"https://github.com/{e.upstream_repo}",
                         "snapshot_date": e.snapshot_date, "file": e.local_path} for e in up]
                       + [{"title": f"{f} (curated by this project, one cited source per row)", "file": f}
                          for f in p["curated"]],
            "licenses": list(lics.values()),
            "snapshot_date": max((e.snapshot_date for e in up), default=None),
            "schema": schema,
        })
    return {
        "profile": "tabular-data-package", "name": "thousand-models-clean-tables",
        "title": "thousand-models: the clean tables whose upstream licences allow redistribution",
        "description": "Each clean table as CSV (list columns as JSON arrays) and Parquet, with its schema, sources, "
                       "licences and the date its data run to. Tables built from a source without a licence are "
                       "not included: `withheld` lists them with the command that builds them locally.",
        "licenses": list({(lic.get("name") or lic["title"]): lic for r in resources for lic in r["licenses"]}.values()),
        "resources": resources,
        "withheld": [{"name": w["table"].name, "build": BUILD_COMMAND,
                      "file": f"data/clean/current/{_relpath(w['table'].name)}",
                      "unlicensed_sources": [e.local_path for e in w["unlicensed"]]} for w in withheld],
    }


def _relpath(name: str) -> str:
    from analysis.store import tables

    return tables.relpath(name)


def readme(published: list[dict], withheld: list[dict]) -> str:
    """README.md of the package: what it holds, the tables left out and how to build them, the data dictionary of
    the published tables."""
    from analysis.store import dictionary

    lines = ["# thousand-models: clean tables", "",
             "The clean tables whose upstream sources all carry a licence that allows redistribution, as CSV (list "
             "columns as JSON arrays) and Parquet. `datapackage.json` (Frictionless) gives each table's schema, "
             "sources, licences and the date its data run to; credit the sources as their licences ask.", "",
             "## Tables in this package", ""]
    lines += [f"- `{p['table'].name}` ({len(p['df'])} rows): `{p['table'].name}.csv`, `{p['table'].name}.parquet`"
              for p in published]
    lines += ["", "## Tables not included", "",
              "Built from at least one upstream file without a licence that allows redistribution. Build them "
              f"locally with `{BUILD_COMMAND}` (from a clone of the project; the files are then in "
              "`data/clean/current/`):", ""]
    lines += [f"- `{w['table'].name}` (`data/clean/current/{_relpath(w['table'].name)}`): no licence for "
              + ", ".join(f"`{e.local_path}`" for e in w["unlicensed"][:4])
              + (f" and {len(w['unlicensed']) - 4} more" if len(w["unlicensed"]) > 4 else "") for w in withheld]
    lines += ["", "## Data dictionary"]
    steps = dictionary.steps_by_table()
    for p in published:
        lines += dictionary.table_section(p["table"], steps)
    return "\n".join(lines) + "\n"


def package_key() -> str:
    """What the package is made from: the clean tables, the package code, curated files and manifest."""
    from analysis.site import fingerprint

    return fingerprint.sha(json.dumps([fingerprint.code_hash(), fingerprint.table_hashes()]).encode())


def write(directory: Path, key: str | None = None) -> dict:
    """Write the package into `directory` (a new, empty build folder); returns its datapackage.json content."""
    from analysis.core.atomic import atomic_path, write_text

    directory = Path(directory)
    published, withheld = plan()
    for p in published:
        name = p["table"].name
        with atomic_path(directory / f"{name}.parquet") as tmp:
            p["df"].write_parquet(tmp)
        with atomic_path(directory / f"{name}.csv") as tmp:
            _csv_frame(p["df"]).write_csv(tmp)
    pkg = datapackage(published, withheld)
    write_text(directory / "datapackage.json", json.dumps(pkg, indent=1, ensure_ascii=False, default=str))
    write_text(directory / "README.md", readme(published, withheld))
    write_text(directory / KEY_FILE, (key or package_key()) + "\n")
    return pkg


def publish(gen) -> Path | None:
    """The package in the site generation `gen` (analysis.site.generation.Generation): kept when the one the
    site has was made from the same inputs (`package_key`), else written into a new build folder that the
    generation links as `tables`. None when there are no clean tables."""
    from analysis.core import paths
    from analysis.site import chart_data
    from analysis.store import tables

    if not tables.table_files(paths.tables_dir()):
        return None
    key = package_key()
    have = gen.path / NAME
    try:
        if have.is_symlink() and (have / KEY_FILE).read_text(encoding="utf-8").strip() == key:
            return have.resolve()
    except OSError:
        pass
    build = chart_data.new_build_dir(NAME, gen.reports)
    write(build, key)
    gen.link_data(NAME, build)
    return build
