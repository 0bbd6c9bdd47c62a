"""Dated API aliases (data/curated/model_aliases.csv): loading checks, per-date resolution, price periods split at
a switch; on the real snapshots, deepseek-chat per date and DeepSeek-V3 priced from its release."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from analysis.curated import crosswalk
from analysis.link import crosswalk_steps as link
from analysis.store import build

D = dt.date
HEADER = ",".join(crosswalk.ALIASES_COLUMNS) + "\n"


def periods(text: str, tmp_path: Path, known: set[str] | None = None) -> list[crosswalk.AliasPeriod]:
    p = tmp_path / "model_aliases.csv"
    p.write_text(HEADER + text, encoding="utf-8")
    return crosswalk.load_aliases(p, known)


ROWS = ("Lab,chat,2025-01-01,2025-03-01,model-a,https://x.test/log,switch to A\n"
        "Lab,chat,2025-03-01,2025-06-01,model-b,https://x.test/log,switch to B\n"
        "Lab,chat,2025-06-01,,-,https://x.test/log,target not sourced\n")


def test_resolve_alias_per_date(tmp_path):
    a = periods(ROWS, tmp_path)
    assert crosswalk.resolve_alias("chat", D(2025, 2, 28), "Lab", a) == "model-a"
    assert crosswalk.resolve_alias("lab/chat:free", D(2025, 3, 1), "Lab", a) == "model-b"  # valid_to exclusive
    assert crosswalk.resolve_alias("chat", D(2024, 12, 31), "Lab", a) is None  # before the first sourced period
    assert crosswalk.resolve_alias("chat", D(2025, 7, 1), "Lab", a) is None  # '-': no known target
    assert crosswalk.resolve_alias("chat", D(2025, 2, 1), "Other lab", a) is None


@pytest.mark.parametrize("bad, message", [
    ("Lab,chat,2025-03-01,2025-01-01,model-a,https://x.test,n\n", "not after valid_from"),
    ("Lab,chat,2025-01-01,,model-a,,note\n", "source_url is required"),
    ("Lab,chat,2025-13-01,,model-a,https://x.test,n\n", "valid_from/valid_to"),
    ("Lab,chat,2025-01-01,2025-03-01,model-a,https://x.test,n\nLab,chat,2025-02-01,,model-b,https://x.test,n\n",
     "overlaps"),
    ("Lab,chat,2025-01-01,,model-z,https://x.test,n\n", "not a canonical model"),
])
def test_bad_alias_rows_named(tmp_path, bad, message):
    with pytest.raises(ValueError, match=message) as e:
        periods(bad, tmp_path, {"model-a", "model-b"})
    assert "model_aliases.csv: line" in str(e.value)


def frame(rows: list[dict]) -> pl.DataFrame:
    base = {"source": "s", "model_key": "chat", "organization": "Lab", "observed_from": D(2025, 2, 1),
            "model_id": "chat", "crosswalk": "unlinked", "input_usd_per_m": 1.0}
    return pl.DataFrame([{**base, **r} for r in rows],
                        schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date, "observed_from": pl.Date})


def test_price_period_split_at_switch(tmp_path):
    a = periods(ROWS, tmp_path)
    df = frame([{"valid_from": D(2024, 12, 1), "valid_to": D(2025, 4, 1), "input_usd_per_m": 2.0},
                {"valid_from": D(2025, 4, 1), "valid_to": None}])
    out = crosswalk.split_aliases(df, a).sort("valid_from")
    assert out.select("valid_from", "valid_to", "model_id", "crosswalk", "input_usd_per_m").rows() == [
        (D(2024, 12, 1), D(2025, 1, 1), "chat", "unlinked", 2.0),  # before the first sourced period
        (D(2025, 1, 1), D(2025, 3, 1), "model-a", "alias", 2.0),
        (D(2025, 3, 1), D(2025, 4, 1), "model-b", "alias", 2.0),
        (D(2025, 4, 1), D(2025, 6, 1), "model-b", "alias", 1.0),
        (D(2025, 6, 1), None, "chat", "unlinked", 1.0),  # alias with no known target
    ]


def test_period_without_start_not_split(tmp_path):
    # the source does not say the price held earlier: linked to the model of its last known day
    a = periods(ROWS, tmp_path)
    df = frame([{"valid_from": None, "valid_to": D(2025, 3, 1)},
                {"valid_from": None, "valid_to": None, "model_key": "lab/chat", "observed_from": D(2025, 3, 5)},
                {"valid_from": D(2025, 1, 5), "valid_to": None, "organization": "Reseller"}])
    out = crosswalk.split_aliases(df, a)
    assert out.select("model_key", "valid_from", "model_id", "crosswalk").sort("model_key", "model_id").rows() == [
        ("chat", D(2025, 1, 5), "chat", "unlinked"),  # sold by another organization: not the lab's alias
        ("chat", None, "model-a", "alias"),
        ("lab/chat", None, "model-b", "alias"),
    ]


def test_outside_every_period_keeps_the_keys_own_link(tmp_path):
    # 'chat' is also the name of a release (rule link): a day before the first sourced period keeps that link,
    # a '-' period (target not sourced) does not
    a = periods(ROWS, tmp_path)
    df = frame([{"valid_from": D(2024, 12, 1), "valid_to": None, "model_id": "chat-release", "crosswalk": "rule"},
                {"valid_from": None, "valid_to": None, "observed_from": D(2024, 12, 31), "model_id": "chat-release",
                 "crosswalk": "rule", "model_key": "lab/chat"}])
    out = crosswalk.split_aliases(df, a).sort("model_key", "valid_from", nulls_last=True)
    assert out.select("model_key", "valid_from", "model_id", "crosswalk").rows() == [
        ("chat", D(2024, 12, 1), "chat-release", "rule"),
        ("chat", D(2025, 1, 1), "model-a", "alias"),
        ("chat", D(2025, 3, 1), "model-b", "alias"),
        ("chat", D(2025, 6, 1), "chat", "unlinked"),
        ("lab/chat", None, "chat-release", "rule"),
    ]


def test_every_alias_row_is_sourced():
    rows = pl.read_csv(crosswalk.paths.curated_dir() / "model_aliases.csv", infer_schema=False)
    assert rows.columns == crosswalk.ALIASES_COLUMNS
    assert rows["source_url"].str.starts_with("https://").all()
    assert (rows["source_note"].str.len_chars() > 20).all()
    # the vendors the issue names (Alibaba and Zhipu: no vendor page dating a switch was found, docs/prices.md)
    assert {"DeepSeek", "OpenAI", "Anthropic", "Google", "Moonshot AI"} <= set(rows["organization"].to_list())
    assert {"deepseek-chat", "deepseek-reasoner", "chatgpt-4o-latest", "kimi-latest"} <= set(rows["alias"].to_list())


def test_aliases_file_targets_are_canonical():
    a = build.run_step(link.ALIASES_STEP)  # the step checks every model_id against the build's crosswalk
    assert {p.alias for p in a} >= {"deepseek-chat", "deepseek-reasoner"}
    assert all(p.source_url.startswith("https://") for p in a)


def test_deepseek_chat_per_date():
    a = crosswalk.load_aliases()
    assert crosswalk.resolve_alias("deepseek-chat", D(2025, 1, 15), "DeepSeek", a) == "deepseek-v3"
    assert crosswalk.resolve_alias("deepseek-chat", D(2025, 10, 15), "DeepSeek", a) == "deepseek-v3-2-exp"
    assert crosswalk.resolve_alias("deepseek/deepseek-reasoner", D(2025, 6, 1), "DeepSeek", a) == "deepseek-r1-may-2025"


def test_real_deepseek_prices_split(built):
    p = built["prices"].filter((pl.col("source") == "llm-prices") & (pl.col("model_key") == "deepseek-chat"))
    # the launch price 0.14/0.28 (no stated start, to 2025-02-08) is DeepSeek-V3's
    launch = p.filter(pl.col("valid_to") == D(2025, 2, 8))
    assert launch.select("model_id", "crosswalk", "input_usd_per_m").rows() == [("deepseek-v3", "alias", 0.14)]
    # the 0.27/1.1 price from 2025-02-08 is split at each switch of the changelog
    later = p.filter(pl.col("valid_from") >= D(2025, 2, 8)).sort("valid_from")
    assert later["valid_from"].to_list()[:3] == [D(2025, 2, 8), D(2025, 3, 24), D(2025, 8, 21)]
    assert later["model_id"].to_list()[:3] == ["deepseek-v3", "deepseek-v3-mar-2025", "deepseek-v3-1"]
    assert set(later["input_usd_per_m"].to_list()) == {0.27}


def test_real_us_aliases_linked_per_date(built):
    p = built["prices"]
    lit = p.filter(pl.col("source") == "litellm")
    # gpt-4-turbo has only ever served gpt-4-turbo-2024-04-09 (OpenAI models page), not the Nov 2023 preview
    assert set(lit.filter(pl.col("model_key") == "gpt-4-turbo")["model_id"].to_list()) == {"gpt-4-turbo-apr-2024"}
    # the -latest alias until its retirement on 2025-10-28; LiteLLM lists it later, linked to nothing
    son = lit.filter(pl.col("model_key") == "claude-3-5-sonnet-latest").sort("valid_from")
    assert son.select("valid_to", "model_id", "crosswalk").rows()[0] == (
        D(2025, 10, 28), "claude-3-5-sonnet-october-2024", "alias")
    assert son.filter(pl.col("valid_from") >= D(2025, 10, 28))["crosswalk"].unique().to_list() == ["unlinked"]
    # a key named after its first release, seen the day before the alias's first sourced period: its own link
    v4 = p.filter((pl.col("source") == "llm-prices") & (pl.col("model_key") == "deepseek-v4-flash"))
    assert v4.select("model_id", "crosswalk").unique().rows() == [("deepseek-v4-flash", "rule")]


def test_deepseek_v3_in_price_panel_from_release(built):
    from analysis.metrics import perf
    from analysis.metrics import prices as pm
    dates = [D(2025, 1, 1), D(2025, 1, 15), D(2025, 3, 1)]
    carried = pm.reference_for(built["prices"], built["reference_prices"], built["capability"], carry_back=True)
    panel = perf.price_panel(carried, dates)
    v3 = panel.filter(pl.col("model_id") == "deepseek-v3")
    assert v3["date"].to_list() == dates
    table = perf.performance_table(built["capability"], carried, "eci", dates)
    assert table.filter(pl.col("model_id") == "deepseek-v3")["date"].to_list() == dates


# Chat-key coverage per price source measured on the pinned snapshots with the aliases file (2026-12 build);
# the target is 90% per source: these floors only stop a regression (see docs/prices.md).
CHAT_FLOOR = {"litellm": 0.66, "llm-price-cn-tables": 0.71, "llm-prices": 0.80, "llm-prices-cn": 0.61,
              "llm-price-syaoranwe": 0.90}


def test_chat_key_coverage_floors_and_unlinked_file(built):
    cov = crosswalk.chat_coverage(built["prices"], crosswalk.load_aliases())
    for r in cov.iter_rows(named=True):
        assert r["chat_linked"] / r["chat_keys"] >= CHAT_FLOOR[r["source"]], r
    from analysis.store import tables
    from analysis.store.build import UNLINKED_FILE
    un = pl.read_csv(tables.path(UNLINKED_FILE))
    assert un.columns == ["source", "name", "country_bucket", "reason"]
    assert un["reason"].null_count() == 0
    keys = crosswalk.key_status(built["prices"], crosswalk.load_aliases())
    assert un.filter(pl.col("source").is_in(list(CHAT_FLOOR))).height == keys.filter(~pl.col("linked")).height
    assert "gpt-4o-realtime-preview" in un.filter(pl.col("reason") == "non-chat mode")["name"].to_list()


def test_coverage_report_is_short(built):
    text = crosswalk.coverage_report(built["prices"], crosswalk.load_aliases())
    assert len(text.splitlines()) == 1 + len(CHAT_FLOOR)
    assert "gpt-4o-realtime-preview" not in text
