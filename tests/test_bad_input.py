"""Bad input: copies of the real snapshots, corrupted one fault at a time, through fetch and build.

Every fault must end in exactly one of two ways:
  (a) "error": a clear InputError/SchemaError naming the file (and record/column where there is one), a
      non-zero exit of `python -m analysis build`, and the previous clean tables left byte for byte;
  (b) "quarantine": the bad rows in quarantine with a reason while the rest goes on, and
      rows in (counted here independently of the code) = rows used + rows quarantined.
And fetch, given the manifest's sha256 of the good file, refuses every corrupted copy and keeps nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.acquire import fetch, manifest
from analysis.acquire.readers import decode_text, expect_json, load_json_text, parse_csv_text, read_curated_csv
from analysis.clean import adoption, eci, models, prices
from analysis.clean.common import MIN_DATE, StepResult
from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.schema import SchemaError
from analysis.curated import registry
from analysis.curated.inputs import Inputs, load_authors, load_providers
from analysis.store import build


def step_runner(step):
    """A clean step run as the build runs it (its reads loaded by analysis.store.build through the manifest)."""
    def run():
        return build.run_step(step)
    run.__name__ = f"run {step.name}"
    return run


run_models, run_eci, run_adoption = (step_runner(s) for s in (models.STEP, eci.STEP, adoption.STEP))

MODELS_CSV = "epoch/notable_ai_models.csv"
ECI_CSV = "epoch/epoch_capabilities_index.csv"
PRICES_JSON = "pricing/llm-prices/openai.json"


@pytest.fixture(scope="module")
def base(built, tmp_path_factory) -> Path:
    """The fetched snapshots and a complete set of clean tables from the real data (the `built` fixture)."""
    root = tmp_path_factory.mktemp("badinput-base")
    shutil.copytree(paths.external_dir(), root / "external")
    shutil.copytree(paths.clean_dir(), root / "clean", symlinks=True, ignore=shutil.ignore_patterns(".*"))
    return root


@pytest.fixture()
def case(base, tmp_path, monkeypatch):
    """A scratch external dir of symlinks to the good snapshots, and a copy of the previous clean tables."""
    shutil.copytree(base / "external", tmp_path / "external", copy_function=os.symlink)
    shutil.copytree(base / "clean", tmp_path / "clean", symlinks=True)
    for var, sub in (("ANALYSIS_EXTERNAL_DIR", "external"), ("ANALYSIS_CLEAN_DIR", "clean"),
                     ("ANALYSIS_REPORTS_DIR", "reports")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    return tmp_path


def good(base: Path, local_path: str) -> bytes:
    return (base / "external" / local_path).read_bytes()


def _clean_state(clean: Path) -> dict[str, tuple[bytes, int]]:
    state = {p.relative_to(clean / "current").as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
             for p in sorted((clean / "current").rglob("*.parquet"))}
    assert state, f"no clean tables under {clean}/current"
    return state


def run_fault(case: Path, local_path: str, data: bytes, table: str, step, capsys):
    """Put `data` in place of `local_path`, check fetch refuses it, then run the step.

    Returns ("error", message) after asserting (a), or ("quarantine", StepResult) after asserting (b)."""
    # fetch: the manifest pins the good file, so the corrupted copy is refused and nothing is left behind
    mirror, dest = case / "mirror", case / "fetched"
    (mirror / local_path).parent.mkdir(parents=True, exist_ok=True)
    (mirror / local_path).write_bytes(data)
    with pytest.raises(fetch.FetchError, match="sha256 mismatch"):
        fetch.fetch(mirror=mirror, entries=[manifest.entry(local_path)], dest=dest, out=io.StringIO())
    assert not (dest / local_path).exists() and list((dest / local_path).parent.iterdir()) == []

    # build: as if the corrupted file had been pinned
    target = case / "external" / local_path
    target.unlink()
    target.write_bytes(data)
    try:
        result = step()
    except (InputError, SchemaError) as exc:
        msg = str(exc)
        assert local_path in msg, msg
        before = _clean_state(case / "clean")
        capsys.readouterr()
        assert main(["build", "--table", table]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and local_path in err, err
        assert _clean_state(case / "clean") == before, "a failed build touched the previous clean tables"
        return "error", msg
    # anything else than InputError/SchemaError escaping fails the test here
    result.check_accounting()
    row = result.counts.filter(pl.col("source_file") == local_path).row(0, named=True)
    assert row["rows_in"] == row["rows_used"] + row["rows_quarantined"]
    assert result.quarantine.filter(pl.col("source_file") == local_path).height == row["rows_quarantined"]
    assert result.quarantine["reason"].null_count() == 0
    return "quarantine", result


# --- helpers to corrupt CSV text -----------------------------------------------------------------------

def csv_records(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def csv_bytes(rows: list[list[str]], newline: str = "\n") -> bytes:
    """Rows -> CSV bytes that csv.reader reads back as the same rows. (csv.writer with lineterminator "\n"
    leaves a field holding a bare CR unquoted, and a reader then splits the record there: every field with
    a CR or LF is quoted here.)"""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=newline)
    for r in rows:
        if any("\r" in v or "\n" in v for v in r):
            buf.write(",".join('"' + v.replace('"', '""') + '"' if ("\r" in v or "\n" in v or '"' in v
                                                                     or "," in v) else v for v in r) + newline)
        else:
            w.writerow(r)
    out = buf.getvalue()
    assert list(csv.reader(io.StringIO(out, newline=""))) == [list(r) for r in rows], "csv_bytes does not round-trip"
    return out.encode("utf-8")


def set_cell(data: bytes, record: int, column: str, value: str) -> tuple[bytes, str]:
    """Set one cell (record is 1-based, as source_row); returns the new bytes and the record's key (col 0)."""
    rows = csv_records(data)
    rows[record][rows[0].index(column)] = value
    return csv_bytes(rows), rows[record][0]


def file_counts(result: StepResult, local_path: str) -> dict:
    return result.counts.filter(pl.col("source_file") == local_path).row(0, named=True)


def quarantined(result: StepResult, local_path: str, record: int) -> dict:
    q = result.quarantine.filter((pl.col("source_file") == local_path) & (pl.col("source_row") == record))
    assert q.height == 1, f"record {record} of {local_path} not in quarantine"
    return q.row(0, named=True)


# --- the Epoch models CSV ------------------------------------------------------------------------------

ERROR_FAULTS = {
    "empty": lambda b: b"",
    "only-white-space": lambda b: b"\n \n",
    "latin-1": lambda b: b.decode("utf-8").encode("latin-1", errors="replace"),
    "utf-16": lambda b: b.decode("utf-8").encode("utf-16"),
    "not-csv-binary": lambda b: bytes(range(256)) * 8,
}


@pytest.mark.parametrize("fault", sorted(ERROR_FAULTS))
def test_models_csv_unreadable_file_is_a_clear_error(case, base, capsys, fault):
    data = ERROR_FAULTS[fault](good(base, MODELS_CSV))
    assert data != good(base, MODELS_CSV)
    how, msg = run_fault(case, MODELS_CSV, data, "models", run_models, capsys)
    assert how == "error"
    assert any(w in msg for w in ("empty", "not UTF-8", "cannot be parsed", "missing column")), msg


@pytest.mark.parametrize("column", ["Publication date", "Model", "Parameters"])
@pytest.mark.parametrize("how_", ["missing", "renamed"])
def test_models_csv_missing_or_renamed_column_names_it(case, base, capsys, column, how_):
    rows = csv_records(good(base, MODELS_CSV))
    i = rows[0].index(column)
    if how_ == "missing":
        rows = [r[:i] + r[i + 1:] for r in rows]
    else:
        rows[0][i] = column.upper() + " (renamed)"
    how, msg = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", run_models, capsys)
    assert how == "error" and f"missing column(s) ['{column}']" in msg


def test_models_csv_ragged_record_is_named(case, base, capsys):
    rows = csv_records(good(base, MODELS_CSV))
    rows[7] = rows[7] + ["one", "field", "too", "many"]
    how, msg = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", run_models, capsys)
    assert how == "error" and "record 7" in msg and "fields" in msg


