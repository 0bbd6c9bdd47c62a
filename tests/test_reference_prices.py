"""The reference-price rule (analysis/link/reference.py, docs/prices.md): one case per branch on small inline
tables, then its guarantees on the real snapshots."""

import datetime as dt

import polars as pl
import pytest

from analysis.link import periods
from analysis.link import reference as ref
from analysis.metrics import prices as pm

D = dt.date


def row(**kw):
    base = dict(model_id="m", model_key="m", provider="lab", organization="Lab", country_bucket="China",
                crosswalk="rule", price_kind="base", min_input_tokens=0, currency="USD", input_orig=1.0,
                output_orig=2.0, valid_from=D(2025, 1, 1), valid_to=None, observed_from=D(2025, 1, 1), list_price=True,
                source="llm-prices", source_file="f", source_row=1, date_basis="observed", snapshot=D(2025, 12, 31))
    base.update(kw)
    base.setdefault("input_usd_per_m", base["input_orig"])
    base.setdefault("output_usd_per_m", base["output_orig"])
    return base


def resolve(*rows):
    df = pl.DataFrame(list(rows), schema_overrides={"valid_to": pl.Date, "valid_from": pl.Date})
    return ref.resolve(periods.effective_periods(df, None, carry_back=False))


def on(reference, day):
    r = pm.reference_panel(reference, [day])
    assert len(r) == 1, r
    return r.row(0, named=True)


def test_single_source_price_is_its_own_reference():
    r, _, over = resolve(row())
    assert r.select("rule", "n_sources", "n_agreeing").rows() == [("single source", 1, 1)]
    assert over.is_empty()


def test_vendor_file_first_when_sources_agree():
    # an aggregator within the tolerance of the vendor's own price file: one value, the vendor's reading
    r, _, over = resolve(row(source="litellm", input_orig=1.04, source_file="agg"),
                         row(source="llm-prices-cn", source_file="vendor", source_row=2))
    got = on(r, D(2025, 6, 1))
    assert (got["source"], got["rule"], got["n_agreeing"]) == ("llm-prices-cn", "sources agree", 2)
    assert over.is_empty()


def test_majority_overrules_a_lone_reading_whatever_its_precedence():
    # the 1 yuan row of a README table against two sources agreeing on the list price (Kimi K2's case)
    r, _, over = resolve(
        row(source="llm-price-cn-tables", currency="CNY", input_orig=1.0, output_orig=1.0, input_usd_per_m=0.14,
            output_usd_per_m=0.14, source_file="readme", source_row=605),
        row(source="litellm", input_orig=0.6, output_orig=2.5, source_file="litellm", source_row=2),
        row(source="llm-prices", input_orig=0.6, output_orig=2.5, source_file="vendor", source_row=3))
    got = on(r, D(2025, 6, 1))
    assert (got["source"], got["rule"], got["n_agreeing"], got["n_sources"]) == ("llm-prices", "majority", 2, 3)
    assert over["source_row"].to_list() == [605]
    assert over["ratio"][0] == pytest.approx(2.5 / 0.14) and "overruled" in over["reason"][0]


def test_a_price_two_sources_confirm_is_not_made_stale_by_one():
    old = dict(input_orig=0.27, output_orig=1.1)
    b = [row(source="litellm", **old, valid_to=D(2025, 4, 1), source_file="b"),
         row(source="litellm", input_orig=0.1, output_orig=0.1, valid_from=D(2025, 4, 1), source_file="b")]
    r, _, over = resolve(*b, row(source="llm-prices", **old, source_file="v", source_row=2),
                         row(source="llm-prices-cn", **old, source_file="c", source_row=3))
    got = on(r, D(2025, 6, 1))
    assert (got["input_orig"], got["rule"], got["n_agreeing"]) == (0.27, "majority", 2)
    assert over.filter(pl.col("rule") == "stale").is_empty()


