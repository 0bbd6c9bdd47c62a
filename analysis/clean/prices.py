"""Clean `prices`: one row per (model, provider, price kind/tier, price period), in USD and the original currency.

Five steps, one per source family (all prices per 1M tokens):
- `clean_llm_prices`: simonw/llm-prices vendor JSON. Periods are stated by the source
  (`from_date` inclusive / `to_date` exclusive; null = open) -> `date_basis` 'stated'.
- `clean_llm_prices_cn`: szp2005/llm-prices-cn daily snapshots (CNY originals for Chinese labs, input-length
  tiers). Periods are built from the snapshots: a price holds from the first snapshot showing it to the first
  later snapshot that shows another price or no longer lists the model -> `date_basis` 'observed'.
- `clean_cn_tables`: price tables of the flanker/llmprice.cn README in every commit (2024-05..2026-03), price
  strings such as "40 元" or "17.5元 ($2.5)"; periods built from the commits like the snapshots above.
- `clean_litellm`: LiteLLM's price file in 8 dated mirror versions (2025-02-06..2026-07-24), USD per token; only the
  labs' own APIs (`LITELLM_LAB_PROVIDERS`) and chat models; long-context, batch, flex and priority prices as separate
  rows. Periods built from the snapshots (a change shows on the first mirror version after it). `source_row` = the
  1-based position of the model key in the JSON object.
- `clean_syaoranwe`: price tables of the syaoranwe/LLM-Price README in every commit (2024-05..2025-06), read like the
  flanker tables (one shared reader, `_readme_periods`); only the sections that data/curated/syaoranwe_sections.csv
  names a lab's own CNY list price are used (resellers, USD prices converted at the author's fixed rate and
  fine-tuning tables are quarantined with the rule's reason).

Long-context tiers are separate rows (`price_kind` 'long_context', `min_input_tokens`), never mixed into the
base price. Rows without a usable price (free, zero, negative, absurd, unparseable) go to quarantine.
CNY amounts are converted at the USD/CNY rate as of the period start (`analysis.curated.fx`, never a constant);
metrics re-convert the original amounts at the rate of each date they plot.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

import polars as pl

from analysis.acquire.readers import describe_json, expect_json, reject_repeated_keys
from analysis.clean import price_units as units
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult
from analysis.core.errors import InputError
from analysis.core.schema import COUNTRY_BUCKETS, SOURCE_COLUMNS, Column, Table
from analysis.curated import registry
from analysis.curated.fx import MAX_AGE_DAYS, rates_on

PRICES = Table(
    name="prices",
    description="One row per (model, provider, price kind / context tier, price period): list prices of LLM APIs "
    "per 1M tokens, in USD and in the original currency, with the period they held and the upstream row.",
    primary_key=("source", "provider", "model_key", "price_kind", "min_input_tokens", "context_tier", "valid_from"),
    columns=(
        Column("model_key", pl.String, "The source's own model key (tier suffix removed).", nullable=False),
        Column("model_name", pl.String, "Model name as the source displays it, where it gives one."),
        Column("model_id", pl.String, "Canonical model id from the project model crosswalk (analysis/curated/crosswalk.py, "
               "shared with `capability`) when linked, else the rule id of the key.",
               nullable=False),
        Column("crosswalk", pl.String, "How model_id was found: 'exception' (data/curated/model_crosswalk_capability.csv), "
               "'rule' (the crosswalk rules match a canonical model), 'alias' (a moving API id linked to the model it "
               "served in the period, data/curated/model_aliases.csv; periods spanning a switch are split at it), "
               "'unlinked' (rule id, no canonical model).", nullable=False,
               allowed=("exception", "rule", "alias", "unlinked")),
        Column("provider", pl.String, "Who sells the API at this price, as the source names it.", nullable=False),
        Column("organization", pl.String, "Canonical organization of the provider (data/curated/price_providers.csv "
               "-> organization registry); null when unknown."),
        Column("country_bucket", pl.String, "US–China bucket of the organization.", allowed=COUNTRY_BUCKETS),
        Column("price_kind", pl.String, "'base' = standard price for short inputs; 'long_context' = price of "
               "requests whose input exceeds `min_input_tokens`; 'batch' / 'flex' / 'priority' = the service tiers "
               "of those names. Only 'base' enters the reference price.", nullable=False,
               allowed=("base", "long_context", "batch", "flex", "priority")),
        Column("min_input_tokens", pl.Int64, "Long-context tiers: the tier applies to inputs above this many tokens "
               "(0 for base prices).", nullable=False, min=0),
        Column("context_tier", pl.String, "Context tier label: the source's context column or '>Nk' for tiers."),
        Column("currency", pl.String, "Currency of the original amounts.", nullable=False, allowed=("USD", "CNY")),
        Column("input_orig", pl.Float64, "Input price per 1M tokens in `currency`.", nullable=False, min=0),
        Column("output_orig", pl.Float64, "Output price per 1M tokens in `currency`.", min=0),
        Column("cached_input_orig", pl.Float64, "Cached-input (cache read) price per 1M tokens in `currency`.", min=0),
        Column("usd_cny", pl.Float64, "CNY per USD used to convert a CNY row (rate as of `fx_date`); null for USD rows.",
               unit="CNY/USD"),
        Column("fx_date", pl.Date, "Date of the exchange rate used (data/curated/fx_usd_cny.csv)."),
        Column("input_usd_per_m", pl.Float64, "Input price, USD per 1M tokens.", nullable=False, unit="USD/1M tokens",
               min=0, max=units.MAX_USD_PER_M),
        Column("output_usd_per_m", pl.Float64, "Output price, USD per 1M tokens.", unit="USD/1M tokens", min=0,
               max=units.MAX_USD_PER_M),
        Column("cached_input_usd_per_m", pl.Float64, "Cached-input price, USD per 1M tokens.", unit="USD/1M tokens",
               min=0),
        Column("valid_from", pl.Date, "First day of the price (inclusive). Null = the source does not say when it "
               "started (it held at least until `valid_to` / the snapshot)."),
        Column("valid_to", pl.Date, "Day the price stopped holding (exclusive). Null = still valid at the snapshot."),
        Column("date_basis", pl.String, "'stated': the source states the period; 'observed': the period is built "
               "from dated snapshots (valid_from = first snapshot showing the price, valid_to = first later "
               "snapshot not showing it).", nullable=False, allowed=("stated", "observed")),
        Column("observed_from", pl.Date, "Date of the first snapshot showing this price (the snapshot date for "
               "'stated' rows without a start).", nullable=False),
        Column("n_observations", pl.Int64, "Number of upstream records (snapshots) merged into this period (a "
               "period split at a dated alias switch repeats it, with its source_row, on each part).",
               nullable=False, min=1),
        Column("mode", pl.String, "LiteLLM's mode of the key ('chat', 'responses', 'completion': the text-generation "
               "modes it prices); null for sources without modes."),
        Column("reasoning", pl.Boolean, "LiteLLM's `supports_reasoning` flag of the key; null where the source does "
               "not say."),
        Column("pro_variant", pl.Boolean, "The key names the 'pro' tier of a model the same provider also sells "
               "without it in the same source (`gpt-5.4-pro` beside `gpt-5.4`, `o3-pro` beside `o3`; date stamps "
               "ignored): a premium variant, flagged so a method can leave it out by the flag and say so.",
               nullable=False),
        Column("list_price", pl.Boolean, "True when the price is the lab's own list price (the provider is the "
               "model's organization) as published by the lab.", nullable=False),
        Column("source", pl.String, "Source family.", nullable=False,
               allowed=("llm-prices", "llm-prices-cn", "llm-price-cn-tables", "litellm", "llm-price-syaoranwe")),
        Column("snapshot", pl.Date, "Snapshot date of the source file of the first record.", nullable=False),
        *SOURCE_COLUMNS,
    ),
)

# a stated from_date outside MIN_PRICE_DATE..snapshot date + MAX_SCHEDULED is an error (1900, 2099), not a
# price: public LLM API price lists start with OpenAI's API in 2020; a price may be announced ahead of its start
# (anthropic.json has one starting two months after its snapshot), but not years ahead
MIN_PRICE_DATE = dt.date(2020, 1, 1)
# a key's date stamp ('-2026-03-05', '-20250610')
_DATE_STAMP_RE = r"-\d{4}-?\d{2}-?\d{2}$"
MAX_SCHEDULED = dt.timedelta(days=366)
LLM_PRICES_FILES = [f"pricing/llm-prices/{v}.json" for v in (
    "amazon", "anthropic", "deepseek", "google", "meta-ai", "minimax", "mistral", "moonshot-ai", "openai", "qwen",
    "xai")]
LLM_PRICES_CN_FILES = [
    "pricing/llm-prices-cn/history/prices_2026-07-07.json", "pricing/llm-prices-cn/history/prices_2026-08-02.json",
    "pricing/llm-prices-cn/history/prices_2026-08-03.json", "pricing/llm-prices-cn/history/prices_2026-08-17.json",
    "pricing/llm-prices-cn/history/prices_2026-08-21.json", "pricing/llm-prices-cn/prices.json",
]
CN_TABLES_FILE = "pricing/llm-price-cn-tables/flanker_llmprice.cn_readme_tables.csv"


# --- providers and crosswalk ------------------------------------------------------------------



def org_columns(df: pl.DataFrame, reg: registry.Registry, prov: dict[str, str]) -> pl.DataFrame:
    orgs = [prov.get(p) for p in df["provider"].to_list()]
    buckets = [registry.bucket([reg.orgs[o].country]) if o else None for o in orgs]
    return df.with_columns(pl.Series("organization", orgs, dtype=pl.String),
                           pl.Series("country_bucket", buckets, dtype=pl.String))




# --- shared helpers ---------------------------------------------------------------------------

def _problem(row: dict) -> tuple[str, str] | None:
    """(column, reason) of the first unusable amount of a row with *_orig amounts, else None."""
    scale = 1 / 6.0 if row["currency"] == "CNY" else 1.0  # generous bound: any CNY rate above 6
    for col in ("input_orig", "output_orig"):
        if (p := units.price_problem(row[col], scale)) is not None:
            if col == "output_orig" and row[col] is None:
                continue  # an input-only price (embeddings) keeps its input price
            return col, p
    c = row.get("cached_input_orig")
    if c is not None and c < 0:
        return "cached_input_orig", units.price_problem(c)
    return None


def collapse_snapshots(obs: list[dict], snapshots: list[dt.date], key: tuple[str, ...],
                       values: tuple[str, ...]) -> list[dict]:
    """Merge observations of the same key with the same values in consecutive snapshots into periods.

    obs: one dict per (key, snapshot) with `snap` (a date in `snapshots`), the key and value fields and the
    record's `source_file`/`source_row`. Returns one dict per period (fields of its first observation) with
    observed_from/valid_from = first snapshot, valid_to = the next snapshot after the run (exclusive; null when
    the run reaches the last snapshot), n_observations.
    """
    order = {d: i for i, d in enumerate(sorted(snapshots))}
    snaps = sorted(snapshots)
    by_key: dict[tuple, list[dict]] = {}
    for o in obs:
        by_key.setdefault(tuple(o[k] for k in key), []).append(o)
    out = []
    for items in by_key.values():
        items.sort(key=lambda o: order[o["snap"]])
        run: list[dict] = []
        for o in items:
            if run and order[o["snap"]] == order[run[-1]["snap"]] + 1 and all(
                    o[v] == run[0][v] for v in values):
                run.append(o)
                continue
            if run:
                out.append(_close(run, snaps, order))
            run = [o]
        if run:
            out.append(_close(run, snaps, order))
    return out


def _close(run: list[dict], snaps: list[dt.date], order: dict) -> dict:
    first, last = run[0], run[-1]
    nxt = order[last["snap"]] + 1
    return {**first, "observed_from": first["snap"], "valid_from": first["snap"],
            "valid_to": snaps[nxt] if nxt < len(snaps) else None, "n_observations": len(run)}


class _Inputs(NamedTuple):
    """The curated inputs every price source's reading uses (fields of analysis.curated.inputs.Inputs)."""
    fx: pl.DataFrame
    registry: registry.Registry
    providers: dict[str, str]


