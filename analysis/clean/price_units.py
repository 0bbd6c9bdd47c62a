"""Unit rules for API prices: small pure functions, one rule each (see tests/test_price_units.py).

Every price in the clean `prices` table is an amount per 1M tokens. Upstream sources give prices
per token (LiteLLM, OpenRouter), per 1K tokens (older vendor pages) or per 1M tokens, as numbers or
as strings such as "40元", "40 元", "0.8" or "17.5元 ($2.5)" (a CNY amount converted by the table's
author with the USD list price in brackets: the USD amount is the original). Values that cannot be a
price of a paid API (missing, free, zero placeholders, the routers' "-1", negative or absurd amounts)
are rejected with a reason, never silently mapped to a number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

TOKENS_PER_M = 1_000_000
# An API price above this (USD per 1M tokens) is taken as a unit error: the dearest list prices in
# the snapshots (o1-pro / gpt-5.x-pro output) are a few hundred USD per 1M tokens.
MAX_USD_PER_M = 1000.0


def per_token_to_per_m(x: float) -> float:
    """USD per token -> USD per 1M tokens (LiteLLM `*_cost_per_token`, OpenRouter `pricing.prompt`)."""
    return x * TOKENS_PER_M


def per_1k_to_per_m(x: float) -> float:
    """Per 1K tokens -> per 1M tokens."""
    return x * 1000.0


@dataclass(frozen=True)
class ParsedPrice:
    amount: float | None  # per 1M tokens, in `currency`
    currency: str | None  # 'CNY' or 'USD'
    reason: str | None = None  # why the string is not a usable price (amount is then None)


_num = r"(-?\d+(?:\.\d+)?)"
_cny_usd_re = re.compile(rf"^{_num}\s*元\s*[（(]\s*\$\s*{_num}\s*[)）]$")
_cny_re = re.compile(rf"^{_num}\s*(?:元|CNY|RMB|¥|￥)?$")
_usd_re = re.compile(rf"^\$\s*{_num}$")
_FREE = ("免费", "free", "限时免费")
_MISSING = ("", "-", "—", "/", "n/a", "na", "暂无", "未公布")


def parse_price_string(s: str | None, default_currency: str = "CNY") -> ParsedPrice:
    """Parse one price cell of a Chinese price table (amount per 1M tokens).

    "40元" / "40 元" / "0.8" -> CNY; "$2.5" -> USD; "17.5元 ($2.5)" -> USD 2.5 (the CNY figure is the
    author's conversion at a fixed rate, so the USD list price is the original). "免费" (free), "-" and
    anything else -> no amount, with the reason.
    """
    if s is None:
        return ParsedPrice(None, None, "no price")
    t = " ".join(s.split())
    if t.casefold() in _MISSING:
        return ParsedPrice(None, None, "no price")
    if t.casefold() in _FREE:
        return ParsedPrice(None, None, "free (no list price)")
    if m := _cny_usd_re.match(t):
        return ParsedPrice(float(m.group(2)), "USD")
    if m := _usd_re.match(t):
        return ParsedPrice(float(m.group(1)), "USD")
    if m := _cny_re.match(t):
        return ParsedPrice(float(m.group(1)), default_currency)
    return ParsedPrice(None, None, f"unparseable price string {t!r}")


_cache_hit_re = re.compile(rf"^(?P<base>.+?)\s*[（(]\s*缓存命中(?:价格)?为?\s*(?P<cached>{_num}\s*元?)\s*[)）]$")


def split_cache_hit(s: str | None) -> tuple[str | None, str | None]:
    """(base price cell, cached-input price cell) of a cell that states its cache-hit price in brackets.

    "2（缓存命中为0.5）" -> ("2", "0.5"): the syaoranwe tables write DeepSeek's cache-hit input price this way.
    Any other cell is returned as it is, with no cached price (a discount such as "打5折" is not a price, and
    a price is never computed from it)."""
    if s is None or not (m := _cache_hit_re.match(" ".join(s.split()))):
        return s, None
    return m.group("base"), m.group("cached")


def price_problem(amount: float | None, usd_per_cny: float = 1.0) -> str | None:
    """Why `amount` (per 1M tokens) is not a usable list price, or None when it is.

    `usd_per_cny` scales a CNY amount to USD for the upper bound (1.0 = the amount is in USD).
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "no price"
    if amount < 0:
        return f"negative price {amount:g} (router placeholder such as -1)"
    if amount == 0:
        return "zero price (free tier or placeholder)"
    if amount * usd_per_cny > MAX_USD_PER_M:
        return f"implausible price {amount:g} per 1M tokens (above {MAX_USD_PER_M:g} USD): unit error?"
    return None


_tier_suffix_re = re.compile(r"^(?P<base>.+)-(?P<k>\d+)k$")


def split_tier_suffix(key: str, known_keys: set[str]) -> tuple[str, int | None]:
    """'gpt-5.4-272k' -> ('gpt-5.4', 272000) when 'gpt-5.4' is also a key of the same file.

    llm-prices lists the long-context price of a model (input above N tokens) as a separate id with
    a '-<N>k' suffix. A suffix whose base id is not in the file is part of the name (e.g.
    'moonshot-v1-8k') and is kept.
    """
    m = _tier_suffix_re.match(key)
    if m and m.group("base") in known_keys:
        return m.group("base"), int(m.group("k")) * 1000
    return key, None
