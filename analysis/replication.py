"""Replication of published figures with the project's own metric functions (see notebooks/replication.ipynb).

First the price method on its publisher's own inputs: Epoch AI's `llm-benchmark-efficiency` files (pinned in
data/manifest.csv, dataset `epoch_price_trends`), run through `analysis.metrics.prices.epoch_price_trends`, must
give the 21 trends of Epoch's `lowest_price_models_results.csv`.
"""

from __future__ import annotations

import polars as pl

from analysis import paths
from analysis.clean.common import InputError
from analysis.clean.events import read_curated
from analysis.metrics import prices as pm

EPOCH_DIR = "epoch/llm-benchmark-efficiency"
EPOCH_INPUTS = ("aa_data_with_math5.csv", "epoch_ai_price_data_not_in_aa_with_benchmarks.csv")
EPOCH_RESULTS = "lowest_price_models_results.csv"
EPOCH_BENCHES = ["MMLU", "GPQA Diamond", "HumanEval", "MATH-500", "LMSys Chatbot Arena ELO", "MATH 5"]
EPOCH_COLS = ["Model Name", "Release Date", "USD per 1M Tokens"]
EXCLUDED_FILE = "epoch_price_excluded_models.csv"
EXCLUDED_COLUMNS = ["model", "reason", "source_url", "source_quote"]
# Epoch's results name the first GPT-3 threshold "GPT-3"; its input files call the model this:
EPOCH_RENAMES = {"GPT-3 175B (davinci)": "GPT-3"}


def _read(name: str) -> pl.DataFrame:
    path = paths.external_dir() / EPOCH_DIR / name
    if not path.is_file():
        raise InputError(f"data/external/{EPOCH_DIR}/{name}: not found (run `python -m analysis fetch`)")
    try:
        return pl.read_csv(path, infer_schema_length=None)
    except pl.exceptions.PolarsError as e:
        raise InputError(f"data/external/{EPOCH_DIR}/{name}: unreadable CSV ({e})") from None


def epoch_price_inputs() -> pl.DataFrame:
    """Epoch's two input tables, stacked: model, date, price and the six benchmark scores (floats)."""
    parts = []
    for name in EPOCH_INPUTS:
        df = _read(name)
        missing = [c for c in [*EPOCH_COLS, *EPOCH_BENCHES] if c not in df.columns]
        if missing:
            raise InputError(f"data/external/{EPOCH_DIR}/{name}: missing column(s) {missing}")
        parts.append(df.select(
            pl.col("Model Name").cast(pl.String),
            pl.col("Release Date").cast(pl.String).str.to_date("%Y-%m-%d", strict=False),
            *(pl.col(c).cast(pl.Float64, strict=False) for c in ["USD per 1M Tokens", *EPOCH_BENCHES])))
    out = pl.concat(parts)
    bad = out.filter(pl.col("Release Date").is_null() | pl.col("USD per 1M Tokens").is_null())
    if len(bad):
        raise InputError(f"data/external/{EPOCH_DIR}: {len(bad)} row(s) without a date or a price, e.g. "
                         f"{bad['Model Name'][0]!r}")
    return out


def excluded_models() -> pl.DataFrame:
    """The reasoning models Epoch leaves out of per-token prices (curated, cited: data/raw/)."""
    return read_curated(EXCLUDED_FILE, EXCLUDED_COLUMNS)[1]


def epoch_trends_on_epoch_data() -> pl.DataFrame:
    """Epoch's method (analysis.metrics.prices.epoch_price_trends) on Epoch's own inputs, joined to the 21
    published trends: columns bench, threshold_model, published n / factor, project n / factor, ratio."""
    m = epoch_price_inputs().filter(~pl.col("Model Name").is_in(excluded_models()["model"].to_list()))
    ours = pm.epoch_price_trends(m, EPOCH_BENCHES).with_columns(
        pl.col("threshold_model").replace(EPOCH_RENAMES))
    pub = _read(EPOCH_RESULTS).select(
        "bench", "threshold_model", pl.col("sample_size").alias("published_n"),
        pl.col("price_reduction_factor_per_year").cast(pl.Float64).alias("published_factor"))
    return (pub.join(ours.rename({"n": "project_n", "factor_per_year": "project_factor"}),
                     on=["bench", "threshold_model"], how="full", coalesce=True)
            .with_columns((pl.col("project_factor") / pl.col("published_factor")).alias("ratio")))


