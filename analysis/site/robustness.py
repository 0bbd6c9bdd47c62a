"""How robust each front-page verdict is: the claim measured again under the reasonable alternatives a careful
analyst would try, one choice at a time, and the closest margin of the default answer in the claim's own units.

For every claim (analysis.site.claims) `VARIANTS` declares its alternatives beside the verdict rules: a label and the
choices it changes (report parameters, or the claim's own options such as `price_source`, `us_lab`, `no_pro`,
`years_back`, `weeks_back`, `reading`). `assess(claim, data)` measures the claim under each, applies the same
verdict rule, and gives:

- `holds`: in how many of the variants the verdict is the default's, of `n`;
- `margin`: the default answer's closest call in the claim's units, with the metric's stated uncertainty where
  there is one (ECI: Epoch's 1-point tolerance, the one its catch-up method uses to call two scores equal);
- `too_close`: the default verdict is "too close to call" when its margin lies inside that uncertainty or it holds
  in fewer than half of its variants (`too_close_to_call`).

The front page shows the verdict, "holds in k of n variants" and the margin; each report section a claim links to
shows the table of its variants (`table`).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.core import vocab

TOO_CLOSE = "too close to call"
# a score difference within this many points is no difference (ECI: Epoch's catch-up method calls two scores
# within 1 point equal; analysis.metrics.catchup.TOLERANCE); metrics without a stated uncertainty are absent
SCORE_UNCERTAINTY = {vocab.METRIC_ECI: 1.0}
PRICE_SOURCES = ("llm-prices", "llm-prices-cn", "litellm", "llm-price-cn-tables", "llm-price-syaoranwe")
US_LABS = ("OpenAI", "Anthropic", "Google", "xAI")

VARIANTS: dict[str, tuple[tuple[str, dict], ...]] = {
    "models": (("the year before", {"years_back": 1}),
               ("all Epoch models, not only notable ones", {"notable_only": False})),
    "kimi": (("Artificial Analysis index", {"metric": vocab.METRIC_AA}),
             ("LMArena text (style control)", {"metric": vocab.METRIC_LMARENA_STYLE}),
             ("any lab may answer, not only Chinese ones", {"rival": "any"}),
             ("Artificial Analysis estimates left out", {"include_estimated": False})),
    "prices": (("threshold ECI 125", {"eci_threshold": 125.0}),
               ("threshold ECI 135", {"eci_threshold": 135.0}),
               ("from 2025-01-01", {"start_date": "2025-01-01"}),
               ("blend 1:1", {"blend_ratio": 1.0}),
               ("in CNY", {"currency": "CNY"}),
               *((f"{s} prices alone", {"price_source": s}) for s in PRICE_SOURCES)),
    "perf": (("US leader: the best model that is not a 'pro' tier", {"no_pro": True}),
             *((f"US leader: {lab}'s best", {"us_lab": lab}) for lab in US_LABS),
             ("90% of the score", {"threshold": 0.90}),
             ("blend 1:1", {"blend_ratio": 1.0}),
             ("Artificial Analysis index", {"metric": vocab.METRIC_AA}),
             ("LMArena text (an Elo scale: a ratio of scores means little)", {"metric": vocab.METRIC_LMARENA}),
             *((f"{s} prices alone", {"price_source": s}) for s in PRICE_SOURCES)),
    "open": (("the year before", {"years_back": 1}),
             ("all Epoch models, not only notable ones", {"notable_only": False})),
    "h20": (("60-day windows", {"window_days": 60}),
            ("120-day windows", {"window_days": 120}),
            ("180-day windows", {"window_days": 180}),
            ("all Epoch models, not only notable ones", {"notable_only": False})),
    "catchup": (("tolerance 0.5 points", {"tolerance": 0.5}),
                ("tolerance 2 points", {"tolerance": 2.0}),
                ("Epoch's lag reading (last within S + tolerance)", {"reading": "last_within"}),
                ("LMArena text (style control)", {"metric": vocab.METRIC_LMARENA_STYLE})),
    "default": (("the week before the last complete one", {"weeks_back": 1}),
                ("four weeks before the last complete one", {"weeks_back": 4})),
    "coding": (("top 3", {"top_k": 3}),
               ("top 10", {"top_k": 10}),
               ("the newest data alone (at release cannot make it partly)", {"reading": "end"}),
               ("at release alone (the seed's claim read as history)", {"reading": "release"}),
               ("Epoch AI benchmarks alone", {"source": "epoch"}),
               ("LiveBench categories alone", {"source": "livebench"}),
               ("coding without agentic coding", {"agentic": False}),
               ("any field size (rank among as few as 2 models)", {"min_field": 2})),
    "context": (("the first LiteLLM file (2025-02-06)", {"as_of": "2025-02-06"}),
                ("the LiteLLM file of 2025-10-01", {"as_of": "2025-10-01"}),
                ("Chinese labs only", {"compare": ["DeepSeek", "Alibaba", "Moonshot AI", "Z.ai", "MiniMax",
                                                   "ByteDance"]}),
                ("every lab with a first-party window", {"compare": None}),
                ("LiteLLM windows alone", {"source": "litellm"}),
                ("models.dev windows alone", {"source": "models.dev"}),
                ("OpenRouter first-party endpoints alone", {"source": "openrouter"})),
    "versatile": (("top 3", {"top_k": 3}),
                  ("top 10", {"top_k": 10}),
                  ("the newest data alone (at release cannot make it partly)", {"reading": "end"}),
                  ("at release alone (the seed's claim read as history)", {"reading": "release"}),
                  ("Epoch AI benchmarks alone", {"source": "epoch"}),
                  ("LiveBench categories alone", {"source": "livebench"})),
}


@dataclass(frozen=True)
class Margin:
    text: str  # the closest call, in the claim's units
    inside_uncertainty: bool = False  # the call flips within the metric's stated uncertainty


def _pp(x: float) -> str:
    return f"{x * 100:+.1f} percentage points"


def margin(key: str, n: dict) -> Margin:
    """The default answer's closest call, from the claim's numbers."""
    from analysis.site import claims as cl

    if key == "perf":
        a = n.get("cn_for_us")
        if not a:
            return Margin("no comparison")
        unc = SCORE_UNCERTAINTY.get(a.get("metric"))
        unc_text = f", index uncertainty ±{unc:g} point" if unc is not None else ""
        best, target = a.get("best_follower_score"), a["target_score"]
        if best is None:
            return Margin(f"no priced Chinese model with a score{unc_text}")
        share = best / a["leader_score"]
        text = (f"{a['best_follower_model']} reaches {share:.2%} of {a['leader_model']}'s score "
                f"({best:.2f} vs {target:.2f} needed{unc_text})")
        if a["met"]:
            text += (f"; {a['follower_model']} costs {a['price_share']:.1%} of its price "
                     f"({cl.PERF_PRICE_SHARE:.0%} needed)")
        return Margin(text, unc is not None and abs(best - target) <= unc)
    if key == "prices":
        cn, us = n.get("cn") or {}, n.get("us") or {}
        if cn.get("factor_per_year") is None:
            from analysis.metrics.prices import MIN_TREND_POINTS

            k = cn.get("n", 0)
            return Margin(f"Chinese trend: {k} dated price point{'s' if k != 1 else ''}, {MIN_TREND_POINTS} needed")
        parts = [f"Chinese decline: lower end of the 90% interval ÷{cn['factor_low']:.2f} per year (above ÷1 needed)"]
        if cn.get("cheapest") and us.get("cheapest"):
            parts.append(f"cheapest Chinese price {cn['cheapest'] / us['cheapest']:.2f}× the cheapest US one")
        return Margin("; ".join(parts))
    if key == "models":
        return Margin(f"{n.get('filed'):,} filings vs the claimed {cl.CLAIMED_MODELS:,}; {n.get('orgs_cn')} Chinese vs "
                      f"{n.get('orgs_us')} US organizations")
    if key == "kimi":
        return Margin(f"{n.get('days')} days to match ({cl.KIMI_DAYS[0]} for 'supported', {cl.KIMI_DAYS[1]} for "
                      "'partly')" if n.get("days") is not None else "not matched")
    if key == "open":
        if n.get("open_cn") is None or n.get("open_us") is None:
            return Margin("no shares")
        return Margin(f"open-weights share China − US: {_pp(n['open_cn'] - n['open_us'])}; downloads share China − "
                      f"US: {_pp((n.get('dl_cn') or 0) - (n.get('dl_us') or 0))}")
    if key == "h20":
        return Margin(f"{n.get('after')} releases after vs {n.get('before')} before" if n.get("found") else "no event")
    if key == "catchup":
        e, r = n.get("early_months"), n.get("recent_months")
        if e is None or r is None:
            return Margin("no lag")
        return Margin(f"mean lead in time {r:.1f} months in the last year vs {e:.1f} in the first "
                      f"({r - e:+.1f}; ±{cl.CATCHUP_MONTHS:g} month decides)")
    if key == "default":
        return Margin(f"Chinese share of the last week minus the US share with every unassigned token: "
                      f"{_pp(n['cn_last'] - n['us_upper_last'])}")
    if key == "coding":
        if not n.get("coding_n") and not n.get("math_n"):
            return Margin("no placements")
        return Margin(f"top-tier now on {n['coding_top']} of {n['coding_n']} coding and {n['math_top']} of "
                      f"{n['math_n']} math benchmarks, at release on {n.get('coding_top_rel')} of "
                      f"{n.get('coding_n_rel')} and {n.get('math_top_rel')} of {n.get('math_n_rel')} (half of a "
                      "family's benchmarks needed)")
    if key == "context":
        if not n.get("found"):
            return Margin("no window")
        return Margin(f"Moonshot's largest window {n['window']:,} tokens vs the largest {n['largest']:,} "
                      f"({n['window'] / n['largest']:.0%})")
    if key == "versatile":
        if not n.get("families_n"):
            return Margin("no placements")
        return Margin(f"top-tier now in {n['families_top']} of {n['families_n']} families (two thirds needed; the "
                      f"most of another lab {n['best_other']}), at release in {n.get('families_top_rel')} of "
                      f"{n.get('families_n_rel')} (another lab {n.get('best_other_rel')})")
    return Margin("")


def too_close_to_call(holds: int, n: int, inside_uncertainty: bool) -> bool:
    """The rule: a margin inside the metric's stated uncertainty, or a verdict that holds in fewer than half of
    its variants."""
    return inside_uncertainty or (n > 0 and holds < n / 2)


def assess(claim, data) -> dict:
    """The claim under each of its variants (same verdict rule), the margin and the too-close flag."""
    from analysis.site import claims as cl

    fn = {f.__name__.removeprefix("claim_"): f for f in cl.CLAIMS}[claim.key]
    rows = [dict(variant="default (the report's parameters)", verdict=claim.verdict, finding=claim.finding,
                 same=True)]
    for label, opts in VARIANTS.get(claim.key, ()):
        try:
            c = fn(data, opts)
            verdict, finding = c.verdict, c.finding
        except (ValueError, KeyError, TypeError, ZeroDivisionError, IndexError) as exc:  # a variant the data
            verdict, finding = cl.NOT_MEASURABLE, f"cannot be measured: {exc}"          # cannot answer
        rows.append(dict(variant=label, verdict=verdict, finding=finding, same=verdict == claim.verdict))
    n = len(rows) - 1
    holds = sum(r["same"] for r in rows[1:])
    m = margin(claim.key, claim.numbers)
    close = too_close_to_call(holds, n, m.inside_uncertainty)
    out = dict(holds=holds, n=n, margin=m.text, inside_uncertainty=m.inside_uncertainty, too_close=close,
               shown_verdict=TOO_CLOSE if close else claim.verdict, variants=rows)
    return dict(out, line=line(out))


def line(r: dict) -> str:
    """The front page's robustness line (a claim with no alternative choice to try says so)."""
    if not r["n"]:
        return f"No alternative choice to measure it under; {r['margin']}."
    return f"Holds in {r['holds']} of {r['n']} variants; closest call: {r['margin']}."


