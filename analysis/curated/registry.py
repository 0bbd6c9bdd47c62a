"""The organization registry (`data/curated/organizations.csv`), curated by this project.

Each row is one organization: its canonical name, the exact variants upstream sources use for it
(`aliases`, separated by `|`), its country, its kind, and the source of those facts. Lookups are
case-insensitive and ignore surrounding whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.acquire.readers import read_curated_csv
from analysis.core import paths, vocab
from analysis.core.errors import InputError

KINDS = ("big tech", "startup", "company", "research lab", "academia", "government", "nonprofit")
COLUMNS = ["organization", "aliases", "country", "kind", "source"]

# Country -> bucket of the US-China comparison (Hong Kong counted with China): defined in analysis.core.vocab
BUCKET_OF_COUNTRY = vocab.BUCKET_OF_COUNTRY


class RegistryError(InputError):
    """A fault of data/curated/organizations.csv (an InputError: a clear one-line error, exit code 1)."""


@dataclass(frozen=True)
class Organization:
    name: str
    country: str
    kind: str
    source: str


def _key(s: str) -> str:
    return " ".join(s.split()).casefold()


@dataclass(frozen=True)
class Registry:
    orgs: dict[str, Organization]  # canonical name -> org
    lookup: dict[str, str]  # folded alias -> canonical name
    path: Path

    def resolve(self, name: str) -> Organization | None:
        canon = self.lookup.get(_key(name))
        return self.orgs[canon] if canon else None

    def unknown(self, names) -> list[str]:
        return sorted({n for n in names if n and self.resolve(n) is None})


def load(path: Path | None = None) -> Registry:
    path = path or paths.curated_dir() / "organizations.csv"
    orgs: dict[str, Organization] = {}
    lookup: dict[str, str] = {}
    label = _label(path)
    df = read_curated_csv(path, label, COLUMNS)
    for row in df.iter_rows(named=True):
        lineno = f"record {row['source_row']}"
        for col in COLUMNS:
            if not (row[col] or "").strip():
                raise RegistryError(f"{label}: {lineno}, column {col!r} is empty")
        name = row["organization"].strip()
        if row["kind"] not in KINDS:
            raise RegistryError(f"{label}: {lineno}, column 'kind': {row['kind']!r} not in {KINDS}")
        if name in orgs:
            raise RegistryError(f"{label}: {lineno}, column 'organization': {name!r} appears twice")
        orgs[name] = Organization(name, row["country"].strip(), row["kind"], row["source"].strip())
        for alias in {name, *row["aliases"].split("|")}:
            k = _key(alias)
            if not k:
                continue
            if lookup.get(k, name) != name:
                raise RegistryError(
                    f"{label}: {lineno}, column 'aliases': {alias!r} already names {lookup[k]!r}"
                )
            lookup[k] = name
    return Registry(orgs, lookup, path)


def _label(path: Path) -> str:
    """The file's name as the repo names it (data/curated/...) when it is the curated one, else its path."""
    try:
        return f"data/curated/{path.relative_to(paths.curated_dir())}"
    except ValueError:
        return str(path)


def bucket(countries: list[str]) -> str:
    """Country bucket of a model from the countries of its organizations.

    Both a US and a Chinese organization -> "US–China joint"; otherwise a US organization ->
    "United States"; a Chinese one -> "China"; none of the two -> "Other".
    """
    b = {BUCKET_OF_COUNTRY.get(c) for c in countries}
    if vocab.US in b and vocab.CHINA in b:
        return vocab.JOINT
    if vocab.US in b:
        return vocab.US
    if vocab.CHINA in b:
        return vocab.CHINA
    return vocab.OTHER
