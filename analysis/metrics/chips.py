"""Chips and control: who trains on whose chips, who serves whose models, how fast the frontier moves and which
models the dangerous-capability evaluations cover (notebooks/chips_and_control.ipynb, the front page's claims
on self-reliance, the iron curtain, the pace of development, the Global South and the H20).

Pure polars functions on the clean tables `model_hardware`, `chips`, `openrouter_endpoints`, `evaluations`,
`capability` and `models`. Unknown stays unknown: a model whose chips Epoch does not name is counted in its own
band ('unknown'), never spread over the known ones, and every share says how many it leaves out.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from analysis.core import vocab

UNKNOWN = "unknown"
MIXED = "mixed"
# chip families named in the export-control events of data/curated/policy_events.csv (+ their originals)
EXPORT_FAMILIES = ("A100", "A800", "H100", "H800", "H20", "H200", "Blackwell B-series", "Ascend 910B", "Ascend 910C")
# the first export controls on AI chips (BIS interim final rule of 2022-10-07, events table)
CONTROLS_DATE = dt.date(2022, 10, 7)
LEVEL = 0.95
MIN_SLOPE_POINTS = 3
SETS = ("either", "notable", "large_scale")


def _years(dates: pl.Series) -> np.ndarray:
    d = dates.cast(pl.Date).to_numpy().astype("datetime64[D]").astype(float)
    return 1970 + d / 365.25


# --- training hardware -------------------------------------------------------------------------------------------

def per_model(model_hardware: pl.DataFrame, countries: list[str] | None = None, model_set: str = "either",
              start=None, end=None) -> pl.DataFrame:
    """One row per model: model_id, model, country_bucket, release_date, year, maker_origin (the country of its
    chips' makers when all known parts agree, 'mixed' when they differ, 'unknown' when no part is known),
    makers (known makers, sorted), families, training_compute_flop."""
    d = model_hardware
    if model_set == "notable":
        d = d.filter(pl.col("notable"))
    elif model_set == "large_scale":
        d = d.filter(pl.col("large_scale"))
    if countries:
        d = d.filter(pl.col("country_bucket").is_in(list(countries)))
    if start is not None:
        d = d.filter(pl.col("release_date") >= _date(start))
    if end is not None:
        d = d.filter(pl.col("release_date") <= _date(end))
    g = d.group_by("model_id", maintain_order=True).agg(
        pl.col("model", "country_bucket", "release_date", "training_compute_flop").first(),
        pl.col("maker_country").drop_nulls().unique(maintain_order=True).sort().alias("_countries"),
        pl.col("maker").filter(pl.col("maker") != UNKNOWN).unique(maintain_order=True).sort().alias("makers"),
        pl.col("family").drop_nulls().unique(maintain_order=True).sort().alias("families"),
    )
    origin = (pl.when(pl.col("_countries").list.len() == 0).then(pl.lit(UNKNOWN))
              .when(pl.col("_countries").list.len() > 1).then(pl.lit(MIXED))
              .otherwise(pl.col("_countries").list.first()))
    return g.with_columns(origin.alias("maker_origin"), pl.col("release_date").dt.year().alias("year")).drop(
        "_countries").sort("release_date", "model_id")


def maker_shares(models: pl.DataFrame) -> pl.DataFrame:
    """Per (country_bucket, year, maker_origin): models and share of the bucket-year's models, unknown included
    as its own band; `known` = the bucket-year's models with a known maker."""
    c = models.group_by("country_bucket", "year", "maker_origin", maintain_order=True).agg(pl.len().alias("models"))
    tot = models.group_by("country_bucket", "year", maintain_order=True).agg(
        pl.len().alias("total"), (pl.col("maker_origin") != UNKNOWN).sum().alias("known"))
    return c.join(tot, on=["country_bucket", "year"]).with_columns(
        (pl.col("models") / pl.col("total")).alias("share")).sort("country_bucket", "year", "maker_origin")


def self_reliance(models: pl.DataFrame, date=CONTROLS_DATE, country: str = vocab.CHINA,
                  domestic: str = vocab.CHINA) -> dict:
    """`country`'s models before and after `date`: total, domestic (all known chips made in `domestic`), foreign,
    mixed, unknown; the domestic share among models of known chips; and its bounds over all models (unknown as
    foreign: low; unknown as domestic: high)."""
    d = models.filter(pl.col("country_bucket") == country)
    out = {"date": _date(date), "country": country}
    for side, part in (("before", d.filter(pl.col("release_date") < _date(date))),
                       ("after", d.filter(pl.col("release_date") >= _date(date)))):
        n = len(part)
        dom = int((part["maker_origin"] == domestic).sum())
        unk = int((part["maker_origin"] == UNKNOWN).sum())
        mixed = int((part["maker_origin"] == MIXED).sum())
        known = n - unk
        out[side] = dict(total=n, domestic=dom, mixed=mixed, unknown=unk, known=known,
                         foreign=known - dom - mixed,
                         share_known=dom / known if known else None,
                         low=dom / n if n else None, high=(dom + unk) / n if n else None,
                         start=part["release_date"].min(), end=part["release_date"].max())
    return out


def domestic_flagships(models: pl.DataFrame, domestic: str = vocab.CHINA) -> pl.DataFrame:
    """Models trained on chips made in `domestic` only or in part (mixed), dated, largest compute first within
    a year."""
    return models.filter((pl.col("maker_origin") == domestic)
                         | ((pl.col("maker_origin") == MIXED)
                            & pl.col("makers").list.eval(pl.element().is_in(["Huawei"])).list.any())
                         ).sort("release_date")


def export_chips(chips: pl.DataFrame, families=EXPORT_FAMILIES) -> pl.DataFrame:
    """The chips of the export-control events with their specifications (BF16 TFLOP/s, memory bandwidth TB/s)."""
    return chips.filter(pl.col("family").is_in(list(families))).with_columns(
        (pl.col("bf16_flops") / 1e12).alias("bf16_tflops"), (pl.col("memory_bandwidth") / 1e12).alias("bandwidth_tbs"),
    ).select("chip", "family", "maker", "maker_country", "china_variant", "release_date", "bf16_tflops",
             "bandwidth_tbs", "price_usd").sort("release_date", "chip", nulls_last=True)


def chip_spec(chips: pl.DataFrame, family: str) -> dict | None:
    """The dated chip of `family` with the highest BF16 figure: chip, bf16_tflops, bandwidth_tbs, release_date."""
    d = export_chips(chips, (family,)).filter(pl.col("bf16_tflops").is_not_null()).sort("bf16_tflops",
                                                                                        descending=True)
    return d.row(0, named=True) if len(d) else None


# --- capability pace ---------------------------------------------------------------------------------------------

def frontier_points(cap: pl.DataFrame, metric: str, country: str, end=None) -> pl.DataFrame:
    """The models that set a new best score of `country` on `metric` at their release (the frontier's steps):
    model, release_date, score."""
    from analysis.metrics import catchup

    d = catchup.best_per_model(cap, metric, None, end, [country]).sort("release_date", "score",
                                                                        descending=[False, True])
    best, keep = -np.inf, []
    for s in d["score"].to_list():
        keep.append(s > best)
        best = max(best, s)
    return d.filter(pl.Series(keep, dtype=pl.Boolean)).select("model", "release_date", "score", "country_bucket")


def slope(points: pl.DataFrame, x_col: str = "release_date", y_col: str = "score", level: float = LEVEL,
          log2: bool = False) -> dict | None:
    """OLS of y on decimal years: slope per year with its t-interval at `level`, n; None for fewer than
    MIN_SLOPE_POINTS points. `log2`: fit log2(y) (a doubling rate)."""
    from analysis.metrics import ols

    n = len(points)
    if n < MIN_SLOPE_POINTS:
        return None
    x = _years(points[x_col])
    y = points[y_col].to_numpy().astype(float)
    if log2:
        y = np.log2(y)
    if np.ptp(x) == 0:
        return None
    fit = ols.linregress(x, y)
    t = ols.t_quantile(0.5 + level / 2, n - 2) if n > 2 else float("inf")
    half = t * fit.stderr
    return dict(n=n, slope=float(fit.slope), low=float(fit.slope - half), high=float(fit.slope + half),
                stderr=float(fit.stderr), start=points[x_col].min(), end=points[x_col].max())


def slope_change(points: pl.DataFrame, date, window_days: int | None = None, level: float = LEVEL) -> dict:
    """Frontier slope before and after `date` (each side over `window_days`, or all points), and the change with
    an interval (standard errors added in quadrature, t with the smaller side's degrees of freedom): after -
    before per year. Missing sides give None."""
    from analysis.metrics import ols

    d0 = _date(date)
    lo = d0 - dt.timedelta(days=window_days) if window_days else None
    hi = d0 + dt.timedelta(days=window_days) if window_days else None
    before = points.filter(pl.col("release_date") < d0)
    after = points.filter(pl.col("release_date") >= d0)
    if window_days:
        before, after = before.filter(pl.col("release_date") >= lo), after.filter(pl.col("release_date") <= hi)
    b, a = slope(before, level=level), slope(after, level=level)
    out = dict(date=d0, before=b, after=a, change=None, low=None, high=None)
    if a and b:
        se = float(np.hypot(a["stderr"], b["stderr"]))
        t = ols.t_quantile(0.5 + level / 2, max(min(a["n"], b["n"]) - 2, 1))
        ch = a["slope"] - b["slope"]
        out.update(change=float(ch), low=float(ch - t * se), high=float(ch + t * se))
    return out


def frontier_growth(cap: pl.DataFrame, metric: str, countries, start, end=None, level: float = LEVEL) -> pl.DataFrame:
    """Per country: the slope of its frontier steps since `start` (points per year) with its interval."""
    rows = []
    for c in countries:
        p = frontier_points(cap, metric, c, end).filter(pl.col("release_date") >= _date(start))
        s = slope(p, level=level)
        rows.append(dict(country_bucket=c, n=len(p), slope=s and s["slope"], low=s and s["low"],
                         high=s and s["high"]))
    return pl.DataFrame(rows, schema=dict(country_bucket=pl.String, n=pl.Int64, slope=pl.Float64, low=pl.Float64,
                                          high=pl.Float64))


def metr_doubling(evaluations: pl.DataFrame, countries, level: float = LEVEL) -> pl.DataFrame:
    """Per country: METR 50% time horizons of its frontier steps (each model's best version; a step = a new
    longest horizon) fitted as log2(minutes) on years: doublings per year, doubling time in months with its
    interval (unbounded when the slope's interval reaches 0), n."""
    d = evaluations.filter((pl.col("benchmark") == "metr_time_horizon") & pl.col("score").is_not_null()
                           & pl.col("release_date").is_not_null() & (pl.col("score") > 0))
    rows = []
    for c in countries:
        g = d.filter(pl.col("country_bucket") == c).sort("release_date", "score", descending=[False, True])
        best, keep = -np.inf, []
        for s in g["score"].to_list():
            keep.append(s > best)
            best = max(best, s)
        g = g.filter(pl.Series(keep, dtype=pl.Boolean))
        s = slope(g, y_col="score", log2=True, level=level)
        months = lambda b: 12 / b if b and b > 0 else None  # noqa: E731
        rows.append(dict(country_bucket=c, models=d.filter(pl.col("country_bucket") == c)["model_version"].n_unique(),
                         n=len(g), doublings_per_year=s and s["slope"],
                         doubling_months=s and months(s["slope"]),
                         doubling_months_low=s and months(s["high"]),
                         doubling_months_high=s and months(s["low"])))
    return pl.DataFrame(rows, schema=dict(country_bucket=pl.String, models=pl.Int64, n=pl.Int64,
                                          doublings_per_year=pl.Float64, doubling_months=pl.Float64,
                                          doubling_months_low=pl.Float64, doubling_months_high=pl.Float64))


def eval_coverage(evaluations: pl.DataFrame, cap: pl.DataFrame, metric: str, countries, since) -> pl.DataFrame:
    """Per (benchmark, country): evaluated model versions, and the country's models on `metric` released since
    `since` (the models an evaluation could have covered)."""
    e = evaluations.filter(pl.col("country_bucket").is_in(list(countries)))
    cov = (e.group_by("benchmark", "country_bucket", maintain_order=True)
           .agg(pl.col("model_version").n_unique().alias("evaluated")))
    m = cap.filter((pl.col("metric") == metric) & pl.col("release_date").is_not_null()
                   & (pl.col("release_date") >= _date(since)) & pl.col("country_bucket").is_in(list(countries)))
    models = m.group_by("country_bucket", maintain_order=True).agg(pl.col("model_id").n_unique().alias("models_on_metric"))
    grid = pl.DataFrame({"benchmark": sorted(e["benchmark"].unique(maintain_order=True).to_list())}).join(
        pl.DataFrame({"country_bucket": list(countries)}), how="cross")
    return grid.join(cov, on=["benchmark", "country_bucket"], how="left").join(
        models, on="country_bucket", how="left").with_columns(pl.col("evaluated", "models_on_metric").fill_null(0)
                                                              ).sort("benchmark", "country_bucket")


# --- serving and joint models -------------------------------------------------------------------------------------

HOST_ORIGINS = (vocab.CHINA, vocab.US, vocab.OTHER, "Unknown origin")


def endpoint_shares(endpoints: pl.DataFrame, model_origin: str = vocab.CHINA, include_disabled: bool = False,
                    by_model: bool = False) -> dict:
    """Endpoints of `model_origin`'s models by the host's origin: counts, shares (unknown hosts in their own
    band), the share run by the model's own lab, and the bounds of the share run by hosts based outside
    `model_origin` (unknown hosts counted inside: low; outside: high). `by_model`: count models instead, each
    once, by its most foreign known host (a host outside `model_origin`, else one inside, else unknown)."""
    d = endpoints.filter(pl.col("model_origin") == model_origin)
    if not include_disabled:
        d = d.filter(~pl.col("disabled"))
    if by_model:
        rank = {o: i for i, o in enumerate([*(o for o in HOST_ORIGINS if o not in (model_origin, "Unknown origin")),
                                            model_origin, "Unknown origin"])}
        d = d.with_columns(pl.col("provider_origin").replace_strict(rank, return_dtype=pl.Int64).alias("_rank")).sort(
            "_rank").group_by("model_slug", maintain_order=True).agg(
            pl.col("provider_origin", "provider").first(), pl.col("lab_own").any(), pl.col("disabled").first()).drop(
            "_rank", strict=False)
    n = len(d)
    counts = {o: int((d["provider_origin"] == o).sum()) for o in HOST_ORIGINS}
    unk = counts["Unknown origin"]
    outside = n - counts.get(model_origin, 0) - unk
    hosts = d.group_by("provider", "provider_origin", maintain_order=True).agg(pl.len().alias("endpoints")).sort(
        "endpoints", "provider", descending=[True, False])
    return dict(model_origin=model_origin, endpoints=n, counts=counts,
                shares={o: (c / n if n else None) for o, c in counts.items()},
                lab_own=int(d["lab_own"].sum()), lab_own_share=(float(d["lab_own"].mean()) if n else None),
                outside_low=outside / n if n else None, outside_high=(outside + unk) / n if n else None,
                models=d["model_slug"].n_unique(), hosts=hosts,
                unknown_hosts=d.filter(pl.col("provider_origin") == "Unknown origin")["provider"].n_unique())


def joint_per_year(models: pl.DataFrame, notable_only: bool = True) -> pl.DataFrame:
    """Per year: US–China joint models, and their share of US, Chinese and joint models."""
    d = models.filter(pl.col("country_bucket").is_in([vocab.US, vocab.CHINA, vocab.JOINT]))
    if notable_only:
        d = d.filter(pl.col("notable"))
    return d.group_by(pl.col("release_date").dt.year().alias("year"), maintain_order=True).agg(
        (pl.col("country_bucket") == vocab.JOINT).sum().alias("joint"), pl.len().alias("us_china_models"),
    ).with_columns((pl.col("joint") / pl.col("us_china_models")).alias("share")).sort("year")


def _date(x):
    if x is None or isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x))
