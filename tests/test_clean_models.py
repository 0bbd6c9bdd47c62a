"""Cleaning rules of the `models` table, on small inline files and on the real Epoch snapshots."""

import datetime as dt
import textwrap

import polars as pl
import pytest
from conftest import eci_releases

from analysis.acquire.readers import read_csv_strings
from analysis.clean import models
from analysis.clean.capability import CAPABILITY
from analysis.clean.common import Sources, no_rows
from analysis.core.schema import SchemaError
from analysis.curated import crosswalk, registry
from analysis.store import build

HEADER = "Model,Organization,Publication date,Domain,Parameters,Training compute (FLOP),Model accessibility"
TODAY = dt.date(2026, 11, 29)


def _write(scratch, notable: str, large: str = "", frontier: str = ""):
    base = scratch / "external" / "epoch"
    base.mkdir(parents=True, exist_ok=True)
    for name, body, extra in (("notable_ai_models.csv", notable, ",Open model weights?,Frontier model"),
                              ("large_scale_ai_models.csv", large, ""),
                              ("frontier_ai_models.csv", frontier, ",Open model weights?")):
        (base / name).write_text(HEADER + extra + "\n" + textwrap.dedent(body).lstrip("\n"), encoding="utf-8")


def _clean(scratch):
    """The models step on the three files written above: no ECI rows, the crosswalk of the scratch snapshots."""
    reg = registry.load()
    src = Sources({f: read_csv_strings(f, models.REQUIRED) for f in models.SOURCES})
    no_eci = no_rows(CAPABILITY, CAPABILITY.empty())
    return models.clean(src, no_eci, registry=reg, crosswalk=build.base_crosswalk(reg), today=TODAY)


def test_trailing_newline_in_name_and_org_aliases_with_repeats(scratch):
    _write(scratch, '''
        "Kimi K2
        ",Moonshot,2025-07-11,Language,1e12,2.9e24,Open weights (unrestricted),Yes,
        GLM-4.5,"Z.ai (Zhipu AI),Zhipu AI, Z.ai (Zhipu AI)",2025-07-28,Language,,,API access,No,
    ''')
    r = _clean(scratch)
    kimi = r.df.filter(pl.col("model_id") == "kimi-k2").row(0, named=True)
    assert kimi["model"] == "Kimi K2"
    assert kimi["organizations"] == ["Moonshot AI"] and kimi["country_bucket"] == "China"
    glm = r.df.filter(pl.col("model_id") == "glm-4-5").row(0, named=True)
    assert glm["organizations"] == ["Z.ai"]  # three variants of one organization, once


def test_blank_date_and_blank_name_go_to_quarantine_with_reason(scratch):
    _write(scratch, '''
        A,OpenAI,,Language,,,API access,No,
        ,OpenAI,2024-01-01,Language,,,API access,No,
        B,OpenAI,2024-13-45,Language,,,API access,No,
        C,OpenAI,2099-01-01,Language,,,API access,No,
        D,OpenAI,2024-01-01,Language,-5,,API access,No,
        E,OpenAI,2024-01-01,Language,,,API access,No,
    ''')
    r = _clean(scratch)
    assert r.df["model"].to_list() == ["E"]
    reasons = dict(zip(r.quarantine["source_row"].to_list(), r.quarantine["reason"].to_list(), strict=True))
    assert reasons[1] == "no release date"
    assert reasons[2] == "no model name"
    assert reasons[3].startswith("unparseable release date '2024-13-45'")
    assert reasons[4].startswith("release date 2099-01-01 after the build date")
    assert reasons[5].startswith("not positive")
    counts = r.counts.filter(pl.col("source_file") == "epoch/notable_ai_models.csv").row(0, named=True)
    assert (counts["rows_in"], counts["rows_used"], counts["rows_quarantined"]) == (6, 1, 5)


def test_unknown_organization_is_quarantined_naming_it(scratch):
    _write(scratch, "X,\"OpenAI,Totally Unknown Lab 123\",2024-01-01,Language,,,API access,No,\n")
    r = _clean(scratch)
    assert r.df.is_empty()
    assert "Totally Unknown Lab 123" in r.quarantine["reason"][0]
    assert r.quarantine["column"][0] == "Organization"


