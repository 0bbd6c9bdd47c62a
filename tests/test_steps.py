"""The step shape: a clean step is a pure transform of what the build read for it (analysis.clean.common.Step), so
it runs on small inline inputs; one Ledger owns its rejected rows and row counts."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from conftest import inline_registry

from analysis.acquire.readers import parse_csv_text
from analysis.clean import eci, events, prices
from analysis.clean.common import Ledger, Sources, Step
from analysis.core.schema import SchemaError
from analysis.link import price_conflicts, reference_prices
from analysis.store import build

CLEAN = Path(__file__).resolve().parent.parent / "analysis" / "clean"
# the modules of the steps (common.py holds the readers the build uses; price_units.py pure rules)
STEP_MODULES = sorted([*(p for p in CLEAN.glob("*.py") if p.name not in {"__init__.py", "common.py"}),
                       # link/canonical.py is not a step module: its helpers still read the LMArena history (open)
                       *(p for p in (CLEAN.parent / "link").glob("*.py") if p.name not in {"__init__.py", "canonical.py"})])
# names that open files or find them: a step module uses none of them
FILE_IO = {"open", "read_bytes", "read_text", "read_csv_strings", "read_json", "read_curated", "read_curated_csv",
           "external_file", "decode_text", "curated_dir", "external_dir", "read_parquet", "read_csv", "load"}
FILE_IO_MODULES = {"analysis.core.paths", "analysis.acquire.manifest", "analysis.curated.inputs", "analysis.acquire.fetch",
                   "pathlib"}


def file_io_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in FILE_IO:
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in FILE_IO:
            found.append(f"{node.lineno}: {node.id}")
        elif isinstance(node, ast.ImportFrom) and (node.module in FILE_IO_MODULES or any(
                a.name in FILE_IO for a in node.names) or any(f"{node.module}.{a.name}" in FILE_IO_MODULES
                                                              for a in node.names)):
            found.append(f"{node.lineno}: from {node.module} import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Import) and any(a.name in FILE_IO_MODULES for a in node.names):
            found.append(f"{node.lineno}: import")
    return found


def test_detector_sees_file_io():
    assert file_io_in("from analysis.acquire.readers import read_json\n") == [
        "1: from analysis.acquire.readers import read_json"]
    assert file_io_in("from analysis.core import paths\n") == ["1: from analysis.core import paths"]
    assert file_io_in("def f(p):\n    return p.read_bytes()\n") == ["2: .read_bytes"]
    assert file_io_in("def f(src):\n    return src['x']\n") == []


@pytest.mark.parametrize("path", STEP_MODULES, ids=lambda p: p.name)
def test_clean_steps_do_no_file_io(path):
    assert not file_io_in(path.read_text(encoding="utf-8")), file_io_in(path.read_text(encoding="utf-8"))


def test_build_steps_are_declared_as_data():
    names = [s.name for s in build.STEPS]
    assert len(set(names)) == len(names)
    for i, step in enumerate(build.STEPS):
        assert isinstance(step, Step)
        # what a step needs runs before it (a needed value by the one step that provides it)
        assert all(build.STEPS.index(n) < i for n in build.needed_steps(step)), step.name
        assert all(hasattr(build.Inputs, u) for u in step.uses), step.name
        assert all(r.kind in ("csv", "json", "text", "curated") for r in step.reads), step.name
    assert price_conflicts.STEP.needs == (reference_prices.STEP,)  # it explains its pairs with the rule's decisions
    assert reference_prices.STEP.needs == tuple(prices.STEPS)


def test_the_crosswalk_and_aliases_are_steps_the_build_orders():
    """No curated input hides a step: the crosswalk and the dated aliases are steps that provide them, and every
    step resolving names needs them (none takes them from analysis.curated.inputs.Inputs)."""
    from analysis.clean import leaderboards, models
    from analysis.link import canonical
    from analysis.link import crosswalk_steps as link

    assert not hasattr(build.Inputs, "crosswalk") and not hasattr(build.Inputs, "aliases")
    assert build.provider("crosswalk") is link.CROSSWALK_STEP and build.provider("aliases") is link.ALIASES_STEP
    for step in (models.STEP, leaderboards.AA_STEP, leaderboards.LMARENA_STEP, leaderboards.LIVEBENCH_STEP,
                 canonical.STEP, canonical.CONFLICTS_STEP, *prices.STEPS):
        assert "crosswalk" in step.needs, step.name
    assert all("aliases" in s.needs for s in prices.STEPS)
    # the crosswalk takes the ECI step's records and the price sources' rows: each file has one reading step
    assert eci.STEP in link.BASE_STEP.needs and set(prices.READ_STEPS) <= set(link.CROSSWALK_STEP.needs)
    assert not [s for s in build.STEPS if s.makes_value and s.table is not None]


def test_each_declared_file_is_loaded_once_per_build(monkeypatch):
    """Steps that read the same file (the AA snapshot: the crosswalk and the AA capability step) share one load."""
    import io

    calls: list[str] = []
    real = build.load
    monkeypatch.setattr(build, "load", lambda read: calls.append(read.path) or real(read))
    build.run_steps(["capability"], out=io.StringIO())
    assert calls and len(calls) == len(set(calls)), sorted(p for p in calls if calls.count(p) > 1)


# --- steps on inline inputs ---------------------------------------------------------------------------

ECI_HEADER = "Model version,ECI Score,Release date,Organization,Model accessibility,Model name\n"


@pytest.fixture()
def reg(tmp_path):
    return inline_registry(tmp_path, "OpenAI,OpenAI,United States,startup,test\nDeepSeek,DeepSeek,China,startup,test\n")


def _eci(text: str, reg):
    src = Sources({eci.SOURCE: parse_csv_text(eci.SOURCE, ECI_HEADER + text)}, {eci.SOURCE: dt.date(2026, 7, 1)})
    return eci.clean(src, reg, today=dt.date(2026, 11, 1))


def test_eci_step_on_inline_rows(reg):
    res = _eci("gpt-x,150.5,2025-01-02,OpenAI,API access,GPT X\n"
               "ds-y,140,2025-03-04,\"DeepSeek, OpenAI\",Open weights (unrestricted),DS Y\n"
               "ds-z,abc,2025-03-04,DeepSeek,Unknown,DS Z\n"
               "old,100,1900-01-01,OpenAI,Unknown,Old\n"
               "fut,100,2099-01-01,OpenAI,Unknown,Fut\n"
               "who,100,2025-01-01,Nobody Lab,Unknown,Who\n"
               "gpt-x-high,150.5,2025-01-02,OpenAI,API access,GPT X\n", reg)
    assert res.df.select("model_id", "country_bucket", "open_weights", "as_of").rows() == [
        ("gpt-x", "United States", False, dt.date(2026, 7, 1)), ("ds-y", "US–China joint", True, dt.date(2026, 7, 1))]
    assert res.quarantine.select("source_row", "column", "reason").rows() == [
        (3, "ECI Score", "not a number: 'abc'"),
        (4, "Release date", "release date 1900-01-01 before 1940-01-01"),
        (5, "Release date", "release date 2099-01-01 after the build date 2026-11-01"),
        (6, "Organization", "unknown organization(s) Nobody Lab (add to data/curated/organizations.csv)"),
        (7, "Model name", "same model and release date as record 1 (a variant repeating its score)"),
    ]
    assert res.counts.select("rows_in", "rows_used", "rows_quarantined").row(0) == (7, 2, 5)


def test_vorplabs_step_on_inline_text():
    text = ("# Citation: Vorp Labs test\n# License: CC BY 4.0\n"
            "id,jurisdiction,instrument,event_date,event_type,summary,primary_source_url,url\n"
            "A-1,Colorado,SB 1,2025-05-01,enacted-law,s,https://leg.example/sb1,https://vorp.example/a1\n"
            "A-2,Colorado,SB 2,2025-13-01,enacted-law,s,https://leg.example/sb2,\n"
            "A-3,\"United States, federal\",Executive Order 1,2025-01-20,executive-action,s,ftp://x,\n")
    res = events.clean_vorplabs(Sources({events.VORPLABS_FILE: text}))
    assert res.df.select("event_id", "actor", "kind", "source_note").rows() == [
        ("a-1", "Colorado", "legislation", "https://vorp.example/a1; Vorp Labs test (CC BY 4.0)")]
    assert res.quarantine.select("source_row", "key", "column").rows() == [
        (2, "A-2", "event_date"), (3, "A-3", "primary_source_url")]


def test_price_conflicts_step_on_the_results_it_needs():
    """Two sources disagreeing by more than 5% on one model over the same days: one conflict row, from inline
    results of the steps it needs (no file read)."""
    def price(source, key, usd, row):
        return dict(model_key=key, model_id="m-1", source=source, provider="openai", price_kind="base",
                    min_input_tokens=0, input_usd_per_m=usd, output_usd_per_m=usd * 4, valid_from=dt.date(2025, 1, 1),
                    valid_to=None, observed_from=dt.date(2025, 1, 1), snapshot=dt.date(2025, 6, 1),
                    list_price=True, organization="OpenAI", country_bucket="United States", currency="USD",
                    input_orig=usd, output_orig=usd * 4, date_basis="stated", crosswalk="rule",
                    source_file=f"{source}.json", source_row=row)
    a = build.sources(price_conflicts.STEP)  # it reads nothing itself
    assert a.paths() == []

    class R:  # the two fields of a StepResult the step reads
        def __init__(self, df):
            self.df = df
    schema = {c.name: c.dtype for c in prices.PRICES.columns}

    def frame(row):  # a row of the prices table: the columns the test does not set are null
        return pl.DataFrame([{**dict.fromkeys(schema), "pro_variant": False, **row}], schema=schema)
    p1 = R(frame(price("llm-prices", "gpt-x", 1.0, 1)))
    p2 = R(frame(price("litellm", "gpt-x", 2.0, 7)))
    empty = R(p1.df.clear())
    res = price_conflicts.clean(a, reference_prices.clean(a, p1, empty, empty, p2))
    assert res.df.select("model_id", "source_a", "source_b", "rel_diff").rows() in (
        [("m-1", "llm-prices", "litellm", 1.0)], [("m-1", "litellm", "llm-prices", 1.0)])
    # equal support, no dated change: the precedence (llm-prices first for a US lab) chose, and says why
    r = res.df.row(0, named=True)
    assert r["reference_source"] == "llm-prices" and r["rule"] == "precedence" and "litellm" in r["reason"]


# --- the ledger -----------------------------------------------------------------------------------------

def test_ledger_counts_rows_in_used_and_quarantined():
    from analysis.clean.adoption import ADOPTION

    led = Ledger("adoption")
    df = pl.DataFrame({"source_row": [1, 2, 3], "k": ["a", "b", "c"], "x": [1, None, -1]})
    led.count_in("f.csv", 3)
    kept = led.take(df, pl.col("x") < 0, "x", "negative", file="f.csv", key="k")
    assert kept["k"].to_list() == ["a", "b"]  # a null test result keeps the row
    led.reject("f.csv", 2, "b", "x", "missing")
    assert led.quarantine().select("source_row", "reason").rows() == [(3, "negative"), (2, "missing")]
    with pytest.raises(SchemaError, match="records used 1, rows in the table 0"):
        led.result(ADOPTION, ADOPTION.empty())  # 3 in, 2 quarantined: one row must be in the table


def test_schema_dtype_error_names_the_source_files_of_the_rows():
    """A column None in every row (a key missing from a file) has dtype Null: the error names the files."""
    from analysis.core.schema import Column, Table

    t = Table("t", "a test table", (Column("provider", pl.String, "who"), Column("source_file", pl.String, "file")))
    df = pl.DataFrame({"provider": [None, None], "source_file": ["up/a.json", "up/a.json"]})
    with pytest.raises(SchemaError, match=r"^t\.provider: dtype Null, expected String; rows from up/a\.json$"):
        t.validate(df)
    with pytest.raises(SchemaError, match=r"^t\.provider: dtype Null, expected String$"):
        t.validate(df.head(0))


def test_ledger_copy_is_independent_of_the_original():
    """The price steps link a second time from a copy of their first ledger: rows rejected then count once."""
    from analysis.clean.common import Ledger

    led = Ledger("prices")
    led.count_in("up/a.json", 3)
    led.reject("up/a.json", 1, "m1", "input_orig", "negative price")
    other = led.copy()
    other.reject("up/a.json", 2, "m2", "input_orig", "implausible price")
    other.count_in("up/b.json", 1)
    assert led.quarantine()["source_row"].to_list() == [1] and led._in == {"up/a.json": 3}
    assert other.quarantine()["source_row"].to_list() == [1, 2]
    assert other._in == {"up/a.json": 3, "up/b.json": 1}
    led.reject("up/a.json", 3, "m3", "output_orig", "no price")  # and the other way round
    assert other.quarantine()["source_row"].to_list() == [1, 2]
