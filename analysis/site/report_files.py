"""Tables a report publishes as files beside its chart CSVs (e.g. the replication's `figures.csv`).

A notebook does not write into `reports/`: a report's data files live in a new build folder of each build
(`reports/data/<report>/<build id>/`, analysis.site.chart_data), which the kernel cannot know, and a file written into
the folder `reports/<report>` pointed to before the build is removed with that old folder when the page switches.
So a notebook calls `publish("figures.csv", frame)`, which only keeps the CSV text in the kernel; the report
build asks the kernel for it after the last cell (with the tables it loaded, analysis.site.report) and writes each
file into the new build folder before the page that links it (analysis.site.pages.finish_report). Page, chart CSVs and
published files switch as one set, and `reports/<report>/<name>` is the current file. In JupyterLab nothing is
written (use the table itself, or write it where you like).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.atomic import write_text

if TYPE_CHECKING:  # the report build imports this module: no polars on its parameter-checking path
    import polars as pl

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,60}\.csv")
RESERVED = re.compile(r"chart-\d+\.csv")  # the chart CSVs' names (analysis.site.chart_data)
PUBLISHED: dict[str, str] = {}  # file name -> CSV text, in the order published (this process)


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or RESERVED.fullmatch(name):
        raise ValueError(f"published file name {name!r}: use a plain lower-case name ending in .csv "
                         f"(letters, digits, _ and -), not chart-<n>.csv")
    return name


def publish(name: str, frame: pl.DataFrame) -> str:
    """Keep `frame` as `name` (a CSV) to be written beside the report's chart CSVs; returns the name."""
    PUBLISHED[check_name(name)] = frame.write_csv()
    return name


def published() -> dict[str, str]:
    """What this process published: {file name: CSV text}."""
    return dict(PUBLISHED)


def write_files(build: Path, files: dict[str, str] | None) -> list[Path]:
    """Write the published files into a report's build folder (names checked again: they come from a kernel)."""
    out = []
    for name, text in (files or {}).items():
        if not isinstance(text, str):
            raise ValueError(f"published file {name!r}: not CSV text")
        target = Path(build) / check_name(name)
        write_text(target, text)
        out.append(target)
    return out
