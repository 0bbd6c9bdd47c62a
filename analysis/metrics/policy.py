"""Counts around events: how many rows of a dated table (model releases, price cuts, ...) fall in the
N days before and after each chosen event, by group.

This is description, not attribution: a change in counts around an event says nothing by itself about
the event causing it (releases are planned months ahead, and many events fall close together).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

WINDOWS = ("before", "after")


def window_counts(events: pl.DataFrame, frame: pl.DataFrame, date_col: str, group_col: str, days: int,
                  data_end: dt.date | None = None, value_col: str | None = None,
                  data_start: dt.date | None = None) -> pl.DataFrame:
    """Rows of `frame` per `group_col` in the `days` days before and after each event.

    Windows, each exactly `days` days long: before = [event - days, event - 1 day]; after = [event,
    event + days - 1 day] (the event's own day counts as after). Every (event, window, group) combination
    is present (0 when nothing falls in it). `complete` is False when the window reaches past `data_end`
    (default: the last date in `frame`), i.e. the count can still grow as data arrive, or starts before
    `data_start` (default: no lower bound), i.e. the data do not reach back over all of it; `days_covered`
    says how many of its days the data cover.

    `value_col`: also the median of that column over the rows in each window (`median_<value_col>`, null
    when no row falls in the window).

    `events` needs event_id and date (other columns such as title, jurisdiction, kind are carried along).
    Returns event columns + window, window_start, window_end, group, count[, median_<value_col>], complete,
    days_covered.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    for col in (date_col, group_col) + ((value_col,) if value_col else ()):
        if col not in frame.columns:
            raise ValueError(f"frame has no column {col!r}; columns: {frame.columns}")
    for col in ("event_id", "date"):
        if col not in events.columns:
            raise ValueError(f"events need a column {col!r}")
    if events["event_id"].is_duplicated().any():
        raise ValueError("events: event_id repeats")
    if data_end is None:
        data_end = frame[date_col].max()
    span = pl.duration(days=days)
    one = pl.duration(days=1)
    win = pl.concat([
        events.with_columns(pl.lit("before").alias("window"), (pl.col("date") - span).alias("window_start"),
                            (pl.col("date") - one).alias("window_end")),
        events.with_columns(pl.lit("after").alias("window"), pl.col("date").alias("window_start"),
                            (pl.col("date") + span - one).alias("window_end")),
    ])
    value = pl.col(value_col).cast(pl.Float64) if value_col else pl.lit(None, dtype=pl.Float64)
    rows = frame.select(pl.col(date_col).alias("_d"), pl.col(group_col).cast(pl.String).alias("group"),
                        value.alias("_v"))
    median = [pl.col("_v").median().alias(f"median_{value_col}")] if value_col else []
    hits = (
        win.select("event_id", "window", "window_start", "window_end")
        .join(rows, how="cross")
        .filter(pl.col("_d").is_between(pl.col("window_start"), pl.col("window_end")))
        .group_by("event_id", "window", "group", maintain_order=True)
        .agg(pl.len().cast(pl.Int64).alias("count"), *median)
    )
    groups = rows.select("group").drop_nulls().unique(maintain_order=True).sort("group")
    end = pl.lit(data_end, dtype=pl.Date) if data_end is not None else pl.lit(None, dtype=pl.Date)
    first = pl.col("window_start") if data_start is None else pl.max_horizontal(
        pl.col("window_start"), pl.lit(data_start, dtype=pl.Date))
    starts_ok = pl.lit(True) if data_start is None else pl.col("window_start") >= pl.lit(data_start, dtype=pl.Date)
    out = (
        win.join(groups, how="cross")
        .join(hits, on=["event_id", "window", "group"], how="left", validate="1:1")
        .with_columns(
            pl.col("count").fill_null(0),
            ((pl.col("window_end") <= end) & starts_ok).fill_null(False).alias("complete"),
            ((pl.min_horizontal(pl.col("window_end"), end) - first).dt.total_days() + 1)
            .clip(0, days).fill_null(0).cast(pl.Int64).alias("days_covered"),
        )
    )
    order = {w: i for i, w in enumerate(WINDOWS)}
    return (
        out.with_columns(pl.col("window").replace_strict(order, return_dtype=pl.Int8).alias("_w"))
        .sort("date", "event_id", "_w", "group").drop("_w")
    )


def window_summary(counts: pl.DataFrame) -> pl.DataFrame:
    """One row per (event, group): before, after, after - before, and whether both windows are complete."""
    wide = counts.pivot(on="window", index=["event_id", "date", "group"], values="count")
    done = counts.group_by("event_id", maintain_order=True).agg(pl.col("complete").all())
    return (
        wide.join(done, on="event_id", how="left", validate="m:1")
        .with_columns((pl.col("after") - pl.col("before")).alias("change"))
        .sort("date", "event_id", "group")
    )


def describe(counts: pl.DataFrame, days: int, what: str = "notable model releases",
             median_col: str | None = None, median_fmt: str = "median {:+.0f}%") -> str:
    """Markdown sentences, one per event: counts before and after by group (with the window's median of
    `median_col` when given, e.g. "3 (median -50%)"); incomplete windows flagged."""
    if counts.is_empty():
        return "**No events selected.**"
    lines = [f"Counts of {what} in the {days} days before and after each event (the event day counts as "
             "after). These describe timing only; they do not show that an event caused any change."]
    for (eid,), g in counts.group_by("event_id", maintain_order=True):
        first = g.row(0, named=True)
        parts = []
        for grp in g["group"].unique(maintain_order=True).to_list():
            cells = []
            for w in WINDOWS:
                cell = g.filter((pl.col("group") == grp) & (pl.col("window") == w))
                text = str(cell["count"].sum())
                if median_col and cell["count"].sum() > 0:
                    text += f" ({median_fmt.format(cell[median_col][0])})"
                cells.append(text)
            parts.append(f"{grp} {cells[0]} → {cells[1]}")
        title = first.get("title", eid)
        note = ""
        for w in WINDOWS:
            part = g.filter(pl.col("window") == w)
            if not part["complete"].all():
                note += (f" *({w}-window incomplete: the data cover {part['days_covered'].min()} of its "
                         f"{days} days)*")
        lines.append(f"- **{first['date']}** {title}: {'; '.join(parts)}{note}")
    return "\n".join(lines)


def describe_selection(selected: pl.DataFrame, all_events: pl.DataFrame) -> str:
    """Markdown: how many events are selected, their span, by jurisdiction, and how many dates are inexact."""
    if selected.is_empty():
        return f"**No events match these parameters** (of {len(all_events)} in the table)."
    by = selected.group_by("jurisdiction", maintain_order=True).len().sort("len", "jurisdiction", descending=[True, False])
    inexact = selected.filter(pl.col("date_precision") != "day").height
    return (f"**{len(selected)} of {len(all_events)} events** selected, {selected['date'].min()} to "
            f"{selected['date'].max()}; by jurisdiction: "
            + ", ".join(f"{r['jurisdiction']} {r['len']}" for r in by.iter_rows(named=True))
            + f". Dates known only to the month or uncertain: {inexact}.")
