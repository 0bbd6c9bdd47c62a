"""`python -m analysis check`: run every cleaning step in memory and check every output against its schema.

Writes nothing. Exit 0 when the curated CSVs and the fetched snapshots pass; else the error names the
file, row and column.
"""

from __future__ import annotations

import io
import sys

from analysis.curated import regions, registry
from analysis.store import build


def main() -> int:
    registry.load()  # the curated registry: header, kinds, unique aliases
    results = build.run_steps(out=io.StringIO())
    for name, r in results.items():
        print(f"ok  {name:<16} {len(r.df):>7} rows, {len(r.quarantine):>5} quarantined")
    checked = regions.check()  # every registry/ATOM region disagreement has its curated reason
    print(f"ok  regions          {len(checked):>7} organisations vs ATOM, {(~checked['agrees']).sum()} disagreements "
          "with reasons")
    return 0


if __name__ == "__main__":
    sys.exit(main())