_USES = _Inputs._fields


def _priced(rows: list[dict], led: Ledger, inputs: _Inputs) -> pl.DataFrame:
    """The rows as a frame in USD with their organizations (what does not depend on the crosswalk)."""
    if rows:
        df = pl.DataFrame(rows, schema_overrides={
            "valid_from": pl.Date, "valid_to": pl.Date, "observed_from": pl.Date, "snapshot": pl.Date,
            "input_orig": pl.Float64, "output_orig": pl.Float64, "cached_input_orig": pl.Float64,
            "min_input_tokens": pl.Int64, "source_row": pl.Int64, "n_observations": pl.Int64,
            "model_name": pl.String, "context_tier": pl.String, "mode": pl.String, "reasoning": pl.Boolean},
            infer_schema_length=None)
        df = df.with_columns(pl.lit(None, dt).alias(c) for c, dt in (("mode", pl.String), ("reasoning", pl.Boolean))
                             if c not in df.columns)
    else:
        df = pl.DataFrame(schema={c.name: c.dtype for c in PRICES.columns})
    rate_date = pl.coalesce("valid_from", "observed_from")
    rates = rates_on(df.select(rate_date.alias("d"))["d"], inputs.fx)
    df = df.with_columns(
        pl.when(pl.col("currency") == "CNY").then(rates["usd_cny"]).otherwise(None).alias("usd_cny"),
        pl.when(pl.col("currency") == "CNY").then(rates["fx_date"]).otherwise(None).alias("fx_date"),
    )
    no_rate = (pl.col("currency") == "CNY") & pl.col("usd_cny").is_null()
    for r in df.filter(no_rate).iter_rows(named=True):
        led.reject(r["source_file"], r["source_row"], r["model_key"], "currency",
                       f"no USD/CNY rate within {MAX_AGE_DAYS} days before {r['observed_from']}")
    df = df.filter(~no_rate)
    factor = pl.when(pl.col("currency") == "CNY").then(1 / pl.col("usd_cny")).otherwise(1.0)
    df = df.with_columns(*(
        (pl.col(f"{c}_orig") * factor).alias(f"{c}_usd_per_m") for c in ("input", "output", "cached_input")))
    df = org_columns(df, inputs.registry, inputs.providers)
    return df


