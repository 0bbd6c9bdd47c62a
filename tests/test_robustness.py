"""Robustness of the front page's verdicts (analysis/site/robustness.py): the too-close rule and 'holds in k of n' on
inline claims, then every claim on the real tables."""

import pytest

from analysis.site import claims, robustness


def test_too_close_when_inside_the_uncertainty_or_holding_in_fewer_than_half():
    assert robustness.too_close_to_call(9, 10, inside_uncertainty=True)
    assert robustness.too_close_to_call(4, 10, inside_uncertainty=False)
    assert not robustness.too_close_to_call(5, 10, inside_uncertainty=False)  # half is not fewer than half
    assert not robustness.too_close_to_call(0, 0, inside_uncertainty=False)  # no variants: the rule alone


def _perf(best_follower_score, met=False, price_share=None):
    a = dict(metric="eci", leader_model="L", leader_score=100.0, target_score=95.0, met=met,
             best_follower_model="F", best_follower_score=best_follower_score, follower_model="F",
             price_share=price_share)
    return {"cn_for_us": a}


def test_perf_margin_inside_the_eci_tolerance():
    # 94.5 vs 95.0 needed: inside Epoch's 1-point tolerance, the verdict could go either way
    m = robustness.margin("perf", _perf(94.5))
    assert m.inside_uncertainty and "94.50% of L's score" in m.text and "±1 point" in m.text
    assert not robustness.margin("perf", _perf(93.0)).inside_uncertainty
    m = robustness.margin("perf", _perf(97.0, met=True, price_share=0.3))
    assert not m.inside_uncertainty and "30.0% of its price (20% needed)" in m.text


def test_assess_counts_the_variants_that_keep_the_verdict(monkeypatch):
    """A stand-in claim whose verdict depends on one option: holds in k of n, shown as too close when k < n/2."""
    def claim_fake(data, opts=None):
        v = claims.SUPPORTED if (opts or {}).get("x", 1) > 0 else claims.NOT_SUPPORTED
        return claims.Claim("fake", "q", "f", "2026", v, "r", "rep", "sec", {})

    monkeypatch.setattr(claims, "CLAIMS", (claim_fake,))
    monkeypatch.setitem(robustness.VARIANTS, "fake", (("a", {"x": 1}), ("b", {"x": -1}), ("c", {"x": -2})))
    r = robustness.assess(claim_fake(None), None)
    assert (r["holds"], r["n"], r["too_close"], r["shown_verdict"]) == (1, 3, True, robustness.TOO_CLOSE)
    assert [v["same"] for v in r["variants"]] == [True, True, False, False]
    monkeypatch.setitem(robustness.VARIANTS, "fake", (("a", {"x": 1}), ("b", {"x": 2}), ("c", {"x": -2})))
    r = robustness.assess(claim_fake(None), None)
    assert (r["holds"], r["n"], r["too_close"], r["shown_verdict"]) == (2, 3, False, claims.SUPPORTED)


def test_a_variant_the_data_cannot_answer_is_not_measurable(monkeypatch):
    def claim_fake(data, opts=None):
        if opts:
            raise ValueError("no complete week")
        return claims.Claim("fake", "q", "f", "2026", claims.SUPPORTED, "r", "rep", "sec", {})

    monkeypatch.setattr(claims, "CLAIMS", (claim_fake,))
    monkeypatch.setitem(robustness.VARIANTS, "fake", (("a", {"x": 1}),))
    r = robustness.assess(claim_fake(None), None)
    assert r["variants"][1]["verdict"] == claims.NOT_MEASURABLE and "no complete week" in r["variants"][1]["finding"]


@pytest.mark.snapshots
def test_every_claim_has_its_variants_and_a_robustness_line(built):
    said = robustness.front_page()
    assert {c["key"] for c in said} == set(robustness.VARIANTS)
    for c in said:
        r = c["robustness"]
        assert r["n"] == len(robustness.VARIANTS[c["key"]]), c["key"]
        assert r["n"] >= 2 or (c["key"] in robustness.NO_ALTERNATIVES and c["verdict"] == claims.NOT_MEASURABLE)
        assert 0 <= r["holds"] <= r["n"] and r["line"].startswith(
            f"Holds in {r['holds']} of {r['n']} variants" if r["n"] else "No alternative choice to measure it under")
        assert c["shown_verdict"] == (robustness.TOO_CLOSE if r["too_close"] else c["verdict"])
        assert r["variants"][0]["same"] and len(r["variants"]) == r["n"] + 1


