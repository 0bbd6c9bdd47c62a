"""The shared vocabulary: country buckets and the countries they come from, typed once.

Every module names a bucket through these constants (`vocab.US`, `vocab.CHINA`, ...), never as a string literal;
tests/test_vocab.py fails on a retyped bucket literal anywhere else in analysis/.
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
EVENT_KINDS = (
    "export control", "entity list", "licence", "tariff", "trade retaliation", "antitrust", "regulation",
    "legislation", "executive order", "strategy", "filing", "summit", "market",
)
