"""Clean OpenRouter token usage (adoption/kenneth-top_workflows): who uses whose models through one API router.

load: `openrouter_market_share_records.csv` (weekly tokens per model author, the rankings "Market share"
chart), `history_database.csv` (daily tokens per model id) and `openrouter_category_usage_records.csv`
(weekly tokens per author within 12 use categories). Tokens are billions (raw count / 1e9 upstream).
process (the quirks of the SOURCES.md):
- dates and counts: a date before 1940 or after the file's snapshot date (+2 days) and a token count that is not
  a number, NaN, infinite, negative or past int64 are quarantined with their reason (analysis.clean.common).
- weekly file: two week labellings (Sunday- and Monday-dated buckets of the same weeks). The table keeps the
  labelling most rows of the newest four weeks carry (the site's current one; `common.week_labelling`) and
  quarantines the other: never both added. The category file keeps one labelling by the same rule.
- the weekly file is an upsert on (Date, Author): a row left from an earlier fetch has a `Share` that implies
  another bucket total (Tokens / Share) than the other rows of its week; such stale rows are quarantined with
  both totals in the reason. Shares are recomputed from the kept tokens (the file's `Share` is not used).
- partial weeks are flagged, not dropped: a week not over at the snapshot date, and a first bucket whose total
  is below half the next one (the start of the upstream rolling window). Days of the partial back-fill of the
  daily file (far fewer models than a usual day) are flagged the same way.
- authors resolve to an organization: first through `data/curated/openrouter_authors.csv` (OpenRouter namespaces
  the registry does not carry, and authors kept as "Unknown origin" on purpose: `openrouter` stealth models,
  `tngtech` merges), then through the organization registry. An author neither knows is "Unknown origin"
  (community fine-tuners, small labs without a sourced country), never guessed. `others` is the chart's
  remainder bucket: origin "Unassigned remainder".
- model ids keep their variant (`:free`, `:exacto`, ...) as separate rows; `base_model` sums them into a family.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from analysis.clean.common import (
    Ledger,
    Read,
    Sources,
    Step,
    StepResult,
    bad_count,
    take_snapshot_dates,
    take_week_labelling,
)
from analysis.core import vocab
from analysis.core.rules import iso_date
from analysis.core.schema import SOURCE_COLUMNS, Column, Table
from analysis.curated import registry

DIR = "adoption/kenneth-top_workflows"
WEEKLY_FILE = f"{DIR}/openrouter_market_share_records.csv"
DAILY_FILE = f"{DIR}/history_database.csv"
CATEGORY_FILE = f"{DIR}/openrouter_category_usage_records.csv"

REMAINDER_AUTHOR = "others"
UNKNOWN = "Unknown origin"
REMAINDER = "Unassigned remainder"
ORIGINS = (vocab.CHINA, vocab.US, vocab.OTHER, UNKNOWN, REMAINDER)
# the crosswalk's rules for `provider/model` ids with `:free`-style suffixes (OpenRouter's form, as llm-prices has it)
CROSSWALK_SOURCE = "llm-prices"
STALE_TOLERANCE = 0.01  # a row whose implied bucket total differs from its week's by more than 1% is stale
TOKENS_PER_UNIT = 1e9  # the files count tokens in billions
TOO_MANY_TOKENS = "{} is past the int64 range of token counts (not a plausible count)"
PARTIAL_DAY_FRACTION = 0.25  # a day with fewer models than this fraction of the median day is a partial back-fill

_origin_cols = (
    Column("organization", pl.String, "Canonical organization of the author (registry); null for the remainder "
           "bucket and unknown origins.", origin="data/curated/openrouter_authors.csv, then data/curated/organizations.csv"),
    Column("country", pl.String, "Country of the organization (registry).", origin="registry"),
    Column("origin", pl.String, "Origin bucket: China, United States, Other, 'Unknown origin' (an author with no "
           "clean or sourced origin: OpenRouter stealth models, tngtech merges, community fine-tuners) or "
           "'Unassigned remainder' (the chart's `others`, authors outside that week's top ones).", nullable=False,
           allowed=ORIGINS, origin="registry.bucket"),
)
_partial_cols = (
    Column("complete", pl.Boolean, "False for a partial period (see partial_reason).", nullable=False),
    Column("partial_reason", pl.String, "Why the period is partial; null when complete."),
)

WEEKLY = Table(
    name="openrouter_weekly",
    description="One row per (week, author): tokens billed through OpenRouter for the models of an author in a "
    "week (rankings 'Market share' chart), one week labelling, stale rows removed, share recomputed from tokens. "
    "Measures one router's traffic, not users, revenue or all API use.",
    columns=(
        Column("week_start", pl.Date, "First day of the week bucket (the upstream `Date`, of the labelling kept).",
               nullable=False, origin="`Date`"),
        Column("author", pl.String, "OpenRouter author slug, or 'others' for the remainder bucket.", nullable=False,
               origin="`Author`"),
        *_origin_cols,
        Column("tokens_b", pl.Float64, "Tokens in the week.", nullable=False, unit="billion tokens", min=0,
               origin="`Tokens`"),
        Column("share", pl.Float64, "tokens_b / sum of tokens_b of the week's kept rows.", nullable=False, min=0,
               max=1, origin="computed"),
        *_partial_cols,
        *SOURCE_COLUMNS,
    ),
    primary_key=("week_start", "author"),
    notes=("Only the top ~9 authors of a week are named; the rest is `others`, so a country's share is a lower "
           "bound (up to the remainder's share).",),
)

DAILY = Table(
    name="openrouter_daily",
    description="One row per (day, OpenRouter model id): prompt, completion and reasoning tokens of the model "
    "that day. Variants (`:free`, `:exacto`, ...) are separate rows; sum them by base_model for family totals.",
    columns=(
        Column("date", pl.Date, "UTC day.", nullable=False, origin="`Date`"),
        Column("model", pl.String, "OpenRouter model id incl. variant suffix.", nullable=False, origin="`Model`"),
        Column("base_model", pl.String, "Model id without the variant suffix.", nullable=False, origin="`Model`"),
        Column("variant", pl.String, "Variant suffix after ':' (free, exacto, thinking, extended); null if none.",
               origin="`Model`"),
        Column("author", pl.String, "Author slug (model id prefix before '/').", nullable=False, origin="`Model`"),
        Column("model_id", pl.String, "Canonical model of `base_model` in the Epoch / Artificial Analysis crosswalk "
               "(the build's crosswalk:base step, OpenRouter ids read by the rules of CROSSWALK_SOURCE); null when "
               "the id does not link.", origin="`Model` through the crosswalk"),
        *_origin_cols,
        Column("prompt_b", pl.Float64, "Prompt tokens.", nullable=False, unit="billion tokens", min=0,
               origin="`Prompt`"),
        Column("completion_b", pl.Float64, "Completion tokens.", nullable=False, unit="billion tokens", min=0,
               origin="`Completion`"),
        Column("reasoning_b", pl.Float64, "Reasoning tokens (reported apart, not added to the total).",
               nullable=False, unit="billion tokens", min=0, origin="`Reasoning`"),
        Column("tokens_b", pl.Float64, "Total tokens = prompt + completion.", nullable=False, unit="billion tokens",
               min=0, origin="`Total_Tokens`"),
        *_partial_cols,
        *SOURCE_COLUMNS,
    ),
    primary_key=("date", "model"),
    notes=("A model has rows only while OpenRouter listed it at some scrape; a model absent a day was not "
           "necessarily unused.",),
)

CATEGORY = Table(
    name="openrouter_categories",
    description="One row per (week, use category, author): tokens of an author's models within one of the "
    "rankings page's use categories (programming, roleplay, ...), share recomputed within the category-week.",
    columns=(
        Column("week_start", pl.Date, "First day of the week bucket.", nullable=False, origin="`Date`"),
        Column("category", pl.String, "Category key.", nullable=False, origin="`Category`"),
        Column("category_label", pl.String, "Category label.", nullable=False, origin="`Category_Label`"),
        Column("author", pl.String, "OpenRouter author slug, or 'others'.", nullable=False, origin="`Author`"),
        *_origin_cols,
        Column("tokens_b", pl.Float64, "Tokens in the category and week.", nullable=False, unit="billion tokens",
               min=0, origin="`Tokens`"),
        Column("share", pl.Float64, "tokens_b / category-week total of kept rows.", nullable=False, min=0, max=1,
               origin="computed"),
        *_partial_cols,
        *SOURCE_COLUMNS,
    ),
    primary_key=("week_start", "category", "author"),
)


@dataclass(frozen=True)
class Resolver:
    """author slug -> (organization, country, origin)."""
    curated: dict[str, str | None]  # slug -> registry name, or None for a deliberate unknown origin
    reg: registry.Registry

    def __call__(self, author: str) -> tuple[str | None, str | None, str]:
        key = author.strip().casefold()
        if key == REMAINDER_AUTHOR:
            return None, None, REMAINDER
        if key in self.curated:
            name = self.curated[key]
            if name is None:
                return None, None, UNKNOWN
            org = self.reg.orgs[name]
        else:
            org = self.reg.resolve(author)
            if org is None:
                return None, None, UNKNOWN
        return org.name, org.country, registry.bucket([org.country])




def _with_origin(df: pl.DataFrame, resolve: Resolver) -> pl.DataFrame:
    authors = df["author"].unique(maintain_order=True).to_list()
    m = {a: resolve(a) for a in authors}
    return df.with_columns(
        pl.col("author").replace_strict({a: v[0] for a, v in m.items()}, default=None, return_dtype=pl.String)
        .alias("organization"),
        pl.col("author").replace_strict({a: v[1] for a, v in m.items()}, default=None, return_dtype=pl.String)
        .alias("country"),
        pl.col("author").replace_strict({a: v[2] for a, v in m.items()}, return_dtype=pl.String).alias("origin"),
    )


def _number(col: str) -> pl.Expr:
    """Text -> float; not a number, NaN or infinite -> null (quarantined as 'not a ... number')."""
    x = pl.col(col).str.strip_chars().cast(pl.Float64, strict=False)
    return pl.when(x.is_finite()).then(x)


def _split_bad(led: Ledger, df: pl.DataFrame, checks: list[tuple[str, pl.Expr, str]], source: str, key: str):
    """Quarantine the first failing check of each row (a null check result fails); return the good rows."""
    for column, bad, reason in checks:
        df = led.take(df, bad, column, reason, file=source, key=key, null_is_bad=True)
    return df


def _partial_weeks(totals: pl.DataFrame, snapshot: dt.date) -> pl.DataFrame:
    """week_start, total -> week_start, complete, partial_reason."""
    t = totals.sort("week_start")
    first, nxt = (t["week_start"][0], t["total"][0]), (t["total"][1] if len(t) > 1 else None)
    reasons = []
    for w in t["week_start"]:
        if w + dt.timedelta(days=7) > snapshot:
            reasons.append(f"week not over at the snapshot date {snapshot}")
        elif w == first[0] and nxt and first[1] < 0.5 * nxt:
            reasons.append("first bucket, below half the next week's total (start of the upstream rolling window)")
        else:
            reasons.append(None)
    return t.select("week_start").with_columns(
        pl.Series("partial_reason", reasons, dtype=pl.String),
    ).with_columns(pl.col("partial_reason").is_null().alias("complete"))


def weekly_rows(raw: pl.DataFrame, resolve: Resolver, snapshot: dt.date, source: str = WEEKLY_FILE,
                led: Ledger | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clean weekly rows, quarantine) from the market-share file read as text (with source_row); the rejected
    rows go to `led` (a new ledger when not given)."""
    led = led or Ledger(WEEKLY.name)
    led.count_in(source, len(raw))
    d = raw.with_columns(
        iso_date(pl.col("Date").str.strip_chars()).alias("week_start"),
        pl.col("Author").str.strip_chars().alias("author"),
        _number("Tokens").alias("tokens_b"), _number("Share").alias("file_share"),
        pl.format("{} {}", pl.col("Date"), pl.col("Author")).alias("key"))
    d = _split_bad(led, d, [
        ("Date", pl.col("week_start").is_null(), "Date is not an ISO date"),
        ("Author", pl.col("author").is_null() | (pl.col("author") == ""), "no Author"),
        ("Tokens", pl.col("tokens_b").is_null() | (pl.col("tokens_b") < 0), "Tokens is not a non-negative number"),
        ("Tokens", bad_count(pl.col("tokens_b"), TOKENS_PER_UNIT), TOO_MANY_TOKENS.format("Tokens")),
        ("Share", pl.col("file_share").is_null() | (pl.col("file_share") < 0) | (pl.col("file_share") > 1),
         "Share is not a number in [0, 1]"),
    ], source, "key")
    d = take_snapshot_dates(led, d, "week_start", "Date", snapshot, file=source, key="key")
    if len(d):
        # one labelling (analysis.clean.common.week_labelling): the weekday most of the newest plausible rows carry
        # (the site's current week labelling); a row of another weekday is the same week shifted by days
        d = take_week_labelling(led, d, "week_start", "Date", file=source, key="key")
        dup = pl.struct("week_start", "author").is_duplicated()
        d = _split_bad(led, d, [("Author", dup & (pl.int_range(pl.len()).over("week_start", "author") > 0),
                               "repeated (Date, Author) row")], source, "key")
        # stale upserted rows: Tokens / Share implies another bucket total than the week's other rows
        d = d.with_columns(pl.when(pl.col("file_share") > 0).then(pl.col("tokens_b") / pl.col("file_share"))
                           .alias("implied"))
        d = d.with_columns(pl.col("implied").median().over("week_start").alias("week_implied"))
        stale = (pl.col("implied") / pl.col("week_implied") - 1).abs() > STALE_TOLERANCE
        d = _split_bad(led, d, [("Share", stale.fill_null(False),
                               pl.format("stale upserted row: Tokens/Share implies a bucket total of {}B, the week's "
                                         "other rows {}B (left from an earlier, partial fetch)",
                                         pl.col("implied").round(1), pl.col("week_implied").round(1)))],
                        source, "key")
    q = led.quarantine()
    if not len(d):
        return WEEKLY.empty(), q
    d = d.with_columns((pl.col("tokens_b") / pl.col("tokens_b").sum().over("week_start")).fill_nan(0.0)
                       .alias("share"))
    totals = d.group_by("week_start", maintain_order=True).agg(pl.col("tokens_b").sum().alias("total"))
    d = d.join(_partial_weeks(totals, snapshot), on="week_start", how="left")
    d = _with_origin(d, resolve).with_columns(pl.lit(source).alias("source_file"))
    return WEEKLY.validate(d.select(WEEKLY.column_names)).sort("week_start", "author"), q


