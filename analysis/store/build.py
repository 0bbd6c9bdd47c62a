"""`python -m analysis build`: run every cleaning step, check, then write the clean tables.

Each step (analysis.clean.common.Step) declares what it reads, which earlier steps it needs and which curated
inputs it uses; this module alone reads the files (`load`, `sources`: by dataset path, snapshot dates from the
manifest) and calls the step's pure transform (`run_step`), so a step runs on inline inputs in a test.

All steps run in memory first; only when every step and every schema check has passed are the
tables written, so a failed build never leaves a clean table half-written or overwritten by a partial
result. The quarantine table, the row accounting, unlinked_names.csv and coverage.txt are written with
them, all into a new generation folder, and `data/clean/current` is switched to it in one rename
(analysis.store.generations): readers (`paths.tables_dir()`) see the previous complete set or the new one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path
from typing import TextIO

import polars as pl

from analysis.acquire import manifest, versions
from analysis.acquire.readers import decode_text, external_file, read_csv_strings, read_curated, read_json
from analysis.clean import (
    adoption,
    chips,
    eci,
    epoch_prices,
    events,
    leaderboards,
    models,
    openrouter,
    organizations,
    prices,
    tasks,
)
from analysis.clean.common import Read, Sources, Step, StepResult
from analysis.core import paths
from analysis.core.atomic import atomic_path
from analysis.core.schema import QUARANTINE, ROW_COUNTS, Table
from analysis.curated.inputs import Inputs
from analysis.link import canonical, price_conflicts, reference_prices
from analysis.link import crosswalk_steps as link
from analysis.store import generations, tables

# The steps in build order; each declares what it reads, which earlier steps it needs and which curated inputs it
# uses (analysis.clean.common.Step). Several steps may feed the same table (concatenated in order). The price
# sources' reading steps, the crosswalk and the aliases make values, not tables (analysis.link.crosswalk_steps): the steps that
# resolve names need them.
STEPS: list[Step] = [
    organizations.STEP,
    eci.STEP,
    *prices.READ_STEPS,
    *link.STEPS,
    models.STEP,
    models.RELEASE_CONFLICTS_STEP,
    canonical.STEP,
    canonical.CONFLICTS_STEP,
    events.CURATED_STEP,
    events.VORPLABS_STEP,
    events.FILINGS_STEP,
    leaderboards.AA_STEP,
    leaderboards.LMARENA_STEP,
    leaderboards.LIVEBENCH_STEP,
    *prices.STEPS,
    reference_prices.STEP,
    price_conflicts.STEP,
    adoption.STEP,
    *openrouter.STEPS,
    *epoch_prices.STEPS,
    *tasks.STEPS,
    leaderboards.LMARENA_SNAPSHOTS_STEP,
    *chips.STEPS,
]


def load(read: Read):
    """One declared read, with the project's readers (errors name file, record and column)."""
    if read.kind == "curated":
        return read_curated(read.path.removeprefix("data/curated/"), list(read.columns))
    if read.kind == "csv":
        return read_csv_strings(read.path, list(read.columns), final_newline=read.final_newline)
    if read.kind == "json":
        return read_json(read.path)
    if read.kind == "text":
        return decode_text(read.path, external_file(read.path).read_bytes())
    raise ValueError(f"unknown read kind {read.kind!r}")


def expand(read: Read, entries: list[manifest.Entry]) -> list[Read]:
    """The reads of one declared read: itself, or one per pinned version of a family (the newest for 'latest',
    all oldest first for 'all'). A family with no pinned version is an error naming it."""
    if not read.versions:
        return [read]
    pinned = versions.pinned(read.path, [e.local_path for e in entries])
    if not pinned:
        raise manifest.ManifestError(f"{manifest.label(paths.manifest_path())}: no version of {read.path} is "
                                     "pinned (python -m analysis update or pin adds one)")
    chosen = pinned[-1:] if read.versions == "latest" else pinned
    return [dataclasses.replace(read, path=p, versions="") for p in chosen]


def step_reads(step: Step, entries: list[manifest.Entry] | None = None) -> list[Read]:
    """The files `step` reads, its families expanded through the manifest."""
    if any(r.versions for r in step.reads):
        entries = entries if entries is not None else manifest.load()
    return [x for r in step.reads for x in expand(r, entries or [])]


