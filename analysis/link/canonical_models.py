"""The `canonical_models` table: every canonical model of the project crosswalk with its one release date.

Built by `analysis.link.canonical.clean` from the build's crosswalk (`analysis.curated.crosswalk` for the Epoch and Artificial
Analysis models, `analysis.link.canonical` for the models only leaderboards and price sources know); the precedence of
`release_date_basis` is documented there.
"""

from __future__ import annotations

import polars as pl

from analysis.core.schema import COUNTRY_BUCKETS, Column, Table
from analysis.core.vocab import BASES, RELEASE_DATE_BASIS_DOC

CANONICAL_MODELS = Table(
    name="canonical_models",
    description="Every canonical model of the project crosswalk (the models every source's names resolve to), "
    "with its one release date and where that date comes from.",
    primary_key=("model_id", "release_date"),
    columns=(
        Column("model_id", pl.String, "Canonical model id (shared by `capability`, `prices`, `models`).",
               nullable=False),
        Column("model", pl.String, "Model name as the source that introduced it spells it.", nullable=False),
        Column("organizations", pl.List(pl.String), "Canonical organizations (data/curated/organizations.csv).",
               nullable=False),
        Column("country_bucket", pl.String, "US–China bucket of the organizations.", nullable=False,
               allowed=COUNTRY_BUCKETS),
        Column("release_date", pl.Date, "The model's one release date, by the precedence of `release_date_basis`; "
               "null when no source dates the release ('first_seen': see `first_seen`).", nullable=True),
        Column("release_date_basis", pl.String, RELEASE_DATE_BASIS_DOC, nullable=False, allowed=BASES),
        Column("first_seen", pl.Date, "Models only leaderboards or price sources know: the date of the earliest "
               "pinned file listing a name of the model (a price snapshot, the LMArena history release, the "
               "leaderboard file): the model was released on or before it. Null for the models Epoch or "
               "Artificial Analysis date.", nullable=True),
        Column("origin", pl.String, "The source that introduced the model: 'eci', 'aa', 'epoch_models', "
               "'lmarena', 'livebench' or a price source.", nullable=False),
    ),
)
