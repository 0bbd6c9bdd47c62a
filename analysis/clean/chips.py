"""Clean `chips`, `model_hardware`, `openrouter_endpoints` and `evaluations`: the chips models are trained on, who
serves whose models, and which models the dangerous-capability evaluations cover.

load: Epoch AI's ML Hardware file (`epoch/ml_hardware.csv`), the `Training hardware` / `Hardware quantity` of
Epoch's model files, OpenRouter's per-provider endpoints of one day, and two Epoch Benchmarking Hub files (METR
time horizons, Cybench) -> process:
- chips: every ml_hardware row with its maker's country (`data/curated/chip_makers.csv`) and its family and
  China-export-variant flag (`data/curated/chip_families.csv`: the first regular expression of the file that
  matches the chip name; a chip no pattern matches is its own family and its variant flag stays null: not
  researched, never guessed). A row without a name or with a number that is not a number goes to quarantine.
- model_hardware: the `Training hardware` of each model of `models` (the merged record's first non-empty value,
  in the file priority of `models`), split on commas, one row per part. A part maps to a chip of ml_hardware by
  one of two cited rules: `exact` (the name is an ml_hardware `Hardware name`: Epoch's model files name chips by
  their hardware records) or `curated` (a row of `data/curated/hardware_names.csv`, which may give a maker and
  family but no chip when the name is ambiguous). A part neither rule knows is `unmapped` (maker 'unknown'), and
  a model without hardware is one row with `mapping` 'none' (maker 'unknown'): unknown stays unknown and is
  counted. Records `models` quarantined are quarantined here too (the same reason lives there).
- openrouter_endpoints: one row per endpoint; the model's origin from its author slug (a leading '~', OpenRouter's
  moving alias of an author's newest model, is dropped; then `data/curated/openrouter_authors.csv` and the
  registry, as the OpenRouter usage tables do), the host's country from `data/curated/openrouter_providers.csv`
  (a registry organization, or a cited country); a host the file does not list is 'Unknown origin'.
- evaluations: each benchmark row with its organizations through the registry (rows naming an organization the
  registry lacks go to quarantine), score, interval where given, release date.
"""

from __future__ import annotations

import re

import polars as pl

from analysis.clean import models as models_step
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult, take_organizations
from analysis.core import vocab
from analysis.core.errors import InputError
from analysis.core.rules import clean_text, iso_date
from analysis.core.schema import COUNTRY_BUCKETS, SOURCE_COLUMNS, Column, Table
from analysis.curated import registry
from analysis.curated import registry as registries

HARDWARE_FILE = "epoch/ml_hardware.csv"
MAKERS_FILE = "data/curated/chip_makers.csv"
FAMILIES_FILE = "data/curated/chip_families.csv"
NAMES_FILE = "data/curated/hardware_names.csv"
PROVIDERS_FILE = "data/curated/openrouter_providers.csv"
ENDPOINTS_FILE = "pricing/openrouter/openrouter_endpoints_2026-08-08.csv"
EVAL_FILES = {"epoch/benchmarks/metr_time_horizons_external.csv": ("metr_time_horizon", "Time horizon"),
              "epoch/benchmarks/cybench_external.csv": ("cybench", "Unguided % Solved")}

MAKERS_COLUMNS = ("manufacturer", "country", "source_url", "note")
FAMILIES_COLUMNS = ("pattern", "family", "china_variant", "source_url", "note")
NAMES_COLUMNS = ("name", "chip", "maker", "family", "source_url", "note")
PROVIDERS_COLUMNS = ("provider", "organization", "country", "source_url", "note")
HARDWARE_COLUMNS = ("Hardware name", "Manufacturer", "Type", "Release date", "Release price (USD)",
                    "Tensor-FP16/BF16 performance (FLOP/s)", "FP8 performance (FLOP/s)", "Memory (bytes)",
                    "Memory bandwidth (byte/s)")
MODEL_COLUMNS = ("Model", "Training hardware", "Hardware quantity")
ENDPOINT_COLUMNS = ("model_slug", "provider_name", "provider_slug", "variant", "is_disabled")
EVAL_COLUMNS = ("Model version", "Release date", "Organization")