def sources(step: Step, files=None, entries=None, cache: dict[Read, object] | None = None) -> Sources:
    """Load what `step` reads (only `files` of its reads, when given), with each upstream file's snapshot date.
    `cache`: the build's loaded files (each declared read is loaded once per build, whichever steps read it)."""
    declared = [r for r in step.reads if r.kind != "curated"]
    entries = entries if entries is not None else (manifest.load() if declared else [])
    reads = [r for r in step_reads(step, entries)
             if files is None or r.path in files or any(versions.matches(f, r.path) for f in files)]
    dates = {e.local_path: dt.date.fromisoformat(e.snapshot_date) for e in entries}
    data = {}
    for r in reads:
        if cache is None:
            data[r.path] = load(r)
        else:
            if r not in cache:
                cache[r] = load(r)
            data[r.path] = cache[r]
    return Sources(data, {r.path: dates.get(r.path) for r in reads if r.kind != "curated"})


def provider(name: str) -> Step:
    """The step of STEPS that provides the value `name` ('crosswalk', 'aliases', ...)."""
    found = [s for s in STEPS if s.provides == name]
    if len(found) != 1:
        raise ValueError(f"{len(found)} steps provide {name!r}")
    return found[0]


def needed_steps(step: Step) -> list[Step]:
    """The steps `step` needs, a needed value ('crosswalk') resolved to the step that provides it."""
    return [provider(n) if isinstance(n, str) else n for n in step.needs]


def run_step(step: Step, inputs: Inputs | None = None, earlier: dict[Step, object] | None = None, *,
             files=None, entries=None, loaded: dict[Read, object] | None = None, **kwargs):
    """Run one step: load its reads, run the steps it needs that `earlier` lacks, call its transform.
    `files` limits the reads to those paths (also of a needed step that reads one of them); `loaded`: the build's
    loaded files, filled on first use; `kwargs` go to the transform (e.g. `today`). A value a test gives `inputs`
    (`Inputs(cw=...)`, `aliases=...`) stands in for the step providing it. Returns the step's StepResult, or its
    value for a step that makes no table."""
    inputs = inputs if inputs is not None else Inputs()
    earlier = earlier if earlier is not None else {}
    positional, named = [], {}
    for n in needed_steps(step):
        if n.provides in inputs.given:
            value = inputs.given[n.provides]
        else:
            if n not in earlier:
                sub = files if files is not None and any(versions.matches(r.path, f) or r.path in files
                                                         for r in n.reads for f in files) else None
                earlier[n] = run_step(n, inputs, earlier, files=sub, entries=entries, loaded=loaded)
            value = earlier[n]
        if n.provides is not None:
            named[n.provides] = value
        else:
            positional.append(value)
    src = sources(step, files, entries, None if files is not None else loaded)
    return step.fn(src, *positional, **named, **{u: getattr(inputs, u) for u in step.uses}, **kwargs)


def base_crosswalk(reg=None, external: Path | None = None):
    """The Epoch / AA crosswalk (before the models only leaderboards and price sources know are added) as the build
    makes it: the `crosswalk:base` step on the fetched snapshots (`external`: another data/external folder), with
    the ECI step's release records. Before the capability snapshots are fetched: an empty crosswalk."""
    import os

    from analysis.curated import crosswalk

    ext = external or paths.external_dir()
    if not (ext / crosswalk.ECI_FILE).exists():
        return crosswalk.Crosswalk()
    old = os.environ.get("ANALYSIS_EXTERNAL_DIR")
    os.environ["ANALYSIS_EXTERNAL_DIR"] = str(ext)
    try:
        return run_step(link.BASE_STEP, Inputs(reg=reg))
    finally:
        if old is None:
            os.environ.pop("ANALYSIS_EXTERNAL_DIR")
        else:
            os.environ["ANALYSIS_EXTERNAL_DIR"] = old


def _needed(wanted: list[Step]) -> set[Step]:
    out: set[Step] = set()
    todo = list(wanted)
    while todo:
        s = todo.pop()
        if s not in out:
            out.add(s)
            todo.extend(needed_steps(s))
    return out


