"""Parameters of notebooks/release_pace.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, country_buckets, event_params

SPEC = [
    Param("start_date", "date", "2015-01-01", "first release date included"),
    Param("end_date", "date", None, "last release date included; None = up to the snapshot", optional=True),
    Param("countries", "list", [vocab.US, vocab.CHINA, vocab.JOINT, vocab.OTHER], "country buckets shown",
          choices=country_buckets),
    Param("domain", "str", None, "an Epoch domain such as \"Language\" or \"Vision\"; None = all", optional=True),
    Param("notable_only", "bool", True, "only Epoch's notable models (False adds large-scale and frontier-only)"),
    Param("period", "choice", "year", "length of the periods counted", choices=tuple(vocab.PERIODS)),
    Param("top_k", "int", 10, "a model is 'top' if among the top_k of its bucket by compute at release", low=1),
    Param("fit_start", "date", "2018-01-01", "start of the compute-trend fit"),
    Param("fit_start_by_country", "dates", {vocab.CHINA: "2022-01-01"},
          "own fit start per country bucket (Epoch: China from late 2021)", choices=country_buckets),
    Param("joint", "choice", "credit", "US–China joint models: 'credit' (count for each country, as Epoch) or "
          "'own' (own bucket)", choices=vocab.JOINT_MODES),
    *event_params(),
]
