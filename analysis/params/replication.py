"""Parameters of notebooks/replication.ipynb (see analysis/params/__init__.py)."""

from analysis.params import Param

SPEC = [
    Param("write_csv", "bool", True, "also write reports/replication/figures.csv"),
]
