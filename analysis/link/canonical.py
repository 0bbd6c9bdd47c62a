"""Canonical models beyond the Epoch and Artificial Analysis files: leaderboard-only and price-only models.

The Epoch / AA crosswalk (`analysis.curated.crosswalk.build`, the build's `crosswalk:base` step) knows the models of Epoch's
ECI file, the Artificial Analysis snapshot and Epoch's model files. A model that only LMArena, LiveBench or a price
source names (Doubao-Seed-2.0-Pro, ERNIE-5.0, hunyuan-t1, gpt-5.6-sol, ...) is added here as a canonical model when
its organization is in the registry:

- **Observations.** Every name of the pinned LMArena and LiveBench files, and every price key of the four price
  sources (the rows of the price sources' reading steps, linked against the Epoch/AA crosswalk by the build's
  `crosswalk` step, analysis.link.crosswalk_steps) that resolves to no known
  model. A price key takes its organization from its provider (`data/curated/price_providers.csv`); a leaderboard
  name from the first matching pattern of `data/curated/model_name_orgs.csv` (pattern: a regular expression matched
  at the start of the name's `norm_key`; every row cites the arena's own leaderboard table or the lab's page).
- **Never a model of its own:** a moving alias (a name with 'latest' and no date stamp, or an API id the dated
  aliases file lists), a non-chat price key (`crosswalk.NON_CHAT_RE`), a name whose organization is unknown.
  Each keeps its reason in `Crosswalk.unlinked_reasons` (the build writes them to unlinked_names.csv).
- **One model per spelling.** Names meet in one canonical model when their `norm_key`, with context-size tokens
  ('-32k', '-128k') dropped, is equal ignoring hyphens: 'gpt-5.6-sol' (llm-prices) and 'gpt-5-6-sol' (llm-prices-cn),
  'Baichuan3-Turbo' and 'Baichuan3-Turbo-128k'. Its `model_id` is the slug of the shortest of its names.
- **One release date, by precedence** (`release_date_basis` in the `canonical_models` table):
  1. 'eci': Epoch's ECI file; 2. 'aa': Artificial Analysis 'release' (also for a model added here whose name an
     AA record the crosswalk could not place spells: AA dates releases); 3. 'epoch_models': Epoch's model files'
     'Publication date' (these three as `analysis.curated.crosswalk` orders them);
  4. 'source_date': a date the source itself gives: the earliest stated start of the key's price (llm-prices
     `from_date`) or a full date stamp in the name ('hunyuan-turbos-20250416' -> 2025-04-16), the earliest of them
     that is not later than the model's first sighting (a price start stated after the name was already listed
     is not its release);
  5. 'first_seen': no source dates the release. `release_date` is null, never a snapshot's date, and
     `first_seen` holds the earliest date any pinned file lists a name of the model (the first price snapshot
     listing the key; for LMArena names the first leaderboard release of the pinned LMArena history 2023-05..2025-02
     listing the id, else the leaderboard file's snapshot date): an upper bound of the release. Time-based
     metrics leave these models out and count them (`analysis.metrics.catchup.undated`, `prices.undated_at`).
  The dates come from every name that resolves to the model once all are added, as the table steps resolve
  them ('hunyuan-hy3-preview' folds to the price key 'hunyuan-hy3': its LMArena file bounds that model); a model
  no name resolves to is dropped. Where the stated dates of one model disagree by more than 7 days, the choice and
  the farthest alternative go to `release_date_conflicts`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from analysis.acquire import manifest
from analysis.acquire.readers import read_csv_strings
from analysis.clean.common import Ledger, Read, Sources, Step, StepResult, concat_quarantine, counts_frame, date_problem
from analysis.clean.models import MAX_DATE_DAYS, RELEASE_CONFLICTS
from analysis.core import vocab
from analysis.core.errors import InputError
from analysis.core.rules import slug
from analysis.core.vocab import BASES, DATED_BASES  # noqa: F401  (named here too)
from analysis.curated import crosswalk, registry
from analysis.curated.crosswalk import PRICE_SOURCES, Crosswalk, Model, alias_id, norm_key
from analysis.curated.inputs import NAME_ORGS_FILE, NameOrg, load_name_orgs, org_of  # noqa: F401  (named here too)
from analysis.link.canonical_models import CANONICAL_MODELS

LEADERBOARD_SOURCES = ("lmarena", "livebench")
AA_SOURCE = "artificial_analysis"  # the source name of the AA records in the crosswalk and its exceptions

MOVING = "moving alias (no sourced target)"
NON_CHAT = "non-chat mode"
NO_ORG = "organization unknown (no pattern of data/curated/model_name_orgs.csv matches)"
KEPT = "kept unlinked by data/curated/model_crosswalk_capability.csv (a moving id; see its reason)"

_CTX_RE = re.compile(r"-\d+k(?=-|$)")
_NAME_DATE_RE = re.compile(r"(?:^|-)(20\d\d)-?(\d\d)-?(\d\d)(?=-|$)")


def name_date(name: str) -> dt.date | None:
    """A full date stamp in a name ('hunyuan-turbos-20250416', 'hunyuan-large-2025-02-10'), else None."""
    m = _NAME_DATE_RE.search(norm_key(name))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def is_moving(name: str, alias_ids: set[str]) -> bool:
    """A moving alias: an API id the dated aliases file lists, or a name with 'latest' and no date stamp."""
    a = alias_id(name)
    return a in alias_ids or ("latest" in a and name_date(name) is None)


def group_key(name: str) -> str:
    """Names with the same group key are one canonical model: the slug of the name without provider prefix,
    context sizes ('-32k') and hyphens ('gpt-5.6-sol' = 'gpt-5-6-sol'). Not `norm_key`, which drops suffixes such
    as '-medium' or '-beta' that name a different model of a price list ('yi-medium', 'grok-beta')."""
    return _CTX_RE.sub("", slug(display_name(name))).replace("-", "")


def display_name(name: str) -> str:
    """A price key without its provider prefix and ':suffix' ('dashscope/qwen-max:free' -> 'qwen-max')."""
    return name.split(":")[0].rsplit("/", 1)[-1].strip()


@dataclass(frozen=True)
class Observation:
    """One name as one source shows it: its organization (None: unknown), the first day a pinned snapshot shows
    it, and a date the source itself gives (`source_date`), if any."""
    source: str
    name: str
    organization: str | None
    first_seen: dt.date
    source_date: dt.date | None = None
    linked: bool = False  # resolved by the Epoch/AA crosswalk (or a dated alias) already


def _resolve(cw: Crosswalk, o: Observation) -> Model | None:
    """The model a name resolves to, as the table steps resolve it."""
    if o.source in PRICE_SOURCES:
        return cw.lookup_price(o.name, o.source)[0]
    return cw.lookup(o.name, o.source)


def _resolves(cw: Crosswalk, o: Observation) -> bool:
    return o.linked or _resolve(cw, o) is not None


@dataclass(frozen=True)
class Conflict:
    model_id: str
    model: str
    release_date: dt.date
    release_date_source: str
    alternative_date: dt.date
    alternative_source: str


def extend(cw: Crosswalk, observations: list[Observation], alias_ids: set[str] = frozenset(),
           reg: registry.Registry | None = None, sightings: list[Observation] = ()) -> Crosswalk:
    """Add a canonical model for every group of unresolved names whose organization is known (see the module
    doc); record why the others stay unlinked (`cw.unlinked_reasons`) and the release-date disagreements
    (`cw.conflicts`). `sightings` never make a model but date the added models their names resolve to (the
    Artificial Analysis records whose creator the registry does not know: their file lists the model, and AA
    dates releases). `cw` is changed in place and returned."""
    reg = reg or registry.load()
    groups: dict[str, list[Observation]] = {}
    for o in observations:
        if _resolves(cw, o):
            continue
        if cw.exceptions.get((o.source, o.name)) == crosswalk.UNLINKED:
            cw.unlinked_reasons[(o.source, o.name)] = KEPT
        elif is_moving(o.name, set(alias_ids)):
            cw.unlinked_reasons[(o.source, o.name)] = MOVING
        elif o.source in PRICE_SOURCES and crosswalk.NON_CHAT_RE.search(o.name):
            cw.unlinked_reasons[(o.source, o.name)] = NON_CHAT
        elif o.organization is None or o.organization not in reg.orgs:
            cw.unlinked_reasons[(o.source, o.name)] = NO_ORG
        else:
            groups.setdefault(group_key(o.name), []).append(o)
    ids = dict(cw.model_ids())
    added: dict[str, list[Observation]] = {}  # Model.key of each model added here -> its group's observations
    for _, obs in sorted(groups.items()):
        names = sorted({display_name(o.name) for o in obs}, key=lambda n: (len(slug(n)), n))
        display = names[0]
        mid = slug(display)
        known = ids.get(mid) or ids.get(mid.replace("-", ""))
        if known is not None:  # a known model's id spelled as a name: 'glm-4-0520' is Epoch's 'GLM-4 (0520)'
            for o in obs:
                _alias(cw, o.name, known)
            continue
        orgs = tuple(dict.fromkeys(o.organization for o in sorted(obs, key=_source_rank)))[:1]
        m = _dated(Model(mid, display, None, orgs, registry.bucket([reg.orgs[x].country for x in orgs]), None,
                         origin="", basis=""), obs)
        cw.models[m.key] = m
        ids.setdefault(mid, m.key)
        for o in obs:
            _alias(cw, o.name, m.key)
        added[m.key] = obs
    cw._ids = cw._compact = None
    # Date each added model by every name that resolves to it, as the table steps will resolve them: a name of one
    # group may fold to the key of another ('hunyuan-hy3-preview' -> 'hunyuan-hy3'), and its sighting bounds that
    # model's release. A model no name resolves to is not a model of its own (its names all belong to another).
    resolved: dict[str, list[Observation]] = {}
    for o in [o for obs in added.values() for o in obs] + list(sightings):
        m = _resolve(cw, o)
        if m is not None and m.key in added:
            resolved.setdefault(m.key, []).append(o)
    rekey: dict[str, str | None] = {}
    for key in added:
        old = cw.models.pop(key)
        if key not in resolved:
            rekey[key] = None
            continue
        m = _dated(old, resolved[key])
        cw.models[m.key] = m
        rekey[key] = m.key
        if m.release_date is not None:
            c = _conflict(m, resolved[key])
            if c is not None:
                cw.conflicts.append(c)
    for k, mk in list(cw.keys.items()):
        if mk in rekey:
            if rekey[mk] is None:
                del cw.keys[k]
            else:
                cw.keys[k] = rekey[mk]
    cw._ids = cw._compact = None
    return cw


def _dated(m: Model, obs: list[Observation]) -> Model:
    """`m` with its release date from the observations of its names (module doc): the earliest date a source
    gives that is not later than the first sighting ('source_date'), else none ('first_seen': the first pinned
    file listing a name is an upper bound, never a release date). `first_seen` is always the first sighting."""
    seen_day, seen_src = min((o.first_seen, o.source) for o in obs)
    stated = [(o.source_date, o.source) for o in obs if o.source_date is not None and o.source_date <= seen_day]
    aa = [d for d, src in stated if src == AA_SOURCE]
    if aa:
        (day, src), basis = (min(aa), "aa"), "aa"
    elif stated:
        (day, src), basis = min(stated), "source_date"
    else:
        (day, src), basis = (None, seen_src), "first_seen"
    return Model(m.model_id, m.model, day, m.organizations, m.country_bucket, m.open_weights, origin=src,
                 basis=basis, first_seen=seen_day)


def _conflict(m: Model, obs: list[Observation]) -> Conflict | None:
    """The farthest other date a source gives for a dated model, when more than MAX_DATE_DAYS away."""
    alts = [(o.source_date, f"{o.source} (source_date)") for o in obs
            if o.source_date is not None and abs((o.source_date - m.release_date).days) > MAX_DATE_DAYS]
    if not alts:
        return None
    d, s = max(alts, key=lambda a: (abs((a[0] - m.release_date).days), a[1]))
    return Conflict(m.model_id, m.model, m.release_date, m.release_date_basis, d, s)


def _alias(cw: Crosswalk, name: str, model_key: str) -> None:
    """Register a name of a model added here without taking a key another model holds or shares."""
    k = norm_key(name)
    if k and k not in cw.keys and k not in cw.ambiguous:
        cw.keys[k] = model_key


def _source_rank(o: Observation) -> tuple[int, str]:
    order = (*PRICE_SOURCES, *LEADERBOARD_SOURCES)
    return (order.index(o.source) if o.source in order else len(order), o.name)


# --- observations from the pinned files ---------------------------------------------------------------

LMARENA_HISTORY = "capability/nakasyou_lmarena-history/result_wide_elo_2023-05-08_to_2025-02-27.csv"
HISTORY_READ = Read(LMARENA_HISTORY, columns=())


def arena_first_listed(local_path: str = LMARENA_HISTORY, df: pl.DataFrame | None = None,
                       snapshot: dt.date | None = None, led: Ledger | None = None) -> dict[str, dt.date]:
    """LMArena id -> the first leaderboard release listing it with a rating, from the pinned history (one row per
    release date 'YYYYMMDD', one column per model id, 0.0 = not listed). `df`: the file as the build's CSV reader
    loaded it (read here with the same reader when not given); `snapshot`: the file's snapshot date (the
    manifest's when not given). A release dated out of range (the date rule of analysis.clean.common: before
    1940, after the snapshot date + 2 days) is never used: it goes to `led` (the `canonical_models` step's
    ledger) with its reason."""
    df = df if df is not None else read_csv_strings(local_path, [])
    snapshot = snapshot or dt.date.fromisoformat(manifest.entry(local_path).snapshot_date)
    led = led or Ledger(CANONICAL_MODELS.name)
    led.count_in(local_path, len(df))
    date_col = df.columns[1]  # the unnamed first column: the release date
    out: dict[str, dt.date] = {}
    for r in df.iter_rows(named=True):
        text = (r[date_col] or "").strip()
        try:
            day = dt.datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            raise InputError(f"{local_path}: record {r['source_row']}, column 1: {text!r} is not a YYYYMMDD date") \
                from None
        if (reason := date_problem(day, snapshot, "leaderboard release")) is not None:
            led.reject(local_path, r["source_row"], text, "release date (column 1)", reason)
            continue
        for name, v in r.items():
            if name in ("source_row", date_col) or not v:
                continue
            try:
                listed = float(v) > 0
            except ValueError:
                raise InputError(f"{local_path}: record {r['source_row']}, column {name!r}: {v!r} is not a "
                                 "number") from None
            if listed and (name not in out or day < out[name]):
                out[name] = day
    return out


def check_name_orgs(rules: tuple[NameOrg, ...] | list[NameOrg], names) -> None:
    """The patterns of data/curated/model_name_orgs.csv checked as data against the names they are applied to (the
    leaderboard names of the build): a pattern that matches every name (a catch-all such as `.*`, which would give
    every leaderboard-only model its organization) or none of them is an InputError naming the record."""
    keys = {k for k in (crosswalk.norm_key(n) for n in names) if k}
    if len(keys) < 2:
        return
    label = f"data/curated/{NAME_ORGS_FILE}"
    for r in rules:
        n = sum(1 for k in keys if r.pattern.match(k))
        if n in (0, len(keys)):
            what = "none" if n == 0 else "every one"
            raise InputError(f"{label}: record {r.record} (line {r.record + 1}), column 'pattern': "
                             f"{r.pattern.pattern!r:.60} matches {what} of the {len(keys)} leaderboard names it is "
                             "applied to (a pattern names the models of one organization)")


def observe_leaderboards(rules: tuple[NameOrg, ...], arena: dict[str, tuple[object, dt.date]],
                         livebench_names: list[str], livebench_day: dt.date,
                         first: dict[str, dt.date]) -> list[Observation]:
    """Every name of the LMArena files (`arena`: path -> (its JSON, snapshot date)) and the LiveBench table the
    capability steps read, with its organization by pattern, its first seen date (the first release of the pinned
    LMArena history listing it, `first`, else the file's snapshot date) and a date stamp in the name as its own
    date."""
    from analysis.clean import leaderboards

    out = []
    for path, (data, day) in arena.items():
        out += [Observation("lmarena", n, org_of(n, rules), min(first.get(n, day), day), name_date(n))
                for n, _ in leaderboards.arena_entries(path, data)]
    for n in livebench_names:
        out.append(Observation("livebench", n, org_of(n, rules), livebench_day, name_date(n)))
    return out


def observe_aa(records: list[dict], day: dt.date) -> list[Observation]:
    """Every record of the Artificial Analysis file: its slug, seen on the file's snapshot date (`day`), with AA's
    'release' (`crosswalk.aa_release`, the crosswalk's own rule) as its date (a sighting: used by `extend` to date
    the models only other sources add)."""
    return [Observation(AA_SOURCE, r["slug"], None, day, crosswalk.aa_release(r, i))
            for i, r in enumerate(records, start=1) if isinstance(r.get("slug"), str)]


def observe_prices(frames: list[pl.DataFrame]) -> list[Observation]:
    """One observation per (source, price key) of price tables linked against the Epoch/AA crosswalk: its
    provider's organization, first snapshot showing it, earliest stated start of its base price."""
    out = []
    for df in frames:
        if df.is_empty():
            continue
        g = df.group_by("source", "model_key", maintain_order=True).agg(
            (pl.col("crosswalk") != "unlinked").any().alias("linked"),
            pl.col("organization").drop_nulls().first().alias("organization"),
            pl.col("observed_from").min().alias("first_seen"),
            pl.col("valid_from").filter((pl.col("date_basis") == "stated") & (pl.col("price_kind") == "base"))
            .min().alias("stated"))
        for r in g.sort("source", "model_key").iter_rows(named=True):
            out.append(Observation(r["source"], r["model_key"], r["organization"], r["first_seen"],
                                   r["stated"] or name_date(r["model_key"]), r["linked"]))
    return out


# --- tables -------------------------------------------------------------------------------------------

def clean(src: Sources | None, crosswalk: Crosswalk) -> StepResult:
    """`canonical_models` from the build's crosswalk, with the row accounting of the LMArena history it dates by

    The history (`src`: that file) is read by the crosswalk step for first-seen dates; here its records are
    counted in and its releases dated out of range go to quarantine (the same rule the crosswalk step applied;
    the history gives no rows of this table itself)."""
    cw = crosswalk
    led = Ledger(CANONICAL_MODELS.name)
    if src is not None and HISTORY_READ.path in src.paths():
        arena_first_listed(HISTORY_READ.path, src[HISTORY_READ.path], src.snapshot(HISTORY_READ.path), led)
    rows = [dict(model_id=m.model_id, model=m.model, organizations=list(m.organizations),
                 country_bucket=m.country_bucket, release_date=m.release_date, release_date_basis=m.release_date_basis,
                 first_seen=m.first_seen, origin=m.origin)
            for m in sorted(cw.models.values(), key=lambda m: (m.model_id, m.sort_date))]
    df = pl.DataFrame(rows, schema={c.name: c.dtype for c in CANONICAL_MODELS.columns}) if rows \
        else CANONICAL_MODELS.empty()
    return led.result(CANONICAL_MODELS, df, one_row_per_record=False)


def clean_conflicts(src, crosswalk: Crosswalk) -> StepResult:
    """The release-date disagreements of the models added here (`release_date_conflicts`, beside those of
    `models`)."""
    cw = crosswalk
    schema = {c.name: c.dtype for c in RELEASE_CONFLICTS.columns}
    rows = [dict(model_id=c.model_id, model=c.model, release_date=c.release_date,
                 release_date_source=c.release_date_source, alternative_date=c.alternative_date,
                 alternative_source=c.alternative_source, days_apart=(c.alternative_date - c.release_date).days)
            for c in sorted(cw.conflicts, key=lambda c: c.model_id)]
    df = pl.DataFrame(rows, schema=schema) if rows else RELEASE_CONFLICTS.empty()
    return StepResult(RELEASE_CONFLICTS, RELEASE_CONFLICTS.validate(df), concat_quarantine([]), counts_frame([]))


STEP = Step("canonical_models", clean, reads=(HISTORY_READ,), needs=("crosswalk",))
CONFLICTS_STEP = Step("release_date_conflicts:canonical", clean_conflicts, needs=("crosswalk",))


# --- coverage of the capability sources ---------------------------------------------------------------

def _bucket_of(name: str, rules, reg: registry.Registry) -> str | None:
    org = org_of(name, rules)
    return registry.bucket([reg.orgs[org].country]) if org in reg.orgs else None


def capability_names(result: StepResult, rules, reg: registry.Registry) -> pl.DataFrame:
    """One row per distinct (source file, name) of the capability sources: linked, country bucket (the linked
    model's, else the organization of the name's pattern; null when unknown), reason when unlinked."""
    used = result.df.select("source_file", pl.col("source_model").alias("name"), "country_bucket",
                            pl.lit(True).alias("linked"), pl.lit(None, pl.String).alias("reason")
                            ).unique(["source_file", "name"], keep="first", maintain_order=True)
    q = result.quarantine.filter(pl.col("column") == "name").unique(["source_file", "key"], keep="first", maintain_order=True)
    missed = pl.DataFrame({
        "source_file": q["source_file"], "name": q["key"],
        "country_bucket": pl.Series([_bucket_of(k, rules, reg) for k in q["key"].to_list()], dtype=pl.String),
        "linked": pl.Series([False] * len(q), dtype=pl.Boolean), "reason": q["reason"]})
    return pl.concat([used, missed]).sort("source_file", "name")


def _share(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.0%})" if b else "0/0"


def capability_coverage_report(result: StepResult, rules, reg: registry.Registry) -> str:
    """One line per capability source file: distinct names linked / total, and the same for US and Chinese labs."""
    names = capability_names(result, rules, reg)
    lines = ["  crosswalk coverage of capability names (linked / distinct names; US and Chinese labs):"]
    for f in result.counts["source_file"].to_list():
        n = names.filter(pl.col("source_file") == f)
        us, cn = n.filter(pl.col("country_bucket") == vocab.US), n.filter(pl.col("country_bucket") == vocab.CHINA)
        lines.append(f"    {f:<80} {_share(n['linked'].sum(), len(n)):<15} US {_share(us['linked'].sum(), len(us)):<15}"
                     f" China {_share(cn['linked'].sum(), len(cn))}")
    return "\n".join(lines)


def unlinked_capability(result: StepResult, rules, reg: registry.Registry) -> pl.DataFrame:
    """Capability names that resolve to no canonical model, with their country bucket (when the organization is
    known) and reason, in the unlinked-names file's columns."""
    n = capability_names(result, rules, reg).filter(~pl.col("linked"))
    return n.select(pl.col("source_file").alias("source"), "name", "country_bucket", "reason")