def front_page(data=None) -> list[dict]:
    """Every claim for the front page (analysis.site.claims.as_dict) with its robustness; `data` (tests): frames to
    measure on instead of the clean tables, then nothing is kept."""
    from analysis.site import claims as cl

    if data is not None:
        return [cl.as_dict(c, assess(c, data)) for c in cl.claims(data)]
    out = []
    for fn in cl.CLAIMS:
        try:
            out.append(assessed(fn.__name__.removeprefix("claim_"))[0])
        except FileNotFoundError:  # a claim whose tables are missing is left out (as analysis.site.claims.claims)
            continue
    return out


# Each claim is measured once per build inputs: its front-page entry and assessment are kept in
# <executed>/claims/<findings key>/<claim>.json (the key: code, curated data, clean tables, reports.toml;
# analysis.site.fingerprint), with the tables and files the measuring loaded, and a report that shows the claim
# (`show`), or the front page, reads them from there; what they loaded is recorded as loaded again, so a report's
# sources and rebuild rule are those of measuring it. Only the current key's folder is kept.
MEMO = "claims"


def _memo_dir():
    from analysis.core import paths
    from analysis.site import fingerprint

    return paths.executed_dir() / MEMO / fingerprint.findings_key()


def assessed(key: str) -> tuple[dict, dict]:
    """(front-page entry, assessment) of claim `key` on the clean tables, measured once per build inputs (MEMO)."""
    import json
    import shutil

    from analysis.core import loaded
    from analysis.core.atomic import write_text
    from analysis.site import claims as cl

    folder = _memo_dir()
    file = folder / f"{key}.json"
    try:
        kept = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = None
    if isinstance(kept, dict) and {"entry", "assessment", "loaded"} <= set(kept):
        _record(kept["loaded"])
        return kept["entry"], kept["assessment"]
    before = loaded.record()
    loaded.READ.clear()
    loaded.SOURCE_FILES.clear()
    try:
        data = cl.Data()  # its own tables: what this claim loads is what it depends on
        fn = {f.__name__.removeprefix("claim_"): f for f in cl.CLAIMS}[key]
        c = fn(data)
        r = assess(c, data)
        entry = cl.as_dict(c, r)
    finally:
        measured = loaded.record()
        _record(before)
    _record(measured)
    entry = dict(entry, files=loaded_files(measured))  # the front page marks a claim that reads a stale source
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text(file, json.dumps(dict(entry=entry, assessment=r, loaded=measured), default=str))
        for other in folder.parent.iterdir():  # earlier keys' results
            if other != folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
    except OSError:  # a folder this process cannot write: measured again next time
        pass
    return entry, r


