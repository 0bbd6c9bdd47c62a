"""How old each source's data is on the day the site is built, from the manifest.

A source is one upstream publisher's data set: the manifest's `dataset`, split by upstream repository where one
`dataset` holds files of unrelated publishers (`adoption`: Hugging Face activity, the ATOM Project's regions,
OpenRouter). Its data run to the newest `snapshot_date` of its pinned files (the manifest's date the data run
to); its age is the number of days from that date to the build day. A source whose data are older than
`stale_after_months` calendar months on the build day is stale (the threshold is a declared parameter:
`[site] stale_after_months` in notebooks/reports.toml, checked by analysis/site/params/site.py), unless it is a
closed record by design (FIXED: its age is shown with the reason, never a stale mark).

The front page lists every source with its date, age and status (`sources`), and marks each claim whose measuring
read a file of a stale source (`stale_for`: from the files the claim loaded, analysis.site.robustness.assessed).
Nothing here is typed by hand: dates come from data/manifest.csv, the build day from the index.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass

from analysis.acquire import manifest
from analysis.core import paths

DAYS_PER_MONTH = 365.2425 / 12

NAMES, SPLIT = manifest.SOURCE_NAMES, manifest.SPLIT  # the reader-facing name of each source
# Sources that are a closed record by design, read for what they recorded and not expected to move: their age is
# shown, but they are never stale (the reason is shown instead).
FIXED: dict[str, str] = {
    "lmarena_history": "a closed history of leaderboard releases, read only for the date a model was first listed",
    "epoch_price_trends": "the inputs of one Epoch AI publication, replicated as published",
}  # datasets whose files come from several unrelated publishers: one source per repository


source_key = manifest.source_key


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months (the last day of a shorter month where the day does not exist)."""
    import calendar

    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    files: tuple[str, ...]
    data_to: dt.date  # the newest snapshot date of its files
    built: dt.date  # the build day
    stale_after_months: int

    @property
    def age_days(self) -> int:
        return (self.built - self.data_to).days

    @property
    def age_months(self) -> float:
        return self.age_days / DAYS_PER_MONTH

    @property
    def fixed(self) -> str | None:
        """Why the source is a closed record (FIXED), or None."""
        return FIXED.get(self.key)

    @property
    def stale(self) -> bool:
        return self.fixed is None and add_months(self.data_to, self.stale_after_months) < self.built

    def age_text(self) -> str:
        d = self.age_days
        if d < 0:
            return f"{-d} days after the build day"
        return f"{d} days" if d < 61 else f"{self.age_months:.1f} months ({d} days)"

    def as_dict(self) -> dict:
        return dict(key=self.key, name=self.name, files=list(self.files), data_to=self.data_to.isoformat(),
                    age_days=self.age_days, age=self.age_text(), stale=self.stale, fixed=self.fixed)


def sources(built: dt.date, stale_after_months: int, entries: list[manifest.Entry] | None = None) -> list[Source]:
    """Every source of the manifest with the date its data run to and its age on `built`, oldest data first."""
    entries = entries if entries is not None else manifest.load()
    files: dict[str, list[manifest.Entry]] = {}
    for e in entries:
        files.setdefault(source_key(e), []).append(e)
    out = [Source(key=k, name=NAMES.get(k, k), files=tuple(sorted(e.local_path for e in es)),
                  data_to=max(dt.date.fromisoformat(e.snapshot_date) for e in es), built=built,
                  stale_after_months=stale_after_months) for k, es in files.items()]
    return sorted(out, key=lambda s: (s.data_to, s.name))


def stale_for(files, all_sources: list[Source]) -> list[Source]:
    """The stale sources among those of `files` (manifest local paths; curated files are the project's own and have
    no age here)."""
    files = set(files or ())
    return [s for s in all_sources if s.stale and files & set(s.files)]


def check_settings(settings: dict, where: str = "notebooks/reports.toml") -> int:
    """The `[site]` table of notebooks/reports.toml checked against analysis/site/params/site.py; returns the
    threshold (`stale_after_months`, its declared default when not set). A bad value or an unknown setting is a
    ParamError of one line naming it."""
    from analysis.site import params
    from analysis.site.params import site as site_params

    spec = {p.name: p for p in site_params.SPEC}
    if not isinstance(settings, dict):
        raise params.ParamError(f"[site] in {where}: expected a table of settings, found {settings!r:.60}")
    unknown = sorted(set(settings) - set(spec))
    if unknown:
        raise params.ParamError(f"[site] in {where}: unknown setting(s) {unknown}; known: {sorted(spec)}")
    p = spec["stale_after_months"]
    value = settings.get(p.name, p.default)
    params.check(p, value)
    return value


def stale_after_months(path=None) -> int:
    """The threshold of notebooks/reports.toml (`[site] stale_after_months`), else its declared default."""
    path = path or paths.notebooks_dir() / "reports.toml"
    try:
        with open(path, "rb") as f:
            settings = tomllib.load(f).get("site", {})
    except OSError:
        settings = {}
    return check_settings(settings)


def build_day(built_at: str) -> dt.date:
    """The build day of the index's `built_at` ('YYYY-MM-DD HH:MM UTC'); today (UTC) for an index whose `built_at`
    is not a date (written by hand or by a test)."""
    try:
        return dt.date.fromisoformat(str(built_at)[:10])
    except ValueError:
        return dt.datetime.now(dt.UTC).date()
