"""Parameters of notebooks/release_pace.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, ParamError, country_buckets, domains, event_params

SPEC = [
    Param("start_date", "date", "2015-01-01", "first release date included"),
    Param("end_date", "date", None, "last release date included; None = up to the snapshot", optional=True),
    Param("countries", "list", [vocab.US, vocab.CHINA, vocab.JOINT, vocab.OTHER], "country buckets shown",
          choices=country_buckets),
    Param("domain", "choice", None, "an Epoch domain such as \"Language\" or \"Vision\"; None = all",
          choices=domains, optional=True),
    Param("notable_only", "bool", True, "only Epoch's notable models (False adds large-scale and frontier-only)"),
    Param("period", "choice", "year", "length of the periods counted", choices=tuple(vocab.PERIODS)),
    Param("top_k", "int", 10, "a model is 'top' if among the top_k of its bucket by compute at release", low=1,
          high=10_000),
    Param("fit_start", "date", "2018-01-01", "start of the compute-trend fit"),
    Param("fit_start_by_country", "dates", {vocab.CHINA: "2022-01-01"},
          "own fit start per country bucket (Epoch: China from late 2021)", choices=country_buckets),
    Param("joint", "choice", "credit", "US–China joint models: 'credit' (count for each country, as Epoch) or "
          "'own' (own bucket)", choices=vocab.JOINT_MODES),
    *event_params(),
]

_SELECTION = ("start_date", "end_date", "countries", "domain", "notable_only")


def models_selected(values: dict) -> None:
    """The selection (dates, countries, domain, notable only) holds at least one model: every chart of the report
    counts the selected models, and a chart without data is an error. The default selection is not read."""
    defaults = {p.name: p.default for p in SPEC}
    if all(values.get(k) == defaults[k] for k in _SELECTION):
        return
    import polars as pl

    from analysis.core import paths
    from analysis.metrics import pace

    try:  # read directly (not tables.load: the report build records which tables a notebook reads)
        models = pl.read_parquet(paths.tables_dir() / "models.parquet")
    except OSError:
        return  # no clean table yet: the notebook itself says to run the build
    if pace.select_models(models, *(values.get(k) for k in _SELECTION)).is_empty():
        chosen = ", ".join(f"{k}={values.get(k)!r}" for k in _SELECTION if values.get(k) != defaults[k])
        raise ParamError(f"no model matches {chosen}: the charts would be empty; widen the dates or choose "
                         "another domain")


CHECKS = [models_selected]
