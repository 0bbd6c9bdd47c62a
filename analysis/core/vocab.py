"""The shared vocabulary, typed once: country buckets and the countries they come from, event jurisdictions and
kinds, capability metric ids and their display names.

Every module names an item through these constants (`vocab.US`, `vocab.JURISDICTION_CN`, `vocab.METRIC_ECI`, ...),
never as a string literal; tests/test_vocab.py fails on a retyped literal anywhere else in analysis/.
"""

from __future__ import annotations

# country buckets of the US-China comparison (`models.country_bucket`, `prices.country_bucket`, ...)
US = "United States"
CHINA = "China"
JOINT = "US–China joint"  # a model with both a US and a Chinese organization
OTHER = "Other"
COUNTRY_BUCKETS = (US, CHINA, JOINT, OTHER)

# countries as the organization registry spells them, and the bucket each falls in; Hong Kong institutions are
# counted with China (Epoch lists Hong Kong separately; the exact country stays in the `countries` column)
COUNTRY_US = US
COUNTRY_CHINA = CHINA
BUCKET_OF_COUNTRY = {COUNTRY_US: US, COUNTRY_CHINA: CHINA, "Hong Kong": CHINA}

# jurisdictions of the `events` table (who acts) and the names charts give them
JURISDICTION_US = "US"
JURISDICTION_CN = "CN"
JURISDICTION_EU = "EU"
JURISDICTION_US_CN = "US-CN"  # bilateral
JURISDICTION_INTL = "INTL"  # multilateral
JURISDICTIONS = (JURISDICTION_US, JURISDICTION_CN, JURISDICTION_EU, JURISDICTION_US_CN, JURISDICTION_INTL)
JURISDICTION_NAMES = {
    JURISDICTION_US: US, JURISDICTION_CN: CHINA, JURISDICTION_EU: "European Union",
    JURISDICTION_US_CN: "US–China (bilateral)", JURISDICTION_INTL: "International",
}

# kinds of event (`events.kind`), a closed list
KIND_EXPORT_CONTROL = "export control"
KIND_ENTITY_LIST = "entity list"
KIND_LICENCE = "licence"
KIND_TARIFF = "tariff"
KIND_TRADE_RETALIATION = "trade retaliation"
KIND_ANTITRUST = "antitrust"
KIND_REGULATION = "regulation"
KIND_LEGISLATION = "legislation"
KIND_EXECUTIVE_ORDER = "executive order"
KIND_STRATEGY = "strategy"
KIND_FILING = "filing"
KIND_SUMMIT = "summit"
KIND_MARKET = "market"
EVENT_KINDS = (
    KIND_EXPORT_CONTROL, KIND_ENTITY_LIST, KIND_LICENCE, KIND_TARIFF, KIND_TRADE_RETALIATION, KIND_ANTITRUST,
    KIND_REGULATION, KIND_LEGISLATION, KIND_EXECUTIVE_ORDER, KIND_STRATEGY, KIND_FILING, KIND_SUMMIT, KIND_MARKET,
)

# capability metrics (`capability.metric`: each its own scale, never mixed) and the names reports give them
METRIC_ECI = "eci"
METRIC_AA = "aa_intelligence_index"
METRIC_LMARENA = "lmarena_text"
METRIC_LMARENA_STYLE = "lmarena_text_style_control"
METRIC_LIVEBENCH = "livebench_2026_01_08_global"  # the release is part of the id: releases are not comparable
METRICS = (METRIC_ECI, METRIC_AA, METRIC_LMARENA, METRIC_LMARENA_STYLE, METRIC_LIVEBENCH)
METRIC_NAMES = {
    METRIC_ECI: "Epoch Capabilities Index (ECI)",
    METRIC_AA: "Artificial Analysis Intelligence Index",
    METRIC_LMARENA_STYLE: "LMArena text arena (style control)",
    METRIC_LMARENA: "LMArena text arena",
    "livebench": "LiveBench",  # report_text names a LiveBench metric by its prefix (the release varies)
}

# choices of the metric functions that notebook parameters name (analysis/site/params checks them before any run
# without importing the metric modules, and so without polars: `report NAME -p ...` checks in milliseconds)
PERIODS = {"year": "1y", "quarter": "1q", "month": "1mo"}  # analysis.metrics.pace: period -> polars interval
JOINT_MODES = ("own", "credit")  # analysis.metrics.pace: how US–China joint models are counted
RIVALS = ("any", "same_country", "other_country")  # analysis.metrics.catchup: whose earlier best counts
SCOPES = ("lab", "country")  # analysis.metrics.catchup: the unit that catches up
# Epoch's 'Domain' values (models.domains; release_pace's `domain`): tests/test_vocab.py checks the clean models
# table uses no other, so a new Epoch domain is added here before a report can be asked for it
DOMAINS = ("3D modeling", "Audio", "Biology", "Driving", "Earth science", "Games", "Image generation", "Language",
           "Materials science", "Mathematics", "Medicine", "Multimodal", OTHER, "Recommendation", "Robotics",
           "Search", "Speech", "Video", "Vision")

# where a canonical model's release date comes from (canonical_models.release_date_basis, capability's too)
BASES = ("eci", "aa", "epoch_models", "source_date", "first_seen")
DATED_BASES = BASES[:-1]  # the bases that give a release date; 'first_seen' gives none
RELEASE_DATE_BASIS_DOC = (
    "Where `release_date` comes from, first that applies: 'eci' (Epoch ECI file 'Release date') > 'aa' "
    "(Artificial Analysis 'release') > 'epoch_models' (Epoch model files' 'Publication date') > 'source_date' (a "
    "date the source itself gives, not later than the first pinned file listing the name: a stated price start, "
    "a date stamp in the name) > 'first_seen' (no source dates the release: `release_date` is null and "
    "`first_seen` holds the upper bound; time-based metrics leave the model out and count it).")

