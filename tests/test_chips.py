"""Chips and control: the hardware normalisation, the per-year shares with unknowns, the slope change and the
endpoint shares on inline tables; the four claims' verdict rules; and the real data (every hardware name of the
Chinese and US rows mapped, every host of a Chinese model's endpoint with a country or counted unknown, the
claims' numbers)."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from analysis.clean import chips as cc
from analysis.core import vocab
from analysis.metrics import chips as mc
from analysis.site import claims
from analysis.site.claims import NOT_MEASURABLE, NOT_SUPPORTED, PARTLY, SUPPORTED

D = dt.date


def _chips() -> pl.DataFrame:
    fams = [(re.compile(p), f, v) for p, f, v in
            ((r"^NVIDIA H800 ", "H800", True), (r"^NVIDIA H100 ", "H100", False), (r"^Huawei Ascend 910B", "Ascend 910B", False))]
    raw = pl.DataFrame({
        "Hardware name": ["NVIDIA H800 SXM5", "NVIDIA H100 SXM5 80GB", "Huawei Ascend 910B", "Cambricon X", None],
        "Manufacturer": ["NVIDIA", "NVIDIA", "Huawei", "Cambricon", "NVIDIA"],
        "Type": ["GPU"] * 5, "Release date": ["2023-03-21", "2022-09-20", "2022-03-17", "", "2020-01-01"],
        "Release price (USD)": [None, "33600", None, None, None],
        "Tensor-FP16/BF16 performance (FLOP/s)": ["9.89e14", "9.894e14", None, "abc", None],
        "FP8 performance (FLOP/s)": [None] * 5, "Memory (bytes)": [None] * 5,
        "Memory bandwidth (byte/s)": ["3.36e12", "3.35e12", "1.228e12", None, None],
        "source_row": [1, 2, 3, 4, 5]}).with_columns(pl.exclude("source_row").cast(pl.String))
    led = cc.Ledger("chips")
    led.count_in(cc.HARDWARE_FILE, len(raw))
    out = cc.chips_frame(raw, {"NVIDIA": "United States", "Huawei": "China"}, fams, led)
    q = led.quarantine()
    assert sorted(q["reason"].to_list()) == ["no hardware name", "not a non-negative number: 'abc'"]
    return out


def test_chips_take_maker_country_family_and_variant():
    c = {r["chip"]: r for r in _chips().iter_rows(named=True)}
    assert c["NVIDIA H800 SXM5"]["family"] == "H800" and c["NVIDIA H800 SXM5"]["china_variant"] is True
    assert c["NVIDIA H100 SXM5 80GB"]["china_variant"] is False and c["NVIDIA H100 SXM5 80GB"]["price_usd"] == 33600
    assert c["Huawei Ascend 910B"]["maker_country"] == "China" and c["Huawei Ascend 910B"]["bf16_flops"] is None
    assert len(c) == 3  # the bad number and the nameless row went to quarantine


def test_hardware_parts_map_by_exact_name_curated_row_or_stay_unknown():
    names = {"Ascend (昇腾) 910B": dict(chip="Huawei Ascend 910B", maker="Huawei", family="Ascend 910B"),
             "Nvidia H100 80G": dict(chip=None, maker="NVIDIA", family="H100")}
    p = cc.normalise_parts(
        ["NVIDIA H800 SXM5,Ascend (昇腾) 910B", None, "Nvidia H100 80G", "Mystery TPU"], _chips(), names)
    assert p.height == 5
    rows = p.rows(named=True)
    assert [(r["i"], r["part"], r["mapping"]) for r in rows] == [
        (0, 1, "exact"), (0, 2, "curated"), (1, 1, "none"), (2, 1, "curated"), (3, 1, "unmapped")]
    assert rows[0]["maker_country"] == "United States" and rows[0]["china_variant"] is True
    assert rows[1]["chip"] == "Huawei Ascend 910B" and rows[1]["maker_country"] == "China"
    assert rows[3]["chip"] is None and rows[3]["maker_country"] == "United States" and rows[3]["china_variant"] is False
    assert rows[2]["maker"] == rows[4]["maker"] == "unknown" and rows[4]["maker_country"] is None


def test_curated_hardware_name_must_name_a_chip_of_the_file():
    df = pl.DataFrame({"name": ["x"], "chip": ["Not A Chip"], "maker": ["NVIDIA"], "family": ["x"],
                       "source_url": ["https://example.org"], "note": [""], "source_row": [1]})
    with pytest.raises(cc.InputError, match=r"hardware_names.csv: record 1, column 'chip'"):
        cc.hardware_names(("data/curated/hardware_names.csv", df), _chips())


def _models(rows):
    return pl.DataFrame(rows, schema=dict(model_id=pl.String, model=pl.String, country_bucket=pl.String,
                                          release_date=pl.Date, maker_origin=pl.String, makers=pl.List(pl.String)),
                        orient="row").with_columns(pl.col("release_date").dt.year().alias("year"))


def test_per_year_shares_keep_unknown_as_its_own_band():
    m = _models([("a", "A", "China", D(2023, 1, 1), "China", ["Huawei"]),
                 ("b", "B", "China", D(2023, 2, 1), "unknown", []),
                 ("c", "C", "China", D(2023, 3, 1), "unknown", []),
                 ("d", "D", "China", D(2023, 4, 1), "United States", ["NVIDIA"]),
                 ("e", "E", "China", D(2024, 1, 1), "mixed", ["Huawei", "NVIDIA"])])
    s = {(r["year"], r["maker_origin"]): r for r in mc.maker_shares(m).iter_rows(named=True)}
    assert s[(2023, "unknown")]["models"] == 2 and s[(2023, "unknown")]["share"] == 0.5
    assert s[(2023, "China")]["share"] == 0.25 and s[(2023, "China")]["known"] == 2
    assert s[(2024, "mixed")]["share"] == 1.0
    r = mc.self_reliance(m, D(2023, 1, 15))
    assert r["before"] == dict(total=1, domestic=1, mixed=0, unknown=0, known=1, foreign=0, share_known=1.0,
                               low=1.0, high=1.0, start=D(2023, 1, 1), end=D(2023, 1, 1))
    a = r["after"]
    assert (a["total"], a["domestic"], a["unknown"], a["mixed"], a["foreign"]) == (4, 0, 2, 1, 1)
    assert a["share_known"] == 0 and a["low"] == 0 and a["high"] == 0.5


def test_per_model_joins_parts_into_one_maker_origin():
    mh = pl.DataFrame({"model_id": ["x", "x", "y", "z"], "model": ["X", "X", "Y", "Z"],
                       "country_bucket": ["China"] * 4, "release_date": [D(2024, 1, 1)] * 4,
                       "notable": [True] * 4, "large_scale": [False] * 4, "training_compute_flop": [None] * 4,
                       "maker": ["Huawei", "NVIDIA", "unknown", "Huawei"],
                       "maker_country": ["China", "United States", None, "China"],
                       "family": ["Ascend 910B", "H800", None, "Ascend 910B"]})
    got = dict(mc.per_model(mh).select("model_id", "maker_origin").iter_rows())
    assert got == {"x": "mixed", "y": "unknown", "z": "China"}
    assert mc.per_model(mh, model_set="large_scale").is_empty()


def _line(start: dt.date, days: int, n: int, per_year: float, y0: float):
    dates = [start + dt.timedelta(days=days * i) for i in range(n)]
    return [(d, y0 + per_year * (d - start).days / 365.25) for d in dates]


def test_slope_change_recovers_two_known_slopes():
    pts = _line(D(2024, 1, 1), 60, 6, 20.0, 100) + _line(D(2025, 7, 1), 45, 5, 5.0, 140)
    pts = pl.DataFrame(pts, schema=dict(release_date=pl.Date, score=pl.Float64), orient="row")
    ch = mc.slope_change(pts, D(2025, 7, 1))
    assert ch["before"]["slope"] == pytest.approx(20.0, abs=0.05) and ch["after"]["slope"] == pytest.approx(5, abs=0.05)
    assert ch["change"] == pytest.approx(-15.0, abs=0.1) and ch["low"] <= ch["change"] <= ch["high"]
    # a window keeps only the points within it: too few on one side -> no slope, no change
    narrow = mc.slope_change(pts, D(2025, 7, 1), window_days=100)
    assert narrow["before"] is None and narrow["change"] is None
    # noisy lines: the interval widens and covers the true change
    noisy = pts.with_columns(pl.col("score") + pl.Series([1.0, -1.5, 2.0, -0.5, 0.5, -1.0, 1.2, -0.8, 0.3, -0.6, 0.9]))
    nch = mc.slope_change(noisy, D(2025, 7, 1))
    assert nch["low"] < -15 < nch["high"] and nch["high"] - nch["low"] > 1


def test_frontier_points_keep_only_new_records():
    cap = pl.DataFrame({"metric": ["eci"] * 4, "model_id": ["a", "b", "c", "d"], "model": ["A", "B", "C", "D"],
                        "release_date": [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 1)],
                        "organizations": [["Lab"]] * 4, "country_bucket": ["China"] * 4,
                        "score": [100.0, 98.0, 110.0, 109.0], "ci_low": [None] * 4, "ci_high": [None] * 4,
                        "source_model": ["A", "B", "C", "D"], "source_file": ["f"] * 4, "source_row": [1, 2, 3, 4],
                        "as_of": [D(2024, 5, 1)] * 4})
    assert mc.frontier_points(cap, "eci", "China")["model"].to_list() == ["A", "C"]


def test_endpoint_shares_count_unknown_hosts_and_bound_the_outside_share():
    e = pl.DataFrame({"model_slug": ["q/a", "q/a", "q/b", "q/b", "q/c", "o/x"],
                      "model_origin": ["China"] * 5 + ["United States"],
                      "provider": ["Alibaba", "Together", "Novita", "SiliconFlow", "Off", "Alibaba"],
                      "provider_origin": ["China", "United States", "Unknown origin", "China", "United States", "China"],
                      "lab_own": [True, False, False, False, False, False],
                      "disabled": [False, False, False, False, True, False]})
    s = mc.endpoint_shares(e)
    assert s["endpoints"] == 4 and s["counts"] == {"China": 2, "United States": 1, "Other": 0, "Unknown origin": 1}
    assert (s["outside_low"], s["outside_high"], s["lab_own_share"]) == (0.25, 0.5, 0.25)
    assert mc.endpoint_shares(e, include_disabled=True)["counts"]["United States"] == 2
    assert mc.endpoint_shares(e, vocab.US)["counts"]["China"] == 1


def test_endpoints_frame_strips_alias_tilde_and_takes_host_country():
    raw = pl.DataFrame({"model_slug": ["~qwen/q-latest", "qwen/q"], "provider_name": ["Alibaba", "Nowhere"],
                        "provider_slug": ["alibaba", "x"], "variant": ["", ""], "is_disabled": ["False", "True"],
                        "source_row": [1, 2]})
    out = cc.endpoints_frame(raw, lambda a: ("Alibaba", "China", "China") if a == "qwen" else (None, None, "Unknown origin"),
                             {"Alibaba": ("Alibaba", "China")})
    assert out["author"].to_list() == ["qwen", "qwen"]
    assert out["provider_origin"].to_list() == ["China", "Unknown origin"]
    assert out["lab_own"].to_list() == [True, False] and out["disabled"].to_list() == [False, True]


def _side(known, share, low, high):
    return dict(known=known, share_known=share, low=low, high=high)


@pytest.mark.parametrize("n,want", [
    (dict(before=_side(4, 0.0, 0.0, 0.5), after=_side(40, 0.2, 0.1, 0.9)), NOT_MEASURABLE),
    (dict(before=_side(10, 0.0, 0.0, 0.05), after=_side(10, 0.5, 0.3, 0.6)), SUPPORTED),
    (dict(before=_side(10, 0.0, 0.0, 0.6), after=_side(40, 0.1, 0.02, 0.8)), PARTLY),
    (dict(before=_side(10, 0.2, 0.1, 0.6), after=_side(40, 0.1, 0.02, 0.8)), NOT_SUPPORTED),
])
def test_verdict_selfreliance(n, want):
    assert claims.verdict_selfreliance(n) == want


@pytest.mark.parametrize("n,want", [
    (dict(endpoints=0), NOT_MEASURABLE),
    (dict(endpoints=10, outside_low=0.3, outside_high=0.9), NOT_SUPPORTED),
    (dict(endpoints=10, outside_low=0.02, outside_high=0.08), SUPPORTED),
    (dict(endpoints=10, outside_low=0.08, outside_high=0.7), PARTLY),
])
def test_verdict_curtain(n, want):
    assert claims.verdict_curtain(n) == want


def test_verdicts_control_and_south():
    assert claims.verdict_control(dict(growth={"China": dict(slope=30.0)})) == NOT_MEASURABLE
    assert claims.verdict_south(dict(user_region_columns=[])) == NOT_MEASURABLE
    assert claims.verdict_south(dict(user_region_columns=["t.user_country"])) == PARTLY


# --- the real data -------------------------------------------------------------------------------------------------

def test_every_hardware_name_of_chinese_and_us_rows_maps_by_a_rule(built):
    mh = built["model_hardware"]
    cu = mh.filter(pl.col("country_bucket").is_in([vocab.CHINA, vocab.US, vocab.JOINT]))
    unmapped = sorted(set(cu.filter(pl.col("mapping") == "unmapped")["hardware_text"].to_list()))
    assert unmapped == [], f"hardware names without a rule (add to data/curated/hardware_names.csv): {unmapped}"
    # every model of `models` is there once at least, unknown counted, never dropped
    assert set(mh["model_id"]) == set(built["models"]["model_id"])
    n_cn = cu.filter(pl.col("country_bucket") == vocab.CHINA)["model_id"].n_unique()
    none_cn = cu.filter((pl.col("country_bucket") == vocab.CHINA) & (pl.col("mapping") == "none"))["model_id"].n_unique()
    assert 0 < none_cn < n_cn
    # exact names are chips of the file; curated chips too
    assert set(cu["chip"].drop_nulls()) <= set(built["chips"]["chip"])
    # hand-checked: Epoch lists DeepSeek-V3 on the H800 (a China export variant) and GLM-5 on the Ascend 910C
    by = {r["model"]: r for r in cu.iter_rows(named=True)}
    assert by["DeepSeek-V3"]["family"] == "H800" and by["DeepSeek-V3"]["china_variant"] is True
    assert by["GLM-5"]["chip"] == "Huawei Ascend 910C" and by["GLM-5"]["maker_country"] == vocab.CHINA


def test_every_host_of_a_chinese_model_has_a_country_or_is_counted_unknown(built):
    e = built["openrouter_endpoints"].filter(pl.col("model_origin") == vocab.CHINA)
    assert len(e) > 400
    known = e.filter(pl.col("provider_origin") != "Unknown origin")
    assert known["provider_country"].null_count() == 0
    assert e.filter(pl.col("provider_origin") == "Unknown origin")["provider_country"].null_count() == \
        e.filter(pl.col("provider_origin") == "Unknown origin").height
    s = mc.endpoint_shares(built["openrouter_endpoints"])
    assert sum(s["counts"].values()) == s["endpoints"]


def test_chips_claims_numbers_on_the_real_data(built):
    data = claims.Data(**built)
    by = {c.key: c for c in (claims.claim_h20(data), claims.claim_selfreliance(data), claims.claim_curtain(data),
                             claims.claim_control(data), claims.claim_south(data))}
    for c in by.values():
        assert c.verdict == claims.VERDICT_OF[c.key](c.numbers), c.key
    # claim 6 cites the chip specifications of Epoch's file
    h20 = built["chips"].filter(pl.col("chip") == "NVIDIA HGX H20").row(0, named=True)
    assert f"The H20 does {h20['bf16_flops'] / 1e12:.0f} TFLOP/s BF16" in by["h20"].finding
    assert by["h20"].numbers["chips"]["H800"]["bf16_tflops"] > 5 * by["h20"].numbers["chips"]["H20"]["bf16_tflops"]
    sl = by["h20"].numbers["slope"]
    assert sl["before"]["n"] >= 3 and sl["after"]["n"] >= 3 and sl["low"] <= sl["change"] <= sl["high"]
    # self-reliance: the counts add up and are said
    a = by["selfreliance"].numbers["after"]
    assert a["domestic"] + a["mixed"] + a["foreign"] + a["unknown"] == a["total"]
    assert f"training chips of {a['known']} of the {a['total']} Chinese" in by["selfreliance"].finding
    # the iron curtain: bounds from the counts
    n = by["curtain"].numbers
    assert n["outside_low"] == pytest.approx((n["counts"][vocab.US] + n["counts"][vocab.OTHER]) / n["endpoints"])
    assert f"{n['counts']['Unknown origin']} (" in by["curtain"].finding
    # pace: intervals around the slopes; control itself is not measured
    g = by["control"].numbers["growth"][vocab.CHINA]
    assert g["low"] <= g["slope"] <= g["high"] and by["control"].verdict == NOT_MEASURABLE
    assert by["south"].verdict == NOT_MEASURABLE and by["south"].numbers["user_region_columns"] == []
