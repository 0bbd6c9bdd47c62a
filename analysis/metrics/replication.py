"""Replication of published figures with the project's own metric functions (see notebooks/replication.ipynb).

First the price method on its publisher's own inputs: Epoch AI's `llm-benchmark-efficiency` files (pinned in
data/manifest.csv, dataset `epoch_price_trends`), run through `analysis.metrics.prices.epoch_price_trends`, must
give the 21 trends of Epoch's `lowest_price_models_results.csv`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.acquire.readers import curated_numbers, read_curated
from analysis.clean import epoch_prices
from analysis.core import loaded, vocab
from analysis.core.errors import InputError
from analysis.metrics import prices as pm
from analysis.store import tables

EPOCH_BENCHES = list(epoch_prices.BENCHES)  # Epoch's benchmark columns, in its own names
# Epoch's results name the first GPT-3 threshold "GPT-3"; its input files call the model this:
EPOCH_RENAMES = {"GPT-3 175B (davinci)": "GPT-3"}


def epoch_price_inputs() -> pl.DataFrame:
    """Epoch's two input tables (the clean table `epoch_price_inputs`, analysis.clean.epoch_prices) in Epoch's own
    column names, without the reasoning models Epoch leaves out of per-token prices."""
    return tables.load("epoch_price_inputs").filter(~pl.col("excluded")).select(
        pl.col("model").alias("Model Name"), pl.col("release_date").alias("Release Date"),
        pl.col("usd_per_m_tokens").alias("USD per 1M Tokens"),
        *(pl.col(c).alias(b) for b, c in epoch_prices.BENCHES.items()))


def _unique(label: str, df: pl.DataFrame, column: str) -> pl.DataFrame:
    """`df` when no value of `column` repeats; else an InputError naming the file, the record and the column."""
    dup = df.filter(pl.col(column).is_duplicated() & (pl.int_range(pl.len()).over(column) > 0))
    if len(dup):
        r = dup.row(0, named=True)
        raise InputError(f"{label}: record {r['source_row']}, column {column!r}: {r[column]!r} appears twice")
    return df


def epoch_trends_on_epoch_data() -> pl.DataFrame:
    """Epoch's method (analysis.metrics.prices.epoch_price_trends) on Epoch's own inputs, joined to the 21
    published trends: columns bench, threshold_model, published n / factor, project n / factor, ratio."""
    ours = pm.epoch_price_trends(epoch_price_inputs(), EPOCH_BENCHES).with_columns(
        pl.col("threshold_model").replace(EPOCH_RENAMES))
    pub = tables.load("epoch_price_results").select(
        "bench", "threshold_model", pl.col("sample_size").alias("published_n"),
        pl.col("price_reduction_factor_per_year").alias("published_factor"))
    return (pub.join(ours.rename({"n": "project_n", "factor_per_year": "project_factor"}),
                     on=["bench", "threshold_model"], how="full", coalesce=True)
            .with_columns((pl.col("project_factor") / pl.col("published_factor")).alias("ratio")))


# --- the published figures, recomputed with the project's functions and the publishers' parameters -------

FIGURES_FILE = "published_figures.csv"
FIGURES_COLUMNS = ["figure_id", "published_value", "published_low", "published_high", "unit", "published_source",
                   "published_vintage", "quote", "quote_url", "superseded_by"]
OUTPUT_COLUMNS = ["figure_id", "published_value", "project_value", "unit", "vintage", "published_source",
                  "project_method"]  # figures.csv, one row per published figure (issue 26)
FIGURES_CSV = "figures.csv"
TOLERANCE = 0.15  # a project value within 15% of the published one agrees


def published_figures() -> pl.DataFrame:
    """The curated published figures (data/curated/published_figures.csv), numbers as floats (null = a range
    or a value computed from the publisher's own results file)."""
    loaded.record_files("replication", [f"data/curated/{FIGURES_FILE}"])
    label, df = read_curated(FIGURES_FILE, FIGURES_COLUMNS)
    df = _unique(label, df, "figure_id")
    num = ("published_value", "published_low", "published_high")
    # every number finite: a NaN or an infinity is refused (acquire.readers.curated_numbers), never shown
    return curated_numbers(label, df, num).with_columns(pl.col("superseded_by").replace("", None))


def _growth(fits: pl.DataFrame, bucket: str) -> dict:
    r = fits.filter(pl.col("country_bucket") == bucket)
    return r.row(0, named=True) if len(r) else {}


EPOCH_ECI_END = "2026-01-02"  # the end of the ECI data of Epoch's chart (its published vintage): a publisher parameter
EPOCH_LAG_WINDOW = "2023-01-01"  # Epoch's chart and its mean / min / max start in 2023: a publisher parameter
EPOCH_LAG_READING = "last_within"  # Epoch's method box: "the time since the US leader was last <= S + 1 point"
LAG_VARIANTS = {  # label -> the project's other reading of the same lag (a labelled variant row of the report)
    "project reading": "first_reach",
}


def lag_readings(cap: pl.DataFrame, end_date=EPOCH_ECI_END, window_start=EPOCH_LAG_WINDOW) -> dict:
    """The daily US–China ECI lag's mean / min / max over Epoch's window under each reading (catchup.READINGS),
    with the computed alternatives the report quotes: {name: lag_summary dict (+ days_unknown)}."""
    from analysis.metrics import catchup

    m = catchup.best_per_model(cap, vocab.METRIC_ECI, end_date=end_date)
    out = {}

    def summary(name, **kw):
        reading = kw.pop("reading", EPOCH_LAG_READING)
        daily = kw.pop("daily", True)
        models = kw.pop("models", m)
        end = catchup.data_end(models, kw.pop("end", end_date)) if daily else None
        g = catchup.gap_series(models, reading=reading, daily=daily, end=end, **kw)
        w = catchup.lag_summary(g, window_start)
        inside = g.filter(pl.col("date") >= pl.lit(w["start"])) if len(g) and w["start"] is not None else g
        w["days_unknown"] = int((inside["lag_months"].is_null() & ~inside["follower_leads"]).sum()) if len(inside) else 0
        w["reading"] = reading
        out[name] = w

    summary("epoch_reading")
    for label, reading in LAG_VARIANTS.items():
        summary(label, reading=reading)
    summary("full_data", models=catchup.best_per_model(cap, vocab.METRIC_ECI), end=None)
    summary("at_moves", daily=False)
    summary("no_tolerance", tolerance=0.0, drop_first=False)
    return out


def lag_readings_table(cap: pl.DataFrame) -> pl.DataFrame:
    """The lag figures under Epoch's reading, the project's reading (labelled variant) and the other computed
    alternatives: one row each, with mean / min / max months, the days read and the days with no known lag."""
    from analysis.metrics import catchup

    names = {"epoch_reading": "Epoch's reading, cut at Epoch's vintage (the replication's value)",
             "project reading": "the project's reading, same data (labelled variant)",
             "full_data": "Epoch's reading on the full data (no cut at Epoch's vintage)",
             "at_moves": "Epoch's reading, read only at frontier moves (a chart's points)",
             "no_tolerance": "no 1-point tolerance, each country's first frontier model kept"}
    rows = [dict(computation=names[k], reading=catchup.READING_LABELS[w["reading"]], first_day=w["start"], last_day=w["end"],
                 days=w["days"], days_unknown=w["days_unknown"], mean_months=w["mean_months"],
                 min_months=w["min_months"], max_months=w["max_months"])
            for k, w in lag_readings(cap).items()]
    return pl.DataFrame(rows)


LAG_ALTERNATIVES = {  # how each computed alternative is named in the report
    "project reading": "with the project's reading ({label})",
    "full_data": "on the full data (no cut at Epoch's vintage, to {end})",
    "at_moves": "read only at frontier moves (a chart's points)",
    "no_tolerance": "without the 1-point tolerance and keeping each country's first frontier model",
}


def _lag_rows(cap: pl.DataFrame) -> list[dict]:
    from analysis.metrics import catchup

    r = lag_readings(cap)
    w = r["epoch_reading"]

    def method(s: dict) -> str:
        return (f"catchup.headline_gap(metric='eci', end_date='{EPOCH_ECI_END}', window_start='{EPOCH_LAG_WINDOW}', "
                f"tolerance={catchup.TOLERANCE:g}, drop_first=True, reading='{s['reading']}'): "
                f"{catchup.READING_LABELS[s['reading']]}; daily lag {s['start']} to {s['end']} ({s['days']} days"
                + (f"; {s['days_unknown']} days with no known lag: the US frontier was above S + "
                   f"{catchup.TOLERANCE:g} from its first ECI record on" if s["days_unknown"] else "") + ")")

    vintage = f"ECI as of {cap['as_of'].max()}, cut at {EPOCH_ECI_END}"

    def ev(k):
        parts = [f"with Epoch's reading, cut at its vintage ({EPOCH_ECI_END}, window since {EPOCH_LAG_WINDOW}), the "
                 f"daily {k} is {_num(w[f'{k}_months'])} months"]
        for name, text in LAG_ALTERNATIVES.items():
            alt = r[name]
            label = catchup.READING_LABELS[alt["reading"]]
            parts.append(f"{text.format(label=label, end=alt['end'])} {_num(alt[f'{k}_months'])} months")
        return "; ".join(parts)

    rows = []
    for k in ("mean", "min", "max"):
        row = dict(figure_id=f"epoch_eci_lag_{k}_months", project_value=w[f"{k}_months"], project_method=method(w),
                   project_vintage=vintage, evidence=ev(k), variant=None,
                   **{f"{name.replace(' ', '_')}_value": r[name][f"{k}_months"] for name in LAG_ALTERNATIVES})
        rows.append(row)
        for label, reading in LAG_VARIANTS.items():  # the same figure under the project's reading, labelled
            v = r[label]
            rows.append(dict(figure_id=f"epoch_eci_lag_{k}_months", variant=f"{label}: {catchup.READING_LABELS[reading]}",
                             project_value=v[f"{k}_months"], project_vintage=vintage,
                             project_method=method(v),
                             evidence=f"Epoch's reading gives {_num(w[f'{k}_months'])} months on the same data"))
    return rows


def _num(v) -> str:
    return "n/a" if v is None else f"{v:.1f}"


def _china_compute_rows(models: pl.DataFrame) -> list[dict]:
    from analysis.metrics import pace

    # Epoch: "Developed in China" if any developer is in China, else "Not developed in China"; rolling top-10
    # per group over all models, then Language (the project's domain filter takes one domain), since 2018
    grouped = models.with_columns(
        pl.when(pl.col("countries").list.contains(vocab.CHINA)).then(pl.lit(vocab.CHINA))
        .otherwise(pl.lit("Elsewhere")).alias("country_bucket"))
    top = pace.frontier_compute_models(grouped, 10, "2018-01-01", None, None, "Language", False, "own")
    fits = pace.doubling_time(top, "2018-01-01", fit_start_by={vocab.CHINA: "2022-01-01"})
    # Epoch searches a breakpoint; the project fits one segment per group from its fit start (no break). What a
    # break would give: both groups fitted in two segments at China's fit start (late 2021)
    seg = pace.doubling_time(top, "2018-01-01", break_date=CHINA_BREAK)
    seg_txt = "; ".join(f"{r['country_bucket']} {r['segment']} {CHINA_BREAK}: {r['growth_per_year']:.1f}x/yr "
                        f"(n={r['n']})" for r in seg.iter_rows(named=True)) if len(seg) else "no segment fits"
    vintage = f"Epoch models tables, releases to {models['release_date'].max()}"
    out = []
    for fid, b, start in (("epoch_china_lm_compute_growth", vocab.CHINA, "2022-01-01"),
                          ("epoch_other_lm_compute_growth", "Elsewhere", "2018-01-01")):
        f = _growth(fits, b)
        out.append(dict(figure_id=fid, project_value=f.get("growth_per_year"), project_vintage=vintage,
                        project_method=f"pace.frontier_compute_models(top_k=10, all models incl. non-notable, "
                                       f"domain='Language', China = any Chinese developer) + pace.doubling_time("
                                       f"fit from {start}): n={f.get('n')}, 95% CI {f.get('growth_low', 0):.2f}–"
                                       f"{f.get('growth_high', 0):.2f}; no break point (one segment from the "
                                       f"fit start)",
                        evidence=f"with a break instead (pace.doubling_time(break_date='{CHINA_BREAK}'), fit "
                                 f"from 2018): {seg_txt}"))
    return out


CHINA_BREAK = "2022-01-01"  # Epoch's "since late 2021": China's fit start, and the break tried for comparison


def _notable_compute_rows(models: pl.DataFrame) -> list[dict]:
    from analysis.metrics import pace

    one = models.with_columns(pl.lit("All").alias("country_bucket"))
    allm = pace.select_models(one, "2010-01-01", "2024-05-31")
    # the same window on every model of the table (notable or not): the filter Epoch's figure does not share
    every = pace.select_models(one, "2010-01-01", "2024-05-31", notable_only=False)
    out = []
    for fid, d, e, what in (
            ("epoch_notable_compute_growth", allm, every, "all notable models"),
            ("epoch_top10_compute_growth", pace.top_compute_models(allm, 10), pace.top_compute_models(every, 10),
             "running top-10")):
        f = _growth(pace.doubling_time(d), "All")
        g = _growth(pace.doubling_time(e), "All")
        out.append(dict(figure_id=fid, project_value=f.get("growth_per_year"),
                        project_vintage=f"Epoch notable models of the project's snapshot (releases to "
                                        f"{models['release_date'].max()}), fit 2010-01-01 to 2024-05-31",
                        project_method=f"pace.doubling_time on {what} (one group, notable only, end 2024-05-31): "
                                       f"n={f.get('n')}, 95% CI {f.get('growth_low', 0):.2f}–"
                                       f"{f.get('growth_high', 0):.2f}",
                        evidence=(f"same window, {what.replace('all notable models', 'all models')} without the "
                                  f"notable filter: {_num(g.get('growth_per_year'))}x/yr on n={g.get('n')} "
                                  f"(vs n={f.get('n')} notable); the project's snapshot is later than Epoch's "
                                  f"(notable flags and compute estimates revised since)")))
    return out


def project_price_trends(prices: pl.DataFrame, cap: pl.DataFrame) -> pl.DataFrame:
    """Epoch's per-threshold design on the project's data: thresholds = the ECI scores of the versions that were
    the top ECI model when released (2023 on); per threshold, `cheapest_at_capability` over all countries."""
    points = pm.price_points(pm.reference_for(prices), cap)
    points = points.with_columns(pl.lit("All").alias("country_bucket"))
    ver = pm.eci_versions(cap).rename({"release_date": "date", "eci_model": "model"})
    rows = []
    for th in pm.record_thresholds(ver.filter(pl.col("date") >= pl.date(2023, 1, 1)), vocab.METRIC_ECI).iter_rows(named=True):
        _, fits = pm.cheapest_at_capability(points, th["threshold"])
        f = fits.get("All", {})
        if f.get("factor_per_year") is None:
            rows.append(dict(threshold_model=th["threshold_model"], threshold=th["threshold"],
                             n=f.get("n"), reason=f.get("reason") or "no dated price at this threshold"))
        else:
            rows.append(dict(threshold_model=th["threshold_model"], threshold=th["threshold"], **{
                k: f[k] for k in ("n", "start", "end", "factor_per_year", "factor_low", "factor_high", "first_seen")}))
    cols = {"threshold_model": pl.String, "threshold": pl.Float64, "n": pl.Int64, "start": pl.Date, "end": pl.Date,
            "factor_per_year": pl.Float64, "factor_low": pl.Float64, "factor_high": pl.Float64,
            "first_seen": pl.Int64, "reason": pl.String}
    return pl.DataFrame([{c: r.get(c) for c in cols} for r in rows], schema=cols, strict=False)


def _price_rows(prices: pl.DataFrame, cap: pl.DataFrame) -> list[dict]:
    ours = epoch_trends_on_epoch_data()
    allth = project_price_trends(prices, cap)
    proj = allth.filter(pl.col("factor_per_year").is_not_null())
    fitted = "; ".join(f"{r['threshold_model']} (ECI {r['threshold']:.1f}): {r['factor_per_year']:.1f}x on "
                       f"n={r['n']}" for r in proj.sort("threshold").iter_rows(named=True))
    pe = ours.filter(pl.col("published_factor").is_not_null())
    price_ev = (f"the project's median rests on {len(proj)} fitted trends of {len(allth)} ECI record thresholds "
                f"(the others have fewer than 4 dated price points); fitted: {fitted}; Epoch's rests on "
                f"{len(pe)} trends over {pe['bench'].n_unique()} benchmarks, median n={pe['published_n'].median():g}")
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
                            f"lowest_price_models_results.csv",
             evidence=price_ev, n_trends=len(proj), n_thresholds=len(allth)),
    ]


