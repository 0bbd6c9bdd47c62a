"""Parameters of notebooks/chips_and_control.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, metrics

SPEC = [
    Param("model_set", "choice", "either", "Epoch models counted: notable or large-scale ('either'), 'notable' "
          "or 'large_scale'", choices=("either", "notable", "large_scale")),
    Param("controls_date", "date", "2022-10-07", "date splitting the self-reliance comparison (first US export "
          "controls on AI chips)"),
    Param("metric", "choice", vocab.METRIC_ECI, "capability metric of the frontier slopes", choices=metrics),
    Param("growth_start", "date", "2023-01-01", "first release date of the frontier growth fits"),
    Param("slope_window_days", "int", None, "days each side of an event for the frontier slope change; None: "
          "all frontier steps", low=30, high=3650, optional=True),
    Param("include_disabled", "bool", False, "count endpoints OpenRouter marks disabled"),
]
