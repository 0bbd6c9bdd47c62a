"""Model crosswalk for price keys: rules in code plus curated exceptions (`data/raw/model_crosswalk.csv`).

A price key is linked to a canonical model id of the Epoch Capabilities Index (the clean `capability` rows with
metric 'eci'), so prices can be joined to capability scores:
1. an exception row of data/raw/model_crosswalk.csv (source, price_key -> model_id, with the reason) wins;
2. otherwise the key is normalised by rule: provider prefix ('openai/') and ':free'/':batch'-style suffixes
   dropped, slugged ('GPT-5.5' -> 'gpt-5-5'), a trailing date stamp dropped ('-2024-07-18', '-20241022'), and
   compared without hyphens ('qwen3-7-max' = 'qwen-3-7-max') to the ECI model ids and to the ECI model versions
   normalised the same way.
Keys that match nothing keep their rule id and `crosswalk` = 'unlinked' (listed by the build's coverage report).
"""

from __future__ import annotations

import csv
import functools
import re

import polars as pl

from analysis import paths
from analysis.clean.common import InputError, slug

EXCEPTION_COLUMNS = ["source", "price_key", "model_id", "reason"]
_date_re = re.compile(r"-(?:20\d\d-\d\d-\d\d|20\d{6})$")
_effort_re = re.compile(r"_[a-z0-9]+$")


def normalise(key: str) -> str:
    """Rule id of a price key (see the module doc)."""
    k = key.split("/")[-1]
    k = k.split(":")[0]
    k = slug(k)
    return _date_re.sub("", k)


def compact(model_id: str) -> str:
    return model_id.replace("-", "")


@functools.cache
def exceptions() -> dict[tuple[str, str], str]:
    path = paths.raw_dir() / "model_crosswalk.csv"
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != EXCEPTION_COLUMNS:
            raise InputError(f"{path}: header {reader.fieldnames} != {EXCEPTION_COLUMNS}")
        for lineno, r in enumerate(reader, start=2):
            if not all((r[c] or "").strip() for c in EXCEPTION_COLUMNS):
                raise InputError(f"{path}: line {lineno}: empty field")
            out[(r["source"], r["price_key"])] = r["model_id"]
    return out


@functools.cache
def eci_lookup() -> dict[str, str]:
    """compact id -> ECI model_id, from the ECI model ids and their normalised model versions."""
    from analysis.clean import eci

    cap = eci.clean().df
    out: dict[str, str] = {}
    for mid in cap["model_id"].to_list():
        out.setdefault(compact(mid), mid)
    for mid, ver in cap.select("model_id", "source_model").iter_rows():
        out.setdefault(compact(normalise(_effort_re.sub("", ver))), mid)
    return out


def link(source: str, key: str, lookup: dict[str, str] | None = None,
         exc: dict[tuple[str, str], str] | None = None) -> tuple[str, str]:
    """(model_id, how) for one price key: how = 'exception' | 'rule' | 'unlinked'."""
    lookup = eci_lookup() if lookup is None else lookup
    exc = exceptions() if exc is None else exc
    if (source, key) in exc:
        return exc[(source, key)], "exception"
    rid = normalise(key)
    hit = lookup.get(compact(rid))
    return (hit, "rule") if hit else (rid, "unlinked")


def attach(df: pl.DataFrame) -> pl.DataFrame:
    res = [link(s, k) for s, k in zip(df["source"].to_list(), df["model_key"].to_list(), strict=True)]
    return df.with_columns(pl.Series("model_id", [r[0] for r in res], dtype=pl.String),
                           pl.Series("crosswalk", [r[1] for r in res], dtype=pl.String))


def coverage(prices: pl.DataFrame) -> pl.DataFrame:
    """Share of distinct price keys linked to an ECI model, per source."""
    keys = prices.select("source", "model_key", "crosswalk").unique()
    return keys.group_by("source").agg(
        pl.len().alias("keys"), (pl.col("crosswalk") != "unlinked").sum().alias("linked")
    ).with_columns((pl.col("linked") / pl.col("keys")).alias("share_linked")).sort("source")


def coverage_report(prices: pl.DataFrame, max_list: int = 400) -> str:
    cov = coverage(prices)
    lines = ["crosswalk coverage (distinct price keys linked to an ECI model):"]
    for r in cov.iter_rows(named=True):
        lines.append(f"  {r['source']:<22} {r['linked']:>4} / {r['keys']:<4} linked ({r['share_linked']:.0%})")
    un = prices.filter(pl.col("crosswalk") == "unlinked").select("source", "model_key").unique().sort("source", "model_key")
    lines.append(f"  unlinked keys ({len(un)}): " + ", ".join(f"{s}:{k}" for s, k in un.head(max_list).iter_rows()))
    return "\n".join(lines)