def pro_variant(source: pl.Series, provider: pl.Series, key: pl.Series) -> pl.Series:
    """True for a key naming the 'pro' tier of a model the same provider also sells without it in the same source
    (`gpt-5.4-pro` beside `gpt-5.4`, `o3-pro` beside `o3`; date stamps ignored): a premium variant, flagged so a
    method can leave it out by the flag. A model whose own name ends in 'pro' (`gemini-2.5-pro`, no
    `gemini-2.5` key) is not a variant."""
    d = pl.DataFrame({"s": source, "p": provider, "k": key.str.to_lowercase().str.replace(_DATE_STAMP_RE, "")})
    bases = set(d.select("s", "p", "k").unique(maintain_order=True).iter_rows())
    return pl.Series("pro_variant", [
        k.endswith("-pro") and (s, p, k.removesuffix("-pro")) in bases for s, p, k in d.iter_rows()],
        dtype=pl.Boolean)


def link(rows: tuple[pl.DataFrame, Ledger], crosswalk, aliases) -> StepResult:
    """A price source's rows (its reading step's value) linked to the crosswalk: model_id and how it linked (moving
    ids split per period), implausible prices dropped, validated. The crosswalk step links the same rows against the
    Epoch / AA crosswalk (to find the models only price sources know); each call counts its own rejected rows."""
    from analysis.curated import crosswalk as xw

    df, led = rows
    led = led.copy()
    df = xw.attach(df, crosswalk, aliases)
    too_high = (pl.col("input_usd_per_m") > units.MAX_USD_PER_M) | (pl.col("output_usd_per_m") > units.MAX_USD_PER_M)
    for r in df.filter(too_high.fill_null(False)).iter_rows(named=True):
        led.reject(r["source_file"], r["source_row"], r["model_key"], "input_orig",
                       f"implausible price above {units.MAX_USD_PER_M:g} USD per 1M tokens")
    df = df.filter(~too_high.fill_null(False))
    df = df.with_columns((pl.col("organization").is_not_null()
                          & pl.col("list_price_candidate")).alias("list_price"),
                         pro_variant(df["source"], df["provider"], df["model_key"]))
    return led.result(PRICES, df.select(PRICES.column_names), one_row_per_record=False)


