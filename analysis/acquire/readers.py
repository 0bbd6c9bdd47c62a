"""The readers of raw and curated files: every file is read, counted and checked the same way.

- `read_csv_strings(local_path, required)`: an upstream CSV of data/external/ -> text columns + `source_row`;
  `parse_csv_text(label, text, ...)` is the same on text already read, `read_curated_csv(path, label,
  columns)` for the curated CSVs of data/curated/ (exact header). Records are counted by Python's csv module.
- `read_json(local_path)` / `load_json_text(label, text)`: JSON; `expect_json(label, where, value, dict|list)`
  checks the shape of each part, `reject_repeated_keys` where an object's keys are the records.
- `decode_text(label, raw)`: bytes -> text (BOM dropped; empty / not UTF-8 -> InputError).
- `curated_numbers(label, df, columns)` / `curated_whole_number(...)`: the numeric cells of a curated CSV: a finite
  number (no NaN, no infinity) / a whole number within int64, else the one-line InputError naming file, record
  and column.
Every error is an `InputError` whose one-line message starts with the file and names the record and column.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl

from analysis.core import paths
from analysis.core.errors import InputError


def external_file(local_path: str) -> Path:
    p = paths.external_dir() / local_path
    if not p.is_file():
        raise InputError(f"{local_path}: not found in {paths.external_dir()}; run `python -m analysis fetch` first")
    return p


def decode_text(label: str, raw: bytes) -> str:
    """Bytes of a text file -> str; an empty file or text that is not UTF-8 is an InputError naming `label`.
    A byte-order mark is dropped."""
    if not raw.strip():
        raise InputError(f"{label}: the file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc


def read_csv_strings(local_path: str, required: list[str], *, final_newline: bool = True) -> pl.DataFrame:
    """Read an upstream CSV (of data/external/) with every column as text, plus `source_row`.

    The one CSV reader of the project (see `parse_csv_text`); `final_newline=False` only for a pinned
    snapshot that is known to end without one."""
    path = external_file(local_path)
    return parse_csv_text(local_path, decode_text(local_path, path.read_bytes()), required,
                          final_newline=final_newline)


def parse_csv_text(label: str, text: str, required: list[str] | None = None, *,
                   comment_prefix: str | None = None, final_newline: bool = True) -> pl.DataFrame:
    """CSV text -> a DataFrame of text columns (empty field -> null) and `source_row`, the 1-based record number.

    Records are counted and split by Python's csv module (so a bare CR ends a record, as there, and a CR
    inside a quoted field stays in it); blank lines are skipped, as csv.DictReader does, and lines starting
    with `comment_prefix` are dropped. Every error is an InputError naming `label`, the record and the
    column: a record with more fields than the header, a NUL byte, a last record cut short (fewer fields,
    no final newline), a file that does not end with a newline when `final_newline` (the pinned snapshot
    does: a missing one means a download cut inside the last field), a missing required column.
    A record with fewer fields inside the file is padded with nulls (some upstream files omit trailing
    empty fields)."""
    reader = _csv_reader(text, comment_prefix)
    try:
        header = next((r for r in reader if r), None)
    except csv.Error:
        _records(label, text, comment_prefix)  # raises, naming the record and its line
        raise
    if header is None:
        raise InputError(f"{label}: the file is empty (no header)")
    header = [h.strip() for h in header]
    try:
        records = [rec for rec in reader if rec]  # the fast path: every record read in one go
    except csv.Error:
        records = None
    if records is None or any(len(rec) > len(header) for rec in records):
        records, reader = _records(label, text, comment_prefix)  # raises, naming the record and its line
    ends_cleanly = text.endswith(("\n", "\r"))
    if records and len(records[-1]) < len(header) and not ends_cleanly:
        raise InputError(
            f"{label}: cannot be parsed as CSV: record {len(records)} (line {reader.line_num}) has "
            f"{len(records[-1])} fields, the header has {len(header)}, and the file ends without a newline "
            "(a truncated or damaged file?)")
    if final_newline and not ends_cleanly:
        raise InputError(
            f"{label}: record {len(records)}, column {header[len(records[-1]) - 1] if records else header[-1]!r}: "
            "the file ends without a final newline, inside its last field (a truncated file?)")
    seen: dict[str, int] = {}
    names = []
    for h in header:  # a repeated column name gets a suffix, as polars gives it
        names.append(h if h not in seen else f"{h}_duplicated_{seen[h]}")
        seen[h] = seen.get(h, -1) + 1
    if "\x00" in text:
        for n, rec in enumerate(records, start=1):
            for i, v in enumerate(rec):
                if "\x00" in v:
                    raise InputError(f"{label}: record {n}, column {names[i]!r}: a NUL byte in the text")
    width = len(names)
    if records and all(len(rec) == width for rec in records):  # no short record: columns by transposition
        df = pl.DataFrame(dict(zip(names, zip(*records, strict=True), strict=True)), schema={c: pl.String for c in names})
        df = df.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in names)  # "" -> null
    else:
        cols = {c: [(rec[i] or None) if i < len(rec) else None for rec in records] for i, c in enumerate(names)}
        df = pl.DataFrame(cols, schema={c: pl.String for c in names})
    missing = [c for c in (required or []) if c not in df.columns]
    if missing:
        raise InputError(f"{label}: missing column(s) {missing}; found {df.columns}")
    return df.with_row_index("source_row", offset=1).with_columns(pl.col("source_row").cast(pl.Int64))


def _csv_reader(text: str, comment_prefix: str | None):
    lines = io.StringIO(text, newline="")
    if comment_prefix:
        lines = (line for line in lines if not line.startswith(comment_prefix))
    return csv.reader(lines, strict=True)


def _records(label: str, text: str, comment_prefix: str | None):
    """The records of a CSV text after its header, read one by one: an InputError names the first record that
    is not CSV or has more fields than the header, and the line it ends on. Returns (records, reader)."""
    reader = _csv_reader(text, comment_prefix)
    records: list[list[str]] = []
    try:
        header = next((r for r in reader if r), None)
        if header is None:
            return records, reader
        for rec in reader:
            if rec:
                records.append(rec)
                if len(rec) > len(header):
                    raise InputError(
                        f"{label}: cannot be parsed as CSV: record {len(records)} (ending on line "
                        f"{reader.line_num}) has {len(rec)} fields, the header has {len(header)}")
    except csv.Error as exc:
        raise InputError(f"{label}: cannot be parsed as CSV: record {len(records) + 1} (line "
                         f"{reader.line_num}): {exc}") from exc
    return records, reader


def read_curated_csv(path: Path, label: str, columns: list[str], *, final_newline: bool = True) -> pl.DataFrame:
    """Read a curated CSV (data/curated/): every column as text, whose header must be exactly `columns`.

    Same rules as `parse_csv_text` (a BOM accepted; empty, not UTF-8, ragged, cut short -> InputError
    naming `label`)."""
    if not path.is_file():
        raise InputError(f"{label}: not found")
    df = parse_csv_text(label, decode_text(label, path.read_bytes()), final_newline=final_newline)
    if df.columns[1:] != columns:
        raise InputError(f"{label}: header {df.columns[1:]} != expected {columns}")
    return df


def read_curated(name: str, columns: list[str]) -> tuple[str, pl.DataFrame]:
    """A hand-edited CSV of data/curated/ (all text, stripped; the last line may lack its newline) whose header is
    exactly `columns` -> (its label 'data/curated/<name>', the frame)."""
    path = paths.curated_dir() / name
    label = f"data/curated/{name}"
    if not path.is_file():
        raise InputError(f"{label}: not found in {paths.curated_dir()}")
    df = read_curated_csv(path, label, columns, final_newline=False)
    return label, df.with_columns(pl.exclude("source_row").str.strip_chars())


def require_columns(label: str, df: pl.DataFrame, required: list[str]) -> None:
    """An InputError naming `label` when a column of `required` is not in `df` (read with `parse_csv_text`)."""
    found = [c for c in df.columns if c != "source_row"]
    missing = [c for c in required if c not in found]
    if missing:
        raise InputError(f"{label}: missing column(s) {missing}; found {found}")


def curated_label(path: Path) -> str:
    """How errors name a curated file: 'data/curated/<name>' for a file of data/curated/, else the path given."""
    try:
        return f"data/curated/{path.relative_to(paths.curated_dir())}"
    except ValueError:
        return str(path)


def read_json(local_path: str):
    """Read an upstream JSON file; errors name the file, and the line and column of a syntax error."""
    path = external_file(local_path)
    return load_json_text(local_path, decode_text(local_path, path.read_bytes()))  # a BOM is tolerated


class JsonObject(dict):
    """A JSON object as read by `load_json_text`: a dict that remembers the keys it held more than once (Python's
    json keeps the last value without a word)."""
    repeated: tuple = ()


def reject_repeated_keys(label: str, where: str, obj) -> None:
    """Where the keys of `obj` are the records (one key per model), a key given twice is two readings of one
    model in one file: an InputError naming the file, the place and the key."""
    if getattr(obj, "repeated", ()):
        raise InputError(f"{label}: {where}: key {obj.repeated[0]!r} appears twice (two readings of one model "
                         "in one file)")


def load_json_text(label: str, text: str):
    """JSON text -> value; a syntax error (line, column) or deep nesting is an InputError naming `label`.
    Objects are `JsonObject`s (see `reject_repeated_keys`)."""
    def pairs_hook(pairs):
        out = JsonObject(pairs)
        if len(out) != len(pairs):
            seen: set = set()
            out.repeated = tuple(k for k, _ in pairs if k in seen or seen.add(k))
        return out
    try:
        return json.loads(text, object_pairs_hook=pairs_hook)
    except RecursionError as exc:
        raise InputError(f"{label}: not usable JSON: nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{label}: not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


def describe_json(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", int: "a number", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def expect_json(label: str, where: str, value, kind: type):
    """`value` if it is of JSON type `kind` (dict or list), else an InputError naming the file and the place:
    "pricing/x.json: models[3]: expected an object, found null"."""
    if not isinstance(value, kind):
        raise InputError(f"{label}: {where}: expected {describe_json(kind())}, found {describe_json(value)}")
    return value


INT64_MAX = 2**63 - 1


def curated_numbers(label: str, df: pl.DataFrame, columns, *, required: bool = False) -> pl.DataFrame:
    """`df` (text columns and source_row, as `read_curated` gives) with `columns` as Float64; an empty cell is null
    (an InputError when `required`); text that is not a finite number (NaN, an infinity, words, a decimal comma)
    is an InputError naming the file, the record and the column."""
    out = df.with_columns(pl.col(c).str.strip_chars().replace("", None).cast(pl.Float64, strict=False).alias(c)
                          for c in columns)
    for c in columns:
        given = df[c].str.strip_chars().fill_null("") != ""
        bad = out.filter((given & (out[c].is_null() | ~out[c].is_finite()))
                         | (~given & required))
        if len(bad):
            text = df.filter(pl.col("source_row") == bad["source_row"][0])[c][0]
            what = "empty" if not (text or "").strip() else f"{text!r:.40} is not a finite number"
            raise InputError(f"{label}: record {bad['source_row'][0]}, column {c!r}: {what}")
    return out


def curated_whole_number(label: str, record: int, column: str, text: str) -> int:
    """A whole number of a curated cell (digits only, at most int64), else the one-line InputError."""
    if not text or not text.isascii() or not text.isdigit():
        raise InputError(f"{label}: record {record}, column {column!r}: {text!r:.40} is not a whole number")
    value = int(text)
    if value > INT64_MAX:
        raise InputError(f"{label}: record {record}, column {column!r}: {text:.40} is past the int64 range")
    return value
