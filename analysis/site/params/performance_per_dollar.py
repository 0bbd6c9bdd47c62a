"""Parameters of notebooks/performance_per_dollar.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, event_params, metrics

SPEC = [
    Param("metric", "choice", vocab.METRIC_ECI, "the capability metric (each its own scale)", choices=metrics),
    Param("threshold", "float", 0.95, "a rival must score at least threshold x the leader's score",
          low=0.0, high=1.0, low_open=True),
    Param("blend_ratio", "float", 3.0, "input:output token ratio of the blended price", low=0.0),
    Param("as_of_date", "date", None, "date of the scatter and the answer; None = the metric's snapshot date",
          optional=True),
    Param("start_date", "date", "2024-01-01", "first month-end of the series over time"),
    Param("currency", "choice", "USD", "currency of every price (converted at the rate of the day)",
          choices=("USD", "CNY")),
    Param("carry_back", "bool", False, "a price without a stated start holds since the model's release date"),
    *event_params(),
]
