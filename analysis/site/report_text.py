"""What each report is about, in words a reader follows, written from the report's own parameters.

`summary(notebook, params)` is the index card's summary and `question(notebook, params)` the question a report
states under its title, so a variant (90% threshold, CNY, another metric) says what it measures, not what the
default report measures. `params` are the report's full parameters (the notebook's defaults under the report's
settings). `CLAIMS_ANSWERED` says which front-page claims (analysis.site.claims) each notebook answers; the index
orders its cards by it.
"""

from __future__ import annotations

import datetime as dt

from analysis.core import vocab

METRIC_NAMES = vocab.METRIC_NAMES
CLAIMS_ANSWERED = {"release_pace": (1, 5), "catch_up": (2, 7), "price_war": (3,), "performance_per_dollar": (4,),
                   "policy_timeline": (6,), "adoption": (8,), "replication": (),
                   "builders": (9, 10, 11)}
CLAIMS_ANSWERED["chips_and_control"] = (12, 13, 14, 15)  # self-reliance, iron curtain, control, Global South
RIVAL_WORDS = {"same_country": "another lab of the same country", "other_country": "a lab of the other country",
               "any": "any other lab"}


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric)


def _since(date) -> str:
    return f"since {dt.date.fromisoformat(date):%B %Y}" if date else "over all the data"


def _pct(x: float) -> str:
    return f"{x:.0%}"


def full_parameters(notebook: str, parameters: dict) -> dict:
    """The notebook's declared defaults under `parameters`."""
    from analysis.site import params

    return {**{p.name: p.default for p in params.spec(notebook) or []}, **(parameters or {})}


def question(notebook: str, p: dict) -> str:
    """The question the report answers, with its parameters in it (shown under the report's title)."""
    if notebook == "performance_per_dollar":
        return (f"Does a Chinese model give {_pct(p['threshold'])} of the best US model's score on the "
                f"{metric_name(p['metric'])}, and for what share of its price? Prices in {p['currency']}, blended "
                f"{p['blend_ratio']:g}:1 input:output; the reverse view (the best Chinese model, the cheapest US "
                "model near it) is shown too.")
    if notebook == "price_war":
        return (f"How fast do LLM API list prices fall in China and in the US? Prices in {p['currency']}, blended "
                f"{p['blend_ratio']:g}:1 input:output, {_since(p['start_date'])}; the cheapest-model trend counts "
                f"models scoring at least ECI {p['eci_threshold']:g}.")
    return summary(notebook, p)


def summary(notebook: str, p: dict) -> str:
    """The index card's summary of a report with parameters `p` ('' for an unknown notebook)."""
    if notebook == "release_pace":
        what = f"{p['domain'].lower()} models" if p.get("domain") else "models"
        return (f"How many notable AI {what} are released per {p['period']} by organizations in the US, China and "
                f"elsewhere, {_since(p['start_date'])}; how concentrated those releases are across organizations, how many come "
                "with open weights, and how fast the training compute of each country's top models grows. Official "
                "Chinese counts of models and companies are set beside what these data can count.")
    if notebook == "catch_up":
        return (f"The best score each country had reached on the {metric_name(p['metric'])}, "
                f"{_since(p['start_date'])}; the US–China gap in points and in months; and, for each new best of a "
                f"{'lab' if p['scope'] == 'lab' else 'country'}, the days until {RIVAL_WORDS[p['rival']]} released "
                "a model scoring as high.")
    if notebook == "price_war":
        return (f"LLM API list prices in China and the US, in {p['currency']} (blended {p['blend_ratio']:g}:1 "
                f"input:output), {_since(p['start_date'])}: flagship price histories, a price index per country, "
                f"the cheapest model scoring at least ECI {p['eci_threshold']:g} and how fast its price falls, and "
                "every dated price change.")
    if notebook == "performance_per_dollar":
        return (f"Does a Chinese model give {_pct(p['threshold'])} of the best US model's score on the "
                f"{metric_name(p['metric'])} for a fraction of its price, and the reverse? Scores against list "
                f"prices in {p['currency']} (blended {p['blend_ratio']:g}:1), on the newest date and month by month "
                f"{_since(p['start_date'])}.")
    if notebook == "policy_timeline":
        where = (" in " + ", ".join(p["jurisdictions"])) if p.get("jurisdictions") else ""
        return (f"Dated export controls, chip licences, regulation and summits{where}, {_since(p['start_date'])}, "
                f"and the model releases and price cuts in the {p['window_days']} days before and after chosen "
                "events. Timing only: lining up in time does not show an effect.")
    if notebook == "adoption":
        cat = f" for {p['category']}" if p.get("category") else ""
        return (f"Who uses whose models: the share of tokens billed through OpenRouter{cat} that went to Chinese, "
                f"US and other models, week by week, the top models of each country, and Hugging Face downloads of "
                "the labs' open-weights models beside them. One router's traffic, not all API use.")
    if notebook == "builders":
        fams = ", ".join(f.replace("_", " ") for f in p["families"])
        when = f" to {p['as_of']}" if p.get("as_of") else ""
        return (f"Which lab for which job: each lab's best placement at release and in the newest data on the task "
                f"benchmarks of Epoch AI and LiveBench ({fams}), 'top-tier' meaning among the best {p['top_k']} "
                f"models at release, and each lab's largest first-party context window by date{when}. For "
                f"{len(p['labs'])} labs, Chinese and US.")
    if notebook == "chips_and_control":
        which = {"either": "notable or large-scale", "notable": "notable", "large_scale": "large-scale"}[p["model_set"]]
        return (f"Which chips Chinese and US {which} models were trained on (unknown shown as unknown), the "
                "specifications of the chips named in export-control events, whether the Chinese capability frontier "
                f"on the {metric_name(p['metric'])} moved faster after the H20 events, who serves Chinese-made models "
                "on OpenRouter, how fast the frontier moves and which models the dangerous-capability evaluations "
                "cover; and what these data cannot say.")
    if notebook == "replication":
        return ("The project's numbers beside the published ones (Epoch AI, the AI Index), recomputed with the "
                "publishers' own methods and parameters, and what explains each difference.")
    return ""