UNKNOWN = "unknown"
MAPPINGS = ("exact", "curated", "unmapped", "none")
UNKNOWN_ORIGIN = "Unknown origin"
ORIGINS = (vocab.CHINA, vocab.US, vocab.OTHER, UNKNOWN_ORIGIN)
NUMBERS = {"Release price (USD)": "price_usd", "Tensor-FP16/BF16 performance (FLOP/s)": "bf16_flops",
           "FP8 performance (FLOP/s)": "fp8_flops", "Memory (bytes)": "memory_bytes",
           "Memory bandwidth (byte/s)": "memory_bandwidth"}

CHIPS = Table(
    name="chips",
    description="One row per chip of Epoch AI's ML Hardware file: maker and its country, family, China export "
    "variant or not, release date and specifications.",
    primary_key=("chip",),
    columns=(
        Column("chip", pl.String, "Epoch's `Hardware name`.", nullable=False, origin="Epoch `Hardware name`"),
        Column("maker", pl.String, "Epoch's `Manufacturer`; 'unknown' when blank.", nullable=False,
               origin="Epoch `Manufacturer`"),
        Column("maker_country", pl.String, "Country of the maker (headquarters); null when not curated.",
               origin="data/curated/chip_makers.csv"),
        Column("family", pl.String, "Chip family: the first matching pattern of data/curated/chip_families.csv, "
               "else the chip name itself.", nullable=False, origin="data/curated/chip_families.csv"),
        Column("china_variant", pl.Boolean, "True for a variant made to sell in China under US export rules "
               "(H800, A800, H20, L20, L2), False for a researched non-variant, null when not researched.",
               origin="data/curated/chip_families.csv"),
        Column("kind", pl.String, "Epoch's `Type` (GPU, TPU, ...).", origin="Epoch `Type`"),
        Column("release_date", pl.Date, "Epoch's `Release date`.", origin="Epoch `Release date`"),
        Column("price_usd", pl.Float64, "Release price.", unit="USD", min=0, origin="Epoch `Release price (USD)`"),
        Column("bf16_flops", pl.Float64, "Dense tensor FP16/BF16 performance.", unit="FLOP/s", min=0,
               origin="Epoch `Tensor-FP16/BF16 performance (FLOP/s)`"),
        Column("fp8_flops", pl.Float64, "FP8 performance.", unit="FLOP/s", min=0,
               origin="Epoch `FP8 performance (FLOP/s)`"),
        Column("memory_bytes", pl.Float64, "Memory.", unit="bytes", min=0, origin="Epoch `Memory (bytes)`"),
        Column("memory_bandwidth", pl.Float64, "Memory bandwidth.", unit="byte/s", min=0,
               origin="Epoch `Memory bandwidth (byte/s)`"),
        *SOURCE_COLUMNS,
    ),
)

MODEL_HARDWARE = Table(
    name="model_hardware",
    description="One row per model of `models` and part of its Epoch `Training hardware` (split on commas), "
    "normalised to a chip of `chips`; a model without hardware is one row with mapping 'none'.",
    primary_key=("model_id", "part"),
    columns=(
        Column("model_id", pl.String, "Canonical model id (`models`).", nullable=False),
        Column("model", pl.String, "Model name (`models`).", nullable=False),
        Column("country_bucket", pl.String, "The model's country bucket (`models`).", nullable=False,
               allowed=COUNTRY_BUCKETS),
        Column("release_date", pl.Date, "The model's release date (`models`).", nullable=False),
        Column("notable", pl.Boolean, "In Epoch's notable models (`models`).", nullable=False),
        Column("large_scale", pl.Boolean, "In Epoch's large-scale models (`models`).", nullable=False),
        Column("training_compute_flop", pl.Float64, "Training compute (`models`).", unit="FLOP"),
        Column("part", pl.Int64, "1-based position of the part in the hardware text; 1 for a model without.",
               nullable=False, min=1),
        Column("hardware_text", pl.String, "The part as Epoch wrote it; null when the model names no hardware.",
               origin="Epoch `Training hardware`"),
        Column("hardware_quantity", pl.Float64, "Epoch's `Hardware quantity` of the model (all parts).",
               min=0, origin="Epoch `Hardware quantity`"),
        Column("chip", pl.String, "The ml_hardware chip of the part; null when unknown or ambiguous.",
               origin="exact name, or data/curated/hardware_names.csv"),
        Column("family", pl.String, "Chip family (`chips.family`, or the curated row's).",
               origin="chips / data/curated/hardware_names.csv"),
        Column("maker", pl.String, "Chip maker; 'unknown' when the model names no hardware or the part is "
               "unmapped.", nullable=False),
        Column("maker_country", pl.String, "Country of the maker (data/curated/chip_makers.csv); null when "
               "unknown.", origin="data/curated/chip_makers.csv"),
        Column("china_variant", pl.Boolean, "`chips.china_variant` of the chip or its family.",
               origin="data/curated/chip_families.csv"),
        Column("mapping", pl.String, "Rule that mapped the part: 'exact' (an ml_hardware name), 'curated' "
               "(data/curated/hardware_names.csv), 'unmapped' (neither: counted as unknown), 'none' (no hardware "
               "named).", nullable=False, allowed=MAPPINGS),
        *SOURCE_COLUMNS,
    ),
)

