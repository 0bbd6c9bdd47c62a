"""Parameters of notebooks/replication.ipynb (see analysis/site/params/__init__.py)."""

from analysis.site.params import Param

SPEC = [
    Param("write_csv", "bool", True, "publish figures.csv beside the report's chart CSVs (reports/replication/figures.csv)"),
]
