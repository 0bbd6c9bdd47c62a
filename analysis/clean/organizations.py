"""Clean `organizations` table from the curated registry `data/curated/organizations.csv`."""

from __future__ import annotations

import polars as pl

from analysis.clean.common import Ledger, Read, Sources, Step, StepResult
from analysis.core.schema import COUNTRY_BUCKETS, Column, Table
from analysis.curated.registry import COLUMNS, KINDS, Registry, bucket

FILE = "data/curated/organizations.csv"

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
        Column("kind", pl.String, "Kind of organization.", nullable=False, allowed=KINDS),
        Column("source", pl.String, "Where the country and kind come from.", nullable=False),
    ),
)

def clean(src: Sources, registry: Registry) -> StepResult:
    """`organizations` from the registry, with the aliases as written in its file."""
    _, df = src[FILE]
    aliases: dict[str, list[str]] = {name: [] for name in registry.orgs}
    for row in df.iter_rows(named=True):
        aliases[row["organization"]] = [a.strip() for a in row["aliases"].split("|") if a.strip()]
    rows = [
        dict(organization=o.name, aliases=aliases[o.name], country=o.country,
             country_bucket=bucket([o.country]), kind=o.kind, source=o.source)
        for o in registry.orgs.values()
    ]
    led = Ledger("organizations")
    led.count_in(FILE, len(rows))
    return led.result(ORGANIZATIONS, pl.DataFrame(rows, schema={c.name: c.dtype for c in ORGANIZATIONS.columns}),
                      one_row_per_record=False)


STEP = Step("organizations", clean, reads=(Read(FILE, "curated", tuple(COLUMNS)),), uses=("registry",))
