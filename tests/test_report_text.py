"""Reports named by their parameters: titles, questions and card summaries follow them, and speak to readers."""

from __future__ import annotations

import re

import pytest

from analysis.site import index_page, report_specs, report_text

SPECS = report_specs.load_specs()
ACRONYMS = {"API", "ECI", "CNY", "USD", "LLM", "HHI", "CAC", "MIIT", "CAICT", "WAIC"}


def _full(spec):
    nb = spec.notebook.removesuffix(".ipynb")
    return nb, report_text.full_parameters(nb, spec.parameters)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_title_and_summary_follow_the_parameters(spec):
    nb, p = _full(spec)
    text = report_text.summary(nb, p)
    assert text, spec.name
    if nb == "performance_per_dollar":
        pct = f"{p['threshold']:.0%}"
        for t in (spec.title, text, report_text.question(nb, p)):
            assert pct in t and p["currency"] in t
            assert all(x == pct for x in re.findall(r"\d+%", t.split("share")[0])), t  # no other threshold
    if nb == "price_war":
        for t in (spec.title, text, report_text.question(nb, p)):
            assert p["currency"] in t
        assert f"ECI {p['eci_threshold']:g}" in text
    if nb == "catch_up":
        assert report_text.metric_name(p["metric"]) in text


def test_the_90_percent_variant_never_says_95():
    spec = next(s for s in SPECS if s.name == "performance_per_dollar_aa_cny")
    nb, p = _full(spec)
    for t in (spec.title, report_text.summary(nb, p), report_text.question(nb, p)):
        assert "95%" not in t and "90%" in t and "CNY" in t


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_card_summaries_speak_to_readers(spec):
    nb, p = _full(spec)
    text = report_text.summary(nb, p)
    assert not re.search(r"analysis[/.]|\.py\b|`", text), text  # no module names
    shouted = set(re.findall(r"\b[A-Z]{3,}\b", text)) - ACRONYMS
    assert not shouted, (shouted, text)  # "ONE", "NOT": no shouting; acronyms are fine


def test_cards_follow_the_order_of_the_claims():
    order = sorted(({"name": s.name, "notebook": s.notebook, "parameters": s.parameters} for s in SPECS),
                   key=index_page._card_order)
    names = [r["name"] for r in order]
    assert names.index("release_pace") < names.index("catch_up") < names.index("price_war") \
        < names.index("performance_per_dollar") < names.index("policy_timeline") < names.index("adoption") \
        < names.index("replication")
    assert names.index("release_pace") < names.index("release_pace_language_quarterly")  # default first


def test_a_command_line_variant_is_summarised_by_its_own_parameters():
    v = {"name": "ppd80", "base": "performance_per_dollar", "notebook": "performance_per_dollar.ipynb",
         "parameters": {"threshold": 0.8, "currency": "CNY"}, "status": "ok"}
    html = index_page.render_index(dict(built_at="now", reports={}, variants={"ppd80": v}))
    item = html[html.index('data-variant="ppd80"'):].split("</li>")[0]
    assert "80% of the best US model" in item and "CNY" in item and "95%" not in item
