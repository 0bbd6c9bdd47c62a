"""The pinned data's nearest counts, set beside the official and published ones of data/curated/reported_counts.csv
(read by analysis.curated.reported_counts)."""

from __future__ import annotations

import polars as pl

from analysis.core import vocab
from analysis.curated.reported_counts import latest, stated


def measured(models: pl.DataFrame, organizations: pl.DataFrame, filings: pl.DataFrame, adoption: pl.DataFrame,
             year: int, start_date=None, end_date=None, domain=None, notable_only: bool = True) -> dict:
    """The pinned data's nearest counts: CAC filings (latest), and for `year` the notable models and the
    organizations releasing them, US and China (pace.select_models with the report's parameters), and the
    labs of the Hugging Face panel active in `year`, by country bucket."""
    from analysis.metrics import adoption as adopt
    from analysis.metrics import pace

    sel = pace.select_models(models, start_date, end_date, None, domain, notable_only)
    sel = sel.filter(pl.col("release_date").dt.year() == year)
    rel = {r["country_bucket"]: r["releases"] for r in pace.releases_per_period(sel, "year").iter_rows(named=True)}
    orgs = {r["country_bucket"]: r["organizations"]
            for r in pace.organizations_per_year(sel, organizations).iter_rows(named=True)}
    f = filings.sort("date").row(-1, named=True) if len(filings) else None
    hub = adopt.period_totals(adopt.select(adoption), f"{year}-01-01", f"{year}-12-31")
    labs = {r["country_bucket"]: r["labs"] for r in hub.iter_rows(named=True)}
    return dict(year=year, models_cn=rel.get(vocab.CHINA, 0), models_us=rel.get(vocab.US, 0),
                orgs_cn=orgs.get(vocab.CHINA, 0), orgs_us=orgs.get(vocab.US, 0),
                filed=f["filed_cumulative"] if f else None, registered=f["registered_cumulative"] if f else None,
                filed_date=f["date"] if f else None, hf_labs_cn=labs.get(vocab.CHINA, 0),
                hf_labs_us=labs.get(vocab.US, 0), data_end=models["release_date"].max())


HEADLINE_CLAIMS = ("cn_large_models", "cn_ai_companies", "us_ai_companies", "cn_genai_filings")


def side_by_side(reported: pl.DataFrame, m: dict) -> pl.DataFrame:
    """One row per count: what is counted, the number, as of when, who counts it (reported or measured here)."""
    rows = []
    what = {"cn_large_models": "large AI models 'released' in China, cumulative (no published method)",
            "cn_ai_companies": "'AI enterprises' in China: a monitored set of core-AI-industry firms (chips, "
                               "vision, speech, robotics, apps), not model developers",
            "us_ai_companies": "AI enterprises in the US, counted by CAICT (no US official count exists)",
            "cn_genai_filings": "generative-AI services filed with the CAC (services, not companies)"}
    for cid in HEADLINE_CLAIMS:
        r = latest(reported, cid)
        if r is None:
            continue
        rows.append(dict(kind="reported", what=what[cid], number=stated(r["value"], r["value_qualifier"]),
                         as_of=r["as_of"] or r["stated_on"], counted_by=r["stated_by"], source=r["source_url"]))
    y = m["year"]
    if m["filed"] is not None:
        rows.append(dict(kind="measured here", what="generative-AI services filed with the CAC, cumulative "
                         "(data/curated/genai_filings.csv)", number=f"{m['filed']:,} filed, {m['registered']:,} "
                         "apps registered", as_of=str(m["filed_date"]), counted_by="CAC notices, as curated here",
                         source="data/curated/genai_filings.csv"))
    rows.append(dict(kind="measured here", what=f"notable AI models released in {y} (Epoch AI's selective list)",
                     number=f"China {m['models_cn']}, US {m['models_us']}", as_of=str(y),
                     counted_by="Epoch AI notable models, country of the organizations", source="Epoch AI"))
    rows.append(dict(kind="measured here", what=f"organizations releasing at least one notable model in {y}",
                     number=f"China {m['orgs_cn']}, US {m['orgs_us']}", as_of=str(y),
                     counted_by="Epoch AI notable models + this project's organization registry",
                     source="Epoch AI"))
    rows.append(dict(kind="measured here", what=f"labs of the Hugging Face panel active in {y} (a fixed panel, "
                     "not every lab)", number=f"China {m['hf_labs_cn']}, US {m['hf_labs_us']}", as_of=str(y),
                     counted_by="Hugging Face Hub activity panel (franri3008/hf-activity)", source="Hugging Face"))
    return pl.DataFrame(rows, schema={c: pl.String for c in ("kind", "what", "number", "as_of", "counted_by",
                                                             "source")})