def write_parquet(df: pl.DataFrame, name: str, directory: Path) -> None:
    """Write one table into `directory`: the new generation (never the current one, which readers see), in the
    folder of its stage (analysis.store.tables.relpath: derived/ and bookkeeping/ beside the per-source tables)."""
    target = tables.path(name, directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        df.write_parquet(tmp)


def _previous_file(previous: Path, name: str) -> Path:
    """Table `name` of the previous build: in its stage folder, or at the top of a build from before stages."""
    staged = tables.path(name, previous)
    return staged if staged.exists() else previous / f"{name}.parquet"


def run_steps(only: list[str] | None = None, out: TextIO = sys.stdout,
              inputs: Inputs | None = None, by_step: dict[Step, object] | None = None) -> dict[str, StepResult]:
    """Run the steps (all, or those of the tables in `only`, with the steps they need) in the order of STEPS, each
    file loaded once, every result kept in memory; returns the tables (nothing is written here). `by_step` is
    filled with every step's result or value (the build reads the crosswalk and aliases from it)."""
    inputs = inputs or Inputs()
    wanted = [s for s in STEPS if not s.makes_value and (not only or s.table in only)]
    needed = _needed(wanted)
    entries = manifest.load()
    loaded: dict[Read, object] = {}
    results: dict[str, list[StepResult]] = {}
    by_step = by_step if by_step is not None else {}
    for step in STEPS:
        if step not in needed:
            continue
        t0 = time.perf_counter()
        r = run_step(step, inputs, by_step, entries=entries, loaded=loaded)
        by_step[step] = r
        if step not in wanted:
            if step.makes_value:
                print(f"  step {step.name:<22} {'(value)':>12}  ({time.perf_counter() - t0:.2f}s)", file=out)
            continue  # run only as an input of a later step
        results.setdefault(r.table.name, []).append(r)
        print(f"  step {step.name:<22} {len(r.df):>7} rows  ({time.perf_counter() - t0:.2f}s)", file=out)
    merged: dict[str, StepResult] = {}
    for table_name, rs in results.items():
        table: Table = rs[0].table
        df = table.validate(pl.concat([r.df for r in rs], how="vertical"))
        merged[table_name] = StepResult(
            table, df, pl.concat([r.quarantine for r in rs]), pl.concat([r.counts for r in rs])
        )
        merged[table_name].check_accounting()
    return merged


def build(only: list[str] | None = None, out: TextIO = sys.stdout) -> dict[str, StepResult]:
    print("build: cleaning", file=out)
    generations.remove_stale()  # generations of a killed build (the build lock serialises builds)
    inputs = Inputs()
    by_step: dict[Step, object] = {}
    results = run_steps(only, out, inputs, by_step)
    cw, aliases = by_step.get(link.CROSSWALK_STEP), by_step.get(link.ALIASES_STEP, ())
    quarantine = QUARANTINE.validate(pl.concat([r.quarantine for r in results.values()]))
    counts = ROW_COUNTS.validate(pl.concat([r.counts for r in results.values()]))
    previous = generations.current_generation()
    if previous is None and any(paths.clean_dir().glob("*.parquet")):
        previous = paths.clean_dir()  # outputs of a build from before generations: carried over once
    if only and previous is not None:  # keep the other tables' quarantine rows and counts from the previous build
        qpath, cpath = _previous_file(previous, "quarantine"), _previous_file(previous, "row_counts")
        if qpath.exists():
            old = pl.read_parquet(qpath).filter(~pl.col("table").is_in(list(results)))
            quarantine = QUARANTINE.validate(pl.concat([old, quarantine]))
        if cpath.exists():
            old = pl.read_parquet(cpath).filter(~pl.col("table").is_in(list(results)))
            counts = ROW_COUNTS.validate(pl.concat([old, counts]))
    build_id, gen = generations.new_generation()
    for name, r in results.items():
        write_parquet(r.df, name, gen)
    write_parquet(quarantine, "quarantine", gen)
    write_parquet(counts, "row_counts", gen)
    print(format_counts(counts), file=out)
    coverage = []
    if "capability" in results:
        coverage.append(canonical.capability_coverage_report(results["capability"], inputs.name_orgs,
                                                             inputs.registry))
    if "prices" in results:
        from analysis.curated import crosswalk
        coverage.append(crosswalk.coverage_report(results["prices"].df, aliases))
    if "task_scores" in results:
        coverage.append(canonical.capability_coverage_report(results["task_scores"], inputs.name_orgs,
                                                             inputs.registry)
                        .replace("of capability names", "of task-score names", 1))
    shown_dir = generations.current_link()
    if coverage:
        print_long("\n".join(coverage), tables.path("coverage.txt", gen), out,
                   shown=tables.path("coverage.txt", shown_dir))
    if {"capability", "prices", "task_scores"} & set(results):
        write_unlinked(results, gen, aliases, inputs, cw)
        path = tables.path(UNLINKED_FILE, shown_dir)
        print(f"  unlinked names with their reasons: {path.relative_to(paths.clean_dir().parent.parent)}"
              if path.is_relative_to(paths.clean_dir().parent.parent) else f"  unlinked names: {path}", file=out)
    # a partial build keeps the current generation's other outputs (linked, not rewritten); the crosswalk
    # files belong to the capability and prices steps, so they are carried only when neither ran
    written = {f.relative_to(gen).as_posix() for f in gen.rglob("*") if f.is_file()}
    if only:
        crosswalk_files = {tables.relpath("coverage.txt"), tables.relpath(UNLINKED_FILE)}
        skip = written | (crosswalk_files if {"capability", "prices", "task_scores"} & set(results) else set())
        carried = generations.carry_over(previous, gen, skip)
    else:
        carried = []
    # the data diff against the generation readers see now, written into the new one before the switch removes
    # the old (analysis.store.changes)
    from analysis.store import changes

    changes.write_pins(gen, manifest.load())
    previous_id = generations.read_manifest(previous).get("build_id") if previous is not None and (
        previous / generations.MANIFEST).is_file() else None
    entry = changes.compute(previous, gen, build_id, previous_id)
    changes.write(gen, entry, previous)
    for line in changes.summary_lines(entry):
        print(line, file=out)
    generations.switch(build_id, gen, carried)
    print(f"build: wrote {len(results)} tables (+ quarantine, row_counts) to {shown_dir} "
          f"(build {build_id})", file=out)
    return results


LINE_LIMIT = 200


def print_long(text: str, path, out: TextIO, limit: int = LINE_LIMIT, shown=None) -> None:
    """Print `text` with every line cut to `limit` characters; if any was cut, the full text goes to `path`
    and its path (or `shown`, where readers will find it) is printed."""
    lines = text.splitlines()
    cut = [line if len(line) <= limit else line[: limit - 25] + f"... (+{len(line) - limit + 25} chars)"
           for line in lines]
    for line in cut:
        print(line, file=out)
    if cut != lines:
        from analysis.core.atomic import write_text

        write_text(path, text + "\n")
        shown = Path(shown or path)
        try:
            shown = shown.absolute().relative_to(Path.cwd().resolve())
        except ValueError:
            pass
        print(f"build: long lines cut; full lists in {shown}", file=out)


def format_counts(counts: pl.DataFrame) -> str:
    lines = [f"  {'table':<12} {'source file':<48} {'in':>7} {'used':>7} {'quarantined':>11}"]
    for r in counts.sort("table", "source_file").iter_rows(named=True):
        lines.append(f"  {r['table']:<12} {r['source_file']:<48} {r['rows_in']:>7} {r['rows_used']:>7} "
                     f"{r['rows_quarantined']:>11}")
    return "\n".join(lines)


UNLINKED_FILE = "unlinked_names.csv"


def unlinked_capability(result: StepResult) -> pl.DataFrame:
    """Capability source names that resolve to no canonical model, with the quarantine reason."""
    q = result.quarantine.filter(pl.col("column") == "name")
    return (q.select(pl.col("source_file").alias("source"), pl.col("key").alias("name"),
                     pl.lit(None, pl.String).alias("country_bucket"), "reason")
            .unique(["source", "name"], keep="first", maintain_order=True).sort("source", "name"))


def write_unlinked(results: dict[str, StepResult], directory: Path, aliases=(), inputs: Inputs | None = None,
                   cw=None) -> Path:
    """Every unlinked name of the crosswalk (capability sources and price keys), with its reason, to
    data/clean/current/bookkeeping/unlinked_names.csv (the console shows only the counts)."""
    from analysis.curated import crosswalk
    parts = []
    if "capability" in results:
        parts.append(canonical.unlinked_capability(results["capability"], inputs.name_orgs, inputs.registry)
                     if inputs is not None else unlinked_capability(results["capability"]))
    if "prices" in results:
        parts.append(crosswalk.unlinked_names(results["prices"].df, aliases,
                                              cw.unlinked_reasons if cw is not None else None))
    if "task_scores" in results:
        parts.append(canonical.unlinked_capability(results["task_scores"], inputs.name_orgs, inputs.registry)
                     if inputs is not None else unlinked_capability(results["task_scores"]))
    df = pl.concat(parts, how="vertical") if parts else pl.DataFrame(
        schema={"source": pl.String, "name": pl.String, "country_bucket": pl.String, "reason": pl.String})
    target = tables.path(UNLINKED_FILE, directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        df.write_csv(tmp)
    return target


def format_coverage(result: StepResult) -> str:
    """Model crosswalk coverage per capability source: share of distinct source names resolved (the
    unmatched names go to data/clean/current/bookkeeping/unlinked_names.csv, not to the console)."""
    q = result.quarantine.filter(pl.col("column") == "name")
    lines = ["  crosswalk coverage (distinct source names resolved to a canonical model):"]
    for f in result.counts["source_file"].to_list():
        used = result.df.filter(pl.col("source_file") == f)["source_model"].n_unique()
        missed = q.filter(pl.col("source_file") == f)["key"].n_unique()
        total = used + missed
        share = used / total if total else 1.0
        lines.append(f"    {f:<80} {used:>5}/{total:<5} {share:6.1%}")
    return "\n".join(lines)