def test_a_stale_row_ends_at_another_sources_dated_change():
    # source B saw the price change on 2025-04-01 (two dated versions); source A kept the old price after it
    a = row(source="llm-prices", input_orig=0.27, output_orig=1.1, valid_from=D(2025, 1, 1), date_basis="stated",
            source_file="vendor")
    b_old = row(source="litellm", input_orig=0.27, output_orig=1.1, valid_to=D(2025, 4, 1), source_file="b",
                source_row=2)
    b_new = row(source="litellm", input_orig=0.28, output_orig=0.42, valid_from=D(2025, 4, 1), source_file="b",
                source_row=2)
    r, _, over = resolve(a, b_old, b_new)
    assert on(r, D(2025, 3, 1))["rule"] == "sources agree"
    got = on(r, D(2025, 6, 1))
    assert (got["source"], got["input_orig"], got["rule"]) == ("litellm", 0.28, "single source")
    stale = over.filter(pl.col("rule") == "stale")
    assert stale.select("source", "date").rows() == [("llm-prices", D(2025, 4, 1))]
    assert "dated a change" in stale["reason"][0]


def test_a_tie_goes_to_the_dated_change_then_to_precedence():
    # equal support: the value backed by a dated change wins over a higher-precedence reading
    changed = [row(source="litellm", input_orig=3.0, output_orig=3.0, valid_to=D(2025, 3, 1), source_file="b"),
               row(source="litellm", input_orig=2.0, output_orig=2.0, valid_from=D(2025, 3, 1), source_file="b",
                   source_row=2)]
    # (listed after the change, so not a row kept across it: rule 1 does not apply)
    other = row(source="llm-prices-cn", input_orig=5.0, output_orig=5.0, valid_from=D(2025, 4, 1), source_file="v")
    r, _, _ = resolve(*changed, other)
    assert (on(r, D(2025, 6, 1))["source"], on(r, D(2025, 6, 1))["rule"]) == ("litellm", "dated change")
    # no dated change on either side: the precedence (llm-prices-cn first for a Chinese lab)
    r, _, over = resolve(row(source="litellm", input_orig=2.0, output_orig=2.0, source_file="b"), other)
    got = on(r, D(2025, 6, 1))
    assert (got["source"], got["rule"]) == ("llm-prices-cn", "precedence")
    assert "precedence" in over["reason"][0]


def test_a_readme_first_listing_is_first_seen_never_a_dated_cut():
    # a README table lists the model first in a later version at a lower price than the vendor's: the reference
    # moves only by precedence, and no dated price change comes of it
    r, _, _ = resolve(
        row(source="llm-price-cn-tables", input_orig=0.5, output_orig=0.5, valid_from=D(2025, 5, 1),
            observed_from=D(2025, 5, 1), source_file="readme", source_row=7),
        row(source="llm-price-cn-tables", model_id="other", model_key="other", valid_from=D(2025, 1, 1),
            valid_to=D(2025, 5, 1), source_file="readme", source_row=1),
        row(source="llm-prices", input_orig=1.0, output_orig=1.0, valid_to=D(2025, 5, 1), source_file="vendor",
            source_row=2))
    listed = r.filter(pl.col("valid_from") == D(2025, 5, 1))
    assert listed["start_kind"].to_list() == ["listed"]
    assert listed["prev_snapshot"].to_list() == [D(2025, 1, 1)]
    fx = pl.DataFrame({"date": [D(2025, 1, 1)], "usd_cny": [7.0]})
    assert pm.price_changes(r, fx_table=fx).is_empty()
    assert pm.price_changes(r, fx_table=fx, dated_only=False)["start_kind"].to_list() == ["listed"]


def test_agreeing_sources_taking_turns_are_one_price():
    # the reference switches from one source to another that agrees within the tolerance: not a new price
    r, _, _ = resolve(row(source="litellm", input_orig=0.435, output_orig=0.87, valid_to=D(2025, 6, 1)),
                      row(source="llm-prices-cn", currency="CNY", input_orig=3.0, output_orig=6.0,
                          input_usd_per_m=0.44, output_usd_per_m=0.88, valid_from=D(2025, 6, 1), source_row=2))
    assert len(r) == 2 and len(ref.episodes(r)) == 1


def test_rows_in_equal_reference_days_plus_overruled_days():
    # every day of every reading is either the reference, agrees with it, or is overruled with a reason
    rows = [row(source="llm-price-cn-tables", input_orig=0.1, output_orig=0.1, source_file="r"),
            row(source="litellm", valid_from=D(2025, 3, 1), source_file="l", source_row=2),
            row(source="llm-prices", valid_from=D(2025, 4, 1), source_file="v", source_row=3)]
    r, dec, over = resolve(*rows)
    for day in (D(2025, 2, 1), D(2025, 3, 15), D(2025, 8, 1)):
        d = dec.filter((pl.col("start") <= day) & (day < pl.col("end")))
        o = over.filter((pl.col("date") <= day) & (day < pl.col("until")))
        assert d["n_sources"][0] == d["n_agreeing"][0] + o["source"].n_unique()