ENDPOINTS = Table(
    name="openrouter_endpoints",
    description="One row per OpenRouter endpoint (a model served by one host) of one day: the model's origin "
    "and the host's country.",
    columns=(
        Column("model_slug", pl.String, "OpenRouter model id.", nullable=False, origin="`model_slug`"),
        Column("author", pl.String, "Author slug (the id's prefix, a leading '~' dropped).", nullable=False,
               origin="`model_slug`"),
        Column("model_organization", pl.String, "Organization of the author (data/curated/openrouter_authors.csv, "
               "then the registry).", origin="data/curated/openrouter_authors.csv, organizations.csv"),
        Column("model_origin", pl.String, "Origin bucket of the model.", nullable=False, allowed=ORIGINS),
        Column("provider", pl.String, "Host's name.", nullable=False, origin="`provider_name`"),
        Column("provider_slug", pl.String, "Host's endpoint slug.", nullable=False, origin="`provider_slug`"),
        Column("provider_organization", pl.String, "Registry organization of the host, where the curated row "
               "names one.", origin="data/curated/openrouter_providers.csv"),
        Column("provider_country", pl.String, "Host's country (registry, or the curated cited country); null "
               "when not curated.", origin="data/curated/openrouter_providers.csv"),
        Column("provider_origin", pl.String, "Origin bucket of the host.", nullable=False, allowed=ORIGINS),
        Column("lab_own", pl.Boolean, "The host is the model's own organization.", nullable=False),
        Column("disabled", pl.Boolean, "Endpoint marked disabled.", nullable=False, origin="`is_disabled`"),
        *SOURCE_COLUMNS,
    ),
    notes=("One router's listing on one day: OpenRouter is a US router and lists the hosts it routes to, not the "
           "Chinese domestic market.",),
)

EVALUATIONS = Table(
    name="evaluations",
    description="Rows of Epoch Benchmarking Hub files of dangerous-capability relevance (METR time horizons, "
    "Cybench): model version, organizations and country bucket, score.",
    columns=(
        Column("benchmark", pl.String, "'metr_time_horizon' or 'cybench'.", nullable=False,
               allowed=tuple(b for b, _ in EVAL_FILES.values())),
        Column("model_version", pl.String, "Epoch's `Model version`.", nullable=False, origin="`Model version`"),
        Column("organizations", pl.List(pl.String), "Canonical organizations (registry).", nullable=False,
               origin="`Organization` via data/curated/organizations.csv"),
        Column("country_bucket", pl.String, "Country bucket of the organizations.", nullable=False,
               allowed=COUNTRY_BUCKETS),
        Column("release_date", pl.Date, "Epoch's `Release date`.", origin="`Release date`"),
        Column("score", pl.Float64, "METR: 50% time horizon in minutes; Cybench: unguided share solved.",
               origin="`Time horizon` / `Unguided % Solved`"),
        Column("ci_low", pl.Float64, "Lower end of METR's interval (minutes).", origin="`CI_low`"),
        Column("ci_high", pl.Float64, "Upper end of METR's interval (minutes).", origin="`CI_high`"),
        *SOURCE_COLUMNS,
    ),
)


# --- curated files ---------------------------------------------------------------------------------------------