def daily_rows(raw: pl.DataFrame, resolve: Resolver, snapshot: dt.date, source: str = DAILY_FILE,
               led: Ledger | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clean daily rows, quarantine) from the daily file read as text; rejected rows go to `led`."""
    led = led or Ledger(DAILY.name)
    led.count_in(source, len(raw))
    d = raw.with_columns(
        iso_date(pl.col("Date").str.strip_chars()).alias("date"),
        pl.col("Model").str.strip_chars().alias("model"),
        *(_number(c).alias(n) for c, n in (("Prompt", "prompt_b"), ("Completion", "completion_b"),
                                           ("Reasoning", "reasoning_b"), ("Total_Tokens", "tokens_b"))),
        pl.format("{} {}", pl.col("Date"), pl.col("Model")).alias("key"))
    checks = [("Date", pl.col("date").is_null(), "Date is not an ISO date"),
              ("Model", ~pl.col("model").str.contains(r"^[^/\s]+/\S+$"), "Model is not an 'author/model' id")]
    for c, n in (("Prompt", "prompt_b"), ("Completion", "completion_b"), ("Reasoning", "reasoning_b"),
                 ("Total_Tokens", "tokens_b")):
        checks.append((c, pl.col(n).is_null() | (pl.col(n) < 0), f"{c} is not a non-negative number"))
        checks.append((c, bad_count(pl.col(n), TOKENS_PER_UNIT), TOO_MANY_TOKENS.format(c)))
    checks.append(("Total_Tokens", (pl.col("tokens_b") - pl.col("prompt_b") - pl.col("completion_b")).abs() > 1e-5,
                   "Total_Tokens != Prompt + Completion"))
    d = _split_bad(led, d, checks, source, "key")
    d = take_snapshot_dates(led, d, "date", "Date", snapshot, file=source, key="key")
    d = _split_bad(led, d, [("Model", pl.struct("date", "model").is_duplicated()
                           & (pl.int_range(pl.len()).over("date", "model") > 0), "repeated (Date, Model) row")],
                      source, "key")
    q = led.quarantine()
    if not len(d):
        return DAILY.empty(), q
    d = d.with_columns(
        pl.col("model").str.split(":").list.first().alias("base_model"),
        pl.when(pl.col("model").str.contains(":")).then(pl.col("model").str.split(":").list.last()).alias("variant"),
        pl.col("model").str.split("/").list.first().alias("author"))
    n = d.group_by("date", maintain_order=True).agg(pl.len().alias("n"))
    cut = PARTIAL_DAY_FRACTION * n["n"].median()
    n = n.with_columns(
        pl.when(pl.col("n") < cut).then(pl.format("partial back-fill: {} models this day, the median day has {}",
                                                  pl.col("n"), pl.lit(int(n["n"].median()))))
        .alias("partial_reason")).with_columns(pl.col("partial_reason").is_null().alias("complete"))
    d = d.join(n.drop("n"), on="date", how="left")
    d = _with_origin(d, resolve).with_columns(pl.lit(source).alias("source_file"),
                                              pl.lit(None, dtype=pl.String).alias("model_id"))  # link_models
    return DAILY.validate(d.select(DAILY.column_names)).sort("date", "model"), q


def category_rows(raw: pl.DataFrame, resolve: Resolver, snapshot: dt.date, source: str = CATEGORY_FILE,
                  led: Ledger | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clean category rows, quarantine) from the category file read as text; rejected rows go to `led`."""
    led = led or Ledger(CATEGORY.name)
    led.count_in(source, len(raw))
    d = raw.with_columns(
        iso_date(pl.col("Date").str.strip_chars()).alias("week_start"),
        pl.col("Category").str.strip_chars().alias("category"),
        pl.col("Category_Label").str.strip_chars().alias("category_label"),
        pl.col("Author").str.strip_chars().alias("author"),
        _number("Tokens").alias("tokens_b"),
        pl.format("{} {} {}", pl.col("Date"), pl.col("Category"), pl.col("Author")).alias("key"))
    d = _split_bad(led, d, [
        ("Date", pl.col("week_start").is_null(), "Date is not an ISO date"),
        ("Category", pl.col("category").is_null() | (pl.col("category") == ""), "no Category"),
        ("Category_Label", pl.col("category_label").is_null(), "no Category_Label"),
        ("Author", pl.col("author").is_null() | (pl.col("author") == ""), "no Author"),
        ("Tokens", pl.col("tokens_b").is_null() | (pl.col("tokens_b") < 0), "Tokens is not a non-negative number"),
        ("Tokens", bad_count(pl.col("tokens_b"), TOKENS_PER_UNIT), TOO_MANY_TOKENS.format("Tokens")),
    ], source, "key")
    d = take_snapshot_dates(led, d, "week_start", "Date", snapshot, file=source, key="key")
    if len(d):
        d = take_week_labelling(led, d, "week_start", "Date", file=source, key="key")
    d = _split_bad(led, d, [("Author", pl.struct("week_start", "category", "author").is_duplicated()
                             & (pl.int_range(pl.len()).over("week_start", "category", "author") > 0),
                             "repeated (Date, Category, Author) row")], source, "key")
    q = led.quarantine()
    if not len(d):
        return CATEGORY.empty(), q
    d = d.with_columns((pl.col("tokens_b") / pl.col("tokens_b").sum().over("week_start", "category")).fill_nan(0.0)
                       .alias("share"))
    totals = d.group_by("week_start", maintain_order=True).agg(pl.col("tokens_b").sum().alias("total"))
    d = d.join(_partial_weeks(totals, snapshot), on="week_start", how="left")
    d = _with_origin(d, resolve).with_columns(pl.lit(source).alias("source_file"))
    return CATEGORY.validate(d.select(CATEGORY.column_names)).sort("week_start", "category", "author"), q


