"""Pieces every cleaning step shares: reading upstream files, quarantine rows, row accounting."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis import paths
from analysis.schema import QUARANTINE, ROW_COUNTS, SchemaError, Table


class InputError(ValueError):
    """An upstream file cannot be read as the step expects (names the file, and row/column where known)."""


@dataclass
class StepResult:
    table: Table
    df: pl.DataFrame
    quarantine: pl.DataFrame
    counts: pl.DataFrame

    def check_accounting(self) -> None:
        """rows in = rows used + rows quarantined, per source file."""
        bad = self.counts.filter(pl.col("rows_in") != pl.col("rows_used") + pl.col("rows_quarantined"))
        if len(bad):
            raise SchemaError(f"{self.table.name}: rows in != used + quarantined for {bad.to_dicts()}")
        q = self.quarantine.group_by("source_file").len()
        for row in self.counts.iter_rows(named=True):
            got = q.filter(pl.col("source_file") == row["source_file"])["len"].sum()
            if got != row["rows_quarantined"]:
                raise SchemaError(
                    f"{self.table.name}: {row['source_file']}: counted {row['rows_quarantined']} quarantined, "
                    f"quarantine table has {got}"
                )


def external_file(local_path: str) -> Path:
    p = paths.external_dir() / local_path
    if not p.is_file():
        raise InputError(f"{local_path}: not found in {paths.external_dir()}; run `python -m analysis fetch` first")
    return p


def read_csv_strings(local_path: str, required: list[str]) -> pl.DataFrame:
    """Read an upstream CSV with every column as text, plus `source_row` (1-based record number)."""
    path = external_file(local_path)
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{local_path}: the file is empty")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is tolerated
    except UnicodeDecodeError as exc:
        raise InputError(f"{local_path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    if (ragged := _first_ragged_record(text)) is not None:  # polars would pad a short record with nulls
        raise InputError(f"{local_path}: cannot be parsed as CSV: {ragged} (a truncated or damaged file?)")
    try:
        df = pl.read_csv(text.encode("utf-8"), infer_schema=False, raise_if_empty=True)
    except Exception as exc:
        raise InputError(f"{local_path}: cannot be parsed as CSV: {_first_ragged_record(text) or exc}") from exc
    df = df.rename({c: c.strip() for c in df.columns})
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"{local_path}: missing column(s) {missing}; found {df.columns}")
    return df.with_row_index("source_row", offset=1).with_columns(pl.col("source_row").cast(pl.Int64))


def _first_ragged_record(text: str) -> str | None:
    """Where a CSV text breaks: the first record with more fields than the header, or a last record cut short
    (fewer fields and no final newline: a truncated file). Short records inside the file are allowed (some
    upstream files omit trailing empty fields; polars reads the missing fields as empty)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        n, rec = 0, header
        for n, rec in enumerate(reader, start=1):
            if len(rec) > len(header):
                return (f"record {n} (ending on line {reader.line_num}) has {len(rec)} fields, "
                        f"the header has {len(header)}")
    except csv.Error as exc:
        return f"line {reader.line_num}: {exc}"
    if n and len(rec) < len(header) and not text.endswith(("\n", "\r")):
        return (f"record {n} (line {reader.line_num}) has {len(rec)} fields, the header has {len(header)}, "
                "and the file ends without a newline")
    return None


def read_json(local_path: str):
    """Read an upstream JSON file; errors name the file, and the line and column of a syntax error."""
    path = external_file(local_path)
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{local_path}: the file is empty")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is tolerated, as for CSV
    except UnicodeDecodeError as exc:
        raise InputError(f"{local_path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{local_path}: not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


def quarantine_rows(table: str, source_file: str, df: pl.DataFrame, key_col: str, column: str | None,
                    reason: str | pl.Expr) -> pl.DataFrame:
    """Quarantine rows of `df` (must carry source_row and key_col)."""
    reason_expr = reason if isinstance(reason, pl.Expr) else pl.lit(reason)
    # rechunk: pl.format on a filtered string column was seen to panic ("i < self.len()") on some values
    return df.rechunk().select(
        pl.lit(table).alias("table"),
        pl.lit(source_file).alias("source_file"),
        pl.col("source_row"),
        pl.col(key_col).cast(pl.String).alias("key"),
        pl.lit(column, dtype=pl.String).alias("column"),
        reason_expr.cast(pl.String).alias("reason"),
    )


def concat_quarantine(parts: list[pl.DataFrame]) -> pl.DataFrame:
    parts = [p for p in parts if len(p)]
    return QUARANTINE.validate(pl.concat(parts)) if parts else QUARANTINE.empty()


def counts_frame(rows: list[dict]) -> pl.DataFrame:
    return ROW_COUNTS.validate(pl.DataFrame(rows, schema={c.name: c.dtype for c in ROW_COUNTS.columns}))


def clean_text(s: pl.Expr) -> pl.Expr:
    """Strip, fold runs of white space (incl. newlines) to one space, empty -> null."""
    s = s.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


def iso_date(s: pl.Expr) -> pl.Expr:
    """YYYY-MM-DD text -> Date; anything else (or an impossible day such as 2024-02-30) -> null.

    Only text of the exact shape reaches the parser: polars' lenient parser was seen to panic on some mixes
    of odd values (e.g. '1,5' and '-682' in one column), and a panic is not an InputError."""
    shaped = s.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    return pl.when(shaped).then(s).otherwise(None).str.to_date("%Y-%m-%d", strict=False)


_slug_re = re.compile(r"[^a-z0-9]+")


def slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return _slug_re.sub("-", s.casefold()).strip("-")
