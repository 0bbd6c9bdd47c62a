"""The curated tables every build step shares, loaded once by the build and passed to the steps.

The crosswalk and the dated aliases are not here: they are steps of the build (analysis.link.crosswalk_steps), which orders
them through `needs`. A test may still hand a step a crosswalk or aliases of its own: `Inputs(cw=..., aliases=...)`
gives them, and `analysis.store.build.run_step` then uses them instead of running the steps that provide them.

No module caches these (no `functools.cache` on environment-dependent paths): an `Inputs()` reads the current
`data/curated` (`ANALYSIS_CURATED_DIR`) and `data/external` (`ANALYSIS_EXTERNAL_DIR`) when a field is first used, and
keeps the result on this one object only. A test builds its own `Inputs(...)` from inline values.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.acquire.readers import curated_label, read_curated_csv
from analysis.core import paths
from analysis.core.errors import InputError
from analysis.curated import crosswalk, fx, registry

AUTHORS_FILE = "openrouter_authors.csv"  # in data/curated/
NAME_ORGS_FILE = "model_name_orgs.csv"  # in data/curated/
NAME_ORGS_COLUMNS = ["pattern", "organization", "source_url", "note"]


class Inputs:
    """Registry, FX table, price providers, OpenRouter authors and leaderboard name patterns.

    Each is read on first use (a build that runs only the events steps reads no FX table); a value given to
    the constructor is used as is. `cw` and `aliases` are kept in `given` (values of the link steps a test
    provides; see the module doc)."""

    def __init__(self, reg: registry.Registry | None = None, cw: crosswalk.Crosswalk | None = None,
                 aliases: tuple[crosswalk.AliasPeriod, ...] | None = None, fx_table: pl.DataFrame | None = None,
                 providers: dict[str, str] | None = None, authors: dict[str, str | None] | None = None):
        self.given = {k: v for k, v in (("crosswalk", cw), ("aliases", aliases)) if v is not None}
        for name, value in (("registry", reg), ("fx", fx_table), ("providers", providers), ("authors", authors)):
            if value is not None:
                self.__dict__[name] = value  # pre-empts the cached_property of that name

    @functools.cached_property
    def registry(self) -> registry.Registry:
        return registry.load()

    @functools.cached_property
    def name_orgs(self) -> tuple:
        """Name patterns -> organization for leaderboard names (data/curated/model_name_orgs.csv)."""
        return load_name_orgs(self.registry)

    @functools.cached_property
    def fx(self) -> pl.DataFrame:
        return fx.load()

    @functools.cached_property
    def providers(self) -> dict[str, str]:
        return load_providers(self.registry)

    @functools.cached_property
    def authors(self) -> dict[str, str | None]:
        return load_authors(self.registry)


def load_providers(reg: registry.Registry, path=None) -> dict[str, str]:
    """provider key -> canonical organization (data/curated/price_providers.csv, resolved through the registry)."""
    out = {}
    path = path or paths.curated_dir() / "price_providers.csv"
    label = curated_label(path)
    for row in read_curated_csv(path, label, ["provider", "organization", "source"]).iter_rows(named=True):
        rec = row["source_row"]
        if not row["provider"]:
            raise InputError(f"{label}: record {rec}, column 'provider': empty")
        org = reg.resolve(row["organization"] or "")
        if org is None:
            raise InputError(f"{label}: record {rec}, column 'organization': {row['organization']!r} not in the "
                             "registry")
        if row["provider"] in out:
            raise InputError(f"{label}: record {rec}, column 'provider': {row['provider']!r} appears twice")
        out[row["provider"]] = org.name
    return out


def load_authors(reg: registry.Registry, path=None) -> dict[str, str | None]:
    path = path or paths.curated_dir() / AUTHORS_FILE
    label = curated_label(path)
    out: dict[str, str | None] = {}
    # the project's curated-CSV reader: BOM accepted; empty, not UTF-8, NUL, ragged, cut short -> InputError
    for r in read_curated_csv(path, label, ["author", "organization", "note", "source"]).iter_rows(named=True):
        line = f"record {r['source_row']} (line {r['source_row'] + 1})"
        for col in ("author", "note", "source"):
            if not (r[col] or "").strip():
                raise InputError(f"{label}: {line}, column {col!r} is empty")
        name = (r["organization"] or "").strip() or None
        if name is not None and name not in reg.orgs:
            raise InputError(f"{label}: {line}, column 'organization': {name!r} is not an "
                             "organization of data/curated/organizations.csv")
        key = r["author"].strip().casefold()
        if key in out:
            raise InputError(f"{label}: {line}, column 'author': author {key!r} appears twice")
        out[key] = name
    return out


@dataclass(frozen=True)
class NameOrg:
    pattern: re.Pattern
    organization: str
    record: int = 0  # its record in data/curated/model_name_orgs.csv (for errors)


def load_name_orgs(reg: registry.Registry, path: Path | None = None) -> tuple[NameOrg, ...]:
    """Read and check data/curated/model_name_orgs.csv: every column required, the pattern a valid regular
    expression given once, the organization in the registry (its canonical name is kept), the source a URL."""
    path = path or paths.curated_dir() / NAME_ORGS_FILE
    label = curated_label(path)
    out: list[NameOrg] = []
    seen: set[str] = set()
    # the project's curated-CSV reader: BOM accepted; empty, not UTF-8, NUL, ragged, cut short -> InputError
    for r in read_curated_csv(path, label, NAME_ORGS_COLUMNS).iter_rows(named=True):
        where = f"record {r['source_row']} (line {r['source_row'] + 1})"
        row = {c: (r[c] or "").strip() for c in NAME_ORGS_COLUMNS}
        for c in NAME_ORGS_COLUMNS:
            if not row[c]:
                raise InputError(f"{label}: {where}, column {c!r} is empty")
        try:
            pattern = re.compile(row["pattern"])
        except re.error as e:
            raise InputError(f"{label}: {where}, column 'pattern': not a regular expression ({e})") from None
        if row["pattern"] in seen:
            raise InputError(f"{label}: {where}, column 'pattern': {row['pattern']!r} appears twice")
        seen.add(row["pattern"])
        org = reg.resolve(row["organization"])
        if org is None:
            raise InputError(f"{label}: {where}, column 'organization': {row['organization']!r} is not an "
                             "organization of data/curated/organizations.csv")
        if not row["source_url"].startswith(("https://", "http://")):
            raise InputError(f"{label}: {where}, column 'source_url': {row['source_url']!r} is not a URL")
        out.append(NameOrg(pattern, org.name, r["source_row"]))
    return tuple(out)


def org_of(name: str, rules: tuple[NameOrg, ...] | list[NameOrg]) -> str | None:
    """Organization of a leaderboard name: the first rule whose pattern matches the start of its norm_key."""
    k = crosswalk.norm_key(name)
    return next((r.organization for r in rules if r.pattern.match(k)), None)

