"""The front page's claims table: each verdict rule on small inputs, and the table rebuilt from the clean tables."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest

from analysis.core import vocab
from analysis.site import claims, index_page, report_specs
from analysis.site.claims import NOT_MEASURABLE, NOT_SUPPORTED, PARTLY, SUPPORTED

D = dt.date


# --- each rule, branch by branch -------------------------------------------------------------------------------

@pytest.mark.parametrize("n, want", [
    (dict(filed=1600, orgs_cn=20, orgs_us=10), SUPPORTED),
    (dict(filed=1600, orgs_cn=5, orgs_us=10), PARTLY),
    (dict(filed=868, orgs_cn=5, orgs_us=10), PARTLY),  # a third of the claim
    (dict(filed=100, orgs_cn=11, orgs_us=10), PARTLY),
    (dict(filed=100, orgs_cn=5, orgs_us=10), NOT_SUPPORTED),
    (dict(filed=None, orgs_cn=5, orgs_us=10), NOT_MEASURABLE),
])
def test_verdict_models(n, want):
    assert claims.verdict_models(n) == want


@pytest.mark.parametrize("n, want", [
    (dict(found=True, days=6, matched_lab="Alibaba"), SUPPORTED),
    (dict(found=True, days=13, matched_lab="Alibaba"), PARTLY),
    (dict(found=True, days=3, matched_lab="DeepSeek"), NOT_SUPPORTED),
    (dict(found=True, days=45, matched_lab="Alibaba"), NOT_SUPPORTED),
    (dict(found=True, days=None, matched_lab=None), NOT_SUPPORTED),
    (dict(found=False), NOT_MEASURABLE),
])
def test_verdict_kimi(n, want):
    assert claims.verdict_kimi(n) == want


def _fit(low, cheapest):
    return dict(factor_per_year=2.0, factor_low=low, factor_high=4.0, cheapest=cheapest)


@pytest.mark.parametrize("cn, us, want", [
    (_fit(1.5, 0.1), _fit(1.2, 0.5), SUPPORTED),
    (_fit(1.5, 0.9), _fit(1.2, 0.5), PARTLY),  # falls, not cheaper
    (_fit(0.9, 0.1), _fit(1.2, 0.5), PARTLY),  # cheaper, fall not shown
    (_fit(0.9, 0.5), _fit(1.2, 0.5), NOT_SUPPORTED),  # equal price is not cheaper
    (dict(factor_per_year=None, reason="3 points"), _fit(1.2, 0.5), NOT_MEASURABLE),
])
def test_verdict_prices(cn, us, want):
    assert claims.verdict_prices(dict(cn=cn, us=us)) == want


@pytest.mark.parametrize("row, want", [
    (dict(met=True, price_share=0.20), SUPPORTED),
    (dict(met=True, price_share=0.35), PARTLY),
    (dict(met=False, price_share=None), NOT_SUPPORTED),
    (None, NOT_MEASURABLE),
])
def test_verdict_perf(row, want):
    assert claims.verdict_perf(dict(cn_for_us=row)) == want


@pytest.mark.parametrize("n, want", [
    (dict(open_cn=0.8, open_us=0.2, dl_cn=0.5, dl_us=0.4), SUPPORTED),
    (dict(open_cn=0.8, open_us=0.2, dl_cn=0.3, dl_us=0.6), PARTLY),
    (dict(open_cn=0.1, open_us=0.2, dl_cn=0.3, dl_us=0.6), NOT_SUPPORTED),
    (dict(open_cn=None, open_us=0.2, dl_cn=0.3, dl_us=0.6), NOT_MEASURABLE),
])
def test_verdict_open(n, want):
    assert claims.verdict_open(n) == want


@pytest.mark.parametrize("n, want", [
    (dict(found=True, complete=True, before=3, after=7), PARTLY),  # never more than partly: a count is no cause
    (dict(found=True, complete=True, before=7, after=7), NOT_SUPPORTED),
    (dict(found=True, complete=False, before=3, after=7), NOT_MEASURABLE),
    (dict(found=False), NOT_MEASURABLE),
])
def test_verdict_h20(n, want):
    assert claims.verdict_h20(n) == want


@pytest.mark.parametrize("n, want", [
    (dict(early_months=12.0, recent_months=7.0), SUPPORTED),
    (dict(early_months=7.0, recent_months=7.5), PARTLY),
    (dict(early_months=5.0, recent_months=9.0), NOT_SUPPORTED),
    (dict(early_months=None, recent_months=9.0), NOT_MEASURABLE),
])
def test_verdict_catchup(n, want):
    assert claims.verdict_catchup(n) == want


@pytest.mark.parametrize("n, want", [
    (dict(cn_first=0.1, cn_last=0.6, us_upper_last=0.5), SUPPORTED),
    (dict(cn_first=0.1, cn_last=0.45, us_upper_last=0.55), PARTLY),
    (dict(cn_first=0.5, cn_last=0.45, us_upper_last=0.55), NOT_SUPPORTED),
    (dict(cn_last=None), NOT_MEASURABLE),
])
def test_verdict_default(n, want):
    assert claims.verdict_default(n) == want


# --- measured on small inline frames ---------------------------------------------------------------------------

def _cap_rows(rows):
    """A capability table of (model, lab, country, release date, eci score) rows."""
    return pl.DataFrame([dict(model_id=m.lower().replace(" ", "-"), model=m, organizations=[lab], country_bucket=c,
                              release_date=d, metric="eci", score=s, ci_low=None, ci_high=None, source_model=m,
                              source_file="epoch/x.csv", source_row=i, as_of=D(2025, 12, 31), estimated=False)
                         for i, (m, lab, c, d, s) in enumerate(rows, start=1)],
                        schema_overrides={"ci_low": pl.Float64, "ci_high": pl.Float64})


@pytest.mark.parametrize("answer_day, want", [(D(2025, 7, 17), SUPPORTED), (D(2025, 7, 25), PARTLY),
                                              (D(2025, 9, 30), NOT_SUPPORTED)])
def test_kimi_claim_on_a_small_capability_table(monkeypatch, answer_day, want):
    monkeypatch.setattr(claims, "_params", lambda r, opts=None: dict(metric="eci", start_date="2025-01-01", end_date=None,
                                                          scope="lab", rival="same_country", include_estimated=True,
                                                          example="Kimi K2"))
    cap = _cap_rows([("Old", "Moonshot AI", vocab.CHINA, D(2025, 1, 1), 100.0),
                     ("Kimi K2", "Moonshot AI", vocab.CHINA, D(2025, 7, 12), 140.0),
                     ("Qwen3", "Alibaba", vocab.CHINA, answer_day, 141.0)])
    c = claims.claim_kimi(claims.Data(capability=cap))
    assert c.verdict == want and c.numbers["matched_lab"] == "Alibaba"
    assert str(answer_day) in c.finding


def test_kimi_claim_without_kimi_is_not_measurable(monkeypatch):
    monkeypatch.setattr(claims, "_params", lambda r, opts=None: dict(metric="eci", start_date="2025-01-01", end_date=None,
                                                          scope="lab", rival="same_country", include_estimated=True,
                                                          example="Kimi K2"))
    cap = _cap_rows([("Qwen3", "Alibaba", vocab.CHINA, D(2025, 7, 1), 141.0)])
    assert claims.claim_kimi(claims.Data(capability=cap)).verdict == NOT_MEASURABLE


def test_default_claim_on_a_small_openrouter_table():
    weeks = [D(2025, 5, 5), D(2025, 5, 12)]
    rows = []
    for w, (cn, us, rem) in zip(weeks, [(10.0, 85.0, 5.0), (60.0, 35.0, 5.0)], strict=True):
        rows += [dict(week_start=w, complete=True, partial_reason=None, origin=o, tokens_b=t)
                 for o, t in ((vocab.CHINA, cn), (vocab.US, us), ("remainder", rem))]
    from analysis.metrics import openrouter as orm

    weekly = pl.DataFrame(rows).with_columns(pl.col("origin").replace({"remainder": orm.REMAINDER}))
    hub = pl.DataFrame(dict(lab_id=["a", "b"], country_bucket=[vocab.CHINA, vocab.US], in_upstream_panel=[True, True],
                            week_date=[D(2024, 6, 3), D(2024, 6, 3)], repos_week=[1, 1], models_week=[1, 1],
                            downloads_week=[30, 70]))
    c = claims.claim_default(claims.Data(openrouter_weekly=weekly, adoption=hub))
    assert c.verdict == SUPPORTED and "10% to 60%" in c.finding  # 60% > 35% + 5% unassigned


# --- the table rebuilt from the real clean tables ---------------------------------------------------------------

def _headings(notebook: str) -> set[str]:
    nb = json.loads((report_specs.paths.notebooks_dir() / notebook).read_text(encoding="utf-8"))
    return {line.lstrip("#").strip() for c in nb["cells"] if c["cell_type"] == "markdown"
            for line in "".join(c["source"]).splitlines() if line.startswith("#")}


def test_claims_table_from_the_clean_tables_follows_each_rule(built):
    got = claims.claims()
    assert [c.key for c in got] == ["models", "kimi", "prices", "perf", "open", "h20", "catchup", "default",
                                      "coding", "context", "versatile",
                                      "selfreliance", "curtain", "control", "south"]
    specs = {s.name: s for s in report_specs.load_specs()}
    for c in got:
        assert c.verdict in claims.VERDICTS
        assert c.verdict == claims.VERDICT_OF[c.key](c.numbers), c.key  # the verdict is the rule's
        assert re.search(r"\d", c.finding) and re.search(r"\d{4}", c.date), c  # a number and its date
        assert c.report in specs and c.section in _headings(specs[c.report].notebook), c.href  # the link's target
    by = {c.key: c for c in got}
    # the first claim shows the curated official count beside the measured ones
    assert "1,509" in by["models"].finding and f"{by['models'].numbers['filed']:,}" in by["models"].finding
    # the 95%-for-20% answer is given both ways
    assert by["perf"].numbers["cn_for_us"] is not None and by["perf"].numbers["us_for_cn"] is not None
    assert "The reverse" in by["perf"].finding
    # the words say the numbers the rule judged
    n = by["perf"].numbers["cn_for_us"]
    if n["met"]:
        assert f"for {n['price_share']:.0%} of its price" in by["perf"].finding
    else:
        assert f"no priced Chinese model reaches 95% of {n['leader_model']}" in by["perf"].finding
    k = by["kimi"].numbers
    assert f"{k['days']} days" in by["kimi"].finding and k["matched_lab"] in by["kimi"].finding
    d = by["default"].numbers
    assert f"to {d['cn_last']:.0%}" in by["default"].finding and f"up to {d['us_upper_last']:.0%}" in by["default"].finding
    o = by["open"].numbers
    assert f"{o['open_cn']:.0%} of Chinese vs {o['open_us']:.0%} of US" in by["open"].finding
    h = by["h20"].numbers
    assert f"{h['before']} vs {h['after']}" in by["h20"].finding
    c = by["catchup"].numbers
    assert f"{c['early_months']:.1f} months in the first year" in by["catchup"].finding
    assert f"{c['recent_months']:.1f} months in the last 12 months" in by["catchup"].finding


def test_index_renders_the_claims_first_and_orders_cards_by_claim():
    rep = {n: {"name": n, "title": n, "notebook": nb, "parameters": {}, "snapshots": {}, "status": "ok",
               "built_at": "now"}
           for n, nb in (("adoption", "adoption.ipynb"), ("release_pace", "release_pace.ipynb"),
                         ("price_war", "price_war.ipynb"))}
    rows = [dict(key="models", quote="q <b>", finding="f 1", date="2025", verdict=PARTLY, rule="r",
                 report="release_pace", section="Open weights", href="release_pace.html#Open-weights")]
    html = index_page.render_index(dict(built_at="now", reports=rep, claims=rows))
    assert html.index('data-section="claims"') < html.index('data-report="release_pace"')
    assert html.index('data-report="release_pace"') < html.index('data-report="price_war"') < \
        html.index('data-report="adoption"')
    assert "q &lt;b&gt;" in html and 'href="#claim-models">claim 1</a>' in html
    assert "1 claims:</strong> 1 partly supported." in html


def test_price_war_and_the_front_page_share_one_headline_function_with_providers(built):
    """The front page's price claim and the price_war chart both call metrics.prices.headline_cheapest with the
    report's parameters, `providers` included: a provider selection changes the claim's numbers as it changes the
    report's trend."""
    import datetime as dt

    from analysis.metrics import prices as pm
    from analysis.store import tables

    data = claims.Data()
    ref, cap = tables.load("reference_prices"), tables.load("capability")
    for providers in (None, ["DeepSeek", "OpenAI"]):
        c = claims.claim_prices(data, {"providers": providers})
        _, fits = pm.headline_cheapest(ref, cap, 130.0, "USD", 3.0, dt.date(2024, 1, 1), None,
                                       ["United States", "China"], providers)
        assert c.numbers["us"]["factor_per_year"] == fits["United States"]["factor_per_year"]
    everyone = claims.claim_prices(data).numbers["us"]
    two_labs = claims.claim_prices(data, {"providers": ["DeepSeek", "OpenAI"]}).numbers["us"]
    assert everyone["factor_per_year"] != two_labs["factor_per_year"]
