"""One definition per vocabulary item: country buckets, event jurisdictions and kinds, capability metric ids and
their display names are typed only in analysis/core/vocab.py."""

from __future__ import annotations

import ast
from pathlib import Path

from analysis.core import vocab

ROOT = Path(__file__).resolve().parent.parent / "analysis"
EXEMPT = {"vocab.py"}

# every item of the shared vocabulary, as the string it is
ITEMS = {
    *vocab.COUNTRY_BUCKETS, *vocab.JURISDICTIONS, *vocab.JURISDICTION_NAMES.values(), *vocab.EVENT_KINDS,
    *vocab.METRICS, *vocab.METRIC_NAMES.values(),
}
# a few items are also ordinary words of another vocabulary; these uses are that other meaning, by file:
OTHER_MEANING = {
    "clean/models.py": {vocab.METRIC_ECI},  # release_date_source 'eci' (the date's origin, not the metric)
    "clean/eci.py": {vocab.METRIC_ECI},  # the capability rows' release_date_basis 'eci' (the date's origin)
    "curated/crosswalk.py": {vocab.METRIC_ECI},  # the crosswalk model's origin
    "figures/prices.py": {vocab.METRIC_ECI},  # the column 'eci' of the price-per-capability points
    "metrics/prices.py": {vocab.METRIC_ECI},  # the same column
    "site/claims.py": {vocab.JURISDICTION_US},  # the adjective in prose ('US' vs 'Chinese')
    "curated/reported_counts.py": {vocab.JURISDICTION_US, vocab.JURISDICTION_CN},  # the curated file's country codes
}


def retyped_literals(source: str, filename: str = "<string>", items=frozenset(ITEMS)) -> list[tuple[int, str]]:
    """(line, literal) of every string constant that spells a vocabulary item (docstrings and prose that merely
    contain the word are not constants equal to it)."""
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source, filename))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in items]


def test_detector_finds_a_retyped_bucket():
    assert retyped_literals('x = "China"\ny = {"Other": 1}\nz = "China rising"\n') == [(1, "China"), (2, "Other")]


def test_detector_finds_a_retyped_jurisdiction_kind_and_metric():
    src = 'a = ["export control"]\nb = {"INTL": 1}\ndef f(metric="lmarena_text"): ...\nc = "exports"\n'
    assert retyped_literals(src) == [(1, "export control"), (2, "INTL"), (3, "lmarena_text")]


def test_vocabulary_items_are_distinct_and_used_by_the_schema():
    from analysis.clean.capability import CAPABILITY
    from analysis.clean.events import EVENTS

    assert len(set(vocab.EVENT_KINDS)) == len(vocab.EVENT_KINDS)
    assert set(vocab.JURISDICTION_NAMES) == set(vocab.JURISDICTIONS)
    assert {m for m in vocab.METRICS if not m.startswith("livebench")} <= set(vocab.METRIC_NAMES)
    cols = {t.name: {c.name: c for c in t.columns} for t in (CAPABILITY, EVENTS)}
    assert cols["capability"]["metric"].allowed == vocab.METRICS
    assert cols["events"]["kind"].allowed == vocab.EVENT_KINDS
    assert cols["events"]["jurisdiction"].allowed == vocab.JURISDICTIONS


def test_no_retyped_vocabulary_in_analysis():
    found = []
    for p in sorted(ROOT.rglob("*.py")):
        rel = p.relative_to(ROOT).as_posix()
        if p.name in EXEMPT:
            continue
        items = frozenset(ITEMS - OTHER_MEANING.get(rel, set()))
        found += [f"analysis/{rel}:{line}: {lit!r}" for line, lit in retyped_literals(p.read_text(encoding="utf-8"),
                                                                                       str(p), items)]
    assert not found, "use analysis.core.vocab instead of:\n" + "\n".join(found)


def test_other_meanings_are_still_there():
    """The allowance above names only uses that exist (a stale entry would hide a future retyped literal)."""
    for rel, lits in OTHER_MEANING.items():
        got = {lit for _, lit in retyped_literals((ROOT / rel).read_text(encoding="utf-8"), rel)}
        assert lits <= got, (rel, lits - got)


def test_every_domain_of_the_models_table_is_in_the_vocabulary(built):
    """release_pace's `domain` is checked against vocab.DOMAINS without reading the data (issue 31)."""
    used = set(built["models"]["domains"].explode().drop_nulls().to_list())
    assert used <= set(vocab.DOMAINS), sorted(used - set(vocab.DOMAINS))
    assert len(set(vocab.DOMAINS)) == len(vocab.DOMAINS)
