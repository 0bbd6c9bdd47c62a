"""Settings of the site itself, not of a notebook: `[site]` in notebooks/reports.toml (see
analysis/site/params/__init__.py for Param; read by analysis.site.freshness)."""

from analysis.site.params import Param

SPEC = [
    Param("stale_after_months", "int", 6, "a source whose data are older than this many calendar months on the "
          "build day is marked stale on the front page, beside every claim that uses it", low=1, high=120),
]
