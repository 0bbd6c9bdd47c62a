"""The claims the project tests, answered from the clean tables: one function per claim.

Each `claim_<name>(data)` measures with the metric modules' headline functions, called with the parameters of
the report that shows the answer (`findings.report_parameters`), and returns a `Claim`: the claim as a short
quote, what the data say (number, interval or count, date, metric), a verdict and the rule that gave it, and the
report section (anchor) that shows it. The verdict is computed by `verdict_<name>(numbers)` from the numbers
alone, so a test can check every branch on small inputs and every built row against its rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import quote

from analysis.core import vocab

SUPPORTED, PARTLY, NOT_SUPPORTED, NOT_MEASURABLE = ("supported", "partly supported", "not supported",
                                                    "not measurable with these data")
VERDICTS = (SUPPORTED, PARTLY, NOT_SUPPORTED, NOT_MEASURABLE)


@dataclass(frozen=True)
class Claim:
    key: str
    quote: str
    finding: str  # what the data say, in words
    date: str  # the date(s) the numbers count to
    verdict: str
    rule: str
    report: str
    section: str  # heading of the report section that shows it (its anchor: `anchor`)
    numbers: dict = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return anchor(self.section)

    @property
    def href(self) -> str:
        return f"{self.report}.html#{self.anchor}"


def anchor(heading: str) -> str:
    """The id nbconvert gives a markdown heading: spaces as '-', other characters URL-quoted."""
    return quote(heading.strip().replace(" ", "-"), safe="-:,?'()!")


class Data:
    """The clean tables, each loaded on first use (tests pass frames in)."""

    def __init__(self, **frames):
        self._frames = dict(frames)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._frames:
            if name == "reported":
                from analysis.curated import reported_counts
                self._frames[name] = reported_counts.load()
            else:
                from analysis.store import tables
                self._frames[name] = tables.load(name)
        return self._frames[name]


def _params(report: str, opts: dict | None = None) -> dict:
    """The parameters of `report`, under `opts` (a robustness variant's choices; analysis.site.robustness)."""
    from analysis.site.findings import report_parameters

    return {**report_parameters(report), **(opts or {})}


def _pct(x) -> str:
    return "<1%" if 0 < x < 0.005 else f"{x:.0%}"


# --- 1. a thousand models ------------------------------------------------------------------------------------

RULE_MODELS = ("supported if the registry the pinned data hold (CAC filings) reaches the claimed 1,500 models and "
               "more Chinese than US organizations release notable models; partly supported if one of the two "
               "holds, or the filings reach a third of the claim (500); not supported otherwise")


CLAIMED_MODELS = 1500  # the claim's own number ("1,500+ large models")


def verdict_models(n: dict) -> str:
    if n.get("filed") is None:
        return NOT_MEASURABLE
    many = n["filed"] >= CLAIMED_MODELS
    broad = n["orgs_cn"] > n["orgs_us"]
    if many and broad:
        return SUPPORTED
    if many or broad or n["filed"] >= CLAIMED_MODELS / 3:
        return PARTLY
    return NOT_SUPPORTED


def claim_models(data: Data, opts: dict | None = None) -> Claim:
    from analysis.curated import reported_counts as rc
    from analysis.metrics import reported

    p = _params("release_pace", opts)
    last = data.models["release_date"].max()
    year = (last.year - 1 if (last.month, last.day) != (12, 31) else last.year) - p.get("years_back", 0)
    m = reported.measured(data.models, data.organizations, data.genai_filings, data.adoption, year, p["start_date"],
                    p["end_date"], p["domain"], p["notable_only"])
    rep = rc.latest(data.reported, "cn_large_models")
    comp = rc.latest(data.reported, "cn_ai_companies")
    said = ""
    if rep and comp:
        said = (f"Officially stated: {rc.stated(rep['value'], rep['value_qualifier'])} large models 'released' "
                f"({rep['stated_by'].split(' (')[0]}, as of {rep['as_of']}) and "
                f"{rc.stated(comp['value'], comp['value_qualifier'])} 'AI enterprises' "
                f"({comp['stated_by'].split(',')[0].split(' (')[0]}, {comp['as_of'] or comp['stated_on']}): two "
                "separate counts. ")
    finding = (f"{said}Measured: {m['filed']:,} generative-AI services filed with the CAC by {m['filed_date']}; in "
               f"{year}, {m['orgs_cn']} Chinese vs {m['orgs_us']} US organizations released a notable model "
               f"({m['models_cn']} vs {m['models_us']} notable models, Epoch AI).")
    return Claim("models", "\u201c1,500+ large models from 5,000+ companies\u201d: a thousand models bloom, versus a "
                 "few US giants", finding, f"filings to {m['filed_date']}; models {year}, data to {m['data_end']}",
                 verdict_models(m), RULE_MODELS, "release_pace", "Reported counts beside measured ones", m)


# --- 2. Alibaba answered Kimi K2 within a week -----------------------------------------------------------------

RULE_KIMI = ("supported if an Alibaba model matched Kimi K2's score within 7 days of its release; partly supported "
             "if Alibaba matched it within 30 days; not supported if no Alibaba model matched it within 30 days; "
             "not measurable if Kimi K2 has no score")


KIMI_DAYS = (7, 30)  # "within about a week" (supported), within a month (partly)


def verdict_kimi(n: dict) -> str:
    if not n.get("found"):
        return NOT_MEASURABLE
    days, lab = n.get("days"), n.get("matched_lab") or ""
    if days is not None and "Alibaba" in lab and days <= KIMI_DAYS[0]:
        return SUPPORTED
    if days is not None and "Alibaba" in lab and days <= KIMI_DAYS[1]:
        return PARTLY
    return NOT_SUPPORTED


def claim_kimi(data: Data, opts: dict | None = None) -> Claim:
    import polars as pl

    from analysis.metrics import catchup

    p = _params("catch_up", opts)
    models = catchup.best_per_model(data.capability, p["metric"], p["start_date"], p["end_date"], None,
                                    p["include_estimated"])
    ttm = catchup.time_to_match(models, p["scope"], p["rival"])
    k = ttm.filter(pl.col("model") == p["example"]).sort("release_date")
    n = dict(found=len(k) > 0, metric=p["metric"], rival=p["rival"])
    if len(k):
        r = k.row(0, named=True)
        n.update(release_date=r["release_date"], days=r["days"], matched_by=r["matched_by"],
                 matched_lab=r["matched_lab"], matched_date=r["matched_date"], already_beaten=r["already_beaten"])
        rival = {"same_country": "another Chinese lab", "other_country": "a lab of the other country"}.get(
            p["rival"], "another lab")
        if r["days"] is not None:
            finding = (f"{p['example']} ({r['release_date']}) was first matched on {p['metric'].upper()} by "
                       f"{r['matched_lab']} ({rival}) with {r['matched_by']} on {r['matched_date']}: {r['days']} days"
                       + ("; a Chinese rival already had a better model out before it" if r["already_beaten"]
                          else "") + ".")
        else:
            finding = f"{p['example']} ({r['release_date']}) was not matched by {rival} in the data."
        n["undated"] = catchup.undated(data.capability, p["metric"], None, p["include_estimated"])
        if n["undated"]:
            finding += (f" {n['undated']} model{'s' if n['undated'] != 1 else ''} without a known release date "
                        "left out.")
        date = f"release {r['release_date']}, data to {models['as_of'].max()}"
    else:
        finding, date = f"{p['example']} has no {p['metric']} score in the data.", ""
    return Claim("kimi", "\u201cAlibaba answered Moonshot's Kimi K2 within about a week\u201d", finding, date,
                 verdict_kimi(n), RULE_KIMI, "catch_up", "Time-to-match", n)


# --- 3. price war, Chinese models cheaper ----------------------------------------------------------------------

RULE_PRICES = ("supported if the cheapest price at the capability threshold falls in both countries (90% interval "
               "of the yearly factor above 1) and the cheapest Chinese price is below the cheapest US price; partly "
               "supported if one of the two holds; not supported if neither; not measurable without a Chinese trend")


def verdict_prices(n: dict) -> str:
    cn, us = n.get("cn"), n.get("us")
    if not cn or cn.get("factor_per_year") is None:
        return NOT_MEASURABLE
    falls = cn["factor_low"] > 1 and (us is None or us.get("factor_low") is None or us["factor_low"] > 1)
    cheaper = (us is not None and cn.get("cheapest") is not None and us.get("cheapest") is not None
               and cn["cheapest"] < us["cheapest"])
    return SUPPORTED if falls and cheaper else PARTLY if falls or cheaper else NOT_SUPPORTED


def reference_prices(data: Data, p: dict):
    """The reference prices a claim reads: the built table, or under a robustness variant the same rule applied to
    one source's readings alone (`price_source`), without 'pro' tiers (`no_pro`), with only one lab's models on the
    US side (`us_lab`)."""
    import polars as pl

    from analysis.metrics import prices as pm

    ref = data.reference_prices
    if p.get("price_source"):
        ref = pm.reference_for(data.prices.filter(pl.col("source") == p["price_source"]))
    if p.get("no_pro"):
        ref = ref.filter(~pl.col("pro_variant"))
    if p.get("us_lab"):
        ref = ref.filter((pl.col("country_bucket") != vocab.US) | (pl.col("organization") == p["us_lab"]))
    return ref


def claim_prices(data: Data, opts: dict | None = None) -> Claim:
    from analysis.metrics import prices as pm

    p = _params("price_war", opts)
    end = dt.date.fromisoformat(p["end_date"]) if p.get("end_date") else None
    end, fits = pm.headline_cheapest(reference_prices(data, p), data.capability, p["eci_threshold"], p["currency"],
                                     p["blend_ratio"], dt.date.fromisoformat(p["start_date"]), end, p["countries"],
                                     p.get("providers"))
    cn, us = fits.get(vocab.CHINA), fits.get(vocab.US)
    n = dict(cn=cn, us=us, threshold=p["eci_threshold"], currency=p["currency"], end=end)

    def part(label, f):
        if not f or f.get("factor_per_year") is None:
            return f"{label}: no trend ({(f or {}).get('reason', 'no prices')})"
        cheap = (f"; lowest: {f['cheapest_model']} at {f['cheapest']:.3g} {p['currency']}/1M tokens on "
                 f"{f['cheapest_date']}"
                 if f.get("cheapest") is not None else "")
        return (f"{label} \u00f7{f['factor_per_year']:.1f} per year (90% interval \u00f7{f['factor_low']:.1f} to "
                f"\u00f7{f['factor_high']:.1f}, {f['n']} dated prices{cheap})")
    finding = (f"Cheapest blended {p['blend_ratio']:g}:1 list price of models scoring at least ECI "
               f"{p['eci_threshold']:g}: {part('Chinese models', cn)}; {part('US models', us)}.")
    return Claim("prices", "\u201cA price war is driving prices down, and Chinese models are cheaper\u201d", finding,
                 f"data to {end}", verdict_prices(n), RULE_PRICES, "price_war",
                 "Cheapest model at or above a capability threshold", n)


# --- 4. 95% of the performance for 20% of the cost --------------------------------------------------------------

RULE_PERF = ("supported if, on the newest date, the cheapest Chinese model within the threshold of the best US "
             "model's score costs at most 20% of its price; partly supported if one exists but costs more; not "
             "supported if no priced Chinese model reaches the threshold")


PERF_PRICE_SHARE = 0.20  # the claim's "20% of the cost"


def verdict_perf(n: dict) -> str:
    cn = n.get("cn_for_us")
    if cn is None:
        return NOT_MEASURABLE
    if not cn["met"]:
        return NOT_SUPPORTED
    return SUPPORTED if cn["price_share"] <= PERF_PRICE_SHARE else PARTLY


def claim_perf(data: Data, opts: dict | None = None) -> Claim:
    from analysis.metrics import perf

    p = _params("performance_per_dollar", opts)
    args = (data.capability, reference_prices(data, p), p["metric"], p["threshold"], p["blend_ratio"], p["as_of_date"])
    a = perf.headline(*args)
    b = perf.headline(*args, leader=vocab.CHINA, follower=vocab.US)
    n = dict(cn_for_us=a, us_for_cn=b, threshold=p["threshold"])

    def say(h, who, whose):
        if h is None:
            return f"no priced {whose} model with a score"
        if not h["met"]:
            return f"no priced {who} model reaches {_pct(h['threshold'])} of {h['leader_model']}"
        return (f"{h['follower_model']} gives {_pct(h['score_share'])} of {h['leader_model']}'s score for "
                f"{_pct(h['price_share'])} of its price")
    finding = (f"On {p['metric'].upper()}, blended {p['blend_ratio']:g}:1 list prices: {say(a, 'Chinese', 'US')}. "
               f"The reverse: {say(b, 'US', 'Chinese')}.")
    return Claim("perf", f"\u201c{_pct(p['threshold'])} of the performance for 20% of the cost\u201d", finding,
                 f"{a['date'] if a else ''}", verdict_perf(n), RULE_PERF, "performance_per_dollar",
                 "The answer on this date", n)


# --- 5. an open-source wave from China -------------------------------------------------------------------------

RULE_OPEN = ("supported if a larger share of Chinese than of US notable models has open weights and labs based in "
             "China get at least as many Hugging Face downloads as US labs; partly supported if one of the two "
             "holds; not supported if neither")


def verdict_open(n: dict) -> str:
    if n.get("open_cn") is None or n.get("open_us") is None:
        return NOT_MEASURABLE
    a = n["open_cn"] > n["open_us"]
    b = n.get("dl_cn") is not None and n["dl_cn"] >= (n.get("dl_us") or 0)
    return SUPPORTED if a and b else PARTLY if a or b else NOT_SUPPORTED


def claim_open(data: Data, opts: dict | None = None) -> Claim:
    import polars as pl

    from analysis.metrics import pace

    p = _params("release_pace", opts)
    sel = pace.select_models(data.models, p["start_date"], p["end_date"], None, p["domain"], p["notable_only"])
    last = sel["release_date"].max()
    year = last.year - 1 - p.get("years_back", 0)
    share = pace.open_weights_share(sel.filter(pl.col("release_date").dt.year() == year), "year")
    by = {r["country_bucket"]: r for r in share.iter_rows(named=True)}
    dl, hub_end = _downloads_last_year(data.adoption)
    n = dict(year=year, hub_end=hub_end, open_cn=by.get(vocab.CHINA, {}).get("share"), open_us=by.get(vocab.US, {}).get("share"),
             known_cn=by.get(vocab.CHINA, {}).get("known"), known_us=by.get(vocab.US, {}).get("known"),
             dl_cn=dl.get(vocab.CHINA), dl_us=dl.get(vocab.US))
    if n["open_cn"] is None or n["open_us"] is None:
        finding = f"No {year} notable models of known access for one of the two countries."
    else:
        finding = (f"In {year}, {_pct(n['open_cn'])} of Chinese vs {_pct(n['open_us'])} of US notable models had "
                   f"open weights ({n['known_cn']} and {n['known_us']} models of known access); labs based in China "
                   f"got {_pct(n['dl_cn'] or 0)} of the tracked labs' Hugging Face downloads in the 12 months to "
                   f"{hub_end} (US labs {_pct(n['dl_us'] or 0)}).")
    return Claim("open", "\u201cAn open-source wave from China\u201d", finding, f"{year}, data to {last}",
                 verdict_open(n), RULE_OPEN, "release_pace", "Open weights", n)


def _downloads_last_year(adoption) -> tuple[dict, dt.date]:
    """Each country bucket's share of the Hugging Face panel's downloads over the 12 months to the data's end."""
    from analysis.metrics import adoption as adopt

    hub = adopt.select(adoption)
    end = hub["week_date"].max()
    t = adopt.period_totals(hub, end - dt.timedelta(days=364), end)
    return {r["country_bucket"]: r["downloads_share"] for r in t.iter_rows(named=True)}, end


# --- 6. the H20 reversal as a hardware catalyst -----------------------------------------------------------------

RULE_H20 = ("a count of releases before and after one date cannot separate chip access from everything else that "
            "changed: at most partly supported, if Chinese notable releases rose in the window after the reversal "
            "and that window is complete; not supported if they did not rise; not measurable if the window runs past "
            "the data or the event is not in the events table")


def verdict_h20(n: dict) -> str:
    if not n.get("found") or not n.get("complete"):
        return NOT_MEASURABLE
    return PARTLY if n["after"] > n["before"] else NOT_SUPPORTED


H20_EVENT = "H20 lic"  # title fragment of the July 2025 reversal (events table: "Nvidia says US assured H20 licences")


def claim_h20(data: Data, opts: dict | None = None) -> Claim:
    import polars as pl

    from analysis.metrics import pace, policy

    p = _params("policy_timeline", opts)
    rp = _params("release_pace", {k: v for k, v in (opts or {}).items() if k == "notable_only"})
    ev = data.events.filter(pl.col("title").str.contains(H20_EVENT) & (pl.col("date") >= dt.date(2025, 7, 1))
                            ).sort("date").head(1)
    n = dict(found=len(ev) > 0, days=p["window_days"])
    if len(ev):
        sel = pace.select_models(data.models, rp["start_date"], rp["end_date"], [vocab.CHINA], rp["domain"],
                                 rp["notable_only"])
        c = policy.window_counts(ev, sel, "release_date", "country_bucket", p["window_days"],
                                 data_end=data.models["release_date"].max())
        w = {r["window"]: r for r in c.iter_rows(named=True)}
        e = ev.row(0, named=True)
        n.update(event=e["title"], date=e["date"], before=w["before"]["count"], after=w["after"]["count"],
                 complete=bool(w["before"]["complete"] and w["after"]["complete"]))
        finding = (f"Chinese notable model releases in the {p['window_days']} days before vs after "
                   f"{e['date']} ({e['title']}): {n['before']} vs {n['after']}. Chips reach models months after "
                   "they arrive; a release count cannot show a catalyst.")
        finding += _h20_chips(data, e["date"], n, opts)
        date = f"event {e['date']}, releases to {data.models['release_date'].max()}"
    else:
        finding, date = "The H20 reversal is not in the events table.", ""
    return Claim("h20", "\u201cRenewed access to Nvidia chips (the H20 reversal) is a hardware catalyst\u201d",
                 finding, date, verdict_h20(n), RULE_H20, "policy_timeline", "Model releases around chosen events", n)


# --- 7. China is catching up; the race moves fast --------------------------------------------------------------

RULE_CATCHUP = ("supported if the US lead in time over the last 12 months averages at least 1 month less than over "
                "the first 12 months of the comparison; not supported if it is at least 1 month longer; partly "
                "supported in between (a gap that holds steady)")


CATCHUP_MONTHS = 1.0  # a change of the mean lead in time smaller than this is a gap that holds steady


def verdict_catchup(n: dict) -> str:
    early, recent = n.get("early_months"), n.get("recent_months")
    if early is None or recent is None:
        return NOT_MEASURABLE
    if recent <= early - CATCHUP_MONTHS:
        return SUPPORTED
    if recent >= early + CATCHUP_MONTHS:
        return NOT_SUPPORTED
    return PARTLY


def claim_catchup(data: Data, opts: dict | None = None) -> Claim:
    from analysis.metrics import catchup

    p = _params("catch_up", opts)
    h = catchup.headline_gap(data.capability, p["metric"], end_date=p["end_date"], tolerance=p["tolerance"],
                             reading=p.get("reading", "first_reach"))
    n = dict(metric=p["metric"])
    if h is None:
        return Claim("catchup", "\u201cChina is catching up; the race moves very fast\u201d",
                     f"No US–China comparison on {p['metric']}.", "", NOT_MEASURABLE, RULE_CATCHUP, "catch_up",
                     "The US–China gap, in score and in months", n)
    e, r = h.get("early") or {}, h.get("recent") or {}
    n.update(early_months=e.get("mean_months"), recent_months=r.get("mean_months"), gap_months=h["gap_months"],
             gap_score=h["gap_score"], date=h["date"])
    months = f"{h['gap_months']:.1f} months" if h["gap_months"] is not None else "not behind"
    finding = (f"On {p['metric'].upper()} on {h['date']}, the best US model ({h['leader_model']}) leads the best "
               f"Chinese one ({h['follower_model']}) by {h['gap_score']:.1f} points, {months} in time. The lead in "
               f"time averaged {e.get('mean_months') or 0:.1f} months in the first year of the comparison "
               f"(from {e.get('start')}) and {r.get('mean_months') or 0:.1f} months in the last 12 months."
               + (f" {h['undated']} model{'s' if h['undated'] != 1 else ''} without a known release date left out."
                  if h["undated"] else ""))
    return Claim("catchup", "\u201cChina is catching up; the race moves very fast\u201d", finding,
                 f"{e.get('start')} to {h['date']}", verdict_catchup(n), RULE_CATCHUP, "catch_up",
                 "The US–China gap, in score and in months", n)


# --- 8. the world's default low-cost provider --------------------------------------------------------------------

RULE_DEFAULT = ("supported if Chinese models' share of OpenRouter tokens in the last complete week, counted as a "
                "lower bound, exceeds the US share with all unassigned tokens added (a lead whatever the remainder "
                "is); partly supported if the Chinese share rose from the first to the last complete week; not "
                "supported otherwise")


def verdict_default(n: dict) -> str:
    if n.get("cn_last") is None:
        return NOT_MEASURABLE
    if n["cn_last"] > n["us_upper_last"]:
        return SUPPORTED
    return PARTLY if n["cn_last"] > n["cn_first"] else NOT_SUPPORTED


def claim_default(data: Data, opts: dict | None = None) -> Claim:
    from analysis.metrics import openrouter as orm

    fl = orm.first_last_complete(data.openrouter_weekly, last_back=(opts or {}).get("weeks_back", 0))
    f, last = fl.row(0, named=True), fl.row(1, named=True)
    dl, end = _downloads_last_year(data.adoption)
    n = dict(cn_first=f["china"], cn_last=last["china"], us_first=f["united_states"], us_last=last["united_states"],
             us_upper_last=last["us_upper"], remainder_last=last["remainder"], dl_cn=dl.get(vocab.CHINA))
    finding = (f"Chinese models' share of OpenRouter tokens went from {_pct(f['china'])} to {_pct(last['china'])} "
               f"(US {_pct(f['united_states'])} to {_pct(last['united_states'])}); {_pct(last['remainder'])} of the "
               f"last week is unassigned, so the US share could be up to {_pct(last['us_upper'])}. One router's "
               f"tokens, not all API use. Hugging Face downloads in the 12 months to {end}: "
               f"{_pct(dl.get(vocab.CHINA) or 0)} to labs based in China.")
    return Claim("default", "\u201cChina aims to be the world's default low-cost AI provider\u201d", finding,
                 f"weeks of {f['week_start']} and {last['week_start']}", verdict_default(n), RULE_DEFAULT,
                 "adoption", "Weekly share of tokens by origin", n)


# --- 9-11. the builders' advice: which Chinese lab for which job -------------------------------------------------

RULE_CODING = ("the seed's sentence is present-tense advice to a builder, so the verdict reads the newest data. A "
               "lab is top-tier on a benchmark when its best model ranks within the best k (default 5) or within the "
               "benchmark's 95% uncertainty of the best, in a field of at least 10 models: now (the benchmark's "
               "newest edition, among all its models) and at release (the model's launch reading, among the models "
               "released by then); top-tier in a task family when on at least half of the family's benchmarks where "
               "it has a placement. Supported if DeepSeek is top-tier now in both coding (coding and agentic-coding "
               "benchmarks) and math; partly supported if now in one of them, or if it was top-tier at release in "
               "either but is in neither now; not supported otherwise; not measurable without placements")


def _builder_rows(data: Data, p: dict, labs, source: str = "all"):
    import polars as pl

    from analysis.metrics import builders

    scores = data.task_scores
    if source == "epoch":
        scores = scores.filter(pl.col("edition") == "hub")
    elif source == "livebench":
        scores = scores.filter(pl.col("edition") != "hub")
    ranked = builders.ranks(scores, p["as_of"])
    per = builders.lab_benchmarks(ranked, labs, p["top_k"], p["min_field"])
    return scores, per


def _family_counts(fam, lab: str, families) -> tuple[int, int, list[str]]:
    import polars as pl

    f = fam.filter((pl.col("lab") == lab) & pl.col("family").is_in(list(families)))
    return int(f["top_tier_benchmarks"].sum() or 0), int(f["benchmarks"].sum() or 0), \
        sorted(b for x in f["top_tier_list"].to_list() for b in x)


def _family_ok(n: dict, fam: str, suffix: str = "") -> bool:
    k = n.get(f"{fam}_n{suffix}") or 0
    return bool(k) and 2 * (n.get(f"{fam}_top{suffix}") or 0) >= k


def verdict_coding(n: dict) -> str:
    """`reading` 'both' (default): now decides, at release can only make it partly; 'release' or 'end': that
    reading alone (both families: supported, one: partly)."""
    reading = n.get("reading", "both")
    fams = ("coding", "math")
    now = [_family_ok(n, f, "_rel" if reading == "release" else "") for f in fams]
    then = [_family_ok(n, f, "_rel") for f in fams] if reading == "both" else []
    placed = [n.get(f"{f}_n{'_rel' if reading == 'release' else ''}") for f in fams]
    if reading == "both":
        placed += [n.get(f"{f}_n_rel") for f in fams]
    if not any(placed):
        return NOT_MEASURABLE
    if all(now):
        return SUPPORTED
    return PARTLY if any(now) or any(then) else NOT_SUPPORTED


def _best_now(per, families) -> str:
    """The lab's best placement in the newest data among the families' benchmarks, in words."""
    import polars as pl

    from analysis.clean.tasks import BENCHMARK_NAMES

    b = per.filter(pl.col("family").is_in(list(families)) & pl.col("now_rank").is_not_null())
    if b.is_empty():
        return "no model in the newest data"
    r = b.sort("now_rank", "benchmark").row(0, named=True)
    ed = "" if r["now_edition"] == "hub" else f", release {r['now_edition'].replace('_', '-')}"
    return (f"rank {r['now_rank']} of {r['now_n']} on {BENCHMARK_NAMES.get(r['benchmark'], r['benchmark'])} "
            f"({r['now_model']}{ed}; best {r['now_best_model']})")


def claim_coding(data: Data, opts: dict | None = None) -> Claim:
    import polars as pl

    from analysis.metrics import builders

    o = opts or {}
    p = _params("builders", o)
    lab, reading = "DeepSeek", o.get("reading", "both")
    coding = ("coding", "agentic_coding") if o.get("agentic", True) else ("coding",)
    scores, per = _builder_rows(data, p, [lab], o.get("source", "all"))
    fam = builders.lab_families(per, p["top_k"], "release")
    fam_now = builders.lab_families(per, p["top_k"], "end")
    c_top, c_n, c_list = _family_counts(fam_now, lab, coding)
    m_top, m_n, m_list = _family_counts(fam_now, lab, ("math",))
    cr_top, cr_n, cr_list = _family_counts(fam, lab, coding)
    mr_top, mr_n, mr_list = _family_counts(fam, lab, ("math",))
    peaks = per.filter(pl.col("family").is_in([*coding, "math"]) & pl.col("peak_top_tier"))
    span = (f" (launches of {peaks['peak_release_date'].min()} to {peaks['peak_release_date'].max()})"
            if len(peaks) else "")
    end = scores["as_of"].max()
    n = dict(lab=lab, reading=reading, k=p["top_k"], coding_top=c_top, coding_n=c_n, math_top=m_top, math_n=m_n,
             coding_list=c_list, math_list=m_list, coding_top_rel=cr_top, coding_n_rel=cr_n, math_top_rel=mr_top,
             math_n_rel=mr_n, coding_list_rel=cr_list, math_list_rel=mr_list, end=end,
             undated=builders.undated(scores))
    finding = (f"At release {lab} was top-tier (rank <= {p['top_k']} or within the benchmark's uncertainty of the "
               f"best) on {cr_top} of {cr_n} coding benchmarks and {mr_top} of {mr_n} math benchmarks{span}; in the "
               f"newest data (files to {end}) on {c_top} of {c_n} and {m_top} of {m_n}. Its best placement now: "
               f"coding {_best_now(per, coding)}; math {_best_now(per, ('math',))}. Epoch AI Benchmarking Hub and "
               "LiveBench categories, each benchmark on its own scale.")
    return Claim("coding", "\u201cDeepSeek's coding and math models are top-tier\u201d", finding,
                 f"data to {end}", verdict_coding(n), RULE_CODING, "builders",
                 "Best at what, at release and now", n)


RULE_CONTEXT = ("present tense, so the newest date decides: each lab's largest first-party context window on the "
                "newest file date (LiteLLM's lab keys, models.dev's lab providers and OpenRouter endpoints served by "
                "the model's own lab; each source's newest file on or before the date, one window per model by the "
                "rule of analysis.metrics.builders.window_reference). Supported if Moonshot's is the largest of the "
                "labs compared; partly supported if it is in the top half; not supported otherwise; not measurable "
                "if Moonshot has no stated window")


def verdict_context(n: dict) -> str:
    if not n.get("found"):
        return NOT_MEASURABLE
    if n["rank"] == 1:
        return SUPPORTED
    return PARTLY if n["rank"] <= n["labs"] / 2 else NOT_SUPPORTED


def claim_context(data: Data, opts: dict | None = None) -> Claim:
    import polars as pl

    from analysis.metrics import builders

    o = opts or {}
    p = _params("builders", o)
    lab = "Moonshot AI"
    labs = o.get("compare", p["labs"])
    w = data.context_windows
    if o.get("source") and "source" in w.columns:
        w = w.filter(pl.col("source") == o["source"])
    lw = builders.lab_windows(builders.window_reference(w))
    n = builders.window_rank(lw, lab, labs, p["as_of"])
    if n.get("found"):
        larger = ", ".join(n["larger_labs"]) or "none"
        finding = (f"On {n['date']} (each source's newest file on or before it) {lab}'s largest first-party window "
                   f"was {n['window']:,} tokens ({n['model']}: {n.get('source')} file of {n.get('file_date')}, "
                   f"{n.get('rule')}), rank {n['rank']} of {n['labs']} labs compared; the largest was "
                   f"{n['largest']:,} ({n['largest_lab']}). Labs with a larger window: {larger}.")
    else:
        finding = f"{lab} has no first-party context window in the files read."
    return Claim("context", "\u201cMoonshot's Kimi is famous for its massive context window\u201d", finding,
                 f"files to {n.get('date')}", verdict_context(n), RULE_CONTEXT, "builders",
                 "Context windows by lab", n)


RULE_VERSATILE = ("present-tense advice, so the newest data decide. A lab is top-tier in a task family as in the "
                  "coding claim; Alibaba is broad when top-tier in at least two thirds of the families where it has "
                  "placements, and leads when top-tier in no fewer families than any other lab compared. Supported if "
                  "both hold now; partly supported if one holds now, or either held at release but neither holds "
                  "now; not supported otherwise. What the lab ships (model families, sizes, modalities) is reported "
                  "beside the verdict, not scored")


def _versatile_counts(fam, lab: str) -> dict:
    import polars as pl

    tops = fam.group_by("lab", maintain_order=True).agg(pl.col("family_top_tier").sum().alias("top"), pl.len().alias("n"))
    mine = tops.filter(pl.col("lab") == lab)
    others = tops.filter(pl.col("lab") != lab).sort("top", "lab", descending=[True, False])
    return dict(families_top=int(mine["top"].sum()) if len(mine) else 0,
                families_n=int(mine["n"].sum()) if len(mine) else 0,
                best_other=int(others["top"][0]) if len(others) else 0,
                best_other_lab=", ".join(others.filter(pl.col("top") == others["top"][0])["lab"].to_list())
                if len(others) else None)


def verdict_versatile(n: dict) -> str:
    """`reading` 'both' (default): now decides, at release can only make it partly; 'release' / 'end': that
    reading alone (both conditions: supported, one: partly)."""
    reading = n.get("reading", "both")
    sfx = "_rel" if reading == "release" else ""
    if not n.get(f"families_n{sfx}") and not (reading == "both" and n.get("families_n_rel")):
        return NOT_MEASURABLE

    def holds(x):
        if not n.get(f"families_n{x}"):
            return [False, False]
        return [3 * n[f"families_top{x}"] >= 2 * n[f"families_n{x}"], n[f"families_top{x}"] >= n[f"best_other{x}"]]

    now, then = holds(sfx), (holds("_rel") if reading == "both" else [])
    if all(now):
        return SUPPORTED
    return PARTLY if any(now) or any(then) else NOT_SUPPORTED


def claim_versatile(data: Data, opts: dict | None = None) -> Claim:
    import polars as pl

    from analysis.clean.tasks import FAMILIES
    from analysis.metrics import builders

    o = opts or {}
    p = _params("builders", o)
    lab, reading = "Alibaba", o.get("reading", "both")
    labs = o.get("compare", p["labs"])
    scores, per = _builder_rows(data, p, list(dict.fromkeys([lab, *labs])), o.get("source", "all"))
    fam = builders.lab_families(per, p["top_k"], "release").filter(pl.col("family").is_in(list(FAMILIES)))
    fam_now = builders.lab_families(per, p["top_k"], "end").filter(pl.col("family").is_in(list(FAMILIES)))
    now, rel = _versatile_counts(fam_now, lab), _versatile_counts(fam, lab)
    end = scores["as_of"].max()
    n = dict(lab=lab, reading=reading, **now, **{f"{k}_rel": v for k, v in rel.items()}, end=end,
             families=fam_now.filter(pl.col("lab") == lab)["family"].to_list())
    finding = (f"Alibaba (Qwen) is top-tier in the newest data (files to {end}) in {now['families_top']} of "
               f"{now['families_n']} task families with placements (the most of another lab compared: "
               f"{now['best_other']}, {now['best_other_lab']}); at release it was in {rel['families_top']} of "
               f"{rel['families_n']} (the most of another lab: {rel['best_other']}, {rel['best_other_lab']}).")
    try:
        b = builders.breadth(data.models, [lab], p["as_of"]).row(0, named=True)
        n.update(breadth=b)
        finding += (f" What it ships (Epoch's models table): {b['models']} models, in {b['domains']} domains "
                    f"({b['domain_list']}), {b['sizes']} distinct parameter counts from {b['size_range']}, "
                    f"{b['open_models']} with open weights.")
    except FileNotFoundError:
        pass
    return Claim("versatile", "\u201cAlibaba's Qwen is incredibly versatile\u201d", finding,
                 f"data to {end}", verdict_versatile(n), RULE_VERSATILE, "builders",
                 "Best at what, at release and now", n)


CLAIMS = (claim_models, claim_kimi, claim_prices, claim_perf, claim_open, claim_h20, claim_catchup, claim_default,
          claim_coding, claim_context, claim_versatile)
VERDICT_OF = {"models": verdict_models, "kimi": verdict_kimi, "prices": verdict_prices, "perf": verdict_perf,
              "open": verdict_open, "h20": verdict_h20, "catchup": verdict_catchup, "default": verdict_default,
              "coding": verdict_coding, "context": verdict_context, "versatile": verdict_versatile}
# the reports in the order of the claims they answer (the index orders its cards by this)
REPORT_ORDER = ("release_pace", "catch_up", "price_war", "performance_per_dollar", "policy_timeline", "adoption",
                "builders", "replication")


def claims(data: Data | None = None) -> list[Claim]:
    """Every claim, in order; a claim whose tables are missing is left out."""
    data = data or Data()
    out = []
    for fn in CLAIMS:
        try:
            out.append(fn(data))
        except FileNotFoundError:
            continue
    return out


def as_dict(c: Claim, robust: dict | None = None) -> dict:
    """A claim for the front page; with `robust` (analysis.site.robustness.assess) its robustness line, the verdict
    shown ("too close to call" where the rule says so) and the variants."""
    out = dict(key=c.key, quote=c.quote, finding=c.finding, date=c.date, verdict=c.verdict, rule=c.rule,
               report=c.report, section=c.section, href=c.href)
    if robust is not None:
        out.update(shown_verdict=robust["shown_verdict"], robustness=dict(
            holds=robust["holds"], n=robust["n"], margin=robust["margin"], too_close=robust["too_close"],
            line=robust["line"], variants=[{k: v[k] for k in ("variant", "verdict", "same")}
                                           for v in robust["variants"]]))
    return out


# --- 9-12. chips and control (report chips_and_control) ---------------------------------------------------------

CHIPS_REPORT = "chips_and_control"
MIN_KNOWN_HARDWARE = 5  # fewer models of known chips on a side of the date: not measurable


def _pct_or(x) -> str:
    return "–" if x is None else _pct(x)


RULE_SELFRELIANCE = (f"supported if the share of Chinese models trained on Chinese-made chips after the first US "
                     "export controls on AI chips exceeds the share before even when every model of unknown chips "
                     "is counted against it (after: unknown as foreign; before: unknown as domestic); partly "
                     "supported if the share among models of known chips rose; not supported if it did not; not "
                     f"measurable with fewer than {MIN_KNOWN_HARDWARE} models of known chips on a side")


def verdict_selfreliance(n: dict) -> str:
    b, a = n.get("before") or {}, n.get("after") or {}
    if (b.get("known") or 0) < MIN_KNOWN_HARDWARE or (a.get("known") or 0) < MIN_KNOWN_HARDWARE:
        return NOT_MEASURABLE
    if a["low"] > b["high"]:
        return SUPPORTED
    return PARTLY if a["share_known"] > b["share_known"] else NOT_SUPPORTED


def claim_selfreliance(data: Data, opts: dict | None = None) -> Claim:
    from analysis.metrics import chips

    p = _params(CHIPS_REPORT, opts)
    pm = chips.per_model(data.model_hardware, [vocab.CHINA], p["model_set"])
    n = chips.self_reliance(pm, p["controls_date"])
    flag = chips.domestic_flagships(pm).filter(pl_date_ge(p["controls_date"]))
    n["flagships"] = [f"{r['model']} ({r['release_date']})" for r in flag.iter_rows(named=True)]
    b, a = n["before"], n["after"]
    which = {"either": "notable or large-scale", "notable": "notable", "large_scale": "large-scale"}[p["model_set"]]
    finding = (f"Epoch names the training chips of {a['known']} of the {a['total']} Chinese {which} models released "
               f"from {n['date']} (the first US export controls on AI chips) to {a['end']}: {a['domestic']} on "
               f"Chinese-made chips only ({_pct_or(a['share_known'])} of those known; before: {b['domestic']} of "
               f"{b['known']}, {_pct_or(b['share_known'])}). {a['unknown']} models "
               f"({_pct_or(a['unknown'] / a['total'] if a['total'] else None)}) "
               f"name no chips: counted as unknown, the share of all could lie between {_pct_or(a['low'])} and "
               f"{_pct_or(a['high'])}."
               + (f" Models on Chinese-made chips (alone or beside others): {', '.join(n['flagships'])}."
                  if n["flagships"] else ""))
    return Claim("selfreliance", "\u201cExport controls spurred China to accelerate its own AI chips "
                 "(self-reliance)\u201d", finding, f"{n['date']}; models to {a['end']}", verdict_selfreliance(n),
                 RULE_SELFRELIANCE, CHIPS_REPORT, "Training chips of Chinese and US models", n)


def pl_date_ge(date):
    import polars as pl

    return pl.col("release_date") >= dt.date.fromisoformat(str(date))


CURTAIN_OUTSIDE = (0.25, 0.10)  # at least a quarter served from outside China: no split; at most a tenth: a split

RULE_CURTAIN = ("not supported if at least a quarter of the OpenRouter endpoints of Chinese-made models are run by "
                "hosts based outside China even when every host of unknown country is counted as Chinese; "
                "supported if at most a tenth could be, every unknown host counted as foreign; partly supported "
                "in between (the unknown hosts decide)")


def verdict_curtain(n: dict) -> str:
    if not n.get("endpoints"):
        return NOT_MEASURABLE
    if n["outside_low"] >= CURTAIN_OUTSIDE[0]:
        return NOT_SUPPORTED
    if n["outside_high"] <= CURTAIN_OUTSIDE[1]:
        return SUPPORTED
    return PARTLY


def claim_curtain(data: Data, opts: dict | None = None) -> Claim:
    from analysis.metrics import chips

    p = _params(CHIPS_REPORT, opts)
    cn = chips.endpoint_shares(data.openrouter_endpoints, vocab.CHINA, p["include_disabled"], p.get("by_model", False))
    us = chips.endpoint_shares(data.openrouter_endpoints, vocab.US, p["include_disabled"])
    joint = chips.joint_per_year(data.models).filter(pl_year_between(2020, data.models["release_date"].max().year - 1))
    n = {k: v for k, v in cn.items() if k != "hosts"}
    n.update(us_endpoints=us["endpoints"], us_by_china=us["counts"][vocab.CHINA],
             joint={r["year"]: r["joint"] for r in joint.iter_rows(named=True)})
    c = cn["counts"]
    years = sorted(n["joint"])
    jt = (f" US–China joint notable models: {n['joint'][years[0]]} in {years[0]}, {n['joint'][years[-1]]} in "
          f"{years[-1]}." if years else "")
    day = data.openrouter_endpoints["source_file"].str.extract(r"(\d{4}-\d{2}-\d{2})").max()
    n["day"] = day
    own = "" if p.get("by_model") else f" ({cn['lab_own']} by the labs themselves)"
    what = (f"Of {cn['models']} Chinese-made models on OpenRouter on {day} (each counted once, by its most foreign "
            "known host), " if p.get("by_model") else
            f"Of the {cn['endpoints']} OpenRouter endpoints of {cn['models']} Chinese-made models on {day}, ")
    finding = (what +
               f"{c[vocab.CHINA]} ({_pct_or(cn['shares'][vocab.CHINA])}) are run by hosts based in China"
               f"{own}, {c[vocab.US]} ({_pct_or(cn['shares'][vocab.US])}) by hosts "
               f"based in the US, {c[vocab.OTHER]} elsewhere and {c['Unknown origin']} "
               f"({_pct_or(cn['shares']['Unknown origin'])}) by {cn['unknown_hosts']} hosts whose country is not "
               f"curated: between {_pct_or(cn['outside_low'])} and {_pct_or(cn['outside_high'])} are served from "
               f"outside China. {us['counts'][vocab.CHINA]} of {us['endpoints']} endpoints of US-made models run on "
               f"Chinese hosts.{jt} One Western router's listing, not China's domestic market.")
    return Claim("curtain", "\u201cA digital iron curtain is splitting the market into two technological "
                 "blocs\u201d", finding, f"endpoints of {day}", verdict_curtain(n), RULE_CURTAIN, CHIPS_REPORT,
                 "Who serves whose models", n)


def pl_year_between(lo: int, hi: int):
    import polars as pl

    return (pl.col("year") >= lo) & (pl.col("year") <= hi)


RULE_CONTROL = ("not measurable with these data: no pinned source measures anyone's ability to control AI "
                "development; what they measure is the pace (the slope of each country's capability frontier and "
                "of METR time horizons, with t-intervals of the slopes) and which countries' models the dangerous-capability "
                "evaluations cover, shown as the numbers")


def verdict_control(n: dict) -> str:
    return NOT_MEASURABLE  # control is not in the data, whatever the pace (the rule says why)


def claim_control(data: Data, opts: dict | None = None) -> Claim:
    from analysis.metrics import chips

    p = _params(CHIPS_REPORT, opts)
    countries = [vocab.US, vocab.CHINA]
    g = {r["country_bucket"]: r for r in chips.frontier_growth(data.capability, p["metric"], countries,
                                                               p["growth_start"]).iter_rows(named=True)}
    m = {r["country_bucket"]: r for r in chips.metr_doubling(data.evaluations, countries).iter_rows(named=True)}
    cov = chips.eval_coverage(data.evaluations, data.capability, p["metric"], countries, p["growth_start"])
    n = dict(growth=g, metr=m, coverage=cov.to_dicts(), metric=p["metric"], start=p["growth_start"])

    def grow(c):
        r = g.get(c) or {}
        return (f"{c} {r['slope']:+.1f} points per year ({chips.LEVEL:.0%} interval {r['low']:+.1f} to {r['high']:+.1f}, "
                f"{r['n']} frontier steps)" if r.get("slope") is not None else f"{c}: too few frontier steps")

    def metr(c):
        r = m.get(c) or {}
        if r.get("doubling_months") is None:
            return f"{c}: {r.get('models', 0)} models, no doubling time"
        hi = f"{r['doubling_months_high']:.1f}" if r.get("doubling_months_high") is not None else "unbounded"
        return (f"{c} {r['doubling_months']:.1f} months ({r['doubling_months_low']:.1f} to {hi}; "
                f"{r['models']} models)")

    cv = "; ".join(f"{r['benchmark'].replace('_', ' ')}: {r['evaluated']} US" if r["country_bucket"] == vocab.US
                   else f"{r['evaluated']} Chinese" for r in cov.sort("benchmark", "country_bucket",
                                                                      descending=[False, True]).iter_rows(named=True))
    finding = (f"Pace: the {p['metric'].upper()} frontier since {p['growth_start']} grew {grow(vocab.US)}; "
               f"{grow(vocab.CHINA)}. METR 50% time horizons double every {metr(vocab.US)}; {metr(vocab.CHINA)}. "
               f"Evaluations of dangerous capabilities in the pinned files cover model versions: {cv}. Whether "
               "anyone can still control it is not in the data.")
    return Claim("control", "\u201cDevelopment is moving so fast we might lose our ability to control it\u201d",
                 finding, f"frontier since {p['growth_start']}", verdict_control(n), RULE_CONTROL, CHIPS_REPORT,
                 "Pace and evaluation coverage", n)


RULE_SOUTH = ("not measurable with these data unless a clean table counts users by region or country (none "
              "does): OpenRouter tokens are counted by model and author, Hugging Face downloads by lab, and the "
              "endpoint listing names hosts, not users")


def verdict_south(n: dict) -> str:
    return PARTLY if n.get("user_region_columns") else NOT_MEASURABLE


def claim_south(data: Data, opts: dict | None = None) -> Claim:
    from analysis.store import dictionary

    cols = [f"{t.name}.{c.name}" for t in dictionary.tables() for c in t.columns
            if "user" in c.name and ("region" in c.name or "country" in c.name)]
    n = dict(user_region_columns=cols, tables=len(dictionary.tables()))
    finding = (f"None of the {n['tables']} clean tables counts users by region or country: OpenRouter's tokens are "
               "counted by model and author, Hugging Face downloads by lab, the endpoint listing names hosts. "
               "Whether Chinese models are aimed at or used in the Global South cannot be told from these data."
               if not cols else f"Users by region: {', '.join(cols)}.")
    n["data_end"] = data.models["release_date"].max()
    return Claim("south", "\u201cChina targets the Global South with its AI\u201d", finding,
                 f"clean tables of models to {n['data_end']}", verdict_south(n),
                 RULE_SOUTH, CHIPS_REPORT, "What these data cannot say", n)


CLAIMS = (*CLAIMS, claim_selfreliance, claim_curtain, claim_control, claim_south)
VERDICT_OF.update(selfreliance=verdict_selfreliance, curtain=verdict_curtain, control=verdict_control,
                  south=verdict_south)
REPORT_ORDER = (*REPORT_ORDER[:-1], CHIPS_REPORT, REPORT_ORDER[-1])


def _h20_chips(data: Data, date, n: dict, opts: dict | None = None) -> str:
    """Claim 6's chip evidence: the H20's specifications beside the H800 and the Ascend 910C (Epoch ML Hardware),
    and the Chinese capability frontier's slope before and after the event (metrics.chips.slope_change)."""
    from analysis.metrics import chips

    p = _params(CHIPS_REPORT, {k: v for k, v in (opts or {}).items() if k == "slope_window_days"})
    spec = {f: chips.chip_spec(data.chips, f) for f in ("H20", "H800", "Ascend 910C")}
    pts = chips.frontier_points(data.capability, p["metric"], vocab.CHINA)
    ch = chips.slope_change(pts, date, p["slope_window_days"])
    n.update(chips={f: s and {k: s[k] for k in ("chip", "bf16_tflops", "bandwidth_tbs")} for f, s in spec.items()},
             slope=ch)
    out = ""
    h, h8, a = spec["H20"], spec["H800"], spec["Ascend 910C"]
    if h and h8 and a:
        out += (f" The H20 does {h['bf16_tflops']:.0f} TFLOP/s BF16 against {h8['bf16_tflops']:.0f} for the H800 "
                f"and {a['bf16_tflops']:.0f} for Huawei's Ascend 910C, with more memory bandwidth "
                f"({h['bandwidth_tbs']:.1f} TB/s against {h8['bandwidth_tbs']:.2f} and {a['bandwidth_tbs']:.1f}): "
                "an inference chip more than a training one (Epoch ML Hardware).")
    b, af = ch["before"], ch["after"]
    if b and af:
        out += (f" The Chinese {p['metric'].upper()} frontier rose {b['slope']:.1f} points per year before the event "
                f"and {af['slope']:.1f} after (change {ch['change']:+.1f}, {chips.LEVEL:.0%} interval {ch['low']:+.1f} to "
                f"{ch['high']:+.1f}; {b['n']} and {af['n']} frontier steps): "
                + ("slower after the event." if ch["high"] < 0 else "faster after the event." if ch["low"] > 0
                   else "no change distinguishable from none."))
    return out