def loaded_files(rec: dict) -> list[str]:
    """The upstream files (manifest local paths) behind what a claim's measuring loaded (`analysis.core.loaded`
    record): the rows' source files and the lookups of the tables it read (analysis.site.provenance)."""
    from analysis.site import provenance

    return [e.local_path for e in provenance.report_sources(rec).upstream]


def _record(rec: dict) -> None:
    from analysis.core import loaded

    loaded.READ.update(rec["tables"])
    for label, files in rec["source_files"].items():
        loaded.record_files(label, files)


def show(key: str) -> None:
    """Display, in a report, the robustness of claim `key`'s front-page verdict: the line and the table of its
    variants (at the front page's parameters, the report's defaults)."""
    from IPython.display import Markdown, display

    from analysis.site.tables_html import show_table

    r, t = table(key)
    verdict = (f"**{TOO_CLOSE}** (by the rule: {r['variants'][0]['verdict']})" if r["too_close"]
               else f"**{r['variants'][0]['verdict']}**")
    display(Markdown(f"The front page's verdict on this claim: {verdict}. {line(r)}"))
    display(show_table(t.select("variant", "verdict", "same", "finding"),
               columns={"variant": "Choice changed", "verdict": "Verdict", "same": "Same as default",
                        "finding": "What the data say"},
               caption="The claim under each reasonable alternative, one choice at a time (analysis/site/robustness.py)"))


