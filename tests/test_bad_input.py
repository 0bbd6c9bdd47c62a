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

from analysis import fetch, manifest, paths, registry
from analysis.clean import eci, models, prices
from analysis.clean.common import InputError, StepResult
from analysis.cli import main
from analysis.schema import SchemaError

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
    state = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted((clean / "current").glob("*.parquet"))}
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
    how, msg = run_fault(case, MODELS_CSV, data, "models", models.clean, capsys)
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
    how, msg = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", models.clean, capsys)
    assert how == "error" and f"missing column(s) ['{column}']" in msg


def test_models_csv_ragged_record_is_named(case, base, capsys):
    rows = csv_records(good(base, MODELS_CSV))
    rows[7] = rows[7] + ["one", "field", "too", "many"]
    how, msg = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", models.clean, capsys)
    assert how == "error" and "record 7" in msg and "fields" in msg


def test_models_csv_truncated_mid_row_is_accounted(case, base, capsys):
    data = good(base, MODELS_CSV)
    cut = data[: len(data) * 2 // 3]
    cut = cut[: cut.rfind(b"\n") + 40]  # stop 40 bytes into a record
    how, msg = run_fault(case, MODELS_CSV, cut, "models", models.clean, capsys)
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
    how, res = run_fault(case, MODELS_CSV, data, "models", models.clean, capsys)
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
    how, res = run_fault(case, MODELS_CSV, data, "models", models.clean, capsys)
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
    q = pl.read_parquet(case / "clean" / "current" / "quarantine.parquet").filter(
        (pl.col("source_file") == MODELS_CSV) & (pl.col("source_row") == 3))
    assert q.row(0, named=True)["key"] == key and "2099-12-31" in q.row(0, named=True)["reason"]
    rc = pl.read_parquet(case / "clean" / "current" / "row_counts.parquet")
    assert (rc["rows_in"] == rc["rows_used"] + rc["rows_quarantined"]).all()
    assert rc.filter(pl.col("source_file") == MODELS_CSV)["rows_in"].item() == len(csv_records(data)) - 1
    assert key not in pl.read_parquet(case / "clean" / "current" / "models.parquet")["model"].to_list() or \
        pl.read_parquet(case / "clean" / "current" / "models.parquet").filter(pl.col("model") == key)["source_rows"] \
        .item().to_list().count(f"{MODELS_CSV}#3") == 0


def test_models_csv_duplicated_row_is_quarantined_not_double_counted(case, base, capsys, built):
    rows = csv_records(good(base, MODELS_CSV))
    rows.insert(11, list(rows[10]))  # record 10 repeated as record 11
    how, res = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", models.clean, capsys)
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
        res = models.clean(reg=_registry())
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
    how, res = run_fault(case, MODELS_CSV, data, "models", models.clean, capsys)
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
    how, msg = run_fault(case, ECI_CSV, data, "capability", eci.clean, capsys)
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
    how, res = run_fault(case, ECI_CSV, data, "capability", eci.clean, capsys)
    assert how == "quarantine"
    q = quarantined(res, ECI_CSV, 2)
    assert q["column"] == column and reason in q["reason"] and q["key"] == key
    assert file_counts(res, ECI_CSV)["rows_in"] == len(csv_records(data)) - 1


def test_eci_csv_duplicated_row_is_quarantined(case, base, capsys):
    rows = csv_records(good(base, ECI_CSV))
    rows.append(list(rows[4]))
    how, res = run_fault(case, ECI_CSV, csv_bytes(rows), "capability", eci.clean, capsys)
    assert how == "quarantine"
    assert "same model and release date as record" in quarantined(res, ECI_CSV, len(rows) - 1)["reason"]


# --- a pricing JSON (llm-prices) --------------------------------------------------------------------------

def llm_prices_step():
    return prices.clean_llm_prices([PRICES_JSON])


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
    from analysis import fx
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

LITELLM_JSON = prices.LITELLM_FILES[-1]
CN_JSON = prices.LLM_PRICES_CN_FILES[-1]
ARENA_JSON = next(iter(leaderboards.LMARENA_FILES))
AA_JSON = leaderboards.AA_FILE


def _litellm_step():
    return prices.clean_litellm([LITELLM_JSON])


def _cn_step():
    return prices.clean_llm_prices_cn([CN_JSON])


_GOOD_EXTERNAL = paths.external_dir()  # before a test points ANALYSIS_EXTERNAL_DIR at a damaged copy
_CW = []


def _crosswalk():
    """The project crosswalk from the good snapshots (the step under test reads the damaged file)."""
    if not _CW:
        from analysis import crosswalk
        _CW.append(crosswalk.load(_registry(), _GOOD_EXTERNAL))
    return _CW[0]


def _aa_step():
    return leaderboards.clean_aa(_crosswalk())


def _arena_step():
    return leaderboards.clean_lmarena(_crosswalk())


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
    base price rows stand for (each period row counts its n_observations)."""
    lines = (raw / "fx_usd_cny.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (raw / "fx_usd_cny.csv").write_text("".join(x for x in lines if not x.startswith(("2026-07", "2026-08"))),
                                        encoding="utf-8")
    res = prices.clean_llm_prices_cn()
    res.check_accounting()
    fx_q = res.quarantine.filter(pl.col("reason").str.contains("no USD/CNY rate"))
    assert fx_q.height > 0 and fx_q.select("source_file", "source_row").is_unique().all()
    used = res.counts["rows_used"].sum()
    assert used == res.df.filter(pl.col("price_kind") == "base")["n_observations"].sum()
    assert res.counts["rows_in"].sum() == sum(
        len(json.loads((paths.external_dir() / f).read_bytes())["models"]) for f in prices.LLM_PRICES_CN_FILES)


def test_models_csv_same_model_twice_with_different_values_is_quarantined(case, base, capsys, built):
    rows = csv_records(good(base, MODELS_CSV))
    second = list(rows[10])
    second[rows[0].index("Parameters")] = "123456789"  # the same model and date, another reading
    rows.append(second)
    how, res = run_fault(case, MODELS_CSV, csv_bytes(rows), "models", models.clean, capsys)
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
    step = models.clean if local_path == MODELS_CSV else eci.clean
    how, msg = run_fault(case, local_path, csv_bytes(rows), "models" if step is models.clean else "capability",
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
                         lambda: leaderboards.clean_livebench(cw), capsys)
    assert how == "error" and "without a final newline" in msg and "truncated" in msg
