"""Table schemas: the one place where every clean table and its columns are defined.

The same definitions drive the schema check run on every build output (`Table.validate`) and the
data dictionary (`python -m analysis dictionary`). A failed check raises `SchemaError` naming the
table, the column, the first offending row and, where the table carries it, that row's upstream
source file and record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from analysis.core import vocab
from analysis.core.errors import SchemaError


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    description: str
    nullable: bool = True
    unit: str = ""
    allowed: tuple[str, ...] | None = None  # for String columns, or the elements of List(String)
    min: float | None = None  # inclusive bounds for numeric/date columns
    max: float | None = None
    origin: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def _where(self, df: pl.DataFrame, mask: pl.Series) -> str:
        idx = int(mask.arg_true()[0])
        where = f"row {idx}"
        if "source_file" in df.columns and "source_row" in df.columns:
            where += f" (source {df['source_file'][idx]} record {df['source_row'][idx]})"
        return where

    @staticmethod
    def _files(df: pl.DataFrame) -> str:
        """'; rows from <file>, ...' (the first three source files of the rows), or '' without them."""
        if "source_file" not in df.columns or not len(df):
            return ""
        files = df["source_file"].drop_nulls().unique(maintain_order=True).to_list()
        return f"; rows from {', '.join(map(str, files[:3]))}{' and more' if len(files) > 3 else ''}" if files else ""

    def validate(self, df: pl.DataFrame) -> pl.DataFrame:
        """Check `df` against the schema; return it with columns in schema order."""
        names = self.column_names
        missing = [c for c in names if c not in df.columns]
        extra = [c for c in df.columns if c not in names]
        if missing or extra:
            raise SchemaError(f"{self.name}: missing columns {missing}, unexpected columns {extra}")
        df = df.select(names)
        for col in self.columns:
            s = df[col.name]
            if s.dtype != col.dtype:  # e.g. Null: the column was None in every row (a key missing in the file)
                raise SchemaError(f"{self.name}.{col.name}: dtype {s.dtype}, expected {col.dtype}"
                                  + self._files(df))
            nulls = s.is_null()
            if not col.nullable and nulls.any():
                raise SchemaError(
                    f"{self.name}.{col.name}: {int(nulls.sum())} null value(s) in a required column; "
                    f"first at {self._where(df, nulls)}"
                )
            if col.allowed is not None:
                values = s.explode() if isinstance(col.dtype, pl.List) else s
                bad = values.drop_nulls().filter(~values.drop_nulls().is_in(list(col.allowed)))
                if len(bad):
                    raise SchemaError(
                        f"{self.name}.{col.name}: value(s) outside the allowed list: {sorted(set(bad.to_list()))[:10]}"
                    )
            if col.min is not None:
                lowm = (s < col.min).fill_null(False)
                if lowm.any():
                    raise SchemaError(
                        f"{self.name}.{col.name}: value {s.filter(lowm)[0]!r} below the minimum {col.min!r} "
                        f"at {self._where(df, lowm)}"
                    )
            if col.max is not None:
                highm = (s > col.max).fill_null(False)
                if highm.any():
                    raise SchemaError(
                        f"{self.name}.{col.name}: value {s.filter(highm)[0]!r} above the maximum {col.max!r} "
                        f"at {self._where(df, highm)}"
                    )
        if self.primary_key:
            dup = df.select(self.primary_key).is_duplicated()
            if dup.any():
                raise SchemaError(
                    f"{self.name}: primary key {self.primary_key} is not unique; first duplicate at "
                    f"{self._where(df, dup)}: {df.filter(dup).select(self.primary_key).row(0)}"
                )
        return df

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema={c.name: c.dtype for c in self.columns})


# --- shared columns ---------------------------------------------------------------------------

COUNTRY_BUCKETS = vocab.COUNTRY_BUCKETS

SOURCE_COLUMNS = (
    Column("source_file", pl.String, "Upstream file of the row, by its path below data/external/.", nullable=False),
    Column(
        "source_row",
        pl.Int64,
        "1-based record number of the row in its source file (the header is not counted; a record may "
        "span several lines when a quoted field holds line breaks).",
        nullable=False,
        min=1,
    ),
)

QUARANTINE = Table(
    name="quarantine",
    description="Every upstream row that a cleaning step could not use, with the reason. "
    "For each source, rows in = rows used + rows quarantined.",
    columns=(
        Column("table", pl.String, "Clean table the row was meant for.", nullable=False),
        *SOURCE_COLUMNS,
        Column("key", pl.String, "The row's own identifier upstream (model name, price key, ...).", nullable=True),
        Column("column", pl.String, "The column at fault, where one is.", nullable=True),
        Column("reason", pl.String, "Why the row was not used.", nullable=False),
    ),
)

ROW_COUNTS = Table(
    name="row_counts",
    description="Rows in, used and quarantined per source file and clean table, from the last build.",
    columns=(
        Column("table", pl.String, "Clean table.", nullable=False),
        Column("source_file", pl.String, "Upstream file.", nullable=False),
        Column("rows_in", pl.Int64, "Records read from the file.", nullable=False, min=0),
        Column("rows_used", pl.Int64, "Records that reached the clean table.", nullable=False, min=0),
        Column("rows_quarantined", pl.Int64, "Records sent to the quarantine table.", nullable=False, min=0),
    ),
    primary_key=("table", "source_file"),
)
