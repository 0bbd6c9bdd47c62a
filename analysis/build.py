"""`python -m analysis build`: run every cleaning step, check, then write the clean tables.

All steps run in memory first; only when every step and every schema check has passed are the
tables written, so a failed build never leaves a clean table half-written or overwritten by a partial
result. The quarantine table, the row accounting, unlinked_names.csv and coverage.txt are written with
them, all into a new generation folder, and `data/clean/current` is switched to it in one rename
(analysis.generations): readers (`paths.tables_dir()`) see the previous complete set or the new one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import polars as pl

from analysis import canonical, generations, paths
from analysis.atomic import atomic_path
from analysis.clean import (
    adoption,
    eci,
    events,
    leaderboards,
    models,
    openrouter,
    organizations,
    price_conflicts,
    prices,
)
from analysis.clean.common import StepResult
from analysis.inputs import Inputs
from analysis.schema import QUARANTINE, ROW_COUNTS, Table


@dataclass(frozen=True)
class Step:
    """One cleaning step: `fn(**args(inputs, earlier))`, where `inputs` holds the curated tables loaded once for
    the build and `earlier` the results of the steps run before it (by step name)."""
    name: str
    fn: Callable[..., StepResult]
    args: Callable[[Inputs, dict[str, StepResult]], dict] = lambda inputs, earlier: {}

    def run(self, inputs: Inputs, earlier: dict[str, StepResult]) -> StepResult:
        return self.fn(**self.args(inputs, earlier))


def _eci_dates(earlier: dict[str, StepResult]) -> list:
    return earlier["capability:eci"].df.select("model_id", "release_date").unique().rows()


def _reg(i: Inputs, e) -> dict:
    return {"reg": i.registry}


def _cw(i: Inputs, e) -> dict:
    return {"cw": i.crosswalk}


def _all(i: Inputs, e) -> dict:
    return {"inputs": i}


def _earlier(i: Inputs, e) -> dict:
    return {"earlier": e}


# Each step returns one StepResult; several steps may feed the same table (concatenated in order).
STEPS: list[Step] = [
    Step("organizations", organizations.clean, _reg),
    Step("capability:eci", eci.clean, _reg),
    Step("models", models.clean, lambda i, e: {"reg": i.registry, "cw": i.crosswalk, "eci_dates": _eci_dates(e)}),
    Step("release_date_conflicts", models.clean_release_conflicts, _earlier),
    Step("canonical_models", canonical.clean, _cw),
    Step("release_date_conflicts:canonical", canonical.clean_conflicts, _cw),
    Step("events:curated", events.clean_curated),
    Step("events:vorplabs", events.clean_vorplabs),
    Step("genai_filings", events.clean_filings),
    Step("capability:aa", leaderboards.clean_aa, _cw),
    Step("capability:lmarena", leaderboards.clean_lmarena, _cw),
    Step("capability:livebench", leaderboards.clean_livebench, _cw),
    Step("prices:llm-prices", prices.clean_llm_prices, _all),
    Step("prices:llm-prices-cn", prices.clean_llm_prices_cn, _all),
    Step("prices:cn-tables", prices.clean_cn_tables, _all),
    Step("prices:litellm", prices.clean_litellm, _all),
    Step("price_conflicts", price_conflicts.clean, _earlier),
    Step("adoption", adoption.clean),
    Step("openrouter_weekly", openrouter.clean_weekly, _all),
    Step("openrouter_daily", openrouter.clean_daily, _all),
    Step("openrouter_categories", openrouter.clean_categories, _all),
]


def write_parquet(df: pl.DataFrame, name: str, directory: Path) -> None:
    """Write one table into `directory`: the new generation (never the current one, which readers see)."""
    target = directory / f"{name}.parquet"
    with atomic_path(target) as tmp:
        df.write_parquet(tmp)


def run_steps(only: list[str] | None = None, out: TextIO = sys.stdout,
              inputs: Inputs | None = None) -> dict[str, StepResult]:
    """Run the steps (all, or those of the tables in `only`) with one set of curated inputs."""
    inputs = inputs or Inputs(extend=canonical.extend_inputs)
    results: dict[str, list[StepResult]] = {}
    by_step: dict[str, StepResult] = {}
    for step in STEPS:
        name = step.name
        wanted = not only or name.split(":")[0] in only
        if not wanted and not (name == "capability:eci" and "models" in only):
            continue
        t0 = time.perf_counter()
        r = step.run(inputs, by_step)
        by_step[name] = r
        if not wanted:
            continue  # run only as an input of a later step
        results.setdefault(r.table.name, []).append(r)
        print(f"  step {name:<22} {len(r.df):>7} rows  ({time.perf_counter() - t0:.2f}s)", file=out)
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
    inputs = Inputs(extend=canonical.extend_inputs)
    results = run_steps(only, out, inputs)
    quarantine = QUARANTINE.validate(pl.concat([r.quarantine for r in results.values()]))
    counts = ROW_COUNTS.validate(pl.concat([r.counts for r in results.values()]))
    previous = generations.current_generation()
    if previous is None and any(paths.clean_dir().glob("*.parquet")):
        previous = paths.clean_dir()  # outputs of a build from before generations: carried over once
    if only and previous is not None:  # keep the other tables' quarantine rows and counts from the previous build
        qpath, cpath = previous / "quarantine.parquet", previous / "row_counts.parquet"
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
        coverage.append(canonical.capability_coverage_report(results["capability"], inputs.name_orgs, inputs.registry))
    if "prices" in results:
        from analysis import crosswalk
        coverage.append(crosswalk.coverage_report(results["prices"].df, inputs.aliases))
    shown_dir = generations.current_link()
    if coverage:
        print_long("\n".join(coverage), gen / "coverage.txt", out, shown=shown_dir / "coverage.txt")
    if "capability" in results or "prices" in results:
        path = shown_dir / write_unlinked(results, gen, inputs.aliases, inputs).name
        print(f"  unlinked names with their reasons: {path.relative_to(paths.clean_dir().parent.parent)}"
              if path.is_relative_to(paths.clean_dir().parent.parent) else f"  unlinked names: {path}", file=out)
    # a partial build keeps the current generation's other outputs (linked, not rewritten); the crosswalk
    # files belong to the capability and prices steps, so they are carried only when neither ran
    written = {f.name for f in gen.iterdir()}
    if only:
        skip = written | ({"coverage.txt", UNLINKED_FILE} if {"capability", "prices"} & set(results) else set())
        carried = generations.carry_over(previous, gen, skip)
    else:
        carried = []
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
        from analysis.atomic import write_text

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
            .unique(["source", "name"], keep="first").sort("source", "name"))


def write_unlinked(results: dict[str, StepResult], directory: Path, aliases=(), inputs: Inputs | None = None) -> Path:
    """Every unlinked name of the crosswalk (capability sources and price keys), with its reason, to
    data/clean/current/unlinked_names.csv (the console shows only the counts)."""
    from analysis import crosswalk
    parts = []
    if "capability" in results:
        parts.append(canonical.unlinked_capability(results["capability"], inputs.name_orgs, inputs.registry)
                     if inputs is not None else unlinked_capability(results["capability"]))
    if "prices" in results:
        parts.append(crosswalk.unlinked_names(results["prices"].df, aliases,
                                              inputs.crosswalk.unlinked_reasons if inputs is not None else None))
    df = pl.concat(parts, how="vertical") if parts else pl.DataFrame(
        schema={"source": pl.String, "name": pl.String, "country_bucket": pl.String, "reason": pl.String})
    target = directory / UNLINKED_FILE
    with atomic_path(target) as tmp:
        df.write_csv(tmp)
    return target


def format_coverage(result: StepResult) -> str:
    """Model crosswalk coverage per capability source: share of distinct source names resolved (the
    unmatched names go to data/clean/current/unlinked_names.csv, not to the console)."""
    q = result.quarantine.filter(pl.col("column") == "name")
    lines = ["  crosswalk coverage (distinct source names resolved to a canonical model):"]
    for f in result.counts["source_file"].to_list():
        used = result.df.filter(pl.col("source_file") == f)["source_model"].n_unique()
        missed = q.filter(pl.col("source_file") == f)["key"].n_unique()
        total = used + missed
        share = used / total if total else 1.0
        lines.append(f"    {f:<80} {used:>5}/{total:<5} {share:6.1%}")
    return "\n".join(lines)
