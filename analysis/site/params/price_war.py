"""Parameters of notebooks/price_war.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, ParamError, country_buckets, event_params

SPEC = [
    Param("currency", "choice", "USD", "currency of every chart (converted at the rate of the day)",
          choices=("USD", "CNY")),
    Param("blend_ratio", "float", 3.0, "input:output token ratio of the blended price", low=0.0),
    Param("start_date", "date", "2024-01-01", "first date shown"),
    Param("end_date", "date", None, "last date shown; None = the newest snapshot date", optional=True),
    Param("countries", "list", [vocab.US, vocab.CHINA], "country buckets shown", choices=country_buckets),
    Param("providers", "list", None, "organizations shown, e.g. [\"DeepSeek\", \"OpenAI\"]; None = all",
          optional=True),
    Param("carry_back", "bool", False, "a price without a stated start holds since the model's ECI release date"),
    Param("eci_threshold", "float", 130.0, "ECI threshold of the cheapest-at-threshold chart"),
    Param("flagships", "list", ["qwen-max", "deepseek-v3", "doubao-pro", "glm-4", "ernie-4-0", "moonshot-v1",
                                "gpt-4o", "claude-3-opus", "deepseek-v4-flash"],
          "model ids of the price-history chart"),
    *event_params(),
]


def _column_values(table: str, column: str) -> set | None:
    """The values of one column of a clean table (None before a build)."""
    import polars as pl

    from analysis.core import paths

    try:  # read directly (not tables.load: the report build records which tables a notebook reads)
        return set(pl.read_parquet(paths.tables_dir() / f"{table}.parquet", columns=[column])[column].to_list())
    except (OSError, pl.exceptions.ColumnNotFoundError):
        return None


def known_providers_and_flagships(values: dict) -> None:
    """`providers` are organizations of the prices table, and at least one of `flagships` has a reference price
    (the price-history chart draws the flagships; with none of them it has no data). Read only for values other
    than the defaults."""
    defaults = {p.name: p.default for p in SPEC}
    if values.get("providers") not in (None, defaults["providers"]):
        orgs = _column_values("prices", "organization")
        unknown = [p for p in values["providers"] if orgs is not None and p not in orgs]
        if unknown:
            raise ParamError(f"providers has {', '.join(map(repr, unknown))}, not an organization of the prices "
                             "table (e.g. DeepSeek, OpenAI)")
    if values.get("flagships") != defaults["flagships"]:
        ids = _column_values("derived/reference_prices", "model_id")
        if ids is not None and not set(values["flagships"]) & ids:
            raise ParamError(f"flagships {values['flagships']!r:.60}: no model id with a reference price (see "
                             "data/clean/current/derived/reference_prices.parquet)")


CHECKS = [known_providers_and_flagships]