def _need(label: str, df: pl.DataFrame, cols: tuple[str, ...]) -> None:
    for col in cols:
        bad = df.filter(pl.col(col).fill_null("") == "")
        if len(bad):
            raise InputError(f"{label}: record {bad['source_row'][0]}, column {col!r}: empty")
    for col in cols[:1]:
        dup = df.filter(pl.col(col).is_duplicated())
        if len(dup):
            raise InputError(f"{label}: record {dup['source_row'][1]}, column {col!r}: {dup[col][0]!r} appears twice")
    bad = df.filter(~pl.col("source_url").str.contains(r"^https?://"))
    if len(bad):
        raise InputError(f"{label}: record {bad['source_row'][0]}, column 'source_url': not a URL")


def makers(curated) -> dict[str, str]:
    """manufacturer -> country (data/curated/chip_makers.csv)."""
    label, df = curated
    _need(label, df, ("manufacturer", "country", "source_url"))
    return dict(df.select("manufacturer", "country").iter_rows())


def families(curated) -> list[tuple[re.Pattern, str, bool | None]]:
    """(pattern, family, china_variant) in file order (data/curated/chip_families.csv)."""
    label, df = curated
    _need(label, df, ("pattern", "family", "china_variant", "source_url"))
    out = []
    for r in df.iter_rows(named=True):
        try:
            pat = re.compile(r["pattern"])
        except re.error as exc:
            raise InputError(f"{label}: record {r['source_row']}, column 'pattern': {exc}") from None
        if r["china_variant"] not in ("true", "false"):
            raise InputError(f"{label}: record {r['source_row']}, column 'china_variant': "
                             f"{r['china_variant']!r} is not true or false")
        out.append((pat, r["family"], r["china_variant"] == "true"))
    return out


def family_of(chip: str, fams) -> tuple[str, bool | None]:
    for pat, fam, variant in fams:
        if pat.search(chip):
            return fam, variant
    return chip, None


# --- chips -----------------------------------------------------------------------------------------------------

def chips_frame(df: pl.DataFrame, maker_country: dict[str, str], fams, led: Ledger,
                file: str = HARDWARE_FILE) -> pl.DataFrame:
    """The ml_hardware rows as the `chips` table (rows without a name or with a bad number to the ledger)."""
    d = df.with_columns(clean_text(pl.col("Hardware name")).alias("chip"))
    d = led.take(d, pl.col("chip").is_null(), "Hardware name", "no hardware name", file=file, key="Hardware name")
    for col, out in NUMBERS.items():
        text = clean_text(pl.col(col))
        d = d.with_columns(text.cast(pl.Float64, strict=False).alias(out))
        d = led.take(d, text.is_not_null() & (pl.col(out).is_null() | pl.col(out).is_nan() | (pl.col(out) < 0)),
                     col, pl.format("not a non-negative number: '{}'", text), file=file, key="Hardware name")
    d = led.take(d, pl.col("chip").is_duplicated() & (pl.int_range(pl.len()).over("chip") > 0), "Hardware name",
                 "second record of the same hardware name (first kept)", file=file, key="Hardware name")
    fam = [family_of(c, fams) for c in d["chip"].to_list()]
    maker = clean_text(pl.col("Manufacturer")).fill_null(UNKNOWN)
    return d.with_columns(
        maker.alias("maker"),
        maker.replace_strict(maker_country, default=None, return_dtype=pl.String).alias("maker_country"),
        pl.Series("family", [f for f, _ in fam], dtype=pl.String),
        pl.Series("china_variant", [v for _, v in fam], dtype=pl.Boolean),
        clean_text(pl.col("Type")).alias("kind"),
        iso_date(clean_text(pl.col("Release date"))).alias("release_date"),
        pl.lit(file).alias("source_file"),
    ).select(CHIPS.column_names)


def clean_chips(src: Sources) -> StepResult:
    led = Ledger(CHIPS.name)
    df = src[HARDWARE_FILE]
    led.count_in(HARDWARE_FILE, len(df))
    out = chips_frame(df, makers(src[MAKERS_FILE]), families(src[FAMILIES_FILE]), led)
    return led.result(CHIPS, out)


# --- model hardware --------------------------------------------------------------------------------------------