def table(key: str, data=None):
    """The variants of claim `key` as a frame for its report section: variant, verdict, same as default, finding.
    `data` (tests): frames to measure on instead of the clean tables."""
    import polars as pl

    from analysis.site import claims as cl

    if data is None:
        r = assessed(key)[1]
    else:
        fn = {f.__name__.removeprefix("claim_"): f for f in cl.CLAIMS}[key]
        r = assess(fn(data), data)
    return r, pl.DataFrame([{k: v for k, v in row.items()} for row in r["variants"]],
                           schema={"variant": pl.String, "verdict": pl.String, "finding": pl.String, "same": pl.Boolean})


# --- the chips-and-control claims (analysis.site.claims, report chips_and_control) --------------------------------

VARIANTS.update({
    "selfreliance": (("notable models only", {"model_set": "notable"}),
                     ("large-scale models only", {"model_set": "large_scale"}),
                     ("split at the October 2023 rules (A800/H800 covered)", {"controls_date": "2023-10-17"})),
    "curtain": (("disabled endpoints counted", {"include_disabled": True}),
                ("models counted instead of endpoints (each by its most foreign known host)", {"by_model": True})),
    "control": (("frontier since 2024", {"growth_start": "2024-01-01"}),
                ("LMArena text (style control)", {"metric": vocab.METRIC_LMARENA_STYLE})),
    "south": (),
})
# claims the data cannot measure under any choice: no alternative to try (the rule says why)
NO_ALTERNATIVES = ("south",)
_margin_before_chips = margin


def margin(key: str, n: dict) -> Margin:  # noqa: F811 (the claims above, then the chips claims)
    """The default answer's closest call (the chips-and-control claims added to the ones above)."""
    if key == "selfreliance":
        b, a = n.get("before") or {}, n.get("after") or {}
        if a.get("share_known") is None or b.get("share_known") is None:
            return Margin("too few models of known chips")
        return Margin(f"domestic share of models of known chips {b['share_known']:.0%} before vs {a['share_known']:.0%} "
                      f"after ({b['known']} and {a['known']} models); after, with every unknown counted foreign, "
                      f"{a['low']:.0%} vs {b['high']:.0%} before with every unknown counted domestic")
    if key == "curtain":
        if not n.get("endpoints"):
            return Margin("no endpoints")
        return Margin(f"served from outside China: {n['outside_low']:.0%} to {n['outside_high']:.0%} (unknown hosts "
                      "decide; 25% and 10% are the rule's lines)")
    if key in ("control", "south"):
        return Margin("not measurable: nothing to be close to")
    return _margin_before_chips(key, n)
