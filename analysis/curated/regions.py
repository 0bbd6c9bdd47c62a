"""The organization registry checked against the ATOM Project's Hugging Face organisation regions.

ATOM (`adoption/interconnects-ai_tracked-models/organization_regions.csv`, Apache-2.0) gives each Hub
organisation a region (us, china, eu, other, unknown). For the organisations the registry also knows (the Hub
namespace resolves through its aliases), the registry's country is mapped to the same regions and compared.
Every disagreement must have a row in `data/curated/region_disagreements.csv` saying why the registry keeps its value;
`compare` raises when one is missing or when a listed one no longer disagrees (the list stays current).
"""

from __future__ import annotations

import polars as pl

from analysis.acquire.readers import curated_label, read_csv_strings, read_curated_csv
from analysis.core import paths, vocab
from analysis.core.errors import InputError
from analysis.curated import registry

ATOM_FILE = "adoption/interconnects-ai_tracked-models/organization_regions.csv"
REASONS_FILE = "region_disagreements.csv"  # in data/curated/
EU = frozenset({"Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia", "Finland",
                "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia", "Lithuania", "Luxembourg",
                "Malta", "Netherlands", "Poland", "Portugal", "Romania", "Slovakia", "Slovenia", "Spain", "Sweden"})


def region_of_country(country: str) -> str:
    if country == vocab.US:
        return "us"
    if registry.BUCKET_OF_COUNTRY.get(country) == vocab.CHINA:
        return "china"
    return "eu" if country in EU else "other"


def load_reasons(path=None) -> dict[str, str]:
    path = path or paths.curated_dir() / REASONS_FILE
    label = curated_label(path)
    out: dict[str, str] = {}
    # the project's curated-CSV reader: BOM accepted; empty, not UTF-8, NUL, ragged, cut short -> InputError
    for r in read_curated_csv(path, label, ["organization", "reason"]).iter_rows(named=True):
        line = f"record {r['source_row']} (line {r['source_row'] + 1})"
        if not (r["organization"] or "").strip() or not (r["reason"] or "").strip():
            raise InputError(f"{label}: {line}: empty organization or reason")
        if r["organization"].strip() in out:
            raise InputError(f"{label}: {line}, column 'organization': {r['organization'].strip()!r} appears twice")
        out[r["organization"].strip()] = r["reason"].strip()
    return out


def compare(atom: pl.DataFrame, reg: registry.Registry, reasons: dict[str, str]) -> pl.DataFrame:
    """One row per ATOM organisation the registry knows: both regions, agreement, and the registry's reason."""
    rows = []
    for r in atom.iter_rows(named=True):
        org = reg.resolve(r["hf_org"])
        if org is None:
            continue
        reg_region = region_of_country(org.country)
        agrees = reg_region == r["region"]
        rows.append(dict(organization=org.name, hf_org=r["hf_org"], registry_country=org.country,
                         registry_region=reg_region, atom_region=r["region"], atom_notes=r["notes"] or None,
                         agrees=agrees, registry_source=org.source, reason=None if agrees else reasons.get(org.name)))
    out = pl.DataFrame(rows, schema={"organization": pl.String, "hf_org": pl.String, "registry_country": pl.String,
                                     "registry_region": pl.String, "atom_region": pl.String, "atom_notes": pl.String,
                                     "agrees": pl.Boolean, "registry_source": pl.String, "reason": pl.String})
    missing = out.filter(~pl.col("agrees") & pl.col("reason").is_null())["organization"].to_list()
    if missing:
        raise InputError(f"data/curated/{REASONS_FILE}: no reason for the registry's value of {missing} "
                         f"(the registry disagrees with {ATOM_FILE})")
    stale = sorted(set(reasons) - set(out.filter(~pl.col("agrees"))["organization"].to_list()))
    if stale:
        raise InputError(f"data/curated/{REASONS_FILE}: {stale} no longer disagree with {ATOM_FILE}; remove the rows")
    return out.sort("agrees", "organization")


def check() -> pl.DataFrame:
    atom = read_csv_strings(ATOM_FILE, ["hf_org", "region", "notes"])
    return compare(atom, registry.load(), load_reasons())