def hardware_names(curated, chips: pl.DataFrame) -> dict[str, dict]:
    """name -> {chip, maker, family} (data/curated/hardware_names.csv); a chip must be a chip of `chips`."""
    label, df = curated
    _need(label, df, ("name", "maker", "family", "source_url"))
    known = set(chips["chip"].to_list())
    out = {}
    for r in df.iter_rows(named=True):
        chip = r["chip"] or None
        if chip is not None and chip not in known:
            raise InputError(f"{label}: record {r['source_row']}, column 'chip': {chip!r} is not a chip of "
                             f"{HARDWARE_FILE}")
        out[r["name"]] = dict(chip=chip, maker=r["maker"], family=r["family"])
    return out


def normalise_parts(texts: list[str | None], chips: pl.DataFrame, names: dict[str, dict]) -> pl.DataFrame:
    """One row per (text index, part): chip, family, maker, maker_country, china_variant, mapping."""
    by_chip = {r["chip"]: r for r in chips.iter_rows(named=True)}
    # a maker's country and a family's China variant: one value each (the first row that has one)
    country = dict(chips.select("maker", "maker_country").drop_nulls()
                   .unique("maker", keep="first", maintain_order=True).iter_rows())
    variant_of_family = dict(chips.select("family", "china_variant").drop_nulls()
                             .unique("family", keep="first", maintain_order=True).iter_rows())
    rows = []
    for i, text in enumerate(texts):
        parts = [p.strip() for p in (text or "").split(",") if p.strip()]
        if not parts:
            rows.append(dict(i=i, part=1, hardware_text=None, chip=None, family=None, maker=UNKNOWN,
                             maker_country=None, china_variant=None, mapping="none"))
            continue
        for n, p in enumerate(parts, 1):
            if p in by_chip:
                c = by_chip[p]
                rows.append(dict(i=i, part=n, hardware_text=p, chip=p, family=c["family"], maker=c["maker"],
                                 maker_country=c["maker_country"], china_variant=c["china_variant"], mapping="exact"))
            elif p in names:
                m = names[p]
                c = by_chip.get(m["chip"]) or {}
                rows.append(dict(i=i, part=n, hardware_text=p, chip=m["chip"], family=m["family"], maker=m["maker"],
                                 maker_country=c.get("maker_country") or country.get(m["maker"]),
                                 china_variant=c.get("china_variant", variant_of_family.get(m["family"])),
                                 mapping="curated"))
            else:
                rows.append(dict(i=i, part=n, hardware_text=p, chip=None, family=None, maker=UNKNOWN,
                                 maker_country=None, china_variant=None, mapping="unmapped"))
    return pl.DataFrame(rows, schema=dict(i=pl.Int64, part=pl.Int64, hardware_text=pl.String, chip=pl.String,
                                          family=pl.String, maker=pl.String, maker_country=pl.String,
                                          china_variant=pl.Boolean, mapping=pl.String))


def model_hardware_frame(models: pl.DataFrame, records: pl.DataFrame, chips: pl.DataFrame,
                         names: dict[str, dict]) -> pl.DataFrame:
    """`records`: the Epoch records (ref 'file#record', Training hardware, Hardware quantity) of the models, in
    the file priority of `models`; the first non-empty value per model is used."""
    ref = models.select("model_id", pl.col("source_rows").alias("ref")).explode("ref")
    r = ref.join(records, on="ref", how="inner").with_columns(
        pl.col("ref").str.split("#").list.first().alias("source_file"),
        pl.col("ref").str.split("#").list.last().cast(pl.Int64).alias("source_row"))
    prio = {f: p for f, (_, p) in models_step.SOURCES.items()}
    r = r.with_columns(pl.col("source_file").replace_strict(prio, default=9, return_dtype=pl.Int64).alias("_p"))
    r = r.sort("_p", "source_row")
    first = r.group_by("model_id", maintain_order=True).agg(
        pl.col("hardware").drop_nulls().first(), pl.col("quantity").drop_nulls().first(),
        pl.col("source_file").filter(pl.col("hardware").is_not_null()).first().alias("_hf"),
        pl.col("source_row").filter(pl.col("hardware").is_not_null()).first().alias("_hr"),
        pl.col("source_file").first().alias("_f"), pl.col("source_row").first().alias("_r"))
    m = models.select("model_id", "model", "country_bucket", "release_date", "notable", "large_scale",
                      "training_compute_flop").join(first, on="model_id", how="inner").sort("model_id")
    parts = normalise_parts(m["hardware"].to_list(), chips, names)
    m = m.with_row_index("i").with_columns(pl.col("i").cast(pl.Int64))
    out = parts.join(m, on="i", how="left").with_columns(
        pl.col("quantity").alias("hardware_quantity"),
        pl.coalesce("_hf", "_f").alias("source_file"), pl.coalesce("_hr", "_r").alias("source_row"))
    return out.select(MODEL_HARDWARE.column_names).sort("model_id", "part")


