"""Clean `organizations` table from the curated registry `data/curated/organizations.csv`."""

from __future__ import annotations

import polars as pl

from analysis import registry
from analysis.clean.common import StepResult, concat_quarantine, counts_frame, read_curated_csv
from analysis.schema import COUNTRY_BUCKETS, Column, Table

ORGANIZATIONS = Table(
    name="organizations",
    description="Organizations that develop models: canonical name, upstream name variants, country, kind. "
    "Curated by this project in data/curated/organizations.csv, one cited row per organization.",
    primary_key=("organization",),
    columns=(
        Column("organization", pl.String, "Canonical name.", nullable=False),
        Column("aliases", pl.List(pl.String), "Exact name variants used upstream (matched case-insensitively).",
               nullable=False),
        Column("country", pl.String, "Country of the organization (headquarters).", nullable=False),
        Column("country_bucket", pl.String, "United States, China (incl. Hong Kong) or Other.", nullable=False,
               allowed=COUNTRY_BUCKETS),
        Column("kind", pl.String, "Kind of organization.", nullable=False, allowed=registry.KINDS),
        Column("source", pl.String, "Where the country and kind come from.", nullable=False),
    ),
)

def clean(reg: registry.Registry | None = None) -> StepResult:
    if reg is None:
        from analysis.inputs import Inputs
        reg = Inputs().registry
    aliases: dict[str, list[str]] = {name: [] for name in reg.orgs}
    for row in read_curated_csv(reg.path, registry._label(reg.path), registry.COLUMNS).iter_rows(named=True):
        aliases[row["organization"].strip()] = [a.strip() for a in row["aliases"].split("|") if a.strip()]
    rows = [
        dict(organization=o.name, aliases=aliases[o.name], country=o.country,
             country_bucket=registry.bucket([o.country]), kind=o.kind, source=o.source)
        for o in reg.orgs.values()
    ]
    df = pl.DataFrame(rows, schema={c.name: c.dtype for c in ORGANIZATIONS.columns})
    src = "data/curated/organizations.csv"
    return StepResult(ORGANIZATIONS, ORGANIZATIONS.validate(df), concat_quarantine([]),
                      counts_frame([dict(table="organizations", source_file=src, rows_in=len(df),
                                         rows_used=len(df), rows_quarantined=0)]))