# --- the real snapshots -----------------------------------------------------------------------------------------

@pytest.mark.snapshots
def test_no_contradicted_price_reaches_a_metric_unless_the_rule_chose_it(built):
    """A reading that another source contradicts by more than 2x on the same model and day is never the reference
    unless the rule chose it, and price_conflicts says which reading won, by what rule and why."""
    c = built["price_conflicts"].filter(pl.col("rel_diff") > 1.0)
    assert len(c)
    assert c["chosen"].is_not_null().all() and c["rule"].is_not_null().all()
    reference = built["reference_prices"]
    for r in c.iter_rows(named=True):
        on_day = reference.filter((pl.col("model_id") == r["model_id"]) & (pl.col("valid_from") <= r["date"])
                                  & (r["date"] < pl.col("valid_to")))
        assert len(on_day) == 1, r
        won = on_day.row(0, named=True)
        side = {"a": (r["source_a"], r["source_row_a"]), "b": (r["source_b"], r["source_row_b"])}
        if r["chosen"] in side:
            assert (won["source"], won["source_row"]) == side[r["chosen"]]
        else:
            assert (won["source"], won["source_row"]) not in side.values()
        assert r["reason"], r  # the reading set aside says why


@pytest.mark.snapshots
def test_kimi_k2_one_yuan_row_is_overruled(built):
    k = built["reference_prices"].filter(pl.col("model_id") == "kimi-k2")
    assert len(k) and k.filter((pl.col("source") == "llm-price-cn-tables") & (pl.col("input_orig") == 1.0)).is_empty()
    assert k["input_usd_per_m"].min() > 0.5  # 0.6 USD (4 CNY) in every source but the one README row
    c = built["price_conflicts"].filter((pl.col("model_id") == "kimi-k2") & (pl.col("rel_diff") > 10))
    assert len(c) and set(c["rule"]) == {"majority"} and all("overruled" in x for x in c["reason"])


@pytest.mark.snapshots
def test_stale_deepseek_vendor_rows_are_overruled(built):
    """llm-prices' deepseek-chat 0.27/1.10 and deepseek-reasoner 0.55/2.19 (kept after LiteLLM saw DeepSeek's
    2025-09 cut) never price DeepSeek-V3.2, and DeepSeek-V3.2 ends at 0.28/0.42-level prices."""
    ds = built["reference_prices"].filter(pl.col("model_id") == "deepseek-v3-2")
    late = ds.filter(pl.col("valid_from") >= D(2026, 4, 2))
    assert len(late) and (late["output_usd_per_m"] < 0.5).all()
    assert not ((ds["source"] == "llm-prices") & (ds["model_key"] == "deepseek-reasoner")).any()
    stale = built["price_conflicts"].filter((pl.col("rule") == "stale") & (pl.col("model_id") == "deepseek-v3-2"))
    assert len(stale) and all("still listed after litellm dated a change" in r for r in stale["reason"])


@pytest.mark.snapshots
def test_openai_pro_models_are_priced_at_their_list_prices(built):
    """GPT-5.4 Pro and GPT-5.5 Pro (LiteLLM mode 'responses') reach the reference table at the prices of the
    pinned files, flagged as 'pro' variants."""
    p = built["prices"]
    r = built["reference_prices"]
    for mid, key in (("gpt-5-4-pro", "gpt-5.4-pro"), ("gpt-5-5-pro", "gpt-5.5-pro")):
        raw = p.filter((pl.col("source") == "litellm") & (pl.col("model_key") == key) & (pl.col("price_kind") == "base"))
        assert len(raw) and (raw["mode"] == "responses").all() and raw["pro_variant"].all()
        got = r.filter(pl.col("model_id") == mid)
        assert len(got) and got["pro_variant"].all()
        assert set(zip(got["input_usd_per_m"], got["output_usd_per_m"], strict=True)) <= set(
            zip(raw["input_usd_per_m"], raw["output_usd_per_m"], strict=True)) | set(
            p.filter(pl.col("model_id") == mid).select("input_usd_per_m", "output_usd_per_m").iter_rows())


