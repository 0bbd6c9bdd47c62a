"""The curated tables every build step shares, loaded once by the build and passed to the steps.

No module caches these (no `functools.cache` on environment-dependent paths): an `Inputs()` reads the current
`data/curated` (`ANALYSIS_CURATED_DIR`) and `data/external` (`ANALYSIS_EXTERNAL_DIR`) when a field is first used, and
keeps the result on this one object only. A test builds its own `Inputs(...)` from inline values.
"""

from __future__ import annotations

import functools

import polars as pl

from analysis import crosswalk, fx, registry


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
        from analysis.clean import prices
        return prices.load_providers(self.registry)

    @functools.cached_property
    def authors(self) -> dict[str, str | None]:
        from analysis.clean import openrouter
        return openrouter.load_authors(self.registry)