def clean_model_hardware(src: Sources, models_result: StepResult, chips_result: StepResult) -> StepResult:
    led = Ledger(MODEL_HARDWARE.name)
    used = set(models_result.df["source_rows"].explode().to_list())
    frames = []
    for f in models_step.SOURCES:
        df = src[f]
        led.count_in(f, len(df))
        d = df.with_columns(pl.format("{}#{}", pl.lit(f), pl.col("source_row")).alias("ref"))
        d = led.take(d, ~pl.col("ref").is_in(list(used)), None,
                     "record not in `models` (quarantined there with its reason)", file=f, key="Model")
        q = clean_text(pl.col("Hardware quantity"))
        frames.append(d.select("ref", clean_text(pl.col("Training hardware")).alias("hardware"),
                               q.cast(pl.Float64, strict=False).alias("quantity")))
    records = pl.concat(frames)
    records = records.with_columns(pl.when(pl.col("quantity").is_finite() & (pl.col("quantity") >= 0))
                                   .then(pl.col("quantity")).alias("quantity"))
    names = hardware_names(src[NAMES_FILE], chips_result.df)
    out = model_hardware_frame(models_result.df, records, chips_result.df, names)
    return led.result(MODEL_HARDWARE, out, one_row_per_record=False)


# --- OpenRouter endpoints --------------------------------------------------------------------------------------

def providers(curated, reg: registry.Registry) -> dict[str, tuple[str | None, str]]:
    """provider name -> (registry organization or None, country)."""
    label, df = curated
    _need(label, df, ("provider", "source_url"))
    out = {}
    for r in df.iter_rows(named=True):
        org_name, country = r["organization"] or None, r["country"] or None
        if (org_name is None) == (country is None):
            raise InputError(f"{label}: record {r['source_row']}, column 'organization': give an organization of "
                             "the registry or a country, not both or neither")
        if org_name is not None:
            org = reg.resolve(org_name)
            if org is None:
                raise InputError(f"{label}: record {r['source_row']}, column 'organization': {org_name!r} is not "
                                 "in data/curated/organizations.csv")
            out[r["provider"]] = (org.name, org.country)
        else:
            out[r["provider"]] = (None, country)
    return out


def endpoints_frame(df: pl.DataFrame, resolve, hosts: dict[str, tuple[str | None, str]],
                    file: str = ENDPOINTS_FILE) -> pl.DataFrame:
    """`resolve`: author slug -> (organization, country, origin) (analysis.clean.openrouter.Resolver)."""
    d = df.with_columns(clean_text(pl.col("model_slug")).alias("model_slug"),
                        clean_text(pl.col("provider_name")).alias("provider"),
                        clean_text(pl.col("provider_slug")).fill_null("").alias("provider_slug"))
    d = d.with_columns(pl.col("model_slug").str.split("/").list.first().str.strip_chars_start("~").alias("author"))
    auth = {a: resolve(a) for a in d["author"].unique(maintain_order=True).to_list()}
    orgs = {a: v[0] for a, v in auth.items()}
    origin = {a: (v[2] if v[2] in ORIGINS else UNKNOWN_ORIGIN) for a, v in auth.items()}
    h_org = {p: v[0] for p, v in hosts.items()}
    h_country = {p: v[1] for p, v in hosts.items()}
    h_origin = {p: registry.bucket([v[1]]) for p, v in hosts.items()}
    return d.with_columns(
        pl.col("author").replace_strict(orgs, default=None, return_dtype=pl.String).alias("model_organization"),
        pl.col("author").replace_strict(origin, return_dtype=pl.String).alias("model_origin"),
        pl.col("provider").replace_strict(h_org, default=None, return_dtype=pl.String).alias("provider_organization"),
        pl.col("provider").replace_strict(h_country, default=None, return_dtype=pl.String).alias("provider_country"),
        pl.col("provider").replace_strict(h_origin, default=UNKNOWN_ORIGIN, return_dtype=pl.String)
        .alias("provider_origin"),
        (pl.col("is_disabled").str.to_lowercase() == "true").fill_null(False).alias("disabled"),
        pl.lit(file).alias("source_file"),
    ).with_columns(
        (pl.col("provider_organization").is_not_null()
         & (pl.col("provider_organization") == pl.col("model_organization"))).fill_null(False).alias("lab_own"),
    ).select(ENDPOINTS.column_names)


