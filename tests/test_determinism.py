"""Every run of the same code on the same data gives the same numbers, to the last bit.

polars's hash tables are seeded afresh in every process, so a `group_by` hands its groups back in a different
order each run; a sum over those groups (a share, a `.sum().over(...)`, a second aggregation) then adds the same
floats in another order and can differ in the last bit, and a chart CSV diff between two builds would show noise
where nothing changed. The project's rule: every `group_by` in analysis/ keeps the groups in input order
(`maintain_order=True`), so the order of every later sum follows the (deterministic) order of the data.

`unique` has the same hash tables: its values come back in any order unless `maintain_order=True`, and with a
subset of columns it keeps *any* row of each key unless `keep` says which. So every `unique` in analysis/ keeps
the input order, and one on a subset names the row it keeps (`keep="first"`, after a sort when it selects)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"


def _keeps_order(node: ast.Call) -> bool:
    return any(k.arg == "maintain_order" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in node.keywords)


def unordered_group_bys(source: str) -> list[int]:
    """Line numbers of the `.group_by(...)` calls in `source` that do not pass maintain_order=True."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "group_by"
            and not _keeps_order(node)]


def loose_uniques(source: str) -> list[int]:
    """Line numbers of the `.unique(...)` calls in `source` (numpy's `np.unique` aside) that do not pass
    maintain_order=True, or that take a subset of columns without saying which row they keep (`keep` other than
    "any")."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "unique"):
            continue
        if isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"):
            continue
        keep = next((k.value for k in node.keywords if k.arg == "keep"), None)
        subset = bool(node.args) or any(k.arg == "subset" for k in node.keywords)
        loose_keep = subset and (keep is None or (isinstance(keep, ast.Constant) and keep.value == "any"))
        if not _keeps_order(node) or loose_keep:
            out.append(node.lineno)
    return out


def test_the_rule_finds_a_unique_that_leaves_order_or_row_to_chance():
    code = ("a = s.unique()\n"
            "b = s.unique(maintain_order=True)\n"
            "c = df.unique('x', maintain_order=True)\n"
            "d = df.unique(['x'], keep='first', maintain_order=True)\n"
            "e = df.unique(subset='x', keep='any', maintain_order=True)\n"
            "f = pl.col('x').list.unique(maintain_order=False)\n"
            "g = np.unique(values)\n")
    assert loose_uniques(code) == [1, 3, 5, 6]


def test_every_unique_of_the_package_keeps_the_order_and_names_its_row():
    found = [f"{p.relative_to(PACKAGE.parent)}:{line}" for p in sorted(PACKAGE.rglob("*.py"))
             if "__pycache__" not in p.parts for line in loose_uniques(p.read_text(encoding="utf-8"))]
    assert found == [], "unique without maintain_order=True or keep (see this module's docstring): " + ", ".join(found)


def test_the_rule_finds_a_group_by_that_does_not_keep_the_order():
    code = ("a = df.group_by('x').agg(pl.len())\n"
            "b = df.group_by('x', maintain_order=True).agg(pl.len())\n"
            "c = df.group_by('x', maintain_order=False).len()\n")
    assert unordered_group_bys(code) == [1, 3]


def test_every_group_by_of_the_package_keeps_the_input_order():
    found = [f"{p.relative_to(PACKAGE.parent)}:{line}" for p in sorted(PACKAGE.rglob("*.py"))
             if "__pycache__" not in p.parts for line in unordered_group_bys(p.read_text(encoding="utf-8"))]
    assert found == [], "group_by without maintain_order=True (see this module's docstring): " + ", ".join(found)


# sums over the groups of an earlier group_by: these differed in the last bit between two builds before the rule
SUMS = """
import hashlib
from analysis.metrics import openrouter, pace
from analysis.store import tables
models = tables.load("models")
frames = [pace.concentration(models, tables.load("organizations")),
          openrouter.category_shares(tables.load("openrouter_categories")),
          openrouter.api_vs_downloads(tables.load("openrouter_weekly"), tables.load("adoption"))]
print(hashlib.sha256("".join(f.write_csv() for f in frames).encode()).hexdigest())  # floats round-trip
"""


def test_sums_over_groups_are_the_same_in_every_process():
    runs = [subprocess.run([sys.executable, "-c", SUMS], capture_output=True, text=True, timeout=300,
                           cwd=PACKAGE.parent) for _ in range(3)]
    assert all(r.returncode == 0 for r in runs), [r.stderr[-2000:] for r in runs]
    assert len({r.stdout.strip() for r in runs}) == 1