def clean_weekly(src: Sources, authors: dict[str, str | None], registry: registry.Registry) -> StepResult:
    """`openrouter_weekly` from the market-share file."""
    led = Ledger(WEEKLY.name)
    df, _ = weekly_rows(src[WEEKLY_FILE], Resolver(authors, registry), src.snapshot(WEEKLY_FILE), led=led)
    return led.result(WEEKLY, df)


def link_models(df: pl.DataFrame, base_crosswalk) -> pl.DataFrame:
    """`model_id` of each row's `base_model` through the crosswalk (CROSSWALK_SOURCE's rules); null where none."""
    ids = {b: base_crosswalk.resolve_model(b, CROSSWALK_SOURCE) for b in df["base_model"].unique(maintain_order=True).to_list()}
    return df.with_columns(pl.col("base_model").replace_strict(ids, default=None, return_dtype=pl.String)
                           .alias("model_id"))


def clean_daily(src: Sources, authors: dict[str, str | None], registry: registry.Registry,
                base_crosswalk) -> StepResult:
    """`openrouter_daily` from the daily history file, each model linked through the Epoch / AA crosswalk."""
    led = Ledger(DAILY.name)
    df, _ = daily_rows(src[DAILY_FILE], Resolver(authors, registry), src.snapshot(DAILY_FILE), led=led)
    return led.result(DAILY, DAILY.validate(link_models(df, base_crosswalk).select(DAILY.column_names)))


def clean_categories(src: Sources, authors: dict[str, str | None], registry: registry.Registry) -> StepResult:
    """`openrouter_categories` from the category usage file."""
    led = Ledger(CATEGORY.name)
    df, _ = category_rows(src[CATEGORY_FILE], Resolver(authors, registry), src.snapshot(CATEGORY_FILE), led=led)
    return led.result(CATEGORY, df)


_USES = ("authors", "registry")
STEPS = [
    Step("openrouter_weekly", clean_weekly, reads=(Read(WEEKLY_FILE, columns=("Date", "Author", "Tokens", "Share")),),
         uses=_USES),
    Step("openrouter_daily", clean_daily, reads=(Read(DAILY_FILE, columns=(
        "Date", "Model", "Prompt", "Completion", "Reasoning", "Total_Tokens")),), needs=("base_crosswalk",),
         uses=_USES),
    Step("openrouter_categories", clean_categories, reads=(Read(CATEGORY_FILE, columns=(
        "Date", "Category", "Category_Label", "Author", "Tokens")),), uses=_USES),
]
WEEKLY_STEP, DAILY_STEP, CATEGORY_STEP = STEPS