def test_empty_accessibility_is_unknown_and_openness_falls_back(scratch):
    _write(scratch, '''
        A,OpenAI,2024-01-01,Language,,,,Yes,
        B,OpenAI,2024-01-01,Language,,,,,
        C,Meta AI,2024-01-01,Language,,,Open weights (non-commercial),No,
    ''')
    df = _clean(scratch).df.sort("model")
    assert df["accessibility"].to_list() == ["Unknown", "Unknown", "Open weights (non-commercial)"]
    assert df["open_weights"].to_list() == [True, None, True]  # accessibility wins over the Yes/No column


def test_multiline_quoted_fields_and_merge_across_files(scratch):
    _write(scratch,
           notable='GPT-4o,OpenAI,2024-05-13,"Multimodal,Language",,3.8e25,API access,No,True\n',
           large='"GPT-4o",OpenAI,2024-05-14,"Language\nVision",2e11,1e25,API access\n',
           frontier='GPT-4o,OpenAI,2024-05-13,Language,,,API access,No\n')
    r = _clean(scratch)
    assert len(r.df) == 1
    row = r.df.row(0, named=True)
    # notable wins where it has a value, large-scale fills what it lacks
    assert row["release_date"] == dt.date(2024, 5, 13)
    assert row["training_compute_flop"] == 3.8e25 and row["parameters"] == 2e11
    assert row["domains"] == ["Multimodal", "Language"]
    assert (row["notable"], row["large_scale"], row["frontier"]) == (True, True, True)
    assert row["source_rows"] == ["epoch/notable_ai_models.csv#1", "epoch/large_scale_ai_models.csv#1",
                                  "epoch/frontier_ai_models.csv#1"]


def test_joint_us_china_bucket_kept_visible():
    assert registry.bucket(["United States", "China"]) == "US–China joint"
    assert registry.bucket(["United States", "France"]) == "United States"
    assert registry.bucket(["Hong Kong"]) == "China"
    assert registry.bucket(["France"]) == "Other"


def test_missing_column_is_a_clear_error(scratch):
    base = scratch / "external" / "epoch"
    _write(scratch, "A,OpenAI,2024-01-01,Language,,,API access,No,\n")
    (base / "large_scale_ai_models.csv").write_text("Model,Organization\nA,OpenAI\n")
    with pytest.raises(ValueError, match=r"large_scale_ai_models.csv: missing column\(s\)"):
        _clean(scratch)


def test_schema_check_names_the_source_record():
    df = pl.DataFrame({"model": ["a", None], "source_file": ["f.csv", "f.csv"], "source_row": [1, 2]})
    from analysis.core.schema import Column, Table

    t = Table("t", "test", (Column("model", pl.String, "", nullable=False),
                            Column("source_file", pl.String, ""), Column("source_row", pl.Int64, "")))
    with pytest.raises(SchemaError, match=r"t.model: 1 null value\(s\).*source f.csv record 2"):
        t.validate(df)


# --- the real snapshots -------------------------------------------------------------------------

def test_real_models_known_cases(built):
    m = built["models"]

    def one(model_id):
        rows = m.filter(pl.col("model_id") == model_id)
        assert len(rows) == 1, model_id
        return rows.row(0, named=True)

    # epoch/notable_ai_models.csv: "Kimi K2",Moonshot,2025-07-11, Open weights (restricted use)
    k = one("kimi-k2")
    assert k["organizations"] == ["Moonshot AI"] and k["countries"] == ["China"]
    assert k["publication_date"] == dt.date(2025, 7, 11) and k["open_weights"] is True
    assert k["release_date"] == dt.date(2025, 7, 12)  # the ECI date (release-date precedence)
    # GPT-4o: OpenAI, 2024-05-13, API access, in all three files
    g = one("gpt-4o")
    assert g["country_bucket"] == "United States" and g["open_weights"] is False
    assert (g["notable"], g["large_scale"], g["frontier"]) == (True, True, True)
    # DeepSeek-V3: published 2024-12-24 in the model files; the ECI date 2024-12-26 wins (release-date precedence)
    d = one("deepseek-v3")
    assert d["publication_date"] == dt.date(2024, 12, 24) and d["open_weights"] is True
    assert (d["release_date"], d["release_date_source"]) == (dt.date(2024, 12, 26), "eci")
    assert d["country_bucket"] == "China"
    # names with a trailing newline upstream ("Solar Open 100B\n") are cleaned
    assert one("solar-open-100b")["model"] == "Solar Open 100B"


