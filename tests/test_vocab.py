"""One definition per vocabulary item: a country bucket is typed only in analysis/vocab.py."""

from __future__ import annotations

import ast
from pathlib import Path

from analysis import vocab

ROOT = Path(__file__).resolve().parent.parent / "analysis"
# the publishing layer's site.py is being rewritten on a parallel branch; it joins the rule when that lands
EXEMPT = {"vocab.py"}


def retyped_literals(source: str, filename: str = "<string>") -> list[tuple[int, str]]:
    """(line, literal) of every string constant that spells a country bucket (docstrings and prose that merely
    contain the word are not constants equal to it)."""
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source, filename))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in vocab.COUNTRY_BUCKETS]


def test_detector_finds_a_retyped_bucket():
    assert retyped_literals('x = "China"\ny = {"Other": 1}\nz = "China rising"\n') == [(1, "China"), (2, "Other")]


def test_no_retyped_country_bucket_in_analysis():
    found = [f"{p.relative_to(ROOT.parent)}:{line}: {lit!r}" for p in sorted(ROOT.rglob("*.py"))
             if p.name not in EXEMPT for line, lit in retyped_literals(p.read_text(encoding="utf-8"), str(p))]
    assert not found, "use analysis.vocab instead of:\n" + "\n".join(found)
