"""The link steps: the model crosswalk and the dated API aliases, declared steps the build orders through `needs`.

Each reads what it links through the build (one reader per file, shared with the table steps that read the same
file) and gives a value, not a table: the steps that resolve names `need` it by the name it `provides`.

    capability:eci ──┐
    price_rows:* ────┼──> crosswalk:base ──> crosswalk ──> aliases ──> prices:*
    (AA, Epoch model │     (Epoch / AA)       (+ models only      │    capability:aa/lmarena/livebench, models,
     files, exceptions)                       leaderboards and    │    canonical_models, release_date_conflicts
                                              price sources know)─┘

- `crosswalk:base` (provides 'base_crosswalk'): `analysis.curated.crosswalk.build` from the rows the ECI step accepted (a row
  it quarantines, e.g. a release dated after the build date, never becomes a model), the Artificial Analysis records
  (a 'release' that is not a date is an InputError naming file, record and column) and Epoch's model files.
- `crosswalk` (provides 'crosswalk'): the base extended with the models only LMArena, LiveBench or a price source
  know (`analysis.link.canonical.extend`); the price keys are the rows of the price sources' reading steps
  (`price_rows:*`), linked against the base (the table steps link the same rows against the extended crosswalk).
- `aliases` (provides 'aliases'): data/curated/model_aliases.csv, every model_id checked against the crosswalk.
"""

from __future__ import annotations

import datetime as dt

from analysis.clean import eci, leaderboards, models, prices, tasks
from analysis.clean.common import Read, Sources, Step
from analysis.core.errors import InputError
from analysis.curated import crosswalk
from analysis.link import canonical

EXCEPTIONS_FILE = "data/curated/model_crosswalk_capability.csv"
ALIASES_FILE = "data/curated/model_aliases.csv"
EXCEPTIONS_READ = Read(EXCEPTIONS_FILE, "curated", tuple(crosswalk.EXCEPTIONS_COLUMNS))
ALIASES_READ = Read(ALIASES_FILE, "curated", tuple(crosswalk.ALIASES_COLUMNS))
AA_READ = next(r for r in leaderboards.AA_STEP.reads if r.path == crosswalk.AA_FILE)
EPOCH_READS = tuple(r for f in crosswalk.EPOCH_MODEL_FILES for r in models.STEP.reads if r.path == f)
# every pinned LMArena snapshot: a name only an older snapshot lists (a preview renamed or withdrawn since) links
# too, and a leaderboard-only model is first seen in the earliest snapshot listing it
LMARENA_READS = leaderboards.LMARENA_SNAPSHOTS_STEP.reads
LIVEBENCH_READ = next(r for r in leaderboards.LIVEBENCH_STEP.reads if r.path == leaderboards.LIVEBENCH_TABLE)
HISTORY_READ = canonical.HISTORY_READ
# the older LiveBench releases (the builders' task scores read every pinned release): their names are observed like
# the latest release's, each first seen on its own file's snapshot date
LIVEBENCH_OLDER_READS = tuple(tasks.livebench_table_read(r) for r in tasks.LIVEBENCH_RELEASES
                              if tasks.livebench_table(r) != leaderboards.LIVEBENCH_TABLE)


def clean_base(src: Sources, eci_result, registry, today: dt.date | None = None) -> crosswalk.Crosswalk:
    """The Epoch / AA crosswalk: the ECI step's accepted rows, the AA records, the records of Epoch's model files
    whose release date the models step accepts (`models.release_dated`; `today`: the build date)."""
    exceptions = crosswalk.parse_exceptions(*src[EXCEPTIONS_FILE])
    today = today or dt.date.today()
    epoch = [r for read in EPOCH_READS
             for r in crosswalk.frame_records(models.release_dated(read.path, src[read.path], today))]
    return crosswalk.build(crosswalk.eci_records(eci_result), crosswalk.check_aa(src[crosswalk.AA_FILE]), registry,
                           exceptions, epoch)


def clean_crosswalk(src: Sources, *price_rows, base_crosswalk: crosswalk.Crosswalk, registry,
                    name_orgs) -> crosswalk.Crosswalk:
    """The build's crosswalk: `base_crosswalk` extended with the models only the leaderboards and price sources know
    (analysis.link.canonical). `price_rows`: the values of the price sources' reading steps."""
    periods = crosswalk.parse_aliases(*src[ALIASES_FILE])  # checked against the extended crosswalk by `aliases`
    frames = [prices.link(rows, base_crosswalk, periods).df for rows in price_rows]
    arena_files = [f for r in LMARENA_READS for f in src.files(r.path)]  # the pinned version of each leaderboard
    arena = {f: (src[f], src.snapshot(f)) for f in arena_files}
    livebench = src[LIVEBENCH_READ.path]
    if "model" not in livebench.columns:
        raise InputError(f"{LIVEBENCH_READ.path}: missing column(s) ['model']; found {livebench.columns}")
    leaderboard_names = [n for f in arena_files for n, _ in leaderboards.arena_entries(f, src[f])]
    canonical.check_name_orgs(name_orgs, leaderboard_names + livebench["model"].to_list())
    first = canonical.arena_first_listed(HISTORY_READ.path, src[HISTORY_READ.path], src.snapshot(HISTORY_READ.path))
    obs = canonical.observe_prices(frames) + canonical.observe_leaderboards(
        name_orgs, arena, livebench["model"].to_list(), src.snapshot(LIVEBENCH_READ.path), first)
    for r in LIVEBENCH_OLDER_READS:
        older = src[r.path]
        if "model" not in older.columns:
            raise InputError(f"{r.path}: missing column(s) ['model']; found {older.columns}")
        obs += canonical.observe_leaderboards(name_orgs, {}, [n for n in older["model"].to_list() if n],
                                              src.snapshot(r.path), first)
    sightings = canonical.observe_aa(crosswalk.check_aa(src[crosswalk.AA_FILE]), src.snapshot(crosswalk.AA_FILE))
    return canonical.extend(base_crosswalk.copy(), obs, {p.alias for p in periods}, registry, sightings)


def clean_aliases(src: Sources, crosswalk: crosswalk.Crosswalk) -> tuple[crosswalk.AliasPeriod, ...]:
    """The dated aliases, every model_id a canonical model of the build's crosswalk."""
    from analysis.curated import crosswalk as xw

    return tuple(xw.parse_aliases(*src[ALIASES_FILE], known_ids=set(crosswalk.model_ids())))


BASE_STEP = Step("crosswalk:base", clean_base, reads=(AA_READ, *EPOCH_READS, EXCEPTIONS_READ), needs=(eci.STEP,),
                 uses=("registry",), provides="base_crosswalk")
CROSSWALK_STEP = Step("crosswalk", clean_crosswalk,
                      reads=(ALIASES_READ, *LMARENA_READS, LIVEBENCH_READ, HISTORY_READ, AA_READ,
                             *LIVEBENCH_OLDER_READS),
                      needs=(*prices.READ_STEPS, BASE_STEP), uses=("registry", "name_orgs"), provides="crosswalk")
ALIASES_STEP = Step("aliases", clean_aliases, reads=(ALIASES_READ,), needs=(CROSSWALK_STEP,), provides="aliases")
STEPS = [BASE_STEP, CROSSWALK_STEP, ALIASES_STEP]
