"""Polars frames shown in reports as formatted HTML tables (great_tables), never as a polars repr.

`show_table` gives readable column names with units, percentages as %, rounded numbers, dates as YYYY-MM-DD,
missing and infinite values as "–", no dtype row; a table longer than `max_rows` is kept whole in a
fixed-height scroll box and its caption says how many rows it has. Every cell is text from the data:
great_tables escapes it (no markup or links from data, see analysis/core/safety.py).
"""

from __future__ import annotations

import polars as pl
from great_tables import GT
from IPython.display import HTML

from analysis.core import vocab

MISSING = "–"

# display names (with units) per table kind, so that notebooks stay thin
COLUMNS = {
    "country_bucket": "Country", "model": "Model", "model_id": "Model", "model_key": "Model", "date": "Date",
    "organization": "Organization", "lab": "Lab", "currency": "Currency", "source": "Source",
    "open_weights": "Open weights", "price_source": "Price source", "score": "Score", "blended": "Blended price",
    "leader_model": "Leader model", "leader_score": "Leader score", "leader_price": "Leader price",
    "follower_model": "Rival model", "follower_score": "Rival score", "follower_price": "Rival price",
    "score_share": "Score (% of leader)", "price_share": "Price (% of leader)",
    "week_start": "Week of", "complete": "Complete week", "total_tokens_b": "Tokens (bn)", "china": vocab.CHINA,
    "united_states": vocab.US, "other": vocab.OTHER, "unknown": "Unknown origin", "remainder": "Unassigned",
    "month": "Month", "origin": "Origin", "rank": "Rank", "base_model": "Base model", "tokens_b": "Tokens (bn)",
    "share_of_origin": "Share of origin's tokens", "days": "Days",
    "hf_org": "Hugging Face org", "registry_country": "Registry country", "atom_region": "ATOM region",
    "atom_notes": "ATOM notes", "reason": "Reason",
    "filed_cumulative": "Filed (cumulative)", "registered_cumulative": "Registered (cumulative)",
    "reporter": "Reported by", "announced": "Announced",
    "old_input": "Old input price (per M tokens)", "old_output": "Old output price (per M tokens)",
    "new_input": "New input price (per M tokens)", "new_output": "New output price (per M tokens)",
    "pct_change": "Change (%)",
    "source_a": "Source A", "input_usd_a": "Input A (USD/M tokens)", "output_usd_a": "Output A (USD/M tokens)",
    "source_b": "Source B", "input_usd_b": "Input B (USD/M tokens)", "output_usd_b": "Output B (USD/M tokens)",
    "reference_source": "Reference source",
    "n": "Models", "start": "Fit start", "growth_per_year": "Growth (×/year)", "growth_low": "Growth low (×/year)",
    "growth_high": "Growth high (×/year)", "doubling_months": "Doubling time (months)", "r2": "R²",
    "drawn": "Drawn",
    "bench": "Benchmark", "threshold_model": "Threshold model", "published_n": "Published n",
    "project_n": "Project n", "published_factor": "Published factor", "project_factor": "Project factor",
    "factor_low": "Factor low", "factor_high": "Factor high", "ratio": "Ratio (project / published)",
    "figure_id": "Figure", "published_value": "Published value", "project_value": "Project value", "unit": "Unit",
    "published_vintage": "Published vintage", "project_vintage": "Project vintage", "explanation": "Explanation",
    "published_source": "Published source", "quote": "Quote", "quote_url": "Quote URL",
    "project_method": "Project method",
    "open_b": "Open-weights tokens (bn)", "closed_b": "Closed tokens (bn)", "unlinked_b": "Unlinked tokens (bn)",
    "open_share": "Open-weights share (of linked)", "linked_share": "Linked share",
    "period": "Period (start)", "records": "Frontier releases", "matched": "Matched by a rival",
    "median_days": "Median days to match", "q25_days": "25th percentile (days)", "q75_days": "75th percentile (days)",
}

# rounding per column where the default (2 decimals) reads badly
DECIMALS = {"median_days": 0, "q25_days": 0, "q75_days": 0, "tokens_b": 1, "total_tokens_b": 1, "open_b": 1,
            "closed_b": 1, "unlinked_b": 1, "growth_per_year": 2, "doubling_months": 1, "r2": 2}


def _float_cols(df: pl.DataFrame) -> list[str]:
    return [c for c, t in df.schema.items() if t.is_float()]


def table_html(df: pl.DataFrame, columns: dict[str, str] | None = None, percent: list[str] | tuple = (),
               decimals: dict[str, int] | None = None, caption: str | None = None, max_rows: int = 15,
               default_decimals: int = 2, height_px: int = 480) -> str:
    """The frame as an HTML table (see the module docstring); `columns` overrides the shared display names."""
    decimals = decimals or {}
    names = {c: (columns or {}).get(c, COLUMNS.get(c, c.replace("_", " "))) for c in df.columns}
    floats = _float_cols(df)
    # inf and NaN are not numbers a reader can use: shown as missing
    if floats:
        df = df.with_columns([pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c) for c in floats])
    # nested values (lists, structs) as joined text
    nested = [c for c, t in df.schema.items() if t.is_nested()]
    if nested:
        df = df.with_columns([pl.col(c).map_elements(lambda v: ", ".join(map(str, v)) if v is not None else None,
                                                     return_dtype=pl.String).alias(c) for c in nested
                              if isinstance(df.schema[c], pl.List)])
    gt = GT(df)
    for c in df.columns:
        t = df.schema[c]
        if c in percent:
            gt = gt.fmt_percent(c, decimals=decimals.get(c, DECIMALS.get(c, 0)))
        elif t.is_float():
            gt = gt.fmt_number(c, decimals=decimals.get(c, DECIMALS.get(c, default_decimals)), use_seps=True)
        elif t.is_integer():
            gt = gt.fmt_integer(c, use_seps=True)
        elif t == pl.Date:
            gt = gt.fmt_date(c, date_style="iso")
        elif t == pl.Boolean:
            gt = gt.fmt(lambda v: "yes" if v else "no", columns=c)
    gt = gt.sub_missing(missing_text=MISSING).cols_label(**names)
    n = len(df)
    count = f"{n:,} row{'s' if n != 1 else ''}"
    title = f"{caption} ({count})" if caption else count.capitalize()
    # great_tables escapes plain strings (captions may carry names from data)
    gt = gt.tab_source_note(title).tab_options(
        table_font_size="13px", data_row_padding="3px", column_labels_font_weight="bold")
    if n > max_rows:
        gt = gt.tab_options(container_height=f"{height_px}px", container_overflow_y="auto")
        gt = gt.tab_header(title=f"{count}; scroll to see all")
    return gt.as_raw_html()


def show_table(df: pl.DataFrame, **kwargs) -> HTML:
    """The frame as a displayable HTML table (the last expression of a cell or `display(...)`)."""
    return HTML(table_html(df, **kwargs))