# --- the published figures, recomputed with the project's functions and the publishers' parameters -------

FIGURES_FILE = "published_figures.csv"
FIGURES_COLUMNS = ["figure_id", "published_value", "published_low", "published_high", "unit", "published_source",
                   "published_vintage", "quote", "quote_url"]
OUTPUT_COLUMNS = ["figure_id", "published_value", "project_value", "unit", "published_source", "project_method"]
TOLERANCE = 0.15  # a project value within 15% of the published one agrees


def published_figures() -> pl.DataFrame:
    """The curated published figures (data/raw/published_figures.csv), numbers as floats (null = a range
    or a value computed from the publisher's own results file)."""
    label, df = read_curated(FIGURES_FILE, FIGURES_COLUMNS)
    num = ("published_value", "published_low", "published_high")
    out = df.with_columns(*(pl.col(c).replace("", None).cast(pl.Float64, strict=False).alias(c) for c in num))
    for c in num:
        bad = out.filter(pl.col(c).is_null() & (df[c].str.len_chars() > 0))
        if len(bad):
            raise InputError(f"{label}: record {bad['source_row'][0]}, column {c!r}: not a number")
    return out


def _growth(fits: pl.DataFrame, bucket: str) -> dict:
    r = fits.filter(pl.col("country_bucket") == bucket)
    return r.row(0, named=True) if len(r) else {}


def _lag_rows(cap: pl.DataFrame) -> list[dict]:
    from analysis.metrics import catchup

    h = catchup.headline_gap(cap, "eci", end_date="2026-01-02", window_start="2023-01-01")
    w = h["window"] if h else {}
    method = (f"catchup.headline_gap(metric='eci', end_date='2026-01-02', window_start='2023-01-01', tolerance="
              f"{catchup.TOLERANCE:g}, drop_first=True): daily lag {w.get('start')} to {w.get('end')} "
              f"({w.get('days')} days)")
    vintage = f"ECI as of {h['as_of']}, cut at 2026-01-02" if h else ""
    # evidence for a difference: the same lag read only on the days a frontier moved (a chart's points)
    m = catchup.best_per_model(cap, "eci", end_date="2026-01-02")
    moves = catchup.lag_summary(catchup.gap_series(m, daily=False), "2023-01-01")
    ev = {k: moves.get(f"{k}_months") for k in ("mean", "min", "max")}
    return [dict(figure_id=f"epoch_eci_lag_{k}_months", project_value=w.get(f"{k}_months"), project_method=method,
                 project_vintage=vintage, evidence=(f"read only at frontier moves the {k} is {ev[k]:.1f} months"
                                                    if ev[k] is not None else ""))
            for k in ("mean", "min", "max")]


def _china_compute_rows(models: pl.DataFrame) -> list[dict]:
    from analysis.metrics import pace

    # Epoch: "Developed in China" if any developer is in China, else "Not developed in China"; rolling top-10
    # per group over all models, then Language (the project's domain filter takes one domain), since 2018
    grouped = models.with_columns(
        pl.when(pl.col("countries").list.contains("China")).then(pl.lit("China"))
        .otherwise(pl.lit("Elsewhere")).alias("country_bucket"))
    top = pace.frontier_compute_models(grouped, 10, "2018-01-01", None, None, "Language", False, "own")
    fits = pace.doubling_time(top, "2018-01-01", fit_start_by={"China": "2022-01-01"})
    vintage = f"Epoch models tables, releases to {models['release_date'].max()}"
    out = []
    for fid, b, start in (("epoch_china_lm_compute_growth", "China", "2022-01-01"),
                          ("epoch_other_lm_compute_growth", "Elsewhere", "2018-01-01")):
        f = _growth(fits, b)
        out.append(dict(figure_id=fid, project_value=f.get("growth_per_year"), project_vintage=vintage,
                        project_method=f"pace.frontier_compute_models(top_k=10, all models incl. non-notable, "
                                       f"domain='Language', China = any Chinese developer) + pace.doubling_time("
                                       f"fit from {start}): n={f.get('n')}, 95% CI {f.get('growth_low', 0):.2f}–"
                                       f"{f.get('growth_high', 0):.2f}"))
    return out


