"""The curated tables every build step shares, loaded once by the build and passed to the steps.

No module caches these (no `functools.cache` on environment-dependent paths): an `Inputs()` reads the current
`data/curated` (`ANALYSIS_CURATED_DIR`) and `data/external` (`ANALYSIS_EXTERNAL_DIR`) when a field is first used, and
keeps the result on this one object only. A test builds its own `Inputs(...)` from inline values.
"""

from __future__ import annotations

import functools

import polars as pl

from analysis import crosswalk, fx, paths, registry
from analysis.clean.common import InputError, curated_label, read_curated_csv

AUTHORS_FILE = "openrouter_authors.csv"  # in data/curated/


class Inputs:
    """Registry, model crosswalk, dated API aliases, FX table, price providers and OpenRouter authors.

    Each is read on first use (a build that runs only the events steps reads no crosswalk); a value given to
    the constructor is used as is."""

    def __init__(self, reg: registry.Registry | None = None, cw: crosswalk.Crosswalk | None = None,
                 aliases: tuple[crosswalk.AliasPeriod, ...] | None = None, fx_table: pl.DataFrame | None = None,
                 providers: dict[str, str] | None = None, authors: dict[str, str | None] | None = None):
        for name, value in (("registry", reg), ("crosswalk", cw), ("aliases", aliases), ("fx", fx_table),
                            ("providers", providers), ("authors", authors)):
            if value is not None:
                self.__dict__[name] = value  # pre-empts the cached_property of that name

    @functools.cached_property
    def registry(self) -> registry.Registry:
        return registry.load()

    @functools.cached_property
    def crosswalk(self) -> crosswalk.Crosswalk:
        return crosswalk.load(self.registry)

    @functools.cached_property
    def aliases(self) -> tuple[crosswalk.AliasPeriod, ...]:
        return tuple(crosswalk.load_aliases(known_ids=set(self.crosswalk.model_ids())))

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
