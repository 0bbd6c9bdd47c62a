"""Text and value rules several stages share (one rule per fact): open weights from Epoch's access text,
white space, ISO dates, slugs."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

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
