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

# choices of the metric functions that notebook parameters name (analysis/params checks them before any run
# without importing the metric modules, and so without polars: `report NAME -p ...` checks in milliseconds)
PERIODS = {"year": "1y", "quarter": "1q", "month": "1mo"}  # analysis.metrics.pace: period -> polars interval
JOINT_MODES = ("own", "credit")  # analysis.metrics.pace: how US–China joint models are counted
RIVALS = ("any", "same_country", "other_country")  # analysis.metrics.catchup: whose earlier best counts
SCOPES = ("lab", "country")  # analysis.metrics.catchup: the unit that catches up
