"""Parameters of notebooks/policy_timeline.ipynb (see analysis/site/params/__init__.py)."""

from analysis.core import vocab
from analysis.site.params import Param, event_kinds, jurisdictions

SPEC = [
    Param("jurisdictions", "list", None, "jurisdiction codes shown; None = all", choices=jurisdictions,
          optional=True),
    Param("kinds", "list", None, "event kinds shown; None = all", choices=event_kinds, optional=True),
    Param("start_date", "date", "2022-01-01", "first event date shown"),
    Param("end_date", "date", None, "last event date shown; None = all", optional=True),
    Param("window_days", "int", 90, "length of the windows before and after each chosen event, in days", low=1,
          high=3650),
    Param("window_kinds", "list", [vocab.KIND_EXPORT_CONTROL, vocab.KIND_LICENCE], "kinds of event whose windows are counted",
          choices=event_kinds),
    Param("window_jurisdictions", "list", [vocab.JURISDICTION_US], "jurisdictions of event whose windows are counted",
          choices=jurisdictions),
    Param("events_style", "choice", "markers", "\"markers\" or \"bands\" for events over time charts",
          choices=("markers", "bands")),
]