def test_real_models_rows_add_up(built):
    counts = built["row_counts"].filter(pl.col("table") == "models")
    assert (counts["rows_in"] == counts["rows_used"] + counts["rows_quarantined"]).all()
    assert built["models"]["source_rows"].list.len().sum() == counts["rows_used"].sum()
    q = built["quarantine"].filter(pl.col("table") == "models")
    # 5 notable rows have a blank 'Publication date' (MAI-Code-1-Flash, Kaiju Small/Medium/Large, Gemini 3.5 Flash)
    no_date = q.filter(pl.col("reason") == "no release date")
    assert sorted(no_date["key"].to_list()) == sorted(
        ["MAI-Code-1-Flash", "Kaiju Small", "Kaiju Medium", "Kaiju Large", "Gemini 3.5 Flash"])


def test_every_epoch_organization_resolves(built):
    """Fails listing every organization string of the Epoch files that the registry does not know."""
    import pandas as pd

    from analysis.core import paths

    reg = registry.load()
    names = set()
    for f in ("notable_ai_models.csv", "large_scale_ai_models.csv", "frontier_ai_models.csv",
              "epoch_capabilities_index.csv"):
        col = pd.read_csv(paths.external_dir() / "epoch" / f, dtype=str)["Organization"].dropna()
        names |= {p.strip() for v in col for p in v.split(",") if p.strip()}
    assert reg.unknown(names) == []


@pytest.mark.parametrize("name, model_id", [
    ("DeepLabV3+", "deeplabv3+"), ("DeepLabV3", "deeplabv3"), ("PointNet++", "pointnet++"),
    ("GPT-4o", "gpt-4o"), ("Solar Open 100B", "solar-open-100b")])
def test_model_slug_keeps_plus(name, model_id):
    assert models.model_slug(name) == model_id


def _rows(*recs):
    return pl.DataFrame([{"model": n, "model_id": models.model_slug(n), "organizations": o,
                          "release_date": dt.date.fromisoformat(d)} for n, o, d in recs])


def test_merge_guard_keeps_apart_different_orgs_and_years():
    rows = models.assign_ids(_rows(
        ("CaLM", ["University of Oxford"], "2022-11-03"), ("CALM", ["NVIDIA"], "2023-06-21"),  # case differs
        ("Atlas", ["Meta AI"], "2020-01-01"), ("Atlas", ["Meta AI"], "2022-08-05"),  # same name, 2+ years apart
        ("GPT-4o", ["OpenAI"], "2024-05-13"), ("GPT-4o", ["OpenAI"], "2024-05-13")))  # one model in two files
    assert rows["model_id"].to_list() == ["CaLM", "CALM", "atlas-2020", "atlas-2022", "gpt-4o", "gpt-4o"]
    m = models.merges(rows)
    assert m.select("model_id", "records").rows() == [("gpt-4o", 2)]