def _notable_compute_rows(models: pl.DataFrame) -> list[dict]:
    from analysis.metrics import pace

    allm = pace.select_models(models.with_columns(pl.lit("All").alias("country_bucket")), "2010-01-01",
                              "2024-05-31")
    out = []
    for fid, d, what in (("epoch_notable_compute_growth", allm, "all notable models"),
                         ("epoch_top10_compute_growth", pace.top_compute_models(allm, 10), "running top-10")):
        f = _growth(pace.doubling_time(d), "All")
        out.append(dict(figure_id=fid, project_value=f.get("growth_per_year"),
                        project_vintage="Epoch notable models, releases 2010-01-01 to 2024-05-31",
                        project_method=f"pace.doubling_time on {what} (one group): n={f.get('n')}, 95% CI "
                                       f"{f.get('growth_low', 0):.2f}–{f.get('growth_high', 0):.2f}"))
    return out


def project_price_trends(prices: pl.DataFrame, cap: pl.DataFrame) -> pl.DataFrame:
    """Epoch's per-threshold design on the project's data: thresholds = the ECI scores of the versions that were
    the top ECI model when released (2023 on); per threshold, `cheapest_at_capability` over all countries."""
    points = pm.price_points(pm.effective_periods(prices, cap, carry_back=False), cap)
    points = points.with_columns(pl.lit("All").alias("country_bucket"))
    ver = pm.eci_versions(cap).rename({"release_date": "date", "eci_model": "model"})
    rows = []
    for th in pm.record_thresholds(ver.filter(pl.col("date") >= pl.date(2023, 1, 1)), "eci").iter_rows(named=True):
        _, fits = pm.cheapest_at_capability(points, th["threshold"])
        f = fits.get("All", {})
        if f.get("factor_per_year") is not None:
            rows.append(dict(threshold_model=th["threshold_model"], threshold=th["threshold"], **{
                k: f[k] for k in ("n", "start", "end", "factor_per_year", "factor_low", "factor_high", "first_seen")}))
    return pl.DataFrame(rows)


def _price_rows(prices: pl.DataFrame, cap: pl.DataFrame) -> list[dict]:
    ours = epoch_trends_on_epoch_data()
    proj = project_price_trends(prices, cap)
    return [
        dict(figure_id="epoch_price_trends_on_epoch_data_median", published_value=ours["published_factor"].median(),
             project_value=ours["project_factor"].median(), project_vintage="Epoch's own inputs (to 2025-02)",
             project_method=f"prices.epoch_price_trends on Epoch's pinned inputs: {len(ours)} trends, each within "
                            f"{(ours['ratio'] - 1).abs().max():.1e} of Epoch's factor; published value = median of "
                            f"lowest_price_models_results.csv"),
        dict(figure_id="epoch_price_trends_median", published_value=ours["published_factor"].median(),
             project_value=proj["factor_per_year"].median() if len(proj) else None,
             project_vintage=f"project prices to {prices['snapshot'].max()}, ECI as of {cap['as_of'].max()}",
             project_method=f"prices.price_points + cheapest_at_capability at {len(proj)} ECI record thresholds "
                            f"(2023 on) with >=4 dated points, all countries; published value = median of "
                            f"lowest_price_models_results.csv"),
    ]


def _count_rows(models: pl.DataFrame) -> list[dict]:
    from analysis.metrics import pace

    c = pace.country_counts(pace.select_models(models, "2025-01-01", "2025-12-31"), credit="every_country")
    by = {r["country"]: r["models"] for r in c.iter_rows(named=True)}
    method = ("pace.country_counts(credit='every_country') of notable models released in 2025 (each listed "
              "country credited, the AI Index's convention)")
    bucket = {r["country"]: r["models"] for r in pace.country_counts(
        pace.select_models(models, "2025-01-01", "2025-12-31")).iter_rows(named=True)}
    vintage = f"Epoch notable models, releases to {models['release_date'].max()}"
    return [dict(figure_id=f"aiindex2026_notable_2025_{k}", project_value=float(by.get(c, 0)),
                 project_method=method, project_vintage=vintage,
                 evidence=f"counted by country bucket instead: {bucket.get(c, 0)}")
            for k, c in (("us", "United States"), ("cn", "China"), ("kr", "South Korea"))]


