"""Pieces every cleaning step shares: the step shape, quarantine rows, row accounting, shared rules. (The readers
of raw and curated files are in analysis.acquire.readers; text rules in analysis.core.rules.)

The step shape (read by analysis/store/build.py, which alone opens files):
- `Step(name, fn, reads=(Read(...), ...), needs=(other_step, ...), uses=("registry", ...))`: what a step reads (by
  dataset path: data/external/ through the manifest, or data/curated/<name>), which earlier steps' results it
  takes and which curated inputs (fields of analysis.curated.inputs.Inputs). The build loads the reads with the readers
  below into `Sources` and calls `fn(sources, *results_of_needs, **uses)`; `fn` is a pure transform.
- `Ledger(table)`: the one owner of rejected rows and row counts: `count_in(file, n)`, `take(df, mask, column,
  reason, file=, key=)` for frames, `reject(file, record, key, column, reason)` for record loops, and
  `result(table, df)` builds the checked StepResult (rows in = rows used + rows quarantined, per file).
- Shared rules: `resolve_organizations` (comma lists through the registry), `take_date_bounds` (MIN_DATE..today);
  the rules of dated upstream records (OpenRouter, Hugging Face activity, the LMArena history): `date_problem` /
  `take_snapshot_dates` (a date in MIN_DATE..snapshot date + SNAPSHOT_MARGIN), `count_problem` / `bad_count` (a
  count is a finite number in 0..MAX_COUNT, the int64 range), `week_labelling` / `take_week_labelling` (a file's
  week labelling is the weekday most of its newest plausible rows carry; a row of another weekday is quarantined).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from analysis.acquire import versions
from analysis.core.errors import InputError
from analysis.core.schema import QUARANTINE, ROW_COUNTS, SchemaError, Table


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
        q = self.quarantine.group_by("source_file", maintain_order=True).len()
        for row in self.counts.iter_rows(named=True):
            got = q.filter(pl.col("source_file") == row["source_file"])["len"].sum()
            if got != row["rows_quarantined"]:
                raise SchemaError(
                    f"{self.table.name}: {row['source_file']}: counted {row['rows_quarantined']} quarantined, "
                    f"quarantine table has {got}"
                )


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


# --- the step shape: what a step reads, what it needs, the pure transform ------------------------------

@dataclass(frozen=True)
class Read:
    """One file a step reads; the build loads it (analysis.store.build.load) with the readers of this module.

    kind 'csv': an upstream CSV of data/external/ -> text columns + source_row (`columns` required);
    'json': an upstream JSON file -> its value; 'text': an upstream text file -> str (the step parses it);
    'curated': data/curated/<name> (`path` is 'data/curated/<name>') -> (label, text frame), header exactly
    `columns`.

    `versions`: '' reads `path` itself; for a family of dated versions (`path` with `{date}` for the version's
    date, analysis.acquire.versions) 'latest' reads the newest version the manifest pins, 'all' every pinned
    version, oldest first (the build expands the read into one read per file). `shape(value)` -> {aspect: set}
    says what of the file the step relies on; `python -m analysis update` refuses a new version whose shape
    changed (analysis.store.update). Without one, a CSV's shape is its header's `columns`."""
    path: str
    kind: str = "csv"
    columns: tuple[str, ...] = ()
    final_newline: bool = True
    versions: str = ""
    shape: Callable | None = None


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

    def files(self, declared: str) -> list[str]:
        """The files read for the declared path: itself, or the pinned versions of a family, in read order."""
        return [p for p in self.data if versions.matches(declared, p)]

    def snapshot(self, path: str) -> dt.date:
        if self.snapshots.get(path) is None:
            raise InputError(f"{path}: no snapshot date (the file is not in data/manifest.csv)")
        return self.snapshots[path]


@dataclass(frozen=True, eq=False)
class Step:
    """One cleaning step: the build calls `fn(sources, *results of needs, **{u: inputs.u for u in uses})`.

    `reads`: the files it reads (loaded by the build); `needs`: earlier steps whose results it takes (run first,
    in that order); `uses`: the curated inputs it takes (fields of analysis.curated.inputs.Inputs: registry, name_orgs, fx,
    providers, authors). Several steps may feed one table (the build concatenates them in order).

    A step with `provides` (e.g. 'crosswalk', 'aliases') or `value=True` makes no table: its result (any value:
    the crosswalk, a source's parsed price rows) goes to the steps that need it, by keyword `provides` when set,
    else in the order of `needs`, and is never written (analysis.link.crosswalk_steps)."""
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
        n_q = dict(q.group_by("source_file", maintain_order=True).len().iter_rows()) if len(q) else {}
        counts = counts_frame([dict(table=self.table, source_file=f, rows_in=n, rows_used=n - n_q.get(f, 0),
                                    rows_quarantined=n_q.get(f, 0)) for f, n in self._in.items()])
        result = StepResult(table, table.validate(df), q, counts)
        result.check_accounting()
        if one_row_per_record and self._in:
            got = dict(result.df.group_by("source_file", maintain_order=True).len().iter_rows()) if len(result.df) else {}
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


# --- dated upstream records: one date rule, one plausibility rule, one week-labelling rule ---------------

SNAPSHOT_MARGIN = dt.timedelta(days=2)  # a record dated after its file's snapshot date + this is not a reading
MAX_COUNT = 2**63 - 1  # a count past int64 is not a count (and no table column could hold it)
LABELLING_WINDOW = dt.timedelta(days=28)  # the newest weeks whose rows decide a file's week labelling


def date_problem(day: dt.date, snapshot: dt.date, what: str = "date") -> str | None:
    """The reason a record's date is out of range (before MIN_DATE, after the snapshot date + SNAPSHOT_MARGIN), or
    None when it is in range."""
    if day < MIN_DATE:
        return f"{what} {day} before {MIN_DATE}"
    if day > snapshot + SNAPSHOT_MARGIN:
        return f"{what} {day} after the file's snapshot date {snapshot} (+{SNAPSHOT_MARGIN.days} days)"
    return None


def take_snapshot_dates(ledger: Ledger, d: pl.DataFrame, date_col: str, column: str, snapshot: dt.date, *,
                        file: str, key: str, what: str | None = None) -> pl.DataFrame:
    """`date_problem` on a frame: rows whose `date_col` (a Date; null rows are left to the caller) is out of range
    go to quarantine with the reason."""
    what = what or column
    latest = snapshot + SNAPSHOT_MARGIN
    d = ledger.take(d, pl.col(date_col) < MIN_DATE, column,
                    pl.format("{} {} before {}", pl.lit(what), pl.col(date_col), pl.lit(str(MIN_DATE))),
                    file=file, key=key)
    return ledger.take(d, pl.col(date_col) > latest, column,
                       pl.format("{} {} after the file's snapshot date {} (+{} days)", pl.lit(what), pl.col(date_col),
                                 pl.lit(str(snapshot)), pl.lit(SNAPSHOT_MARGIN.days)), file=file, key=key)


def count_problem(value, what: str) -> str | None:
    """The reason a JSON count is not one (not an integer, a boolean, negative, past int64), or None."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"{what} {value!r:.60} is not a count"
    if value > MAX_COUNT:
        return f"{what} {value!r:.60} is past the int64 range (not a plausible count)"
    return None


def bad_count(x: pl.Expr, per_unit: float = 1.0) -> pl.Expr:
    """True where a number read as a count (`per_unit` items per unit, e.g. 1e9 for billions) is missing, NaN,
    infinite, negative or past int64."""
    return x.is_null() | ~x.is_finite() | (x < 0) | (x * per_unit > MAX_COUNT)


def week_labelling(days: list[dt.date]) -> int | None:
    """A file's week labelling (ISO weekday 1..7 its buckets are dated on), decided by its rows: the weekday most
    rows of the newest LABELLING_WINDOW carry (ties: the newest row's). `days` are the plausible rows' dates
    (after `take_snapshot_dates`), so a far-future row cannot move the window, and one row cannot outvote the
    weeks of real rows. None for no rows."""
    if not days:
        return None
    newest = max(days)
    recent = [d for d in days if d > newest - LABELLING_WINDOW]
    votes: dict[int, int] = {}
    for d in recent:
        votes[d.isoweekday()] = votes.get(d.isoweekday(), 0) + 1
    top = max(votes.values())
    return newest.isoweekday() if votes.get(newest.isoweekday()) == top else \
        min(w for w, n in votes.items() if n == top)


def weekday_name(weekday: int) -> str:
    return dt.date(2024, 1, weekday).strftime("%A")  # 2024-01-01 is a Monday (ISO weekday 1)


LABELLING_REASON = ("other week labelling: a {}-dated bucket; the table keeps the {}-dated buckets of the newest "
                    "fetches (the same weeks shifted by days: never add both)")


def take_week_labelling(ledger: Ledger, d: pl.DataFrame, date_col: str, column: str, *, file: str,
                        key: str) -> pl.DataFrame:
    """Keep the rows of the file's week labelling (`week_labelling` of `date_col`); the others go to quarantine."""
    keep = week_labelling(d[date_col].drop_nulls().to_list())
    if keep is None:
        return d
    return ledger.take(d, pl.col(date_col).dt.weekday() != keep, column,
                       pl.format(LABELLING_REASON, pl.col(date_col).dt.strftime("%A"), pl.lit(weekday_name(keep))),
                       file=file, key=key)