@pytest.mark.snapshots
def test_every_reference_row_is_a_reading_of_the_prices_table(built):
    r = built["reference_prices"]
    keys = ["source", "source_file", "source_row", "model_key", "input_orig", "output_orig"]
    missing = r.select(keys).join(built["prices"].select(keys).unique(), on=keys, how="anti")
    assert missing.is_empty()
    # one reference per model and day: periods of a model never overlap
    o = r.sort("model_id", "valid_from").with_columns(pl.col("valid_to").shift(1).over("model_id").alias("prev"))
    assert o.filter(pl.col("prev") > pl.col("valid_from")).is_empty()


@pytest.mark.snapshots
def test_every_price_the_front_page_states_is_a_reference_price(built):
    """Claims 3 and 4 state prices; each is the blended reference price of its model on its date (reference_prices,
    blended at the claim's ratio), never a raw reading."""
    from analysis.site import claims

    data = claims.Data()
    ref = built["reference_prices"]
    stated = []  # (model, date, price, currency, blend ratio)
    p3, pw = claims.claim_prices(data), claims._params("price_war")
    for f in (p3.numbers["cn"], p3.numbers["us"]):
        if f and f.get("cheapest") is not None:
            stated.append((f["cheapest_model"], f["cheapest_date"], f["cheapest"], pw["currency"], pw["blend_ratio"]))
    p4, pd = claims.claim_perf(data), claims._params("performance_per_dollar")
    for h in (p4.numbers["cn_for_us"], p4.numbers["us_for_cn"]):
        stated.append((h["leader_model"], h["date"], h["leader_price"], "USD", pd["blend_ratio"]))
        if h["met"]:
            stated.append((h["follower_model"], h["date"], h["follower_price"], "USD", pd["blend_ratio"]))
    assert len(stated) >= 3
    names = built["capability"].select("model", "model_id").unique()
    for model, day, price, cur, ratio in stated:
        ids = names.filter(pl.col("model") == model)["model_id"].to_list()
        panel = pm.with_blended(pm.reference_panel(ref.filter(pl.col("model_id").is_in(ids)), [day]), cur, ratio)
        assert any(v == pytest.approx(price) for v in panel["blended"].to_list()), (model, day, price)


@pytest.mark.snapshots
def test_a_listing_is_compared_with_a_real_earlier_version_of_its_source(built):
    """`prev_snapshot` is a date the source was read on (an alias switch that splits a period is no snapshot)."""
    p = built["prices"]
    seen = {(s, d) for s, d in p.select("source", "observed_from").iter_rows()} | {
        (s, d) for s, d in p.select("source", "snapshot").iter_rows()}
    r = built["reference_prices"].filter(pl.col("prev_snapshot").is_not_null())
    assert len(r) and all((s, d) in seen for s, d in r.select("start_source", "prev_snapshot").iter_rows())
    assert (r["prev_snapshot"] < r["valid_from"]).all()


def test_a_return_to_an_earlier_price_is_not_a_dated_cut():
    # A dates a cut to 2/2 in March; B (another region's price) takes over in June; A's later dated change back to
    # the March price is a return after a switch, not a new cut
    fx = pl.DataFrame({"date": [D(2025, 1, 1)], "usd_cny": [7.0]})
    r, _, _ = resolve(
        row(source="llm-prices-cn", input_orig=4.0, output_orig=4.0, valid_to=D(2025, 3, 1), source_file="a"),
        row(source="llm-prices-cn", input_orig=2.0, output_orig=2.0, valid_from=D(2025, 3, 1), valid_to=D(2025, 6, 1),
            source_file="a"),
        row(source="litellm", input_orig=9.0, output_orig=9.0, valid_from=D(2025, 6, 1), valid_to=D(2025, 9, 1),
            source_file="b", source_row=2),
        row(source="llm-prices-cn", input_orig=3.0, output_orig=3.0, valid_from=D(2025, 8, 1), valid_to=D(2025, 9, 1),
            source_file="a", source_row=3),
        row(source="llm-prices-cn", input_orig=2.0, output_orig=2.0, valid_from=D(2025, 9, 1), source_file="a",
            source_row=3))
    moves = pm.price_changes(r, fx_table=fx, dated_only=False)
    assert moves.filter(pl.col("dated"))["date"].to_list() == [D(2025, 3, 1)]
    assert not moves.filter(pl.col("date") == D(2025, 9, 1))["dated"].any()