def _read_step(parse):
    """A price source's reading step from `parse(src, inputs) -> (rows, ledger)`: the rows as a frame in USD with
    their organizations, and the ledger of what was rejected on the way (a value: `link` makes the table rows)."""
    def step(src: Sources, **kw) -> tuple[pl.DataFrame, Ledger]:
        inputs = _Inputs(**kw)
        rows, led = parse(src, inputs)
        return _priced(rows, led, inputs), led

    step.__name__ = step.__qualname__ = "read" + parse.__name__.removeprefix("_parse")
    step.__doc__ = parse.__doc__
    return step


def clean(src: Sources, rows: tuple[pl.DataFrame, Ledger], crosswalk, aliases) -> StepResult:
    """`prices` rows of one source: its reading step's rows linked to the build's crosswalk and dated aliases."""
    return link(rows, crosswalk, aliases)


def _check_json(local_path: str, data) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise InputError(f"{local_path}: expected an object with a 'models' list")
    for i, m in enumerate(data["models"]):
        expect_json(local_path, f"models[{i}]", m, dict)
    return data


def _num(v, where: str) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InputError(f"{where}: expected a number, found {v!r}")
    return float(v)


# --- step 1: llm-prices -----------------------------------------------------------------------

def _parse_llm_prices(src: Sources, inputs: _Inputs) -> tuple[list[dict], Ledger]:
    """`prices` rows of the llm-prices vendor files (periods stated by the source)."""
    led = Ledger("prices")
    rows = []
    for f in src.paths():
        data = _check_json(f, src[f])
        snap = src.snapshot(f)
        vendor = data.get("vendor")
        if not isinstance(vendor, str) or not vendor.strip():  # every row's provider: a file-level fault
            raise InputError(f"{f}: top level, key 'vendor': expected the vendor's name, found {vendor!r}")
        ids = {m.get("id") for m in data["models"]}
        rec, n_in, seen = 0, 0, {}
        for mi, m in enumerate(data["models"]):
            hist = m.get("price_history")
            if not isinstance(hist, list):
                raise InputError(f"{f}: models[{mi}] ({m.get('id')!r}) has no price_history list")
            if not isinstance(m.get("id"), str) or not m["id"]:
                raise InputError(f"{f}: models[{mi}], key 'id': expected a model id, found {m.get('id')!r}")
            key, min_tokens = units.split_tier_suffix(m["id"], ids)
            for hi, p in enumerate(hist):
                rec += 1
                n_in += 1
                where = f"{f}: models[{mi}].price_history[{hi}]"
                if not isinstance(p, dict) or not {"input", "output"} <= p.keys():
                    found = sorted(p) if isinstance(p, dict) else type(p).__name__
                    raise InputError(f"{where} ({m.get('id')!r}): missing key(s) 'input'/'output'; found {found}")
                try:
                    vf = dt.date.fromisoformat(p["from_date"]) if p.get("from_date") else None
                    vt = dt.date.fromisoformat(p["to_date"]) if p.get("to_date") else None
                except ValueError as exc:
                    raise InputError(f"{where}: bad date: {exc}") from exc
                row = dict(model_key=key, model_name=m.get("name"), provider=vendor,
                           price_kind="long_context" if min_tokens else "base", min_input_tokens=min_tokens or 0,
                           context_tier=f">{min_tokens // 1000}k" if min_tokens else None, currency="USD",
                           input_orig=_num(p.get("input"), where), output_orig=_num(p.get("output"), where),
                           cached_input_orig=_num(p.get("input_cached"), where), valid_from=vf, valid_to=vt,
                           date_basis="stated", observed_from=vf or snap, n_observations=1,
                           list_price_candidate=True, source="llm-prices", snapshot=snap, source_file=f,
                           source_row=rec)
                pk = (key, row["min_input_tokens"], vf)
                if (bad := _problem(row)) is not None:
                    led.reject(f, rec, m["id"], bad[0], bad[1])
                elif vf and not MIN_PRICE_DATE <= vf <= snap + MAX_SCHEDULED:
                    led.reject(f, rec, m["id"], "from_date", f"from_date {vf} outside {MIN_PRICE_DATE}.."
                                   f"{snap + MAX_SCHEDULED} (the snapshot date {snap} + one year)")
                elif vf and vt and vt <= vf:
                    led.reject(f, rec, m["id"], "to_date", f"to_date {vt} not after from_date {vf}")
                elif pk in seen:
                    led.reject(f, rec, m["id"], "id", f"same id and from_date as record {seen[pk]} "
                                                          "(the id appears twice in the file)")
                else:
                    seen[pk] = rec
                    rows.append(row)
        led.count_in(f, n_in)
    return rows, led


# --- step 2: llm-prices-cn --------------------------------------------------------------------