def test_models_csv_truncated_mid_row_is_accounted(case, base, capsys):
    data = good(base, MODELS_CSV)
    cut = data[: len(data) * 2 // 3]
    cut = cut[: cut.rfind(b"\n") + 40]  # stop 40 bytes into a record
    how, msg = run_fault(case, MODELS_CSV, cut, "models", run_models, capsys)
    n = len(csv_records(cut)) - 1  # the cut record is the last one
    assert how == "error" and f"record {n} " in msg and "fields" in msg and "truncated" in msg


@pytest.mark.parametrize("fault", ["bom", "crlf", "extra-columns", "bom+crlf"])
def test_models_csv_harmless_variants_give_the_same_table(case, base, capsys, built, fault):
    data = good(base, MODELS_CSV)
    if "crlf" in fault:
        data = csv_bytes(csv_records(data), newline="\r\n")
    if "bom" in fault:
        data = b"\xef\xbb\xbf" + data
    if fault == "extra-columns":
        rows = csv_records(data)
        data = csv_bytes([r + (["extra A", "extra B"] if i == 0 else [f"x{i}", ""]) for i, r in enumerate(rows)])
    how, res = run_fault(case, MODELS_CSV, data, "models", run_models, capsys)
    assert how == "quarantine"
    assert res.df.drop("source_rows").equals(built["models"].drop("source_rows"))
    assert not res.df["model"].str.contains("\r").any()


BAD_CELLS = [
    ("Publication date", "2099-01-01", "after the build date"),
    ("Publication date", "1900-01-01", "before 1940-01-01"),
    ("Publication date", "not a date", "unparseable release date"),
    ("Publication date", "2024-02-30", "unparseable release date"),
    ("Publication date", "", "no release date"),
    ("Parameters", "-5", "not positive"),
    ("Parameters", "0", "not positive"),
    ("Parameters", "NaN", "NaN"),
    ("Parameters", "1e30", "implausibly large"),
    ("Parameters", "inf", "implausibly large"),
    ("Parameters", "twelve", "not a number"),
    ("Training compute (FLOP)", "-1e24", "not positive"),
    ("Training compute (FLOP)", "9e99", "implausibly large"),
    ("Model", "   ", "no model name"),
    ("Organization", "", "no organization"),
    ("Organization", "Nonexistent Lab 42", "unknown organization"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_CELLS, ids=[f"{c}={v!r}" for c, v, _ in BAD_CELLS])
def test_models_csv_bad_cell_goes_to_quarantine(case, base, capsys, built, column, value, reason):
    data, key = set_cell(good(base, MODELS_CSV), 5, column, value)
    how, res = run_fault(case, MODELS_CSV, data, "models", run_models, capsys)
    assert how == "quarantine"
    q = quarantined(res, MODELS_CSV, 5)
    assert q["column"] == column and reason in q["reason"], q
    n_good = built["row_counts"].filter(pl.col("source_file") == MODELS_CSV).row(0, named=True)
    c = file_counts(res, MODELS_CSV)
    assert c["rows_in"] == n_good["rows_in"] and c["rows_quarantined"] == n_good["rows_quarantined"] + 1


def test_models_csv_bad_cell_through_the_cli_writes_quarantine_and_counts(case, base, capsys):
    data, key = set_cell(good(base, MODELS_CSV), 3, "Publication date", "2099-12-31")
    (case / "external" / MODELS_CSV).unlink()
    (case / "external" / MODELS_CSV).write_bytes(data)
    assert main(["build", "--table", "models"]) == 0
    q = pl.read_parquet(case / "clean" / "current" / "bookkeeping" / "quarantine.parquet").filter(
        (pl.col("source_file") == MODELS_CSV) & (pl.col("source_row") == 3) & (pl.col("table") == "models"))
    assert q.row(0, named=True)["key"] == key and "2099-12-31" in q.row(0, named=True)["reason"]
    rc = pl.read_parquet(case / "clean" / "current" / "bookkeeping" / "row_counts.parquet")
    assert (rc["rows_in"] == rc["rows_used"] + rc["rows_quarantined"]).all()
    models_rc = rc.filter((pl.col("source_file") == MODELS_CSV) & (pl.col("table") == "models"))
    assert models_rc["rows_in"].item() == len(csv_records(data)) - 1
    assert key not in pl.read_parquet(case / "clean" / "current" / "models.parquet")["model"].to_list() or \
        pl.read_parquet(case / "clean" / "current" / "models.parquet").filter(pl.col("model") == key)["source_rows"] \
        .item().to_list().count(f"{MODELS_CSV}#3") == 0


def test_models_csv_duplicated_row_is_quarantined_not_double_counted(case, base, capsys, built):
    rows = csv_records(good(base, MODELS_CSV))
    rows.insert(11, list(rows[10]))  # record 10 repeated as record 11
    how, res = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", run_models, capsys)
    assert how == "quarantine"
    q = quarantined(res, MODELS_CSV, 11)
    assert "exact duplicate of record 10" in q["reason"]
    assert res.df.height == built["models"].height


# hypothesis: random corruption of the numeric and date cells of a small models CSV ----------------------

SUBSET_ROWS = 40
CELL_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.dates().map(str),
    st.text(max_size=12),
    st.sampled_from(["", "NaN", "1e400", "-0", "2099-01-01", "1900-01-01", "2024-13-01", "\ufeff12", "1,5",
                     "1\r2", "\r", "a\r\nb", '"', "\n"]),
)


@pytest.fixture(scope="module")
def subset(base, tmp_path_factory) -> Path:
    """The three Epoch model files cut to their first rows."""
    root = tmp_path_factory.mktemp("subset")
    for f in models.SOURCES:
        rows = csv_records(good(base, f))[: SUBSET_ROWS + 1]
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_bytes(csv_bytes(rows))
    return root


@given(cells=st.lists(st.tuples(st.integers(1, SUBSET_ROWS),
                                st.sampled_from(["Publication date", "Parameters", "Training compute (FLOP)"]),
                                CELL_VALUES), min_size=1, max_size=6))
def test_property_models_accounting_holds_under_random_cell_corruption(subset, tmp_path_factory, cells):
    ext = tmp_path_factory.mktemp("prop")
    shutil.copytree(subset, ext, dirs_exist_ok=True)
    data = (subset / MODELS_CSV).read_bytes()
    for record, column, value in cells:
        data, _ = set_cell(data, record, column, value)
    (ext / MODELS_CSV).write_bytes(data)
    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_EXTERNAL_DIR", str(ext))
    try:
        res = build.run_step(models.STEP, Inputs(reg=_registry()))
    except (InputError, SchemaError):
        return  # a clear error is one of the two allowed ends
    finally:
        mp.undo()
    res.check_accounting()
    assert len(csv_records(data)) - 1 == SUBSET_ROWS  # the corruption changed cells, not the record count
    for f in models.SOURCES:
        c = file_counts(res, f)
        assert c["rows_in"] == SUBSET_ROWS and c["rows_in"] == c["rows_used"] + c["rows_quarantined"]
    assert res.df["source_rows"].list.len().sum() == res.counts["rows_used"].sum()
    # whatever passed is within the schema's bounds
    assert res.df["release_date"].min() >= models.MIN_DATE
    assert res.df["parameters"].drop_nulls().is_between(1, models.MAX_PARAMETERS).all()


def test_csv_helper_round_trips_bare_cr():
    rows = [["a", "b"], ["x\ry", "z"], ["1\r\n2", 'q"r']]
    assert csv_records(csv_bytes(rows)) == rows


@pytest.mark.parametrize("quoted", [False, True])
def test_models_csv_bare_cr_in_a_cell_is_counted_as_the_csv_module_counts(case, base, capsys, quoted):
    """A bare CR ends a record for Python's csv module (unquoted), or stays inside the field (quoted): the
    build's rows_in must be the csv module's count either way."""
    rows = csv_records(good(base, MODELS_CSV))
    i = rows[0].index("Parameters")
    lines = [csv_bytes([r]).decode() for r in rows]
    cell = '"1\r2"' if quoted else "1\r2"
    r5 = list(rows[5])
    r5[i] = "@@CELL@@"
    lines[5] = csv_bytes([r5]).decode().replace("@@CELL@@", cell)
    data = "".join(lines).encode()
    expected = len(csv_records(data)) - 1
    assert expected == len(rows) - 1 + (0 if quoted else 1)
    how, res = run_fault(case, MODELS_CSV, data, "models", run_models, capsys)
    assert how == "quarantine"
    assert file_counts(res, MODELS_CSV)["rows_in"] == expected


_REG = []


def _registry() -> registry.Registry:
    if not _REG:
        _REG.append(registry.load())
    return _REG[0]


# --- a capability CSV (Epoch Capabilities Index) -----------------------------------------------------

@pytest.mark.parametrize("fault", ["empty", "utf-16", "missing-column"])
def test_eci_csv_unreadable_is_a_clear_error(case, base, capsys, fault):
    data = good(base, ECI_CSV)
    if fault == "empty":
        data = b""
    elif fault == "utf-16":
        data = data.decode("utf-8").encode("utf-16")
    else:
        rows = csv_records(data)
        i = rows[0].index("ECI Score")
        data = csv_bytes([r[:i] + r[i + 1:] for r in rows])
    how, msg = run_fault(case, ECI_CSV, data, "capability", run_eci, capsys)
    assert how == "error"
    if fault == "missing-column":
        assert "'ECI Score'" in msg


ECI_CELLS = [
    ("ECI Score", "NaN", "not a number"),
    ("ECI Score", "inf", "not a number"),
    ("ECI Score", "high", "not a number"),
    ("Release date", "1900-01-01", "before 1940-01-01"),
    ("Release date", "2099-01-01", "after the build date"),
    ("Release date", "01/02/2024", "unparseable"),
]


@pytest.mark.parametrize(("column", "value", "reason"), ECI_CELLS, ids=[f"{c}={v}" for c, v, _ in ECI_CELLS])
def test_eci_csv_bad_cell_goes_to_quarantine(case, base, capsys, column, value, reason):
    data, key = set_cell(good(base, ECI_CSV), 2, column, value)
    how, res = run_fault(case, ECI_CSV, data, "capability", run_eci, capsys)
    assert how == "quarantine"
    q = quarantined(res, ECI_CSV, 2)
    assert q["column"] == column and reason in q["reason"] and q["key"] == key
    assert file_counts(res, ECI_CSV)["rows_in"] == len(csv_records(data)) - 1


def test_eci_csv_duplicated_row_is_quarantined(case, base, capsys):
    rows = csv_records(good(base, ECI_CSV))
    rows.append(list(rows[4]))
    how, res = run_fault(case, ECI_CSV, csv_bytes(rows), "capability", run_eci, capsys)
    assert how == "quarantine"
    assert "same model and release date as record" in quarantined(res, ECI_CSV, len(rows) - 1)["reason"]


# --- a pricing JSON (llm-prices) --------------------------------------------------------------------------

def llm_prices_step():
    return build.run_step(prices.LLM_PRICES_STEP, files=[PRICES_JSON])


def json_records(data: dict) -> int:
    return sum(len(m["price_history"]) for m in data["models"])


@pytest.mark.parametrize("fault", ["empty", "truncated", "not-json", "utf-16", "bom", "html-error-page",
                                   "wrong-shape"])
def test_prices_json_unreadable_is_a_clear_error(case, base, capsys, fault):
    raw = good(base, PRICES_JSON)
    data = {
        "empty": b"",
        "truncated": raw[: len(raw) // 2],
        "not-json": b"model,input,output\ngpt,1,2\n",
        "utf-16": raw.decode("utf-8").encode("utf-16"),
        "bom": b"\xef\xbb\xbf" + raw[:-10],
        "html-error-page": b"<html><body>429 Too Many Requests</body></html>",
        "wrong-shape": b'[{"id": "gpt"}]',
    }[fault]
    how, msg = run_fault(case, PRICES_JSON, data, "prices", llm_prices_step, capsys)
    assert how == "error"
    if fault in ("truncated", "not-json", "html-error-page"):
        assert "line" in msg and "column" in msg  # where the JSON breaks


def test_prices_json_renamed_key_names_record_and_key(case, base, capsys):
    d = json.loads(good(base, PRICES_JSON))
    p = d["models"][3]["price_history"][0]
    p["input_price"] = p.pop("input")
    how, msg = run_fault(case, PRICES_JSON, json.dumps(d).encode(), "prices", llm_prices_step, capsys)
    assert how == "error" and "models[3].price_history[0]" in msg and "'input'" in msg


@pytest.mark.parametrize("vendor", ["renamed", None, "", 7])
def test_prices_json_without_its_vendor_is_an_error_naming_the_key(case, base, capsys, vendor):
    """The vendor is every row's provider: a file without it is refused, naming the file and the key (it once
    ended as a schema error on the provider column, without the file)."""
    d = json.loads(good(base, PRICES_JSON))
    if vendor == "renamed":
        d["v,ndor"] = d.pop("vendor")
    else:
        d["vendor"] = vendor
    how, msg = run_fault(case, PRICES_JSON, json.dumps(d).encode(), "prices", llm_prices_step, capsys)
    assert how == "error" and PRICES_JSON in msg and "key 'vendor'" in msg, msg


def test_prices_json_wrong_type_names_record(case, base, capsys):
    d = json.loads(good(base, PRICES_JSON))
    d["models"][2]["price_history"][0]["output"] = "ten dollars"
    how, msg = run_fault(case, PRICES_JSON, json.dumps(d).encode(), "prices", llm_prices_step, capsys)
    assert how == "error" and "models[2].price_history[0]" in msg and "ten dollars" in msg


PRICE_FAULTS = [
    ("input", -3.0, "input_orig", "negative price"),
    ("input", float("nan"), "input_orig", "no price"),
    ("input", 5e9, "input_orig", "implausible price"),
    ("output", 1e12, "output_orig", "implausible price"),
    ("from_date", "2099-01-01", "from_date", "outside"),
    ("from_date", "1900-01-01", "from_date", "outside"),
]


@pytest.mark.parametrize(("key", "value", "column", "reason"), PRICE_FAULTS,
                         ids=[f"{k}={v}" for k, v, _, _ in PRICE_FAULTS])
def test_prices_json_bad_value_goes_to_quarantine(case, base, capsys, key, value, column, reason):
    d = json.loads(good(base, PRICES_JSON))
    m = d["models"][1]
    m["price_history"][0][key] = value
    if key == "from_date":
        m["price_history"][0]["to_date"] = None
    data = json.dumps(d).encode()  # NaN is written as the (non-standard) NaN literal Python's json accepts
    how, res = run_fault(case, PRICES_JSON, data, "prices", llm_prices_step, capsys)
    assert how == "quarantine"
    rec = sum(len(x["price_history"]) for x in d["models"][:1]) + 1
    q = quarantined(res, PRICES_JSON, rec)
    assert q["column"] == column and reason in q["reason"] and q["key"] == m["id"], q
    assert file_counts(res, PRICES_JSON)["rows_in"] == json_records(d)


def test_prices_json_duplicated_model_is_quarantined(case, base, capsys):
    d = json.loads(good(base, PRICES_JSON))
    d["models"].append(json.loads(json.dumps(d["models"][5])))
    how, res = run_fault(case, PRICES_JSON, json.dumps(d).encode(), "prices", llm_prices_step, capsys)
    assert how == "quarantine"
    n = json_records(d)
    dup = res.quarantine.filter(pl.col("reason").str.contains("appears twice"))
    assert dup.height == len(d["models"][5]["price_history"]) and dup["source_row"].max() == n
    assert file_counts(res, PRICES_JSON)["rows_in"] == n


def test_hypothesis_profile_is_deterministic_unless_exploring():
    """`make test` and CI run the derandomized profile: the same examples, hence the same verdict, every run."""
    from hypothesis import settings
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        s = settings.get_profile("ci")
        assert settings.default.derandomize and settings.default.database is None
        assert s.max_examples == settings.default.max_examples == 60
        # and the examples do not depend on the modules imported before (tests/conftest.py)
        import conftest
        from hypothesis.internal.conjecture import providers
        assert providers._get_local_constants() is conftest.NO_LOCAL_CONSTANTS
        assert len(conftest.NO_LOCAL_CONSTANTS) == 0
    assert settings.get_profile("explore").max_examples > settings.get_profile("ci").max_examples


# --- the curated CSVs: organizations registry and the FX table -----------------------------------------

CURATED = {"organizations.csv": "organizations", "fx_usd_cny.csv": "prices"}


@pytest.fixture()
def raw(tmp_path, monkeypatch):
    """A scratch copy of data/curated/ (ANALYSIS_CURATED_DIR)."""
    shutil.copytree(paths.curated_dir(), tmp_path / "raw")
    monkeypatch.setenv("ANALYSIS_CURATED_DIR", str(tmp_path / "raw"))
    yield tmp_path / "raw"


def _load_curated(name: str):
    from analysis.curated import fx
    return registry.load() if name == "organizations.csv" else fx.load()


def _curated_fault(text: bytes, fault: str) -> bytes:
    lines = text.split(b"\n")
    return {
        "empty": b"",
        "latin-1": text.decode("utf-8").encode("latin-1", errors="replace") + "é\n".encode("latin-1"),
        "duplicated-row": b"\n".join(lines[:3] + [lines[2]] + lines[3:]),
        "truncated": text[: text.rfind(b"\n", 0, len(text) - 1) + 1] + lines[-2][: len(lines[-2]) // 2],
        "truncated-last-field": text.rstrip(b"\n")[:-3],
    }[fault]


@pytest.mark.parametrize("fault", ["empty", "latin-1", "duplicated-row", "truncated", "truncated-last-field"])
@pytest.mark.parametrize("name", sorted(CURATED))
def test_curated_csv_fault_is_a_clear_error_naming_the_file(raw, name, fault):
    data = _curated_fault((raw / name).read_bytes(), fault)
    (raw / name).write_bytes(data)
    with pytest.raises(InputError, match=f"^data/curated/{name}: ") as exc:
        _load_curated(name)
    assert "\n" not in str(exc.value)
    if fault == "duplicated-row":
        assert "twice" in str(exc.value) and "record 3" in str(exc.value)


def test_fx_decimal_comma_is_a_clear_error(raw):
    rows = csv_records((raw / "fx_usd_cny.csv").read_bytes())
    rows[4][1] = rows[4][1].replace(".", ",")
    (raw / "fx_usd_cny.csv").write_bytes(csv_bytes(rows))
    with pytest.raises(InputError, match=r"^data/curated/fx_usd_cny.csv: record 4, column 'usd_cny'.*decimal point"):
        _load_curated("fx_usd_cny.csv")


@pytest.mark.parametrize("name", sorted(CURATED))
def test_curated_csv_bom_and_crlf_are_accepted(raw, name):
    before = _load_curated(name)
    data = (raw / name).read_bytes()
    (raw / name).write_bytes(b"\xef\xbb\xbf" + csv_bytes(csv_records(data), newline="\r\n"))
    after = _load_curated(name)
    if name == "organizations.csv":
        assert after.orgs == before.orgs and after.lookup == before.lookup
    else:
        assert after.equals(before)


@pytest.mark.parametrize("name", sorted(CURATED))
def test_curated_csv_fault_through_the_cli_exits_1_naming_the_file(case, raw, capsys, name):
    (raw / name).write_bytes(_curated_fault((raw / name).read_bytes(), "duplicated-row"))
    before = _clean_state(case / "clean")
    assert main(["build", "--table", CURATED[name]]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: data/curated/{name}: ") and err.count("\n") == 1, err
    assert _clean_state(case / "clean") == before


# --- every JSON source: wrong shapes are one-line errors naming file and place -------------------------

from analysis.clean import leaderboards  # noqa: E402

# the pinned versions of the dated families (analysis.acquire.versions): the newest LiteLLM file, the LMArena files
LMARENA_PINNED = [r.path for r in build.step_reads(leaderboards.LMARENA_STEP)]
LITELLM_JSON = build.step_reads(next(s for s in prices.READ_STEPS if s.name == "price_rows:litellm"))[-1].path
CN_JSON = prices.LLM_PRICES_CN_FILES[-1]
ARENA_JSON = LMARENA_PINNED[0]
AA_JSON = leaderboards.AA_FILE


def _litellm_step():
    return build.run_step(prices.LITELLM_STEP, files=[LITELLM_JSON])


def _cn_step():
    return build.run_step(prices.LLM_PRICES_CN_STEP, files=[CN_JSON])


_GOOD_EXTERNAL = paths.external_dir()  # before a test points ANALYSIS_EXTERNAL_DIR at a damaged copy
_CW = []


_INPUTS = []


def _good_inputs():
    """Registry, crosswalk and aliases from the good snapshots (the step under test reads the damaged file)."""
    if not _INPUTS:
        from analysis.curated import crosswalk
        from analysis.curated.inputs import Inputs
        cw = _crosswalk()
        inputs = Inputs(reg=_registry(), cw=cw, aliases=tuple(crosswalk.load_aliases(known_ids=set(cw.model_ids()))))
        _ = (inputs.providers, inputs.fx)  # read now, from the good files
        _INPUTS.append(inputs)
    return _INPUTS[0]


def _crosswalk():
    """The project crosswalk from the good snapshots (the step under test reads the damaged file)."""
    if not _CW:
        _CW.append(build.base_crosswalk(_registry(), _GOOD_EXTERNAL))
    return _CW[0]


def _aa_step():
    return build.run_step(leaderboards.AA_STEP, Inputs(cw=_crosswalk()))


def _arena_step():
    return build.run_step(leaderboards.LMARENA_STEP, Inputs(cw=_crosswalk()))


def _first_key(d):
    return next(k for k, v in d.items() if isinstance(v, dict))


def _edit(f):
    """A corruption that edits the parsed document in place and returns it."""
    def g(d):
        f(d)
        return d
    return g


SHAPE_FAULTS = [
    # (file, step, table, the corrupted document from the parsed good one, words the message must hold)
    (PRICES_JSON, llm_prices_step, "prices", _edit(lambda d: d["models"].__setitem__(2, None)),
     "models[2]: expected an object, found null"),
    (PRICES_JSON, llm_prices_step, "prices", _edit(lambda d: d["models"][2].pop("id")), "models[2], key 'id'"),
    (PRICES_JSON, llm_prices_step, "prices", lambda d: [1, 2], "expected an object with a 'models' list"),
    (CN_JSON, _cn_step, "prices", _edit(lambda d: d["models"].__setitem__(1, "gpt")),
     "models[1]: expected an object, found a string"),
    (CN_JSON, _cn_step, "prices", _edit(lambda d: d.__setitem__("models", None)), "'models' list"),
    (LITELLM_JSON, _litellm_step, "prices", lambda d: [d], "top level: expected an object, found a list"),
    (AA_JSON, _aa_step, "capability", _edit(lambda d: d.__setitem__(3, None)), "record 4: expected an object, found null"),
    (AA_JSON, _aa_step, "capability", lambda d: {"models": d}, "expected a list"),
    (ARENA_JSON, _arena_step, "capability", lambda d: None, "top level: expected an object, found null"),
    (ARENA_JSON, _arena_step, "capability", _edit(lambda d: d["full"].__setitem__(_first_key(d["full"]), "x")),
     "no 'rating'"),
]


@pytest.mark.parametrize("i", range(len(SHAPE_FAULTS)),
                         ids=[f"{f.split('/')[-1]}:{w[:30]}" for f, *_, w in SHAPE_FAULTS])
def test_json_of_the_wrong_shape_is_a_one_line_error(case, base, capsys, i):
    local_path, step, table, corrupt, words = SHAPE_FAULTS[i]
    if local_path == AA_JSON:
        _aa_step()  # the crosswalk is built (and cached) from the good file first
    data = json.dumps(corrupt(json.loads(good(base, local_path)))).encode()
    how, msg = run_fault(case, local_path, data, table, step, capsys)
    assert how == "error" and words in msg and "\n" not in msg, msg


def test_deeply_nested_json_is_a_clear_error(case, base, capsys):
    data = b"[" * 100_000 + b"]" * 100_000
    how, msg = run_fault(case, PRICES_JSON, data, "prices", llm_prices_step, capsys)
    assert how == "error" and "nested too deeply" in msg


@pytest.mark.parametrize("value", [None, "a string", 42])
def test_litellm_key_whose_value_is_not_an_object_is_quarantined_not_dropped(case, base, capsys, value):
    d = json.loads(good(base, LITELLM_JSON))
    d["bogus-model-key"] = value
    how, res = run_fault(case, LITELLM_JSON, json.dumps(d).encode(), "prices", _litellm_step, capsys)
    assert how == "quarantine"
    assert file_counts(res, LITELLM_JSON)["rows_in"] == len(d)  # every key is a record
    q = quarantined(res, LITELLM_JSON, len(d))
    assert q["key"] == "bogus-model-key" and "not a model object" in q["reason"]


@pytest.mark.parametrize("value", [float("inf"), True, float("-inf"), "1200"])
def test_lmarena_rating_that_is_not_a_finite_number_is_quarantined(case, base, capsys, value):
    d = json.loads(good(base, ARENA_JSON))
    key = _first_key(d["full"])
    d["full"][key]["rating"] = value
    how, res = run_fault(case, ARENA_JSON, json.dumps(d).encode(), "capability", _arena_step, capsys)
    assert how == "quarantine"
    q = quarantined(res, ARENA_JSON, 1)
    assert q["key"] == key and q["column"] == "score" and "no numeric score" in q["reason"]
    assert key not in res.df.filter(pl.col("source_file") == ARENA_JSON)["source_model"].to_list()


def test_json_model_key_given_twice_is_an_error(case, base, capsys):
    raw = good(base, ARENA_JSON).decode()
    d = json.loads(raw)
    key = _first_key(d["full"])
    entry = json.dumps({key: {**d["full"][key], "rating": 1.0}})[1:-1]  # a second, different reading
    data = raw.replace('"full": {', '"full": {' + entry + ", ", 1)
    assert data != raw, "the test could not find the 'full' object"
    how, msg = run_fault(case, ARENA_JSON, data.encode(), "capability", _arena_step, capsys)
    assert how == "error" and f"key {key!r} appears twice" in msg


def test_llm_prices_cn_missing_fx_months_keep_the_accounting(raw):
    """Records without a USD/CNY rate are quarantined one by one: the records used are exactly the records the
    base price rows stand for (each period counts its n_observations once: a period split at a dated alias
    switch repeats its source row and count on each part)."""
    lines = (raw / "fx_usd_cny.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (raw / "fx_usd_cny.csv").write_text("".join(x for x in lines if not x.startswith(("2026-07", "2026-08"))),
                                        encoding="utf-8")
    res = build.run_step(prices.LLM_PRICES_CN_STEP)
    res.check_accounting()
    fx_q = res.quarantine.filter(pl.col("reason").str.contains("no USD/CNY rate"))
    assert fx_q.height > 0 and fx_q.select("source_file", "source_row").is_unique().all()
    used = res.counts["rows_used"].sum()
    periods = res.df.filter(pl.col("price_kind") == "base").unique(["source_file", "source_row"])
    assert used == periods["n_observations"].sum()
    assert res.counts["rows_in"].sum() == sum(
        len(json.loads((paths.external_dir() / f).read_bytes())["models"]) for f in prices.LLM_PRICES_CN_FILES)


def test_models_csv_same_model_twice_with_different_values_is_quarantined(case, base, capsys, built):
    rows = csv_records(good(base, MODELS_CSV))
    second = list(rows[10])
    second[rows[0].index("Parameters")] = "123456789"  # the same model and date, another reading
    rows.append(second)
    how, res = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", run_models, capsys)
    assert how == "quarantine"
    q = quarantined(res, MODELS_CSV, len(rows) - 1)
    assert "second reading of the same model and release date as record 10" in q["reason"]
    assert res.df.height == built["models"].height
    assert res.df.filter(pl.col("model") == " ".join(rows[10][0].split()))["parameters"].to_list() == \
        built["models"].filter(pl.col("model") == " ".join(rows[10][0].split()))["parameters"].to_list()


@pytest.mark.parametrize(("local_path", "column"), [(MODELS_CSV, "Model"), (ECI_CSV, "Model version")])
def test_nul_byte_in_a_name_is_a_clear_error(case, base, capsys, local_path, column):
    rows = csv_records(good(base, local_path))
    rows[3][rows[0].index(column)] = "gpt\x00-evil"
    step = run_models if local_path == MODELS_CSV else run_eci
    how, msg = run_fault(case, local_path, csv_bytes(rows), "models" if step is run_models else "capability",
                         step, capsys)
    assert how == "error" and f"record 3, column {column!r}: a NUL byte" in msg


LIVEBENCH_CSV = "capability/livebench_livebench.github.io/table_2026_01_08.csv"


@pytest.mark.parametrize("cut", [1, 3, 4])
def test_livebench_csv_cut_inside_its_last_field_is_an_error(case, base, capsys, cut):
    """Cut a few bytes into the last field (88.75 -> 8): every field is there, only the final newline is missing."""
    cw = _crosswalk()
    data = good(base, LIVEBENCH_CSV)
    assert data.endswith(b"\n")
    cut_data = data[: -1 - cut]
    how, msg = run_fault(case, LIVEBENCH_CSV, cut_data, "capability",
                         lambda: build.run_step(leaderboards.LIVEBENCH_STEP, Inputs(cw=cw)), capsys)
    assert how == "error" and "without a final newline" in msg and "truncated" in msg


# --- every other upstream CSV family: llmprice.cn tables, OpenRouter (weekly, daily, categories), Vorp Labs,
# LiveBench. The step runs in-process on the corrupted file (one full fetch + CLI run per family below). -----

from analysis.clean import events, openrouter  # noqa: E402

CN_TABLES_CSV = prices.CN_TABLES_FILE
VORPLABS_CSV = events.VORPLABS_FILE


def _livebench_step():
    return build.run_step(leaderboards.LIVEBENCH_STEP, Inputs(cw=_crosswalk()))


# family -> (file, step, table, a name column, a number column (None: the family has none), comment prefix)
CSV_FAMILIES = {
    "cn-tables": (CN_TABLES_CSV, step_runner(prices.CN_TABLES_STEP), "prices", "model", "input_price_raw", None),
    "openrouter-weekly": (openrouter.WEEKLY_FILE, step_runner(openrouter.WEEKLY_STEP), "openrouter_weekly", "Author", "Tokens",
                          None),
    "openrouter-daily": (openrouter.DAILY_FILE, step_runner(openrouter.DAILY_STEP), "openrouter_daily", "Model", "Reasoning",
                         None),
    "openrouter-categories": (openrouter.CATEGORY_FILE, step_runner(openrouter.CATEGORY_STEP), "openrouter_categories",
                              "Author", "Tokens", None),
    "vorplabs": (VORPLABS_CSV, step_runner(events.VORPLABS_STEP), "events", "instrument", None, "#"),
    "livebench": (LIVEBENCH_CSV, _livebench_step, "capability", "model", None, None),
}
BOM = b"\xef\xbb\xbf"


def _split_comments(data: bytes, prefix: str | None) -> tuple[bytes, bytes]:
    """(leading comment lines, the CSV proper) of a file whose first lines may be comments."""
    if not prefix:
        return b"", data
    lines = data.splitlines(keepends=True)
    n = next(i for i, x in enumerate(lines) if not x.lstrip(BOM).startswith(prefix.encode()))
    return b"".join(lines[:n]), b"".join(lines[n:])


def family_records(data: bytes, prefix: str | None) -> list[list[str]]:
    """The records as Python's csv module reads them (comment lines dropped): the count the build must give."""
    return [r for r in csv_records(_split_comments(data, prefix)[1]) if r]


def edit_family_csv(data: bytes, prefix: str | None, edit) -> bytes:
    """Apply `edit(rows)` to the CSV part of `data` (rows[0] is the header), keeping comments and the file's BOM
    and final-newline convention."""
    head, body = _split_comments(data, prefix)
    bom = body.startswith(BOM) and not head
    rows = csv_records(body)
    edit(rows)
    out = csv_bytes(rows)
    if not body.endswith(b"\n"):
        out = out[:-1]
    return head + (BOM if bom else b"") + out


def family_cell_record(local_path: str) -> int:
    """The record whose cells the faults change: one the step uses (for the OpenRouter weekly file the last
    record, of the week labelling the table keeps)."""
    return 1072 if local_path == openrouter.WEEKLY_FILE else 3


def step_fault(case: Path, local_path: str, data: bytes, step, rows_in: int | None = None):
    """The corrupted file in place of the good one, the step run in-process: ("error", message) after checking it
    is a one-line InputError/SchemaError naming the file, or ("quarantine", result) after checking the accounting
    (and rows_in, counted here by the csv/json modules, when given). Any other exception fails the test."""
    target = case / "external" / local_path
    target.unlink()
    target.write_bytes(data)
    try:
        result = step()
    except (InputError, SchemaError) as exc:
        msg = str(exc)
        assert local_path in msg and "\n" not in msg, msg
        return "error", msg
    result.check_accounting()
    assert result.quarantine["reason"].null_count() == 0
    if local_path not in result.counts["source_file"].to_list():  # a side file (a lookup), not records
        assert rows_in is None
        return "quarantine", result
    c = file_counts(result, local_path)
    assert c["rows_in"] == c["rows_used"] + c["rows_quarantined"]
    assert result.quarantine.filter(pl.col("source_file") == local_path).height == c["rows_quarantined"]
    if rows_in is not None:
        assert c["rows_in"] == rows_in, (c, rows_in)
    return "quarantine", result


DAILY_DAYS = 8  # days of the OpenRouter daily history the in-process faults run on


def _first_days(data: bytes, days: int) -> bytes:
    """The header and the records of the first `days` dates of a one-record-per-line CSV whose first column is
    the date: the same header, line ends and final newline as the file, whole days."""
    lines = data.splitlines(keepends=True)
    seen: list[bytes] = []
    for i, line in enumerate(lines[1:], start=1):
        day = line.split(b",", 1)[0]
        if day not in seen:
            if len(seen) == days:
                return b"".join(lines[:i])
            seen.append(day)
    return data


@pytest.fixture(scope="module")
def family_inputs(base) -> dict[str, bytes]:
    """The good bytes each family's faults start from: the fetched file, except for the OpenRouter daily history
    (55k records; its step takes seconds), cut to its first DAILY_DAYS days. The cut keeps what the faults and
    the step look at: the header, the record the cell faults change, the file's line ends, BOM (none) and
    final newline, and days of both kinds (the first four are partial back-fills of 4 to 6 models, the next
    ones ~276 models), so the partial-day rule sees a median day. The whole file goes through fetch and the
    CLI in test_csv_family_fault_through_fetch_and_the_cli."""
    out = {family: good(base, spec[0]) for family, spec in CSV_FAMILIES.items()}
    full = out["openrouter-daily"]
    cut = _first_days(full, DAILY_DAYS)
    assert len(csv_records(cut)) == cut.count(b"\n") and len(cut) < len(full) / 10  # one record a line, cut
    assert len(family_records(cut, None)) > family_cell_record(openrouter.DAILY_FILE) + 1
    out["openrouter-daily"] = cut
    return out


@pytest.fixture(scope="module")
def family_good(base):
    """Each family's step on its good input (family_inputs: the reference for the harmless variants)."""
    return {}


def _good_result(family_good, family, case, data: bytes):
    if family not in family_good:
        target = case / "external" / CSV_FAMILIES[family][0]
        target.unlink()
        target.write_bytes(data)
        family_good[family] = CSV_FAMILIES[family][1]()
    return family_good[family]


def _set(rows, record, column, value):
    rows[record][rows[0].index(column)] = value


def _csv_family_fault(data: bytes, family: str, fault: str) -> tuple[bytes, str | None]:
    """(corrupted bytes, expected outcome: 'error', 'quarantine' or 'same')."""
    local_path, _, _, name_col, num_col, prefix = CSV_FAMILIES[family]
    rec = family_cell_record(local_path)
    head, body = _split_comments(data, prefix)
    plain = body.removeprefix(BOM)
    if fault == "empty":
        return b"", "error"
    if fault == "bom":  # exactly one BOM (two OpenRouter files carry one already)
        return head + BOM + plain if not head else BOM + head + plain, "same"
    if fault == "no-bom":
        return head.removeprefix(BOM) + plain, "same"
    if fault == "crlf":  # the other line ends: CRLF for a file with LF, LF for a file with CRLF
        nl = "\n" if b"\r\n" in plain else "\r\n"
        out = csv_bytes(csv_records(plain), newline=nl)
        return head + (out if plain.endswith(b"\n") else out[: -len(nl)]), "same"
    if fault == "latin-1":
        d = edit_family_csv(data, prefix, lambda rows: _set(rows, rec, name_col, rows[rec][rows[0].index(name_col)]
                                                          + " café"))
        return d.decode("utf-8").encode("latin-1", errors="replace"), "error"
    if fault == "nul-in-name":
        return edit_family_csv(data, prefix, lambda rows: _set(rows, rec, name_col, "gpt\x00-evil")), "error"
    if fault in ("bare-cr-in-name", "quoted-cr-in-name"):
        rows = csv_records(plain)
        lines = [csv_bytes([r]).decode() for r in rows]
        r = list(rows[rec])
        r[rows[0].index(name_col)] = "@@CELL@@"
        cell = rows[rec][rows[0].index(name_col)]
        cell = f'"{cell[:2]}\r{cell[2:]}"' if fault.startswith("quoted") else f"{cell[:2]}\r{cell[2:]}"
        lines[rec] = csv_bytes([r]).decode().replace("@@CELL@@", cell)
        out = "".join(lines).encode()
        return head + (body[:len(body) - len(plain)]) + (out if plain.endswith(b"\n") else out[:-1]), "quarantine"
    if fault == "truncated-last-field":  # a download cut 3 bytes into... the end of the last field
        return data.rstrip(b"\n")[:-3], "error"
    if fault == "truncated-mid-record":
        cut = data.rstrip(b"\n")
        return cut[: cut.rfind(b"\n") + 12], "error"
    if fault == "ragged":
        return edit_family_csv(data, prefix, lambda rows: rows[rec].extend(["x", "y"])), "error"
    if fault == "duplicate-different":
        def dup(rows):
            second = list(rows[rec])
            col = num_col or ("summary" if family == "vorplabs" else rows[0][-1])
            second[rows[0].index(col)] = "another reading" if family == "vorplabs" else "7"
            rows.append(second)
        return edit_family_csv(data, prefix, dup), "quarantine"
    if fault in ("decimal-comma", "infinity", "nan", "true"):
        value = {"decimal-comma": "1,5", "infinity": "Infinity", "nan": "NaN", "true": "true"}[fault]
        return edit_family_csv(data, prefix, lambda rows: _set(rows, rec, num_col, value)), "quarantine"
    if fault == "missing-column":
        def drop(rows):
            i = rows[0].index(name_col)
            rows[:] = [r[:i] + r[i + 1:] for r in rows]
        return edit_family_csv(data, prefix, drop), "error"
    raise AssertionError(fault)


CSV_FAULTS = ["empty", "bom", "no-bom", "crlf", "latin-1", "nul-in-name", "bare-cr-in-name", "quoted-cr-in-name",
              "truncated-last-field", "truncated-mid-record", "ragged", "duplicate-different", "decimal-comma",
              "infinity", "nan", "true", "missing-column"]
CSV_CASES = [(f, x) for f in CSV_FAMILIES for x in CSV_FAULTS
             if not (CSV_FAMILIES[f][4] is None and x in ("decimal-comma", "infinity", "nan", "true"))
             and not (f == "vorplabs" and x == "truncated-last-field")]  # pinned without a final newline (docs/data.md)


@pytest.mark.parametrize(("family", "fault"), CSV_CASES, ids=[f"{f}:{x}" for f, x in CSV_CASES])
def test_csv_family_fault_ends_as_the_readme_promises(case, family_inputs, family_good, family, fault):
    local_path, step, table, name_col, num_col, prefix = CSV_FAMILIES[family]
    good_res = _good_result(family_good, family, case, family_inputs[family])
    data, expected = _csv_family_fault(family_inputs[family], family, fault)
    assert data != family_inputs[family] or fault in ("bom", "no-bom")
    rows_in = None if expected == "error" else len(family_records(data, prefix)) - 1
    how, res = step_fault(case, local_path, data, step, rows_in)
    if expected == "error":
        assert how == "error", f"{fault}: accepted ({file_counts(res, local_path)})"
        if fault == "nul-in-name":
            assert f"column {name_col!r}: a NUL byte" in res
        if fault == "missing-column":
            assert f"missing column(s) ['{name_col}']" in res
        if fault in ("latin-1", "empty"):
            assert ("not UTF-8" if fault == "latin-1" else "empty") in res
        if fault.startswith("truncated"):
            assert "truncated" in res
        return
    assert how == "quarantine", res
    if expected == "same":
        assert res.df.equals(good_res.df) and res.quarantine.equals(good_res.quarantine)
        return
    c, g = file_counts(res, local_path), file_counts(good_res, local_path)
    if fault == "duplicate-different":
        q = quarantined(res, local_path, rows_in)
        assert any(w in q["reason"] for w in ("repeated", "second", "twice", "same model")), q["reason"]
        assert c["rows_used"] == g["rows_used"]
    elif fault in ("decimal-comma", "infinity", "nan", "true"):
        assert c["rows_quarantined"] == g["rows_quarantined"] + 1
        q = quarantined(res, local_path, family_cell_record(local_path))
        assert q["column"] == num_col, (q["column"], q["reason"])
    elif fault == "quoted-cr-in-name":
        assert c["rows_in"] == g["rows_in"]  # a CR inside quotes stays in its field
    else:  # a bare CR ends a record for the csv module: one record more, counted and accounted
        assert c["rows_in"] == g["rows_in"] + 1


@pytest.mark.parametrize("family", sorted(CSV_FAMILIES))
def test_csv_family_fault_through_fetch_and_the_cli(case, base, capsys, family):
    """One full run per family: fetch refuses the corrupted copy, `build --table` exits 1 with a one-line error
    naming the file, and the previous clean tables stay as they were."""
    local_path, step, table, *_ = CSV_FAMILIES[family]
    data, _ = _csv_family_fault(good(base, local_path), family, "nul-in-name")
    how, msg = run_fault(case, local_path, data, table, step, capsys)
    assert how == "error" and "NUL byte" in msg


# --- every curated CSV of data/curated/: one reader (read_curated_csv / events.read_curated), one kind of error -----

def _load_raw(name: str):
    """The project's loader of one curated file (what the build calls), run on the scratch data/curated/."""
    from analysis.clean import epoch_prices
    from analysis.curated import crosswalk, regions
    from analysis.metrics import replication
    loaders = {
        "organizations.csv": registry.load,
        "fx_usd_cny.csv": lambda: _load_curated("fx_usd_cny.csv"),
        "policy_events.csv": lambda: build.run_step(events.CURATED_STEP).df,
        "genai_filings.csv": lambda: build.run_step(events.FILINGS_STEP).df,
        "model_aliases.csv": crosswalk.load_aliases,
        "model_crosswalk_capability.csv": crosswalk.load_exceptions,
        "price_providers.csv": lambda: load_providers(registry.load()),
        "openrouter_authors.csv": lambda: load_authors(registry.load()),
        "region_disagreements.csv": regions.load_reasons,
        "epoch_price_excluded_models.csv": lambda: build.run_step(epoch_prices.INPUTS_STEP).df,
        "published_figures.csv": replication.published_figures,
    }
    return loaders[name]()


RAW_FILES = ["organizations.csv", "fx_usd_cny.csv", "policy_events.csv", "genai_filings.csv", "model_aliases.csv",
             "model_crosswalk_capability.csv", "price_providers.csv", "openrouter_authors.csv",
             "region_disagreements.csv", "epoch_price_excluded_models.csv", "published_figures.csv"]
# the column of each file whose value must not repeat (a second row for it is two readings of one thing)
RAW_KEYS = {"organizations.csv": "name", "fx_usd_cny.csv": "month", "policy_events.csv": "event_id",
            "genai_filings.csv": "date", "model_aliases.csv": "alias", "model_crosswalk_capability.csv": "source_name",
            "price_providers.csv": "provider", "openrouter_authors.csv": "author",
            "region_disagreements.csv": "organization", "epoch_price_excluded_models.csv": "model",
            "published_figures.csv": "figure_id"}


def _raw_fault(data: bytes, fault: str) -> bytes:
    rows = csv_records(data)
    if fault == "empty":
        return b""
    if fault == "latin-1":
        rows[1][0] += " café"
        return csv_bytes(rows).decode("utf-8").encode("latin-1", errors="replace")
    if fault == "nul":
        rows[1][0] = rows[1][0][:2] + "\x00" + rows[1][0][2:]
        return csv_bytes(rows)
    if fault == "ragged":
        rows[1].append("one field too many")
        return csv_bytes(rows)
    if fault == "truncated-mid-record":
        cut = data.rstrip(b"\n")
        return cut[: cut.rfind(b"\n") + 4]
    if fault == "duplicated-row-other-values":
        second = list(rows[1])
        second[-1] = (second[-1] or "x") + " (another reading)"
        rows.insert(2, second)
        return csv_bytes(rows)
    raise AssertionError(fault)


RAW_FAULTS = ["empty", "latin-1", "nul", "ragged", "truncated-mid-record", "duplicated-row-other-values"]


@pytest.mark.parametrize("fault", RAW_FAULTS)
@pytest.mark.parametrize("name", RAW_FILES)
def test_every_curated_csv_fault_is_a_one_line_error_naming_the_file(raw, case, name, fault):
    data = (raw / name).read_bytes()
    (raw / name).write_bytes(_raw_fault(data, fault))
    with pytest.raises(InputError) as exc:
        _load_raw(name)
    msg = str(exc.value)
    assert msg.startswith(f"data/curated/{name}: ") and "\n" not in msg, msg
    if fault in ("nul", "duplicated-row-other-values"):
        assert "record" in msg, msg
    if fault == "duplicated-row-other-values":
        assert any(w in msg for w in ("twice", "already", "overlaps", "repeat")), msg


@pytest.mark.parametrize("name", RAW_FILES)
def test_every_curated_csv_accepts_a_bom_and_crlf(raw, case, name):
    before = _load_raw(name)
    data = (raw / name).read_bytes()
    (raw / name).write_bytes(BOM + csv_bytes(csv_records(data), newline="\r\n"))
    after = _load_raw(name)
    if isinstance(before, pl.DataFrame):
        assert after.equals(before)
    elif isinstance(before, registry.Registry):
        assert after.orgs == before.orgs
    else:
        assert after == before


# --- the JSON families not covered above: Hugging Face adoption (weekly rows, orgs) and LiveBench categories -----


HF_WEEKLY = adoption.WEEKLY_FILE
HF_ORGS = adoption.ORGS_FILE
LIVEBENCH_CATS = leaderboards.LIVEBENCH_CATEGORIES


def _used_hf_record(d: list) -> int:
    """Index of the first weekly record of a lab the registry knows (a record the step uses)."""
    return next(i for i, r in enumerate(d) if isinstance(r, dict) and _registry().resolve(str(r.get("id"))))


def _dup_hf(d):
    second = dict(d[_used_hf_record(d)])
    second["downloads_week"] = (second.get("downloads_week") or 0) + 1
    d.append(second)


def _set_hf(key, value):
    return _edit(lambda d: d[_used_hf_record(d)].__setitem__(key, value))


# (file, step, corrupted document from the parsed good one, expected: ("error", words) or ("quarantine", words))
JSON_FAMILY_FAULTS = {
    "hf-weekly:record-null": (HF_WEEKLY, run_adoption, _edit(lambda d: d.__setitem__(5, None)),
                              ("error", "record 6")),
    "hf-weekly:record-string": (HF_WEEKLY, run_adoption, _edit(lambda d: d.__setitem__(5, "x")),
                                ("error", "record 6")),
    "hf-weekly:top-level-object": (HF_WEEKLY, run_adoption, lambda d: {"rows": d}, ("error", "expected a list")),
    "hf-weekly:missing-id": (HF_WEEKLY, run_adoption, _edit(lambda d: d[_used_hf_record(d)].pop("id")),
                             ("quarantine", "no lab id")),
    "hf-weekly:missing-count": (HF_WEEKLY, run_adoption, _edit(lambda d: d[_used_hf_record(d)].pop("downloads_week")),
                                ("quarantine", "not a count")),
    "hf-weekly:infinity": (HF_WEEKLY, run_adoption, _set_hf("downloads_week", float("inf")),
                           ("quarantine", "not a count")),
    "hf-weekly:true": (HF_WEEKLY, run_adoption, _set_hf("likes_week", True), ("quarantine", "not a count")),
    "hf-weekly:string-number": (HF_WEEKLY, run_adoption, _set_hf("likes_week", "12"), ("quarantine", "not a count")),
    "hf-weekly:object-as-date": (HF_WEEKLY, run_adoption, _set_hf("week_date", {"y": 2024}),
                                 ("quarantine", "not an ISO date")),
    "hf-weekly:nul-in-name": (HF_WEEKLY, run_adoption, _set_hf("id", "Qwen\x00"),
                              ("quarantine", "not in the organization registry")),
    "hf-weekly:duplicate-different": (HF_WEEKLY, run_adoption, _edit(_dup_hf), ("quarantine", "repeated")),
    # issue 31: the shared date and count rules (a far-future or pre-1940 week, a count past int64)
    "hf-weekly:far-future-date": (HF_WEEKLY, run_adoption, _set_hf("week_date", "2999-01-08"),
                                  ("quarantine", "after the file's snapshot date")),
    "hf-weekly:date-1900": (HF_WEEKLY, run_adoption, _set_hf("week_date", "1900-01-02"), ("quarantine", "before 1940")),
    "hf-weekly:past-int64": (HF_WEEKLY, run_adoption, _set_hf("downloads_week", 10**30),
                             ("quarantine", "past the int64 range")),
    "hf-orgs:top-level-object": (HF_ORGS, run_adoption, lambda d: {"labs": d}, ("error", "expected a list")),
    "hf-orgs:record-null": (HF_ORGS, run_adoption, _edit(lambda d: d.__setitem__(2, None)), ("error", "record 3")),
    "hf-orgs:region-null": (HF_ORGS, run_adoption, _edit(lambda d: d[2].__setitem__("region", None)),
                            ("error", "record 3")),
    "hf-orgs:id-object": (HF_ORGS, run_adoption, _edit(lambda d: d[2].__setitem__("id", {"x": 1})),
                          ("error", "record 3")),
    "livebench-categories:null": (LIVEBENCH_CATS, _livebench_step, lambda d: None,
                                  ("error", "top level: expected an object, found null")),
    "livebench-categories:list": (LIVEBENCH_CATS, _livebench_step, lambda d: list(d), ("error", "expected an object")),
    "livebench-categories:string-for-list": (
        LIVEBENCH_CATS, _livebench_step, _edit(lambda d: d.__setitem__(next(iter(d)), "math")),
        ("error", "expected a list of task names")),
    "livebench-categories:number-in-list": (
        LIVEBENCH_CATS, _livebench_step, _edit(lambda d: d[next(iter(d))].append(float("inf"))),
        ("error", "expected a list of task names")),
}


def _json_bytes_fault(raw: bytes, fault: str) -> bytes:
    return {"empty": b"", "latin-1": raw.decode("utf-8").encode("latin-1", errors="replace") + "é".encode("latin-1"),
            "truncated": raw[: len(raw) // 2], "utf-16": raw.decode("utf-8").encode("utf-16")}[fault]


JSON_BYTE_CASES = [(f, x) for f in (HF_WEEKLY, HF_ORGS, LIVEBENCH_CATS) for x in ("empty", "latin-1", "truncated",
                                                                                   "utf-16")]


@pytest.mark.parametrize("name", sorted(JSON_FAMILY_FAULTS))
def test_json_family_fault_ends_as_the_readme_promises(case, base, name):
    local_path, step, corrupt, (expected, words) = JSON_FAMILY_FAULTS[name]
    d = corrupt(json.loads(good(base, local_path)))
    data = json.dumps(d).encode()
    rows_in = len(d) if expected == "quarantine" else None
    how, res = step_fault(case, local_path, data, step, rows_in)
    assert how == expected, res
    if how == "error":
        assert words in res, res
        return
    good_d = json.loads(good(base, local_path))
    rec = len(d) if name.endswith("duplicate-different") else _used_hf_record(good_d) + 1
    q = quarantined(res, local_path, rec)
    assert words in q["reason"], q


@pytest.mark.parametrize(("local_path", "fault"), JSON_BYTE_CASES,
                         ids=[f"{f.split('/')[-1]}:{x}" for f, x in JSON_BYTE_CASES])
def test_json_family_unreadable_file_is_a_clear_error(case, base, local_path, fault):
    step = _livebench_step if local_path == LIVEBENCH_CATS else run_adoption
    how, msg = step_fault(case, local_path, _json_bytes_fault(good(base, local_path), fault), step)
    assert how == "error" and any(w in msg for w in ("empty", "not UTF-8", "not valid JSON")), msg


@pytest.mark.parametrize("local_path", [HF_WEEKLY, HF_ORGS, LIVEBENCH_CATS])
def test_json_family_bom_is_accepted(case, base, local_path):
    step = _livebench_step if local_path == LIVEBENCH_CATS else run_adoption
    before = step()
    how, res = step_fault(case, local_path, BOM + good(base, local_path), step)
    assert how == "quarantine" and res.df.equals(before.df)


@pytest.mark.parametrize("local_path", [HF_WEEKLY, LIVEBENCH_CATS])
def test_json_family_fault_through_fetch_and_the_cli(case, base, capsys, local_path):
    step, table = (_livebench_step, "capability") if local_path == LIVEBENCH_CATS else (run_adoption, "adoption")
    how, msg = run_fault(case, local_path, json.dumps([None]).encode() if local_path == HF_WEEKLY else b"null",
                         table, step, capsys)
    assert how == "error"


# --- property tests for every reader: any byte corruption of a valid input gives a clean result whose accounting
# holds, or the project's InputError naming the file; never another exception ---------------------------------


_SPECIAL_BYTES = [b"\r", b"\n", b"\r\n", b'"', b",", b"\x00", BOM, b"\xff", b"\xe9", b"{", b"}", b"[", b"]", b"null",
                  b"Infinity", b"NaN", b"true", b"-", b"1e999", b":", b"\\", b"\t", b" "]
BYTE_EDITS = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(["replace", "insert", "delete"]),
                                st.one_of(st.sampled_from(_SPECIAL_BYTES), st.binary(min_size=1, max_size=2))),
                      min_size=1, max_size=4)


def corrupt_bytes(data: bytes, edits) -> bytes:
    for frac, op, b in edits:
        i = int(frac * len(data))
        data = {"replace": data[:i] + b + data[i + len(b):], "insert": data[:i] + b + data[i:],
                "delete": data[:i] + data[i + len(b):]}[op]
    return data


def _csv_module_records(data: bytes) -> int | None:
    """Records (after the header) as Python's csv module counts them, blank lines skipped; None if it cannot."""
    try:
        rows = [r for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True) if r]
    except (csv.Error, UnicodeDecodeError):
        return None
    return len(rows) - 1


SMALL_CSV = (b'model,date,score,note\n"gpt-4o",2024-05-13,88.7,"a, quoted ""note"""\nclaude,2024-03-04,86.8,\n'
             b'qwen,2024-09-19,,"two\nlines"\n')


@given(edits=BYTE_EDITS)
def test_property_csv_reader_counts_as_the_csv_module_or_says_where(edits):
    data = corrupt_bytes(SMALL_CSV, edits)
    try:
        df = parse_csv_text("x/table.csv", decode_text("x/table.csv", data), ["model"])
    except InputError as exc:
        assert str(exc).startswith("x/table.csv: ") and "\n" not in str(exc), str(exc)
        return
    assert df.height == _csv_module_records(data)
    assert df["source_row"].to_list() == list(range(1, df.height + 1))
    assert not any("\x00" in (v or "") for c in df.columns if c != "source_row" for v in df[c].to_list())


@given(edits=BYTE_EDITS)
def test_property_curated_csv_reader_or_says_where(tmp_path, edits):
    data = corrupt_bytes(SMALL_CSV, edits)
    p = tmp_path / "curated.csv"
    p.write_bytes(data)
    try:
        df = read_curated_csv(p, "data/curated/curated.csv", ["model", "date", "score", "note"])
    except InputError as exc:
        assert str(exc).startswith("data/curated/curated.csv: ") and "\n" not in str(exc), str(exc)
        return
    assert df.height == _csv_module_records(data) and df.columns[1:] == ["model", "date", "score", "note"]


SMALL_JSON = json.dumps({"vendor": "x", "models": [{"id": "a", "price_history": [{"input": 1.5, "output": 2}]},
                                                   {"id": "b", "price_history": []}]}).encode()


@given(edits=BYTE_EDITS)
def test_property_json_reader_is_json_or_says_where(edits):
    data = corrupt_bytes(SMALL_JSON, edits)
    try:
        value = load_json_text("x/doc.json", decode_text("x/doc.json", data))
        expect_json("x/doc.json", "top level", value, dict)
        for i, m in enumerate(expect_json("x/doc.json", "models", value.get("models"), list)):
            expect_json("x/doc.json", f"models[{i}]", m, dict)
    except InputError as exc:
        assert str(exc).startswith("x/doc.json: ") and "\n" not in str(exc), str(exc)
        return
    assert json.dumps(value) == json.dumps(json.loads(data.decode("utf-8-sig")))  # (NaN != NaN)


@pytest.fixture(scope="module")
def small_json_sources(base, tmp_path_factory) -> Path:
    """llm-prices (one vendor file) and both LMArena files, cut to their first records, as an external dir."""
    root = tmp_path_factory.mktemp("small-json")
    d = json.loads(good(base, PRICES_JSON))
    d["models"] = d["models"][:6]
    (root / PRICES_JSON).parent.mkdir(parents=True, exist_ok=True)
    (root / PRICES_JSON).write_text(json.dumps(d, indent=1))
    for f in LMARENA_PINNED:
        a = json.loads(good(base, f))
        a = {"full": dict(list(a["full"].items())[:8])}
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text(json.dumps(a, indent=1))
    return root


def _run_source(root: Path, local_path: str, data: bytes, step):
    (root / local_path).write_bytes(data)
    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_EXTERNAL_DIR", str(root))
    try:
        res = step()
    except (InputError, SchemaError) as exc:
        assert local_path in str(exc) and "\n" not in str(exc), str(exc)
        return None
    finally:
        mp.undo()
    res.check_accounting()
    return res


@given(edits=BYTE_EDITS)
def test_property_llm_prices_parser_accounts_or_says_where(small_json_sources, tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("p")
    shutil.copytree(small_json_sources, root, dirs_exist_ok=True)
    data = corrupt_bytes((small_json_sources / PRICES_JSON).read_bytes(), edits)
    res = _run_source(root, PRICES_JSON, data,
                      lambda: build.run_step(prices.LLM_PRICES_STEP, _good_inputs(), files=[PRICES_JSON]))
    if res is not None:
        n = sum(len(m["price_history"]) for m in json.loads(data.decode("utf-8-sig"))["models"])
        assert file_counts(res, PRICES_JSON)["rows_in"] == n


@given(edits=BYTE_EDITS, which=st.sampled_from(sorted(LMARENA_PINNED)))
def test_property_lmarena_parser_accounts_or_says_where(small_json_sources, tmp_path_factory, edits, which):
    cw = _crosswalk()
    root = tmp_path_factory.mktemp("a")
    shutil.copytree(small_json_sources, root, dirs_exist_ok=True)
    data = corrupt_bytes((small_json_sources / which).read_bytes(), edits)
    res = _run_source(root, which, data, lambda: build.run_step(leaderboards.LMARENA_STEP, Inputs(cw=cw)))
    if res is not None:
        assert file_counts(res, which)["rows_in"] == len(json.loads(data.decode("utf-8-sig"))["full"])
        assert res.df["score"].is_finite().all()


@pytest.mark.parametrize(("name", "table"), [("openrouter_authors.csv", "openrouter_weekly"),
                                             ("price_providers.csv", "prices"), ("policy_events.csv", "events"),
                                             ("model_crosswalk_capability.csv", "capability")])
def test_more_curated_csv_faults_through_the_cli_exit_1_naming_the_file(case, raw, capsys, name, table):
    """One full build per family of curated files: a NUL byte in the file is `error: data/curated/<file>: ...` on one
    line, exit 1, and the previous clean tables stay as they were."""
    (raw / name).write_bytes(_raw_fault((raw / name).read_bytes(), "nul"))
    before = _clean_state(case / "clean")
    assert main(["build", "--table", table]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: data/curated/{name}: ") and err.count("\n") == 1 and "NUL byte" in err, err
    assert _clean_state(case / "clean") == before


def test_an_aa_release_that_is_not_a_date_is_a_one_line_error_naming_record_and_column(case, base, capsys):
    """Artificial Analysis 'release' "2024-13-01": the crosswalk step (analysis.link.crosswalk_steps) reports file, record and
    column, and `python -m analysis build` prints it as one `error:` line (it raised a bare ValueError before)."""
    from analysis.link import crosswalk_steps as link

    d = json.loads(good(base, AA_JSON))
    i = next(n for n, r in enumerate(d) if isinstance(r, dict) and r.get("release"))
    d[i]["release"] = "2024-13-01"
    how, msg = run_fault(case, AA_JSON, json.dumps(d).encode(), "capability",
                         lambda: build.run_step(link.BASE_STEP), capsys)
    assert how == "error" and "\n" not in msg
    assert msg == f"{AA_JSON}: record {i + 1}, column 'release': '2024-13-01' is not a YYYY-MM-DD date"


# --- issue 31: one date rule and one plausibility rule for every dated source ---------------------------------

OPENROUTER_FAMILIES = ["openrouter-weekly", "openrouter-daily", "openrouter-categories"]
DATE_FAULTS = {"far-future": ("2999-01-06", "after the file's snapshot date"), "1900": ("1900-01-01", "before 1940"),
               "wednesday": ("2026-04-22", "other week labelling")}  # a Wednesday, in the snapshots' range
DATE_CASES = [(f, x) for f in OPENROUTER_FAMILIES for x in DATE_FAULTS
              if not (x == "wednesday" and f == "openrouter-daily")]  # days: no week labelling


def _with_row_dated(data: bytes, family: str, day: str) -> bytes:
    """The file with one more record: a copy of the record the cell faults change, dated `day`."""
    rec = family_cell_record(CSV_FAMILIES[family][0])

    def add(rows):
        row = list(rows[rec])
        row[rows[0].index("Date")] = day
        rows.append(row)
    return edit_family_csv(data, None, add)


@pytest.mark.parametrize(("family", "fault"), DATE_CASES, ids=[f"{f}:{x}" for f, x in DATE_CASES])
def test_openrouter_row_dated_out_of_range_or_off_labelling_is_quarantined(case, family_inputs, family_good, family,
                                                                             fault):
    """Before: a far-future Sunday row switched the weekly table to the Sunday labelling (530 Monday rows out), a
    Wednesday category row became a week of its own. Now the row is quarantined and the table is unchanged."""
    local_path, step, *_ = CSV_FAMILIES[family]
    good_res = _good_result(family_good, family, case, family_inputs[family])
    day, words = DATE_FAULTS[fault]
    data = _with_row_dated(family_inputs[family], family, day)
    rows_in = len(family_records(data, None)) - 1
    how, res = step_fault(case, local_path, data, step, rows_in)
    assert how == "quarantine", res
    q = quarantined(res, local_path, rows_in)
    assert q["column"] == "Date" and words in q["reason"], q
    assert res.df.equals(good_res.df)


@pytest.mark.parametrize("family", OPENROUTER_FAMILIES)
def test_openrouter_count_past_int64_is_quarantined(case, family_inputs, family_good, family):
    local_path, step, _, _, num_col, _ = CSV_FAMILIES[family]
    good_res = _good_result(family_good, family, case, family_inputs[family])
    rec = family_cell_record(local_path)
    data = edit_family_csv(family_inputs[family], None, lambda rows: _set(rows, rec, num_col, "1e30"))
    how, res = step_fault(case, local_path, data, step, len(family_records(data, None)) - 1)
    assert how == "quarantine", res
    q = quarantined(res, local_path, rec)
    assert q["column"] == num_col and "past the int64 range" in q["reason"], q
    assert file_counts(res, local_path)["rows_quarantined"] == file_counts(good_res, local_path)["rows_quarantined"] + 1


def test_far_future_weekly_row_through_the_cli_is_quarantined_and_the_table_unchanged(case, base, capsys):
    """The issue's case through `build --table`: one far-future Sunday row (2999-01-06) in the weekly file."""
    local_path = openrouter.WEEKLY_FILE
    before = pl.read_parquet(case / "clean" / "current" / "openrouter_weekly.parquet")
    data = _with_row_dated(good(base, local_path), "openrouter-weekly", "2999-01-06")
    target = case / "external" / local_path
    target.unlink()
    target.write_bytes(data)
    assert main(["build", "--table", "openrouter_weekly"]) == 0, capsys.readouterr().err
    after = pl.read_parquet(case / "clean" / "current" / "openrouter_weekly.parquet")
    assert after.equals(before) and after["week_start"].dt.weekday().unique().to_list() == [1]
    q = pl.read_parquet(case / "clean" / "current" / "bookkeeping" / "quarantine.parquet").filter(
        (pl.col("source_file") == local_path) & (pl.col("reason").str.contains("2999-01-06")))
    assert q.height == 1 and "after the file's snapshot date" in q["reason"][0]


def test_hf_count_past_int64_through_the_cli_is_quarantined_not_a_traceback(case, base, capsys):
    d = json.loads(good(base, HF_WEEKLY))
    d[_used_hf_record(d)]["downloads_week"] = 10**30
    target = case / "external" / HF_WEEKLY
    target.unlink()
    target.write_bytes(json.dumps(d).encode())
    assert main(["build", "--table", "adoption"]) == 0, capsys.readouterr().err
    q = pl.read_parquet(case / "clean" / "current" / "bookkeeping" / "quarantine.parquet").filter(
        pl.col("source_file") == HF_WEEKLY)
    assert q.filter(pl.col("column") == "downloads_week")["reason"].str.contains("past the int64 range").any()


def test_lmarena_history_release_dated_1900_is_quarantined_never_a_first_seen_date(case, base, built):
    """Before: a history row dated 1900-01-01 dated six canonical models in 1900. Now the row is quarantined
    (accounted in canonical_models' row counts) and no first-seen date moves."""
    from analysis.link import canonical

    local_path = canonical.LMARENA_HISTORY
    rows = csv_records(good(base, local_path))
    rows.append(["19000101", *rows[1][1:]])
    target = case / "external" / local_path
    target.unlink()
    target.write_bytes(csv_bytes(rows))
    res = build.run_step(canonical.STEP)
    q = quarantined(res, local_path, len(rows) - 1)
    assert "before 1940" in q["reason"], q
    assert file_counts(res, local_path)["rows_in"] == len(rows) - 1
    assert res.df.equals(built["canonical_models"])
    assert res.df["first_seen"].min() >= MIN_DATE


# --- issue 31: curated files checked as data --------------------------------------------------------------------

def _prepend_record(data: bytes, record: str) -> bytes:
    head, _, rest = data.partition(b"\n")
    return head + b"\n" + record.encode() + b"\n" + rest


@pytest.mark.parametrize(("pattern", "words"), [(".*", "matches every one of the"), ("zzz-no-such-model", "matches none")])
def test_name_pattern_matching_every_or_no_leaderboard_name_is_a_one_line_error(case, raw, capsys, pattern, words):
    """Before: a catch-all `.*` as the first row of model_name_orgs.csv silently gave 97 leaderboard-only models
    OpenAI's country (chatglm-6b became OpenAI, United States). Now the build stops with one line naming the record."""
    name = "model_name_orgs.csv"
    (raw / name).write_bytes(_prepend_record((raw / name).read_bytes(),
                                             f"{pattern},OpenAI,https://example.org/,test"))
    before = _clean_state(case / "clean")
    assert main(["build", "--table", "canonical_models"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: data/curated/{name}: record 1 (line 2), column 'pattern': {pattern!r}"), err
    assert words in err and err.count("\n") == 1, err
    assert _clean_state(case / "clean") == before


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "1,5"])
@pytest.mark.parametrize("column", ["published_value", "published_high"])
def test_published_figure_that_is_not_a_finite_number_is_a_one_line_error(raw, value, column):
    """Before: a NaN published value was accepted and shown as "Outside 15% (ratio nan)"."""
    from analysis.metrics import replication

    rows = csv_records((raw / "published_figures.csv").read_bytes())
    rows[2][rows[0].index(column)] = value
    (raw / "published_figures.csv").write_bytes(csv_bytes(rows))
    with pytest.raises(InputError) as e:
        replication.published_figures()
    assert str(e.value) == (f"data/curated/published_figures.csv: record 2, column {column!r}: {value!r} is not a "
                            "finite number")


@pytest.mark.parametrize("value", ["NaN", "inf"])
def test_fx_rate_that_is_not_finite_is_a_one_line_error(raw, value):
    from analysis.curated import fx

    rows = csv_records((raw / "fx_usd_cny.csv").read_bytes())
    rows[3][rows[0].index("usd_cny")] = value
    (raw / "fx_usd_cny.csv").write_bytes(csv_bytes(rows))
    with pytest.raises(InputError, match="fx_usd_cny.csv: record 3, column 'usd_cny'"):
        fx.load()


def test_whole_numbers_of_curated_files_past_int64_are_a_one_line_error(raw):
    from analysis.curated import reported_counts

    for name, column, load in (("reported_counts.csv", "value", reported_counts.load),
                               ("genai_filings.csv", "filed_cumulative",
                                lambda: build.run_step(events.FILINGS_STEP))):
        rows = csv_records((raw / name).read_bytes())
        rows[1][rows[0].index(column)] = "9" * 30
        (raw / name).write_bytes(csv_bytes(rows))
        with pytest.raises(InputError, match=rf"data/curated/{name}: record 1.*column '{column}': 9+ is past the "
                                             "int64 range"):
            load()