def clean_endpoints(src: Sources, authors, registry) -> StepResult:
    from analysis.clean.openrouter import Resolver

    led = Ledger(ENDPOINTS.name)
    df = src[ENDPOINTS_FILE]
    led.count_in(ENDPOINTS_FILE, len(df))
    d = led.take(df, clean_text(pl.col("model_slug")).is_null(), "model_slug", "no model id", file=ENDPOINTS_FILE,
                 key="model_slug")
    d = led.take(d, clean_text(pl.col("provider_name")).is_null(), "provider_name", "no provider",
                 file=ENDPOINTS_FILE, key="model_slug")
    out = endpoints_frame(d, Resolver(authors, registry), providers(src[PROVIDERS_FILE], registry))
    return led.result(ENDPOINTS, out)


# --- evaluations -----------------------------------------------------------------------------------------------

def _float(col: str) -> pl.Expr:
    x = clean_text(pl.col(col)).cast(pl.Float64, strict=False)
    return pl.when(x.is_finite()).then(x)


def clean_evaluations(src: Sources, registry) -> StepResult:
    led = Ledger(EVALUATIONS.name)
    frames = []
    for f, (bench, score_col) in EVAL_FILES.items():
        df = src[f]
        led.count_in(f, len(df))
        d = df.with_columns(clean_text(pl.col("Model version")).alias("model_version"),
                            clean_text(pl.col("Organization")).alias("_org"))
        d = led.take(d, pl.col("model_version").is_null(), "Model version", "no model version", file=f,
                     key="Model version")
        d = led.take(d, pl.col("_org").is_null(), "Organization", "no organization", file=f, key="Model version")
        d = take_organizations(led, d, "_org", "Organization", registry, file=f, key="Model version")
        countries = [list(dict.fromkeys(registry.orgs[o].country for o in orgs)) for orgs in d["organizations"]]
        frames.append(d.select(
            pl.lit(bench).alias("benchmark"), "model_version", "organizations",
            pl.Series("country_bucket", [registries.bucket(c) for c in countries], dtype=pl.String),
            iso_date(clean_text(pl.col("Release date"))).alias("release_date"),
            _float(score_col).alias("score"),
            (_float("CI_low") if "CI_low" in d.columns else pl.lit(None, pl.Float64)).alias("ci_low"),
            (_float("CI_high") if "CI_high" in d.columns else pl.lit(None, pl.Float64)).alias("ci_high"),
            pl.lit(f).alias("source_file"), "source_row"))
    return led.result(EVALUATIONS, pl.concat(frames))


CHIPS_STEP = Step("chips", clean_chips, reads=(Read(HARDWARE_FILE, columns=HARDWARE_COLUMNS),
                                               Read(MAKERS_FILE, "curated", MAKERS_COLUMNS),
                                               Read(FAMILIES_FILE, "curated", FAMILIES_COLUMNS)))
MODEL_HARDWARE_STEP = Step("model_hardware", clean_model_hardware,
                           reads=(*(Read(f, columns=MODEL_COLUMNS) for f in models_step.SOURCES),
                                  Read(NAMES_FILE, "curated", NAMES_COLUMNS)),
                           needs=(models_step.STEP, CHIPS_STEP))
ENDPOINTS_STEP = Step("openrouter_endpoints", clean_endpoints,
                      reads=(Read(ENDPOINTS_FILE, columns=ENDPOINT_COLUMNS),
                             Read(PROVIDERS_FILE, "curated", PROVIDERS_COLUMNS)), uses=("authors", "registry"))
EVALUATIONS_STEP = Step("evaluations", clean_evaluations,
                        reads=tuple(Read(f, columns=EVAL_COLUMNS) for f in EVAL_FILES), uses=("registry",))
STEPS = [CHIPS_STEP, MODEL_HARDWARE_STEP, ENDPOINTS_STEP, EVALUATIONS_STEP]
