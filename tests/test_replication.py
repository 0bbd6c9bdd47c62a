"""Replication: the price method on Epoch AI's own inputs reproduces its 21 published trends."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from analysis.metrics import prices as pm
from analysis.metrics import replication

D = dt.date


def test_cheaper_than_all_earlier_keeps_only_new_lows():
    pts = pl.DataFrame({"date": [D(2023, 1, 1), D(2023, 6, 1), D(2023, 9, 1), D(2024, 1, 1)],
                        "price": [10.0, 12.0, 5.0, 5.0]})
    assert pm.cheaper_than_all_earlier(pts)["price"].to_list() == [10.0, 5.0]  # a tie is not a new low


def test_price_trend_needs_four_points_and_gives_a_90pct_interval():
    three = pl.DataFrame({"date": [D(2023, 1, 1), D(2024, 1, 1), D(2025, 1, 1)], "price": [100.0, 10.0, 1.0]})
    f = pm.price_trend(three)
    assert f["factor_per_year"] is None and "fewer than the 4" in f["reason"]
    four = pl.DataFrame({"date": [D(2023, 1, 1), D(2024, 1, 1), D(2025, 1, 1), D(2026, 1, 1)],
                         "price": [1000.0, 90.0, 11.0, 1.0]})
    f = pm.price_trend(four)
    assert f["n"] == 4 and 5 < f["factor_per_year"] < 20
    assert f["factor_low"] < f["factor_per_year"] < f["factor_high"]


def test_record_thresholds_are_the_scores_of_top_scorers_at_release():
    m = pl.DataFrame({"model": ["a", "b", "c", "d"], "date": [D(2023, 1, 1), D(2023, 2, 1), D(2023, 3, 1),
                                                             D(2023, 4, 1)], "s": [50.0, 40.0, 60.0, 60.0]})
    assert pm.record_thresholds(m, "s")["threshold_model"].to_list() == ["a", "c"]


def test_epoch_method_on_epoch_inputs_reproduces_its_21_trends(built):
    t = replication.epoch_trends_on_epoch_data()
    assert len(t) == 21 and t["published_factor"].is_not_null().all() and t["project_factor"].is_not_null().all()
    assert (t["project_n"] == t["published_n"]).all()
    assert t["ratio"].to_list() == pytest.approx([1.0] * 21, abs=0.02)  # each within ±2% of the factor


def test_published_figures_are_cited_and_cover_every_figure_id():
    pub = replication.published_figures()
    ids = {"epoch_eci_lag_mean_months", "epoch_eci_lag_min_months", "epoch_eci_lag_max_months",
           "epoch_china_lm_compute_growth", "epoch_other_lm_compute_growth", "epoch_notable_compute_growth",
           "epoch_top10_compute_growth", "epoch_price_trends_median", "epoch_price_trends_on_epoch_data_median",
           "aiindex2026_notable_2025_us", "aiindex2026_notable_2025_cn", "aiindex2026_notable_2025_kr",
           "aiindex2026_first_release_notable_2025_us", "aiindex2026_first_release_notable_2025_cn",
           "aiindex2026_first_release_notable_2025_kr"}
    assert set(pub["figure_id"]) == ids and pub["figure_id"].is_unique().all()
    assert pub["quote"].str.len_chars().min() > 20
    assert pub["quote_url"].str.starts_with("https://").all() and pub["published_source"].str.starts_with("https://").all()
    # a point value or a range for every figure not computed from the publisher's own results file
    no_value = pub.filter(pl.col("published_value").is_null() & pl.col("published_low").is_null())
    assert no_value.is_empty()


def test_country_counts_bucket_or_every_listed_country():
    from analysis.metrics import pace

    m = pl.DataFrame({"country_bucket": ["United States", "US–China joint", "China"],
                      "countries": [["United States"], ["United States", "China"], ["China", "China"]]})
    by = {r["country"]: r["models"] for r in pace.country_counts(m, "every_country").iter_rows(named=True)}
    assert by == {"United States": 2, "China": 2}
    assert pace.country_counts(m)["models"].to_list() == [1, 1, 1]
    with pytest.raises(ValueError):
        pace.country_counts(m, "half")


@pytest.fixture(scope="module")
def table(built):
    return replication.figures(built["models"], built["capability"], built["prices"])


@pytest.fixture(scope="module")
def figs(table):
    """The main comparison of each published figure (variant rows left out), by figure id."""
    return {r["figure_id"]: r for r in table.filter(pl.col("variant").is_null()).iter_rows(named=True)}


@pytest.fixture(scope="module")
def variants(table):
    return {r["figure_id"]: r for r in table.filter(pl.col("variant").is_not_null()).iter_rows(named=True)}


def test_every_figure_has_a_project_value_ratio_or_range_and_an_explanation(figs):
    for fid, r in figs.items():
        assert r["project_value"] is not None, fid
        assert r["ratio"] is not None or r["published_low"] is not None, fid
        within = r["ratio"] is not None and abs(r["ratio"] - 1) <= replication.TOLERANCE
        assert r["explanation"].startswith("Within") == within, fid
        if r["ratio"] is not None and not within:
            assert len(r["explanation"]) > 60, fid  # says what explains the difference


def test_epoch_price_median_on_epoch_data_is_exact(figs):
    r = figs["epoch_price_trends_on_epoch_data_median"]
    assert r["ratio"] == pytest.approx(1.0, abs=1e-6)
    assert 9 <= r["published_value"] <= 900  # inside Epoch's stated 9x-900x range


def test_china_and_elsewhere_lm_compute_growth_within_15pct(figs):
    for fid in ("epoch_china_lm_compute_growth", "epoch_other_lm_compute_growth"):
        assert abs(figs[fid]["ratio"] - 1) <= 0.15, fid


def test_eci_lag_figures_ordered_and_explained(figs):
    lo, mean, hi = (figs[f"epoch_eci_lag_{k}_months"]["project_value"] for k in ("min", "mean", "max"))
    assert 0 < lo <= mean <= hi < 24
    assert abs(figs["epoch_eci_lag_mean_months"]["ratio"] - 1) < 0.3  # 7 months published


def test_notable_and_top10_compute_growth_near_epochs_range(figs):
    for fid in ("epoch_notable_compute_growth", "epoch_top10_compute_growth"):
        assert 3.0 < figs[fid]["project_value"] < 6.0, fid


def test_project_price_median_and_notable_counts(figs):
    assert figs["epoch_price_trends_median"]["project_value"] > 1  # prices fall at the ECI thresholds
    us, cn = (figs[f"aiindex2026_notable_2025_{k}"]["project_value"] for k in ("us", "cn"))
    assert us > cn > figs["aiindex2026_notable_2025_kr"]["project_value"] > 0


def test_figures_csv_has_exactly_the_issue_columns_and_one_row_per_published_figure(table, tmp_path):
    out = pl.read_csv(replication.write_figures(table, tmp_path / "figures.csv"))
    assert out.columns == ["figure_id", "published_value", "project_value", "unit", "vintage", "published_source",
                           "project_method"]
    pub = replication.published_figures()
    assert out["figure_id"].to_list() == pub["figure_id"].to_list()  # variant rows are not figures of their own
    assert out["vintage"].to_list() == pub["published_vintage"].to_list()
    assert out["published_source"].str.starts_with("https://").all()


def test_rows_outside_15pct_carry_computed_evidence(figs):
    for fid, r in figs.items():
        outside = r["ratio"] is not None and abs(r["ratio"] - 1) > replication.TOLERANCE
        if outside:
            assert "Evidence:" in r["explanation"], fid
            assert r["evidence"] in r["explanation"], fid


def test_eci_lag_evidence_is_the_computed_alternatives(figs):
    for k in ("mean", "min", "max"):
        r = figs[f"epoch_eci_lag_{k}_months"]
        assert None not in (r["full_data_value"], r["at_moves_value"], r["project_reading_value"])
        # the numbers quoted are the computed ones (one decimal)
        assert f"the daily {k} is {r['project_value']:.1f} months" in r["evidence"]
        assert f"first reached S − tolerance) {r['project_reading_value']:.1f} months" in r["evidence"]
        assert f"{r['full_data_value']:.1f} months" in r["evidence"]
        assert f"(a chart's points) {r['at_moves_value']:.1f} months" in r["evidence"]
        assert f"first frontier model {r['no_tolerance_value']:.1f} months" in r["evidence"]


def test_eci_lag_rows_use_epochs_reading_and_the_project_reading_is_a_labelled_variant(built, figs, variants):
    from analysis.metrics import catchup

    cap = built["capability"]
    kw = dict(end_date=replication.EPOCH_ECI_END, window_start=replication.EPOCH_LAG_WINDOW)
    epoch = catchup.headline_gap(cap, "eci", reading="last_within", **kw)["window"]
    ours = catchup.headline_gap(cap, "eci", reading="first_reach", **kw)["window"]
    for k in ("mean", "min", "max"):
        fid = f"epoch_eci_lag_{k}_months"
        assert figs[fid]["project_value"] == pytest.approx(epoch[f"{k}_months"])
        assert "reading='last_within'" in figs[fid]["project_method"]
        v = variants[fid]
        assert v["project_value"] == pytest.approx(ours[f"{k}_months"]) and v["variant"].startswith("project reading")
        assert "reading='first_reach'" in v["project_method"] and v["explanation"]
        # on the real snapshot the two readings differ: Epoch's is never the longer one
        assert figs[fid]["project_value"] < v["project_value"]
    # Epoch's reading brings the maximum within 15% of its published 14 months; the project's does not
    assert abs(figs["epoch_eci_lag_max_months"]["ratio"] - 1) <= replication.TOLERANCE
    assert abs(variants["epoch_eci_lag_max_months"]["ratio"] - 1) > replication.TOLERANCE


def test_no_explanation_states_an_uncomputed_cause(table):
    for r in table.iter_rows(named=True):
        assert "re-estimated" not in r["explanation"], r["figure_id"]
        assert "what remains is" not in r["explanation"], r["figure_id"]


def test_lag_readings_table_labels_both_readings(built):
    t = replication.lag_readings_table(built["capability"])
    assert t["computation"].str.contains("labelled variant").sum() == 1
    assert set(t["reading"]) == {"time since the leader's frontier first reached S − tolerance",
                                 "time since the leader's frontier was last ≤ S + tolerance (Epoch's reading)"}
    assert (t["min_months"] <= t["mean_months"]).all() and (t["mean_months"] <= t["max_months"]).all()


def test_project_price_median_states_its_trends_and_thresholds(figs):
    r = figs["epoch_price_trends_median"]
    assert 0 < r["n_trends"] <= r["n_thresholds"]
    assert f"{r['n_trends']} fitted trends of {r['n_thresholds']} ECI record thresholds" in r["evidence"]


def test_counts_give_both_conventions(figs):
    for k in ("us", "cn", "kr"):
        r = figs[f"aiindex2026_notable_2025_{k}"]
        assert r["bucket_value"] <= r["project_value"]  # every listed country credits at least the bucket count
        assert f"counted by country bucket instead: {r['bucket_value']}" in r["evidence"]


def test_count_rows_compare_with_the_revised_edition_read_from_its_cited_quote(figs):
    pub = {r["figure_id"]: r for r in replication.published_figures().iter_rows(named=True)}
    for k in ("us", "cn", "kr"):
        rev, first = f"aiindex2026_notable_2025_{k}", f"aiindex2026_first_release_notable_2025_{k}"
        # the published value is the number of its row's quote (curated with its source, not typed in code)
        assert re.search(rf"\b{pub[rev]['published_value']:g}\b", pub[rev]["quote"]), rev
        assert "revised" in pub[rev]["published_vintage"] and pub[rev]["superseded_by"] is None
        assert pub[first]["superseded_by"] == rev and "first release" in pub[first]["published_vintage"]
        assert re.search(rf"\b{pub[first]['published_value']:g}\b", pub[first]["quote"]), first
        assert figs[rev]["published_value"] == pub[rev]["published_value"]
        # like with like: the project's count is within 15% of the revised edition's, on the real snapshot
        assert abs(figs[rev]["ratio"] - 1) <= replication.TOLERANCE, rev
        # the first release's row stays, labelled, and quotes the computed comparison with the revised figure
        assert figs[first]["project_value"] == figs[rev]["project_value"]
        assert (f"later figure ({rev}) is {pub[rev]['published_value']:g}, and the project's "
                f"{figs[rev]['project_value']:.1f} gives ratio {figs[rev]['ratio']:.2f}") in figs[first]["explanation"]


def test_notable_compute_growth_uses_epochs_point_value_and_shows_the_unfiltered_fit(figs):
    r = figs["epoch_notable_compute_growth"]
    assert r["published_value"] == 4.1 and abs(r["ratio"] - 1) <= replication.TOLERANCE
    assert "without the notable filter" in r["evidence"]



def test_the_replication_report_reads_clean_tables_only():
    """Epoch's price-trend inputs and results have a reader in the build (analysis.clean.epoch_prices); the
    replication module opens no upstream file itself."""
    import inspect

    from analysis.metrics import replication

    source = inspect.getsource(replication)
    assert "external_dir" not in source and "read_csv(" not in source
    assert 'tables.load("epoch_price_inputs")' in source and 'tables.load("epoch_price_results")' in source


def test_epoch_price_inputs_step_quarantines_a_record_without_a_price_and_flags_excluded_models():
    import datetime as dt

    import polars as pl

    from analysis.acquire.readers import parse_csv_text
    from analysis.clean import epoch_prices as ep
    from analysis.clean.common import Sources

    header = ",".join(ep.INPUT_COLUMNS) + "\n"
    a, b = ep.INPUT_FILES
    src = Sources({a: parse_csv_text(a, header + "M1,2024-03-04,0.5,71,33,77,39,1179,13\nM2,2024-03-05,,1,,,,,\n"),
                   b: parse_csv_text(b, header + "o1,2024-09-12,26.25,90,,,,,\n"),
                   ep.EXCLUDED_FILE: ("data/curated/x.csv", pl.DataFrame(
                       {"source_row": [1], "model": ["o1"], "reason": ["r"], "source_url": ["u"],
                        "source_quote": ["q"]}))},
                  {a: dt.date(2025, 1, 1), b: dt.date(2025, 1, 1)})
    r = ep.clean_inputs(src)
    assert r.df.select("model", "usd_per_m_tokens", "mmlu", "excluded").rows() == [
        ("M1", 0.5, 71.0, False), ("o1", 26.25, 90.0, True)]
    assert r.quarantine.select("source_file", "key", "column").rows() == [(a, "M2", "USD per 1M Tokens")]
    r.check_accounting()
