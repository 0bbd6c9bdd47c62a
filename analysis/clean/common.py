"""Pieces every cleaning step shares: reading upstream files, quarantine rows, row accounting.

The readers (use these in every step, so every file is read and counted the same way):
- `read_csv_strings(local_path, required)`: an upstream CSV of data/external/ -> text columns + `source_row`;
  `parse_csv_text(label, text, ...)` is the same on text already read, `read_curated_csv(path, label,
  columns)` for the curated CSVs of data/curated/ (exact header). Records are counted by Python's csv module.
- `read_json(local_path)` / `load_json_text(label, text)`: JSON; `expect_json(label, where, value, dict|list)`
  checks the shape of each part, `reject_repeated_keys` where an object's keys are the records.
- `decode_text(label, raw)`: bytes -> text (BOM dropped; empty / not UTF-8 -> InputError).
Every error is an `InputError` whose one-line message starts with the file and names the record and column.

The step shape (read by analysis/build.py, which alone opens files):
- `Step(name, fn, reads=(Read(...), ...), needs=(other_step, ...), uses=("registry", ...))`: what a step reads (by
  dataset path: data/external/ through the manifest, or data/curated/<name>), which earlier steps' results it
  takes and which curated inputs (fields of analysis.inputs.Inputs). The build loads the reads with the readers
  below into `Sources` and calls `fn(sources, *results_of_needs, **uses)`; `fn` is a pure transform.
- `Ledger(table)`: the one owner of rejected rows and row counts: `count_in(file, n)`, `take(df, mask, column,
  reason, file=, key=)` for frames, `reject(file, record, key, column, reason)` for record loops, and
  `result(table, df)` builds the checked StepResult (rows in = rows used + rows quarantined, per file).
- Shared rules: `resolve_organizations` (comma lists through the registry), `take_date_bounds` (MIN_DATE..today).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis import paths
from analysis.errors import InputError  # defined there: the CLI names it without importing polars
from analysis.schema import QUARANTINE, ROW_COUNTS, SchemaError, Table


@dataclass
class StepResult:
    table: Table
    df: pl.DataFrame
    quarantine: pl.DataFrame
    counts: pl.DataFrame
    # frames a step hands to the steps that need it, never written (the ECI step's variant records: the crosswalk's
    # aliases of the models it accepted)
    extra: dict = field(default_factory=dict)

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


# Epoch's 'Model accessibility' values: the open ones start with OPEN_WEIGHTS; CLOSED_ACCESS are not open; any
# other value ('Unknown', blank) says nothing, and Epoch's 'Open model weights?' (Yes / No) decides where given.
OPEN_WEIGHTS = "Open weights"
CLOSED_ACCESS = ("API access", "Hosted access (no API)", "Unreleased")


def open_weights(access: pl.Expr, open_q: pl.Expr | None = None) -> pl.Expr:
    """The one rule for `open_weights` from Epoch's 'Model accessibility' (cleaned text) and, where the file has
    it, 'Open model weights?': open -> True, closed -> False, unknown -> the Yes/No answer, else null."""
    open_q = pl.lit(None, pl.String) if open_q is None else open_q
    return (pl.when(access.str.starts_with(OPEN_WEIGHTS)).then(True)
            .when(access.is_in(CLOSED_ACCESS)).then(False)
            .when(open_q == "Yes").then(True)
            .when(open_q == "No").then(False)
            .otherwise(None))


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


# --- the step shape: what a step reads, what it needs, the pure transform ------------------------------

@dataclass(frozen=True)
class Read:
    """One file a step reads; the build loads it (analysis.build.load) with the readers of this module.

    kind 'csv': an upstream CSV of data/external/ -> text columns + source_row (`columns` required);
    'json': an upstream JSON file -> its value; 'text': an upstream text file -> str (the step parses it);
    'curated': data/curated/<name> (`path` is 'data/curated/<name>') -> (label, text frame), header exactly
    `columns`."""
    path: str
    kind: str = "csv"
    columns: tuple[str, ...] = ()
    final_newline: bool = True


@dataclass(frozen=True)
class Sources:
    """What the build read for one step: `src[path]` is the loaded value, `src.snapshot(path)` the upstream file's
    snapshot date from the manifest. A test builds one from inline frames: `Sources({path: df}, {path: date})`."""
    data: dict
    snapshots: dict = field(default_factory=dict)

    def __getitem__(self, path: str):
        return self.data[path]

    def paths(self) -> list[str]:
        return list(self.data)

    def snapshot(self, path: str) -> dt.date:
        if self.snapshots.get(path) is None:
            raise InputError(f"{path}: no snapshot date (the file is not in data/manifest.csv)")
        return self.snapshots[path]


@dataclass(frozen=True, eq=False)
class Step:
    """One cleaning step: the build calls `fn(sources, *results of needs, **{u: inputs.u for u in uses})`.

    `reads`: the files it reads (loaded by the build); `needs`: earlier steps whose results it takes (run first,
    in that order); `uses`: the curated inputs it takes (fields of analysis.inputs.Inputs: registry, name_orgs, fx,
    providers, authors). Several steps may feed one table (the build concatenates them in order).

    A step with `provides` (e.g. 'crosswalk', 'aliases') or `value=True` makes no table: its result (any value:
    the crosswalk, a source's parsed price rows) goes to the steps that need it, by keyword `provides` when set,
    else in the order of `needs`, and is never written (analysis.clean.link)."""
    name: str
    fn: Callable[..., StepResult]
    reads: tuple[Read, ...] = ()
    needs: tuple[Step, ...] = ()
    uses: tuple[str, ...] = ()
    provides: str | None = None
    value: bool = False

    @property
    def table(self) -> str | None:
        return None if self.makes_value else self.name.split(":")[0]

    @property
    def makes_value(self) -> bool:
        return self.value or self.provides is not None


# --- rejected rows and row counts --------------------------------------------------------------------

_Q_SCHEMA = {"table": pl.String, "source_file": pl.String, "source_row": pl.Int64, "key": pl.String,
             "column": pl.String, "reason": pl.String}


class Ledger:
    """Rejected rows and row counts of one step, in the order they were rejected.

    Every file's records are counted in (`count_in`); a record leaves through `take` (rows of a frame) or `reject`
    (one record of a loop) with its column and reason; `result` gives the StepResult whose counts say rows in =
    rows used + rows quarantined per file (rows used = rows in - rows quarantined; with `one_row_per_record` the
    table must also hold exactly that many rows of the file)."""

    def __init__(self, table: str):
        self.table = table
        self._parts: list[pl.DataFrame] = []
        self._pending: list[dict] = []
        self._in: dict[str, int] = {}

    def copy(self) -> Ledger:
        """An independent ledger with the same rows and counts (its frames are shared: a ledger only appends)."""
        self._flush()
        other = Ledger(self.table)
        other._parts, other._in = list(self._parts), dict(self._in)
        return other

    def count_in(self, source_file: str, n: int) -> None:
        self._in[source_file] = self._in.get(source_file, 0) + n

    def _flush(self) -> None:
        if self._pending:
            self._parts.append(pl.DataFrame(self._pending, schema=_Q_SCHEMA))
            self._pending = []

    def take(self, df: pl.DataFrame, mask: pl.Expr, column: str | None, reason: str | pl.Expr, *, file: str,
             key: str, null_is_bad: bool = False) -> pl.DataFrame:
        """Quarantine the rows of `df` where `mask` holds (a null test result counts as `null_is_bad`); return the
        others. `df` carries source_row and the `key` column."""
        mask = mask.fill_null(null_is_bad)
        bad = df.filter(mask)
        if len(bad):
            self._flush()
            self._parts.append(quarantine_rows(self.table, file, bad, key, column, reason))
        return df.filter(~mask)

    def reject(self, source_file: str, source_row: int, key: str | None, column: str | None, reason: str) -> None:
        """Quarantine one record."""
        self._pending.append(dict(table=self.table, source_file=source_file, source_row=source_row, key=key,
                                  column=column, reason=reason))

    def quarantine(self) -> pl.DataFrame:
        self._flush()
        return concat_quarantine(self._parts)

    def result(self, table: Table, df: pl.DataFrame, *, one_row_per_record: bool = True) -> StepResult:
        q = self.quarantine()
        n_q = dict(q.group_by("source_file").len().iter_rows()) if len(q) else {}
        counts = counts_frame([dict(table=self.table, source_file=f, rows_in=n, rows_used=n - n_q.get(f, 0),
                                    rows_quarantined=n_q.get(f, 0)) for f, n in self._in.items()])
        result = StepResult(table, table.validate(df), q, counts)
        result.check_accounting()
        if one_row_per_record and self._in:
            got = dict(result.df.group_by("source_file").len().iter_rows()) if len(result.df) else {}
            for row in counts.iter_rows(named=True):
                if got.get(row["source_file"], 0) != row["rows_used"]:
                    raise SchemaError(f"{self.table}: {row['source_file']}: records used {row['rows_used']}, "
                                      f"rows in the table {got.get(row['source_file'], 0)}")
        return result


def no_rows(table: Table, df: pl.DataFrame) -> StepResult:
    """The StepResult of a step derived from other tables (no upstream records: no quarantine, no counts)."""
    return StepResult(table, table.validate(df), concat_quarantine([]), counts_frame([]))


# --- shared rules ------------------------------------------------------------------------------------

MIN_DATE = dt.date(1940, 1, 1)  # a model release date before this is an error (e.g. 1900), not a model
UNKNOWN_ORGS = "unknown organization(s) {} (add to data/curated/organizations.csv)"


def resolve_organizations(reg, texts: list[str]) -> tuple[list[list[str]], list[str | None]]:
    """Comma-joined organization lists -> (canonical names in upstream order without repeats, the parts the
    registry does not know joined with '; ' or None), one per text."""
    orgs, unknown = [], []
    for text in texts:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        res = [reg.resolve(p) for p in parts]
        unknown.append("; ".join(p for p, r in zip(parts, res, strict=True) if r is None) or None)
        orgs.append(list(dict.fromkeys(r.name for r in res if r is not None)))
    return orgs, unknown


def take_organizations(ledger: Ledger, d: pl.DataFrame, text_col: str, column: str, reg, *, file: str,
                       key: str) -> pl.DataFrame:
    """Add `organizations` (resolved through the registry) from the comma list in `text_col`; rows naming an
    organization the registry does not know go to quarantine."""
    orgs, unknown = resolve_organizations(reg, d[text_col].to_list())
    d = d.with_columns(pl.Series("organizations", orgs, dtype=pl.List(pl.String)),
                       pl.Series("_unknown_orgs", unknown, dtype=pl.String))
    return ledger.take(d, pl.col("_unknown_orgs").is_not_null(), column,
                       pl.format(UNKNOWN_ORGS, pl.col("_unknown_orgs")), file=file, key=key)


def take_date_bounds(ledger: Ledger, d: pl.DataFrame, date_col: str, text_col: str, column: str, today: dt.date,
                     *, file: str, key: str) -> pl.DataFrame:
    """The release-date rules: missing, unparseable, before MIN_DATE, after the build date -> quarantine."""
    def take(d, mask, reason):
        return ledger.take(d, mask, column, reason, file=file, key=key)
    d = take(d, pl.col(text_col).is_null(), "no release date")
    d = take(d, pl.col(date_col).is_null(), pl.format("unparseable release date '{}'", pl.col(text_col)))
    d = take(d, pl.col(date_col) < MIN_DATE,
             pl.format("release date {} before {}", pl.col(text_col), pl.lit(str(MIN_DATE))))
    return take(d, pl.col(date_col) > today,
                pl.format("release date {} after the build date {}", pl.col(text_col), pl.lit(str(today))))
