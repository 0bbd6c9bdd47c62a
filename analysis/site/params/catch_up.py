"""Parameters of notebooks/catch_up.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, country_buckets, event_params, metrics

SPEC = [
    Param("metric", "choice", vocab.METRIC_ECI, "the capability metric (each its own scale)", choices=metrics),
    Param("start_date", "date", "2023-01-01", "first release date included"),
    Param("end_date", "date", None, "last release date included; None = up to the snapshot", optional=True),
    Param("countries", "list", [vocab.US, vocab.CHINA], "country buckets shown in the frontier chart",
          choices=country_buckets),
    Param("scope", "choice", "lab", "a record is a new best for its lab or its country", choices=vocab.SCOPES),
    Param("rival", "choice", "same_country", "who may answer a record", choices=vocab.RIVALS),
    Param("include_estimated", "bool", True, "keep scores the source marks as its own estimates (AA)"),
    Param("example", "str", "Kimi K2", "a release to label on the time-to-match chart; None = none", optional=True),
    *event_params(),
    Param("tolerance", "float", 1.0, "metric points within which two frontier scores count as equal "
          "(Epoch: 1 ECI point)", low=0.0),
]