COUNT_COUNTRIES = (("us", vocab.US), ("cn", vocab.CHINA), ("kr", "South Korea"))


def _count_rows(models: pl.DataFrame) -> list[dict]:
    """The AI Index's 2025 notable-model counts per country, for every figure id of them (the revised edition's
    and the first release's: the same project count, set against each vintage)."""
    from analysis.metrics import pace

    year = pace.select_models(models, "2025-01-01", "2025-12-31")
    by = {r["country"]: r["models"] for r in pace.country_counts(year, credit="every_country").iter_rows(named=True)}
    bucket = {r["country"]: r["models"] for r in pace.country_counts(year).iter_rows(named=True)}
    method = ("pace.country_counts(credit='every_country') of notable models released in 2025 (each listed "
              "country credited, the AI Index's convention)")
    vintage = f"Epoch notable models, releases to {models['release_date'].max()}"
    return [dict(figure_id=f"{prefix}_{k}", project_value=float(by.get(c, 0)), project_method=method,
                 project_vintage=vintage, evidence=f"counted by country bucket instead: {bucket.get(c, 0)}",
                 bucket_value=bucket.get(c, 0))
            for prefix in ("aiindex2026_notable_2025", "aiindex2026_first_release_notable_2025")
            for k, c in COUNT_COUNTRIES]


