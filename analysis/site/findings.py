"""Measured numbers on the front page below the claims table (analysis.site.claims), each computed at build time from
the clean tables with the parameters of the report it names."""

from __future__ import annotations

# The front page's claims table (analysis.site.claims) answers releases, open weights, downloads, OpenRouter tokens
# and the cheapest price; the findings listed below it are the measured numbers that answer no claim.
FINDINGS = ("_finding_lmarena",)


def findings() -> list[dict]:
    """Numbers for the index below the claims table: {value, text, date, report}, each computed from the clean
    tables with the parameters of the report it names."""
    out = []
    for fn in (globals()[name] for name in FINDINGS):
        try:
            out.extend(fn())
        except FileNotFoundError:
            continue
    return out


def report_parameters(report: str) -> dict:
    """The parameters a report runs with: its notebook's defaults (analysis/site/params/<notebook>.py) under the
    report's own settings in notebooks/reports.toml."""
    from analysis.site import params, report_specs

    spec = next(s for s in report_specs.load_specs() if s.name == report)
    defaults = {p.name: p.default for p in params.spec(spec.notebook.removesuffix(".ipynb")) or []}
    return {**defaults, **spec.parameters}


def _finding_lmarena() -> list[dict]:
    """The US–China gap on LMArena (style control), with the catch_up_lmarena_style_control report's parameters:
    a second metric beside the claims table's ECI answer."""
    from analysis.metrics import catchup
    from analysis.store import tables

    report = "catch_up_lmarena_style_control"
    p = report_parameters(report)
    h = catchup.headline_gap(tables.load("capability"), p["metric"], end_date=p["end_date"], tolerance=p["tolerance"],
                             window_start=p["start_date"])
    if h is None:
        return []
    months = (f"{h['gap_months']:.1f} months behind in time" if h["gap_months"] is not None
              else "level or ahead in time")
    return [dict(value=f"{h['gap_score']:.0f} points", report=report,
                 date=f"{h['date']}, data to {h['as_of']}",
                 text=f"US lead on LMArena's text arena with style control: the best US model ({h['leader_model']}) "
                      f"over the best Chinese one ({h['follower_model']}); China is {months}. Arena scores are "
                      "human preference votes, a different scale from ECI."
                      + (f" {h['undated']} arena model{'s' if h['undated'] != 1 else ''} without a known release "
                         "date left out." if h["undated"] else ""))]