def _cn_amounts(m: dict, where: str, tier: dict | None = None) -> dict:
    cur = m.get("billing_currency")
    if cur not in ("USD", "CNY"):
        raise InputError(f"{where}: billing_currency {cur!r} not USD/CNY")
    src = tier if tier is not None else m
    out = {}
    for part in ("input", "output", "cached_input"):
        if f"{part}_price_orig_per_m" in src:  # schema since 2026-08-02
            v = src.get(f"{part}_price_orig_per_m")
        else:  # first version: separate usd / cny fields
            v = src.get(f"{part}_price_{cur.lower()}_per_m")
        out[f"{part}_orig"] = _num(v, where)
    return {"currency": cur, **out}


def _parse_llm_prices_cn(src: Sources, inputs: _Inputs) -> tuple[list[dict], Ledger]:
    """`prices` rows of the llm-prices-cn daily snapshots (periods built from the snapshots)."""
    led = Ledger("prices")
    obs, snaps = [], []
    for f in src.paths():
        data = _check_json(f, src[f])
        snap = src.snapshot(f)
        snaps.append(snap)
        seen: dict[str, int] = {}
        o0 = len(obs)
        for i, m in enumerate(data["models"]):
            rec, where = i + 1, f"{f}: models[{i}]"
            mid = m.get("id")
            if not mid:
                led.reject(f, rec, None, "id", "no model id")
                continue
            if mid in seen:
                led.reject(f, rec, mid, "id", f"same id as record {seen[mid]}")
                continue
            seen[mid] = rec
            base = dict(model_key=mid, model_name=m.get("name"), provider=m.get("vendor_id"), snap=snap,
                        list_price_candidate=True, source="llm-prices-cn", snapshot=snap, source_file=f,
                        source_row=rec, date_basis="observed")
            row = {**base, **_cn_amounts(m, where), "price_kind": "base", "min_input_tokens": 0,
                   "context_tier": None}
            if (bad := _problem(row)) is not None:
                led.reject(f, rec, mid, bad[0], bad[1])
                continue
            obs.append(row)
            tiers = expect_json(f, f"{where}.price_tiers", m.get("price_tiers") or [], list)
            prev = None
            for ti, t in enumerate(tiers):
                expect_json(f, f"{where}.price_tiers[{ti}]", t, dict)
                if ti > 0 and prev:
                    trow = {**base, **_cn_amounts(m, f"{where}.price_tiers[{ti}]", t), "price_kind": "long_context",
                            "min_input_tokens": int(prev), "context_tier": f">{int(prev) // 1000}k"}
                    if _problem(trow) is None:  # a tier without a usable price is left out (the base row is kept)
                        obs.append(trow)
                prev = t.get("up_to_input_tokens")
        # a CNY record without a USD/CNY rate for its snapshot date is quarantined here, record by record (after
        # the snapshots are collapsed into periods one row stands for many records, and the counts would drift)
        cny = [r for r in obs[o0:] if r["currency"] == "CNY" and r["price_kind"] == "base"]
        if cny:
            rates = rates_on(pl.Series([snap] * len(cny), dtype=pl.Date), inputs.fx)["usd_cny"].to_list()
            missing = {r["source_row"] for r, rate in zip(cny, rates, strict=True) if rate is None}
            for r in cny:
                if r["source_row"] in missing:
                    led.reject(f, r["source_row"], r["model_key"], "currency",
                                   f"no USD/CNY rate within {MAX_AGE_DAYS} days before {snap}")
            obs[o0:] = [r for r in obs[o0:] if r["source_row"] not in missing]
        led.count_in(f, len(data["models"]))
    periods = collapse_snapshots(obs, snaps, ("model_key", "provider", "price_kind", "min_input_tokens"),
                                 ("currency", "input_orig", "output_orig", "cached_input_orig"))
    for p in periods:
        p.pop("snap")
    return periods, led


# --- steps 3 and 5: Chinese README price tables (flanker/llmprice.cn, syaoranwe/LLM-Price) ------------
# Both files hold one CSV row per (README commit, table row). One reader turns them into periods: the commit's
# local date is the snapshot date; a model listed twice in one README version keeps its first row; of several
# versions of one day the last holds; periods are built from the commits (`collapse_snapshots`). Each source
# only says, per record, who sells the model and which cells hold the prices (`_TableRow`), or why the record
# is left out.

class _TableRow(NamedTuple):
    """What a README-table source takes from one record: the seller, the model and its raw price cells."""
    provider: str | None
    model_key: str
    model_name: str
    input_raw: str | None
    output_raw: str | None
    context: str | None
    cached_raw: str | None = None