def figures(models: pl.DataFrame, cap: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """One row per published figure (plus the labelled variant rows, `variant` not null, of the same figure under
    another reading): published and project values, vintages, ratio and explanation."""
    pub = published_figures()
    rows = (_lag_rows(cap) + _china_compute_rows(models) + _notable_compute_rows(models)
            + _price_rows(prices, cap) + _count_rows(models))
    keys = list(dict.fromkeys(k for r in rows for k in r))
    proj = pl.DataFrame([{k: r.get(k) for k in keys} for r in rows], infer_schema_length=None, strict=False,
                        schema_overrides={"project_value": pl.Float64, "published_value": pl.Float64,
                                          "evidence": pl.String, "variant": pl.String})
    for c, t in (("published_value", pl.Float64), ("variant", pl.String)):
        if c not in proj.columns:
            proj = proj.with_columns(pl.lit(None, t).alias(c))
    d = (pub.with_row_index("_order")
         .join(proj.rename({"published_value": "_computed_published"}), on="figure_id", how="left")
         .sort("_order", pl.col("variant").is_not_null(), maintain_order=True).drop("_order"))
    d = d.with_columns(pl.coalesce("published_value", "_computed_published").alias("published_value")).drop(
        "_computed_published")
    d = d.with_columns((pl.col("project_value") / pl.col("published_value")).alias("ratio"))
    d = _superseded_evidence(d)
    return d.with_columns(pl.struct(pl.all()).map_elements(_explain, return_dtype=pl.String).alias("explanation"))


def _superseded_evidence(d: pl.DataFrame) -> pl.DataFrame:
    """A figure of an earlier vintage (`superseded_by` names the later figure of the same publication) says, with
    the computed numbers, what the later one gives: the comparison a reader should take."""
    main = {r["figure_id"]: r for r in d.filter(pl.col("variant").is_null()).iter_rows(named=True)}
    out = []
    for r in d.iter_rows(named=True):
        later = main.get(r["superseded_by"]) if r["superseded_by"] else None
        if r["superseded_by"] and later is None:
            raise InputError(f"data/curated/{FIGURES_FILE}: record {r['source_row']}, column 'superseded_by': "
                             f"{r['superseded_by']!r} is not a figure_id of the file")
        ev = r["evidence"]
        if later is not None and later["published_value"] is not None:
            ratio = (f"ratio {later['ratio']:.2f}" if later["ratio"] is not None else "no ratio")
            ev = (f"an earlier vintage: the same publication's later figure ({later['figure_id']}) is "
                  f"{later['published_value']:g}, and the project's {_num(later['project_value'])} gives {ratio}"
                  + (f"; {ev}" if ev else ""))
        out.append(ev)
    return d.with_columns(pl.Series("evidence", out, dtype=pl.String))


EXPLANATIONS = {
    "epoch_eci_lag": f"Epoch reads its chart of ECI data to {EPOCH_ECI_END}; the project reads the daily series of its own "
                     "ECI snapshot, cut at that date, with the same reading (computed alternatives in the evidence).",
    "epoch_china": "Epoch fits a two-segment regression with a searched breakpoint, on its full AI Models "
                   "dataset of 2025-01-07 with Language or Multimodal models; the project fits one segment from "
                   "its fit start on its own vintage, Language domain only.",
    "epoch_other": "Epoch fits a two-segment regression with a searched breakpoint, on its full AI Models "
                   "dataset of 2025-01-07 with Language or Multimodal models; the project fits one segment from "
                   "its fit start on its own vintage, Language domain only.",
    "epoch_notable": "Epoch's 4.1x is a fit on its notable models with compute estimates of its 2024 snapshot; the "
                     "project fits the same window and filter on a later snapshot.",
    "epoch_top10": "Published as a 4-5x range.",
    "epoch_price_trends_on": "Same inputs, same method.",
    "epoch_price_trends_median": "Different data: the project's thresholds are ECI scores (not six benchmarks), its "
                                 "prices are the vendor files and LiteLLM change log from 2025 on, and first-seen "
                                 "prices are not fitted; few trends reach 4 dated points.",
}


def _explain(r: dict) -> str:
    pv, lo, hi, ratio = r["project_value"], r["published_low"], r["published_high"], r["ratio"]
    if pv is None:
        return "The project cannot compute this figure from its data."
    if ratio is not None:
        if abs(ratio - 1) <= TOLERANCE:
            also = f" Also computed: {r['evidence']}." if r.get("evidence") else ""
            return f"Within {TOLERANCE:.0%} of the published value (ratio {ratio:.2f}).{also}"
        why = (f"Labelled variant, not the comparison ({r['variant']})." if r.get("variant") else
               next((v for k, v in EXPLANATIONS.items() if r["figure_id"].startswith(k)), ""))
        ev = f" Evidence: {r['evidence']}." if r.get("evidence") else ""
        return f"Outside {TOLERANCE:.0%} (ratio {ratio:.2f}).{' ' + why if why else ''}{ev}"
    if lo is not None and hi is not None:
        inside = lo <= pv <= hi
        ev = f" Evidence: {r['evidence']}." if r.get("evidence") and not inside else ""
        return (f"Published as a range ({lo:g} to {hi:g}); the project's {pv:.2f} is "
                f"{'inside' if inside else 'outside'} it.{ev}")
    return "No published point value to compare."


def figures_csv(fig: pl.DataFrame) -> pl.DataFrame:
    """The rows of figures.csv: one per published figure (variant rows left out), exactly OUTPUT_COLUMNS."""
    return fig.filter(pl.col("variant").is_null()).rename({"published_vintage": "vintage"}).select(OUTPUT_COLUMNS)


def write_figures(fig: pl.DataFrame, path) -> Path:
    """figures.csv at `path` (outside the report build, e.g. from JupyterLab)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figures_csv(fig).write_csv(path)
    return path
