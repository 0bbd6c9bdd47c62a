"""The reports the site builds: one `ReportSpec` per `[[report]]` of notebooks/reports.toml.

A leaf module (it imports only `analysis.core.paths`), so the report build, the site's navigation and the index
read the same list without importing each other.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core import paths


@dataclass
class ReportSpec:
    name: str
    notebook: str
    title: str
    parameters: dict = field(default_factory=dict)


def parse_value(text: str):
    """A -p value: JSON when it parses (numbers, true/false, null, lists, quoted strings), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def load_specs(path: Path | None = None) -> list[ReportSpec]:
    path = path or paths.notebooks_dir() / "reports.toml"
    with open(path, "rb") as f:
        data = tomllib.load(f)
    if "site" in data:  # the site's own settings (analysis/site/params/site.py): checked before any work
        from analysis.site import freshness

        freshness.check_settings(data["site"], path.name)
    specs = []
    for r in data.get("report", []):
        unknown = set(r) - {"name", "notebook", "title", "parameters"}
        if unknown:
            raise ValueError(f"{path}: report {r.get('name')!r}: unknown key(s) {sorted(unknown)} (a report's "
                             f"sources are read from the rows it loads, not listed here)")
        specs.append(ReportSpec(**r))
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: report names repeat: {names}")
    for s in specs:
        if not (paths.notebooks_dir() / s.notebook).is_file():
            raise ValueError(f"{path}: report {s.name!r}: notebook {s.notebook!r} not found in notebooks/")
    return specs