def _readme_periods(df: pl.DataFrame, local_path: str, source: str, snap: dt.date, led: Ledger,
                    select, price_columns: tuple[str, str]) -> list[dict]:
    """Price periods of a README-table file. `select(record, model) -> _TableRow | (column, reason)`: the
    source's own reading of a record whose model and commit date are usable; a (column, reason) pair sends the
    record to quarantine. `price_columns`: the file's input and output price columns (named in the quarantine)."""
    in_col, out_col = price_columns
    led.count_in(local_path, len(df))
    obs = []
    seen: dict[tuple, int] = {}
    days: set = set()
    for r in df.iter_rows(named=True):
        rec, key = r["source_row"], (r["model"] or "").strip()
        try:  # a record without a usable commit date is quarantined (one bad record, not the whole file)
            day = dt.date.fromisoformat(r["commit_date_local"] or "")
            days.add(day)
        except ValueError:
            day = None
        if not key:
            led.reject(local_path, rec, None, "model", "no model name")
            continue
        if day is None:
            led.reject(local_path, rec, key, "commit_date_local",
                           f"unparseable commit date {r['commit_date_local']!r}")
            continue
        t = select(r, key)
        if not isinstance(t, _TableRow):
            led.reject(local_path, rec, key, t[0], t[1])
            continue
        key = t.model_key
        pin = units.parse_price_string(t.input_raw)
        pout = units.parse_price_string(t.output_raw)
        if pin.amount is None:
            led.reject(local_path, rec, key, in_col, pin.reason)
            continue
        if pout.amount is not None and pout.currency != pin.currency:
            led.reject(local_path, rec, key, out_col,
                           f"input in {pin.currency}, output in {pout.currency}")
            continue
        pcached = units.parse_price_string(t.cached_raw, pin.currency) if t.cached_raw else None
        k = (t.provider, key, day)
        row = dict(model_key=key, model_name=t.model_name, provider=t.provider, snap=day, currency=pin.currency,
                   input_orig=pin.amount, output_orig=pout.amount,
                   cached_input_orig=pcached.amount if pcached else None, price_kind="base",
                   min_input_tokens=0, context_tier=t.context, list_price_candidate=True, source=source,
                   snapshot=snap, source_file=local_path, source_row=rec, date_basis="observed",
                   _commit=r["commit"])
        if pout.amount is None:
            led.reject(local_path, rec, key, out_col, pout.reason)
            continue
        if pcached is not None and (pcached.amount is None or pcached.currency != pin.currency):
            led.reject(local_path, rec, key, in_col, f"cache-hit price: {pcached.reason or 'currency'}")
            continue
        if (bad := _problem(row)) is not None:
            led.reject(local_path, rec, key, bad[0], bad[1])
            continue
        if k in seen:
            prev = obs[seen[k]]
            if prev["_commit"] == row["_commit"]:  # listed twice in one README version: the first row holds
                same = (prev["input_orig"], prev["output_orig"]) == (row["input_orig"], row["output_orig"])
                led.reject(local_path, rec, key, "model",
                               f"{'repeats' if same else 'second price for'} the model in the same README "
                               f"version as record {prev['source_row']} (first row kept)")
                continue
            # a later commit of the same day: its table holds for the day
            same = (prev["input_orig"], prev["output_orig"]) == (row["input_orig"], row["output_orig"])
            led.reject(local_path, prev["source_row"], key, "model",
                           f"{'same price as' if same else 'superseded by'} record {rec} of a later README version "
                           "of the same day (the day's last version is kept)")
            obs[seen[k]] = row
            continue
        seen[k] = len(obs)
        obs.append(row)
    snaps = sorted(days)
    periods = collapse_snapshots(obs, snaps, ("provider", "model_key"),
                                 ("currency", "input_orig", "output_orig", "cached_input_orig"))
    for p in periods:
        p.pop("snap")
        p.pop("_commit")
    # all rows merged into a period count as used
    return periods


def _flanker_row(r: dict, key: str) -> _TableRow:
    return _TableRow(r["vendor"], key, key, r["input_price_raw"], r["output_price_raw"],
                       (r["context_raw"] or "").strip() or None)


def _parse_cn_tables(src: Sources, inputs: _Inputs) -> tuple[list[dict], Ledger]:
    """`prices` rows of the llmprice.cn README tables of every commit (periods built from the commits)."""
    led = Ledger("prices")
    periods = _readme_periods(src[CN_TABLES_FILE], CN_TABLES_FILE, "llm-price-cn-tables",
                              src.snapshot(CN_TABLES_FILE), led, _flanker_row,
                              ("input_price_raw", "output_price_raw"))
    return periods, led


# --- step 5: syaoranwe/LLM-Price README tables (2024-05..2025-06) -------------------------------------
# The file mixes, per README section (one per model family), the labs' own CNY list prices with third-party
# platform quotes and USD prices the author converted at a fixed rate without keeping the USD original, and carries
# fine-tuning tables. data/curated/syaoranwe_sections.csv says, per (section, table label, row note), which rows
# are a lab's own list price for its own API (`list_price`: used, the section heading is the provider, mapped
# through data/curated/price_providers.csv) and which are not (`reseller`, `usd_converted`: quarantined with the
# rule's reason). The first matching rule holds; a record no rule matches is quarantined, never guessed.

SYAORANWE_FILE = "pricing/llm-price-cn-tables/syaoranwe_LLM-Price_readme_tables.csv"
SYAORANWE_COLUMNS = ("commit", "commit_date_local", "section", "table_label", "table_kind", "model",
                     "input_cny_per_m_raw", "output_cny_per_m_raw", "context_k_raw", "note_raw")
SECTIONS_FILE = "data/curated/syaoranwe_sections.csv"
SECTIONS_COLUMNS = ("section", "table_label_contains", "note_contains", "rule", "reason", "source")
SECTION_RULES = ("list_price", "reseller", "usd_converted")
# "deepseek-chat（基于DeepSeek-V3）": the API id, then which model it serves (dated by data/curated/model_aliases.csv)
_BASED_ON_RE = re.compile(r"\s*[（(]\s*基于[^)）]*[)）]\s*$")


class SectionRule(NamedTuple):
    section: str
    table_label_contains: str
    note_contains: str
    rule: str
    reason: str
    record: int


