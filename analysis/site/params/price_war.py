"""Parameters of notebooks/price_war.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, country_buckets, event_params

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