def figures(models: pl.DataFrame, cap: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """One row per published figure: published and project values, vintages, ratio, verdict and explanation."""
    pub = published_figures()
    rows = (_lag_rows(cap) + _china_compute_rows(models) + _notable_compute_rows(models)
            + _price_rows(prices, cap) + _count_rows(models))
    proj = pl.DataFrame(rows, schema_overrides={"project_value": pl.Float64, "published_value": pl.Float64,
                                                "evidence": pl.String})
    if "published_value" not in proj.columns:
        proj = proj.with_columns(pl.lit(None, pl.Float64).alias("published_value"))
    d = pub.join(proj.rename({"published_value": "_computed_published"}), on="figure_id", how="left")
    d = d.with_columns(pl.coalesce("published_value", "_computed_published").alias("published_value")).drop(
        "_computed_published")
    d = d.with_columns((pl.col("project_value") / pl.col("published_value")).alias("ratio"))
    return d.with_columns(pl.struct(pl.all()).map_elements(_explain, return_dtype=pl.String).alias("explanation"))


EXPLANATIONS = {
    "epoch_eci_lag": "The project's ECI snapshot is a later vintage than Epoch's (re-estimated scores, more "
                     "models) and the lag here is the daily series over the whole window, not read off Epoch's chart.",
    "epoch_china": "Epoch fits a two-segment regression with a searched breakpoint, on its full AI Models "
                   "dataset of 2025-01-07 with Language or Multimodal models; the project fits one segment from "
                   "its fit start on its own vintage, Language domain only.",
    "epoch_other": "Epoch fits a two-segment regression with a searched breakpoint, on its full AI Models "
                   "dataset of 2025-01-07 with Language or Multimodal models; the project fits one segment from "
                   "its fit start on its own vintage, Language domain only.",
    "epoch_notable": "Published as a 4-5x range.",
    "epoch_top10": "Published as a 4-5x range.",
    "epoch_price_trends_on": "Same inputs, same method.",
    "epoch_price_trends_median": "Different data: the project's thresholds are ECI scores (not six benchmarks), its "
                                 "prices are the vendor files and LiteLLM change log from 2025 on, and first-seen "
                                 "prices are not fitted; few trends reach 4 dated points.",
    "aiindex": "The project counts Epoch's notable models of a later snapshot (the AI Index used Epoch's data "
               "of early 2026); models are added to the notable list after release, so counts for a year rise "
               "with later snapshots.",
}


def _explain(r: dict) -> str:
    pv, lo, hi, ratio = r["project_value"], r["published_low"], r["published_high"], r["ratio"]
    if pv is None:
        return "The project cannot compute this figure from its data."
    if ratio is not None:
        if abs(ratio - 1) <= TOLERANCE:
            return f"Within {TOLERANCE:.0%} of the published value (ratio {ratio:.2f})."
        why = next((v for k, v in EXPLANATIONS.items() if r["figure_id"].startswith(k)), "")
        ev = f" Evidence: {r['evidence']}." if r.get("evidence") else ""
        return f"Outside {TOLERANCE:.0%} (ratio {ratio:.2f}). {why}{ev}"
    if lo is not None and hi is not None:
        inside = lo <= pv <= hi
        return (f"Published as a range ({lo:g} to {hi:g}); the project's {pv:.2f} is "
                f"{'inside' if inside else 'outside'} it.")
    return "No published point value to compare."


def write_figures(fig: pl.DataFrame, path=None):
    """reports/replication/figures.csv with exactly OUTPUT_COLUMNS."""
    path = path or paths.reports_dir() / "replication" / "figures.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.select(OUTPUT_COLUMNS).write_csv(path)
    return path