def section_rules(label: str, df: pl.DataFrame) -> list[SectionRule]:
    """The rules of data/curated/syaoranwe_sections.csv (read as text), checked: section, rule, reason and source
    given, rule one of SECTION_RULES, no (section, label, note) pattern twice."""
    out, seen = [], {}
    for r in df.iter_rows(named=True):
        rec = r["source_row"]
        for col in ("section", "rule", "reason", "source"):
            if not (r[col] or "").strip():
                raise InputError(f"{label}: record {rec}, column {col!r}: empty")
        if r["rule"] not in SECTION_RULES:
            raise InputError(f"{label}: record {rec}, column 'rule': {r['rule']!r} is not one of {SECTION_RULES}")
        k = (r["section"], r["table_label_contains"] or "", r["note_contains"] or "")
        if k in seen:
            raise InputError(f"{label}: record {rec}, column 'section': same section, label and note pattern as "
                             f"record {seen[k]}")
        seen[k] = rec
        out.append(SectionRule(*k, r["rule"], r["reason"], rec))
    return out


def section_rule(rules: list[SectionRule], section: str | None, label: str | None,
                 note: str | None) -> SectionRule | None:
    """The first rule of the section whose label and note patterns occur in the record's label and note."""
    return next((x for x in rules if x.section == section and x.table_label_contains in (label or "")
                 and x.note_contains in (note or "")), None)


def _syaoranwe_row(rules: list[SectionRule]):
    def select(r: dict, key: str) -> _TableRow | tuple[str, str]:
        if r["table_kind"] != "inference":
            return "table_kind", f"fine-tuning price table (table_kind {r['table_kind']!r}), not an API list price"
        x = section_rule(rules, r["section"], r["table_label"], r["note_raw"])
        if x is None:
            return "section", (f"no rule for section {r['section']!r}, table {(r['table_label'] or '')[:40]!r} in "
                               f"{SECTIONS_FILE}")
        if x.rule != "list_price":
            return "section", f"{x.rule}: {x.reason} ({SECTIONS_FILE} record {x.record})"
        mkey = _BASED_ON_RE.sub("", key)
        if "/" in mkey:  # "qwen3-4b/1.7b/0.6b": one price for several models
            return "model", "one row prices several models ('/' in the model name)"
        base, cached = units.split_cache_hit(r["input_cny_per_m_raw"])
        return _TableRow(r["section"], mkey, key, base, r["output_cny_per_m_raw"],
                         (r["context_k_raw"] or "").strip() or None, cached)
    return select


def _parse_syaoranwe(src: Sources, inputs: _Inputs) -> tuple[list[dict], Ledger]:
    """`prices` rows of the syaoranwe/LLM-Price README tables of every commit: the labs' own CNY list prices by
    the curated section rule (periods built from the commits)."""
    label, rules_df = src[SECTIONS_FILE]
    led = Ledger("prices")
    periods = _readme_periods(src[SYAORANWE_FILE], SYAORANWE_FILE, "llm-price-syaoranwe",
                              src.snapshot(SYAORANWE_FILE), led, _syaoranwe_row(section_rules(label, rules_df)),
                              ("input_cny_per_m_raw", "output_cny_per_m_raw"))
    return periods, led


# --- step 4: LiteLLM dated snapshots (the labs' own API keys only) -----------------------------

# every pinned version of LiteLLM's price file, oldest first (a family of dated files, analysis.acquire.versions): the
# price periods are built from the sequence, so `python -m analysis update litellm` adds newer versions beside them
LITELLM_FAMILY = "pricing/litellm/model_prices_{date}.json"
# litellm_provider values that are a lab's own API (their prices are the lab's list prices); every other provider
# (clouds, routers, inference platforms) resells, and its rows are left out with that reason.
LITELLM_LAB_PROVIDERS = ("openai", "anthropic", "gemini", "xai", "mistral", "deepseek", "dashscope", "moonshot", "zai",
                         "volcengine", "minimax")
# LiteLLM modes that price text generation: OpenAI sells its "pro" models (gpt-5.4-pro, o3-pro, ...) and codex
# models on the Responses API only (mode 'responses'); 'completion' is the legacy text API. Audio, image,
# embedding, realtime, moderation and other modes are not text-generation prices.
LITELLM_TEXT_MODES = ("chat", "responses", "completion")
_TIERS = (128, 200, 256, 272, 512)


def _flag(v) -> bool | None:
    """LiteLLM's boolean capability fields as given (True/False), anything else unknown."""
    return v if isinstance(v, bool) else None
_KINDS = {"batches": "batch", "flex": "flex", "priority": "priority"}


def _litellm_rows(key: str, v: dict, where: str, base: dict) -> list[dict]:
    def get(name):
        return _num(v.get(name), f"{where}.{name}")

    def per_m(x):
        return None if x is None else units.per_token_to_per_m(x)

    rows = [{**base, "price_kind": "base", "min_input_tokens": 0, "context_tier": None,
             "input_orig": per_m(get("input_cost_per_token")), "output_orig": per_m(get("output_cost_per_token")),
             "cached_input_orig": per_m(get("cache_read_input_token_cost"))}]
    for k in _TIERS:
        i, o = get(f"input_cost_per_token_above_{k}k_tokens"), get(f"output_cost_per_token_above_{k}k_tokens")
        if i is not None:
            rows.append({**base, "price_kind": "long_context", "min_input_tokens": k * 1000, "context_tier": f">{k}k",
                         "input_orig": per_m(i), "output_orig": per_m(o),
                         "cached_input_orig": per_m(get(f"cache_read_input_token_cost_above_{k}k_tokens"))})
    for suffix, kind in _KINDS.items():
        i, o = get(f"input_cost_per_token_{suffix}"), get(f"output_cost_per_token_{suffix}")
        if i is not None:
            rows.append({**base, "price_kind": kind, "min_input_tokens": 0, "context_tier": None,
                         "input_orig": per_m(i), "output_orig": per_m(o),
                         "cached_input_orig": per_m(get(f"cache_read_input_token_cost_{suffix}"))})
    return rows