@pytest.mark.snapshots
def test_perf_is_too_close_to_call_on_the_pinned_data(built):
    """On 2026-06-16 the best priced Chinese model (DeepSeek-V4-Pro, ECI 149.73) falls short of 95% of GPT-5.4 Pro
    (150.02) by less than Epoch's 1-point tolerance, and leaving out OpenAI's 'pro' tier changes the verdict."""
    c = claims.claim_perf(claims.Data())
    r = robustness.assess(c, claims.Data())
    assert r["inside_uncertainty"] and r["shown_verdict"] == robustness.TOO_CLOSE
    by = {v["variant"]: v["verdict"] for v in r["variants"]}
    assert by["US leader: the best model that is not a 'pro' tier"] == claims.SUPPORTED
    assert "DeepSeek-V4-Pro reaches" in r["margin"]


@pytest.mark.snapshots
def test_a_claim_is_measured_once_per_build_inputs_and_read_back_the_same(built, tmp_path, monkeypatch, request):
    """The front page and the reports read each claim's assessment from the memo under the findings key: the same
    entries as measuring afresh, the same tables recorded as loaded, and no claim function called again."""
    import json

    from analysis.core import loaded

    monkeypatch.setenv("ANALYSIS_EXECUTED_DIR", str(tmp_path / "executed"))
    saved = set(loaded.READ), {k: set(v) for k, v in loaded.SOURCE_FILES.items()}
    request.addfinalizer(lambda: (loaded.READ.clear(), loaded.READ.update(saved[0]), loaded.SOURCE_FILES.clear(),
                                  loaded.SOURCE_FILES.update(saved[1])))
    fresh = [claims.as_dict(c, robustness.assess(c, claims.Data())) for c in claims.claims(claims.Data())]
    first = robustness.front_page()
    # the memo adds the upstream files the measuring read (the front page's stale marks, analysis.site.freshness)
    assert all(e["files"] for e in first)
    assert json.loads(json.dumps([{k: v for k, v in e.items() if k != "files"} for e in first])) == \
        json.loads(json.dumps(fresh, default=str))
    kept = sorted(p.name for p in (tmp_path / "executed" / robustness.MEMO).glob("*/*.json"))
    assert kept == sorted(f"{c['key']}.json" for c in fresh)

    loaded.READ.clear()
    loaded.SOURCE_FILES.clear()
    robustness.table("perf")
    measured_tables = set(loaded.READ)
    assert {"capability", "reference_prices"} <= measured_tables  # what claim_perf reads

    def never(*a, **k):
        raise AssertionError("a kept claim was measured again")

    monkeypatch.setattr(claims, "CLAIMS", tuple(type(f)(never.__code__, f.__globals__, f.__name__)
                                                for f in claims.CLAIMS))
    loaded.READ.clear()
    loaded.SOURCE_FILES.clear()
    assert robustness.front_page() == first
    r, t = robustness.table("perf")
    assert set(loaded.READ) >= measured_tables and t["variant"].to_list()[0].startswith("default")


def test_a_memo_from_other_inputs_is_not_read(tmp_path, monkeypatch):
    """A new findings key (other tables, code or reports.toml) measures again and removes the older key's folder."""
    from analysis.site import fingerprint

    monkeypatch.setenv("ANALYSIS_EXECUTED_DIR", str(tmp_path))
    calls = []

    def claim_fake(data, opts=None):
        calls.append(1)
        return claims.Claim(key="fake", quote="q", finding="f", date="d", verdict=claims.SUPPORTED, rule="r",
                            report="release_pace", section="S", numbers={})

    monkeypatch.setattr(claims, "CLAIMS", (claim_fake,))
    monkeypatch.setitem(robustness.VARIANTS, "fake", ())
    monkeypatch.setattr(fingerprint, "findings_key", lambda: "k1")
    robustness.assessed("fake")
    robustness.assessed("fake")
    assert len(calls) == 1 and (tmp_path / robustness.MEMO / "k1" / "fake.json").is_file()
    monkeypatch.setattr(fingerprint, "findings_key", lambda: "k2")
    robustness.assessed("fake")
    assert len(calls) == 2 and [p.name for p in (tmp_path / robustness.MEMO).iterdir()] == ["k2"]