def test_real_merge_guard(built):
    """No two upstream records of different organizations or more than a year apart merge into one model;
    the merges that do happen are listed (an assertion message shows them when the guard fails)."""
    from analysis.clean.common import Ledger
    reg = registry.load()
    parts = []
    for lp in models.SOURCES:
        df = read_csv_strings(lp, models.REQUIRED)
        ok = models._check_file(lp, df, reg, dt.date.today(), Ledger("models"))
        parts.append(models._normalise(lp, ok, reg))
    rows = models.assign_ids(pl.concat(parts))
    m = models.merges(rows)
    bad = m.filter((pl.col("organizations").list.len() > 1) | (pl.col("span_days") > models.MAX_MERGE_DAYS))
    assert bad.is_empty(), bad.to_dicts()
    # merges across the three files of one release happen (GPT-4o is in all three)
    assert "gpt-4o" in m["model_id"].to_list()
    print(f"{len(m)} models merge records: " + ", ".join(f"{r['model_id']}({r['records']})" for r in m.head(20).to_dicts()))
    mm = built["models"]
    assert {"deeplabv3", "deeplabv3+", "pointnet", "pointnet++", "CaLM", "CALM"} <= set(mm["model_id"].to_list())
    calm = mm.filter(pl.col("model_id") == "CaLM").row(0, named=True)
    assert calm["organizations"] == ["University of Oxford"] and calm["large_scale"] is False


def test_release_date_precedence_inline():
    cw = crosswalk.build(eci_releases([{"Model version": "m1", "Model name": "M1", "Release date": "2025-04-16",
                                        "Organization": "OpenAI"}], registry.load()),
                         [{"slug": "m2", "name": "M2", "creator": "OpenAI", "release": "2025-01-10"}], registry.load())
    df = pl.DataFrame({"model_id": ["m1", "m2", "m3"], "model": ["M1", "M2", "M3"],
                       "release_date": [dt.date(2024, 12, 20), dt.date(2025, 1, 9), dt.date(2023, 5, 1)]})
    out = models.release_dates(df, cw, eci_dates=[("m1", dt.date(2025, 4, 16))])
    assert out.select("model_id", "release_date", "release_date_source", "publication_date").rows() == [
        ("m1", dt.date(2025, 4, 16), "eci", dt.date(2024, 12, 20)),  # ECI first
        ("m2", dt.date(2025, 1, 10), "aa", dt.date(2025, 1, 9)),  # then the crosswalk (Artificial Analysis)
        ("m3", dt.date(2023, 5, 1), "epoch_models", dt.date(2023, 5, 1)),  # else the model files
    ]


def test_real_one_release_date_and_conflicts(built):
    m, cap = built["models"], built["capability"]
    dates = cap.group_by("model_id").agg(pl.col("release_date").unique().alias("d"))
    j = m.join(dates, on="model_id")
    assert len(j) > 150
    off = [r["model_id"] for r in j.iter_rows(named=True) if r["release_date"] not in r["d"]]
    assert off == []  # models and capability give one release date per shared model
    c = built["release_date_conflicts"]
    assert (c["days_apart"].abs() > models.MAX_DATE_DAYS).all()
    o3 = c.filter(pl.col("model_id") == "o3").row(0, named=True)
    # ECI 2025-04-16 (chosen) vs the model files' 2024-12-20
    assert (o3["release_date"], o3["alternative_date"]) == (dt.date(2025, 4, 16), dt.date(2024, 12, 20))


def test_open_weights_one_rule():
    from analysis.core.rules import open_weights
    df = pl.DataFrame({"a": ["Open weights (non-commercial)", "API access", "Unreleased", "Unknown", "Unknown", None],
                       "q": [None, "Yes", None, "Yes", None, "No"]})
    assert df.select(open_weights(pl.col("a"), pl.col("q")).alias("o"))["o"].to_list() == [True, False, False, True, None, False]


def test_crosswalk_open_weights_unknown_access_is_not_closed():
    """The crosswalk (Epoch ECI / model files) uses the models table's rule: 'Unknown' access is not 'closed'."""
    rows = [{"Model version": v, "Model name": v, "Release date": "2025-04-16", "Organization": "OpenAI",
             "Model accessibility": a} for v, a in (("m1", "Unknown"), ("m2", "Open weights (unrestricted)"),
                                                   ("m3", "API access"), ("m4", ""))]
    cw = crosswalk.build(eci_releases(rows, registry.load()), [], registry.load())
    assert {m.model_id: m.open_weights for m in cw.models.values()} == {"m1": None, "m2": True, "m3": False,
                                                                        "m4": None}