def _parse_litellm(src: Sources, inputs: _Inputs) -> tuple[list[dict], Ledger]:
    """`prices` rows of the LiteLLM price file versions (the labs' own APIs, chat models)."""
    led = Ledger("prices")
    obs, snaps = [], []
    for f in src.paths():
        data = expect_json(f, "top level", src[f], dict)
        reject_repeated_keys(f, "top level", data)
        snap = src.snapshot(f)
        snaps.append(snap)
        n_in = 0
        for i, (key, v) in enumerate(data.items()):
            n_in += 1  # every key is a record: one whose value is not an object is quarantined, not dropped
            rec, where = i + 1, f"{f}: {key!r}"
            if not isinstance(v, dict):
                led.reject(f, rec, key, None, f"value is {describe_json(v)}, not a model object"
                                                  + (" (the file's date stamp)" if key == "last_updated" else ""))
                continue
            prov, mode = v.get("litellm_provider"), v.get("mode")
            if key == "sample_spec":
                led.reject(f, rec, key, None, "LiteLLM's schema example, not a model")
                continue
            if prov not in LITELLM_LAB_PROVIDERS:
                led.reject(f, rec, key, "litellm_provider", f"provider {prov!r} resells or hosts models "
                                                                 "(only the labs' own APIs are used)")
                continue
            if mode not in LITELLM_TEXT_MODES:
                led.reject(f, rec, key, "mode", f"mode {mode!r} (only text-generation modes are used: "
                                                f"{', '.join(LITELLM_TEXT_MODES)})")
                continue
            if key.startswith("ft:"):
                led.reject(f, rec, key, None, "price of a customer's fine-tuned model, not a list price")
                continue
            base = dict(model_key=key, model_name=None, mode=mode, reasoning=_flag(v.get("supports_reasoning")),
                        provider=prov, snap=snap, currency="USD", list_price_candidate=True, source="litellm",
                        snapshot=snap, source_file=f, source_row=rec, date_basis="observed")
            rows = _litellm_rows(key, v, where, base)
            if (bad := _problem(rows[0])) is not None:
                led.reject(f, rec, key, bad[0].replace("_orig", "_cost_per_token"), bad[1])
                continue
            obs.extend(r for r in rows if _problem(r) is None)
        led.count_in(f, n_in)
    periods = collapse_snapshots(obs, snaps, ("provider", "model_key", "price_kind", "min_input_tokens"),
                                 ("input_orig", "output_orig", "cached_input_orig"))
    for p in periods:
        p.pop("snap")
    return periods, led


# the fields of a LiteLLM model object the step reads (the tier and service-tier prices are read where given)
LITELLM_FIELDS = ("litellm_provider", "mode", "input_cost_per_token", "output_cost_per_token",
                  "cache_read_input_token_cost", "supports_reasoning")


def litellm_shape(data) -> dict[str, set]:
    """What the LiteLLM step relies on in a version: the fields it reads that any model object carries."""
    if not isinstance(data, dict):
        return {}
    return {"field": {k for v in data.values() if isinstance(v, dict) for k in v if k in LITELLM_FIELDS}}


CN_TABLES_COLUMNS = ("commit", "commit_date_local", "vendor", "model", "input_price_raw", "output_price_raw",
                     "context_raw")
read_llm_prices, read_llm_prices_cn, read_cn_tables, read_litellm, read_syaoranwe = (
    _read_step(_parse_llm_prices), _read_step(_parse_llm_prices_cn), _read_step(_parse_cn_tables),
    _read_step(_parse_litellm), _read_step(_parse_syaoranwe))

# One reading step per price source (reads the files, prices in USD: a value, no table) and one table step linking its
# rows to the crosswalk; the crosswalk step (analysis.link.crosswalk_steps) takes the same rows, so each file is read once.
READ_STEPS = [
    Step("price_rows:llm-prices", read_llm_prices, reads=tuple(Read(f, "json") for f in LLM_PRICES_FILES),
         uses=_USES, value=True),
    Step("price_rows:llm-prices-cn", read_llm_prices_cn, reads=tuple(Read(f, "json") for f in LLM_PRICES_CN_FILES),
         uses=_USES, value=True),
    Step("price_rows:cn-tables", read_cn_tables, reads=(Read(CN_TABLES_FILE, columns=CN_TABLES_COLUMNS),), uses=_USES,
         value=True),
    Step("price_rows:litellm", read_litellm,
         reads=(Read(LITELLM_FAMILY, "json", versions="all", shape=litellm_shape),), uses=_USES, value=True),
    Step("price_rows:syaoranwe", read_syaoranwe, reads=(Read(SYAORANWE_FILE, columns=SYAORANWE_COLUMNS),
                                                        Read(SECTIONS_FILE, "curated", SECTIONS_COLUMNS)),
         uses=_USES, value=True),
]
STEPS = [Step("prices:" + r.name.split(":")[1], clean, needs=(r, "crosswalk", "aliases")) for r in READ_STEPS]
LLM_PRICES_STEP, LLM_PRICES_CN_STEP, CN_TABLES_STEP, LITELLM_STEP, SYAORANWE_STEP = STEPS
