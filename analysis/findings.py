"""Measured numbers on the front page below the claims table (analysis.claims), each computed at build time from
the clean tables with the parameters of the report it names."""

from __future__ import annotations

import datetime as dt

from analysis import vocab

# The front page's claims table (analysis.claims) answers releases, open weights, downloads, OpenRouter tokens
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


def _finding_releases() -> list[dict]:
    from analysis import tables
    from analysis.metrics import pace

    models = tables.load("models")
    sel = pace.select_models(models)
    last = sel["release_date"].max()
    year = last.year - 1 if (last.month, last.day) != (12, 31) else last.year
    counts = pace.releases_per_period(sel.filter(pl_year(sel) == year), "year")
    by = {r["country_bucket"]: r["releases"] for r in counts.iter_rows(named=True)}
    us, cn = by.get(vocab.US, 0), by.get(vocab.CHINA, 0)
    return [dict(value=f"{us} vs {cn}", report="release_pace", date=f"{year}, data to {last}",
                 text=f"notable model releases by US vs Chinese organizations in {year}, the last full year "
                      f"(Epoch AI notable models; US\u2013China joint and other countries not counted).")]


def pl_year(_df=None):
    import polars as pl

    return pl.col("release_date").dt.year()


def _finding_open_share() -> list[dict]:
    from analysis import tables
    from analysis.metrics import pace

    sel = pace.select_models(tables.load("models"))
    last = sel["release_date"].max()
    year = last.year - 1
    share = pace.open_weights_share(sel.filter(pl_year(sel) == year), "year")
    out = []
    cols = share.columns
    val = "share"
    if val not in cols:
        return out
    by = {r["country_bucket"]: r[val] for r in share.iter_rows(named=True)}
    if by.get(vocab.US) is not None and by.get(vocab.CHINA) is not None:
        out.append(dict(value=f"{by[vocab.CHINA]:.0%} vs {by[vocab.US]:.0%}", report="release_pace",
                        date=f"{year}, data to {last}",
                        text=f"share of notable models released with open weights, Chinese vs US organizations, "
                             f"{year} (of models whose access is known)."))
    return out


ADJ = {vocab.US: "US", vocab.CHINA: "Chinese"}


def _finding_adoption() -> list[dict]:
    from analysis import tables
    from analysis.metrics import adoption as adopt

    hub = adopt.select(tables.load("adoption"))
    last = hub["week_date"].max()
    year = last.year - 1
    t = adopt.period_totals(hub, f"{year}-01-01", f"{year}-12-31")
    share = {r["country_bucket"]: r["downloads_share"] for r in t.iter_rows(named=True)}
    if vocab.CHINA not in share:
        return []
    return [dict(value=f"{share[vocab.CHINA]:.0%}", report="adoption", date=f"{year}, data to {last}",
                 text=f"of the Hugging Face downloads of the tracked labs' repositories went to labs based in China "
                      f"in {year} (US labs: {share.get(vocab.US, 0):.0%}); a panel of labs, downloads as "
                      f"counted upstream, not installs.")]


def _finding_openrouter() -> list[dict]:
    from analysis import tables
    from analysis.metrics import openrouter as orm

    fl = orm.first_last_complete(tables.load("openrouter_weekly"))
    f, last = fl.row(0, named=True), fl.row(1, named=True)
    return [dict(value=f"{f['china']:.0%} \u2192 {last['china']:.0%}", report="adoption",
                 date=f"weeks of {f['week_start']} and {last['week_start']}",
                 text=f"of OpenRouter tokens went to models by Chinese authors, first vs last complete week (US: "
                      f"{f['united_states']:.0%} \u2192 {last['united_states']:.0%}); lower bounds: the unassigned "
                      f"remainder was {f['remainder']:.0%} and {last['remainder']:.0%}. One router's tokens, not "
                      f"users or revenue.")]


def report_parameters(report: str) -> dict:
    """The parameters a report runs with: its notebook's defaults (analysis/params/<notebook>.py) under the
    report's own settings in notebooks/reports.toml."""
    from analysis import params, report_specs

    spec = next(s for s in report_specs.load_specs() if s.name == report)
    defaults = {p.name: p.default for p in params.spec(spec.notebook.removesuffix(".ipynb")) or []}
    return {**defaults, **spec.parameters}


def _finding_cheapest() -> list[dict]:
    """The price_war report's cheapest-at-capability trend, by `metrics.prices.headline_cheapest` with that
    report's parameters: Epoch's method, each factor with its 90% interval and point count; none on < 4 points."""
    from analysis import tables
    from analysis.metrics import prices as pm

    p = report_parameters("price_war")
    threshold, currency, ratio = p["eci_threshold"], p["currency"], p["blend_ratio"]
    end = dt.date.fromisoformat(p["end_date"]) if p.get("end_date") else None
    end, fits = pm.headline_cheapest(tables.load("prices"), tables.load("capability"), threshold, currency, ratio,
                                     dt.date.fromisoformat(p["start_date"]), end, p["countries"])
    out = []
    for c in p["countries"]:
        fit = fits.get(c)
        if fit is None or fit.get("factor_per_year") is None:
            continue
        out.append(dict(
            value=f"\u00f7{fit['factor_per_year']:.1f} per year", report="price_war",
            date=f"dated prices {fit['start']} to {fit['end']}, data to {end}",
            text=f"yearly fall of the cheapest blended ({ratio:g}:1) {currency} list price among "
                 f"{ADJ.get(c, c)} models scoring at least "
                 f"ECI {threshold:g} (Epoch AI's method; 90% interval \u00f7{fit['factor_low']:.1f} to "
                 f"\u00f7{fit['factor_high']:.1f}, {fit['n']} dated price points; {fit['first_seen']} first-seen "
                 f"prices not fitted)."))
    return out


def _finding_lmarena() -> list[dict]:
    """The US–China gap on LMArena (style control), with the catch_up_lmarena_style_control report's parameters:
    a second metric beside the claims table's ECI answer."""
    from analysis import tables
    from analysis.metrics import catchup

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
                      "human preference votes, a different scale from ECI.")]
