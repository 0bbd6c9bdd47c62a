"""The data diff of a build: what the new clean tables changed against the previous build's.

Every build compares the generation it is about to switch to with the current one (analysis.store.generations),
before the switch removes the old one, and writes the result into the new generation as
`bookkeeping/changes.json`, with the pins it was built from (`bookkeeping/pins.csv`):

- `pins`: manifest files added, removed or changed (sha256) since the previous build, each with its old and new
  snapshot date and commit;
- `tables`: per clean table, rows added, removed and changed, matched by key (`diff_key`: the primary key, except
  where the key names the upstream file and record: there the file's family of dated versions and the source's
  own name, so a row read again from a newer version of the same file is the same row), with the changed columns
  and, for up to LIST_CAP rows each, the keys and old -> new values;
- `models`, `organizations`: canonical models and registry organizations that appeared or vanished;
  `release_dates`: models whose release date moved; `unlinked`: names the crosswalk could not link that
  appeared or vanished; `quarantine`: quarantined rows added / removed per table and source;
  `source_keys`: per source (family of dated files), the record keys its files hold (used and quarantined rows)
  that appeared or vanished; `prices`: price series whose latest price changed, old -> new.

Counts are exact; lists are capped at LIST_CAP entries (`truncated` says so). Columns that only say where a row
was read from (`PROVENANCE_COLUMNS`) never make a row "changed". The file keeps the last HISTORY builds' diffs,
newest first: the report site (analysis.site.changes) lists those since the build its front page was computed
from, with the front page's own changes.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import polars as pl

from analysis.acquire import manifest, versions
from analysis.store import tables

CHANGES_FILE = "changes.json"
PINS_FILE = "pins.csv"
PIN_COLUMNS = ("local_path", "dataset", "sha256", "snapshot_date", "commit")
HISTORY = 5
LIST_CAP = 200
# columns that say where a row was read from, not what it says
PROVENANCE_COLUMNS = frozenset({"source_file", "source_row", "source_rows", "as_of"})
# tables whose primary key names the upstream file and record: matched instead by the file's family and the
# source's own name (capability), the model alone (a moved release date is a change, not a new model), ...
DIFF_KEYS: dict[str, tuple[str, ...]] = {
    "capability": ("metric", "source_file", "source_model"),
    "canonical_models": ("model_id",),
    "quarantine": ("table", "source_file", "key", "column"),
}
# the price series of `prices` (its primary key without valid_from) and the values compared
PRICE_SERIES = ("source", "provider", "model_key", "price_kind", "min_input_tokens", "context_tier")
PRICE_VALUES = ("currency", "input_orig", "output_orig", "cached_input_orig")
# where each table keeps the record key of its source (source_keys)
RECORD_KEYS = {"capability": "source_model", "prices": "model_key"}


def pins_text(entries: list[manifest.Entry]) -> str:
    """The pins a build reads, as CSV (bookkeeping/pins.csv)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PIN_COLUMNS)
    for e in sorted(entries, key=lambda e: e.local_path):
        w.writerow([getattr(e, c) for c in PIN_COLUMNS])
    return buf.getvalue()


def _read_pins(gen: Path | None) -> dict[str, dict] | None:
    f = tables.path(PINS_FILE, gen) if gen is not None else None
    if f is None or not f.is_file():
        return None
    return {r["local_path"]: r for r in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8")))}


def pins_diff(old: dict[str, dict] | None, new: dict[str, dict]) -> dict:
    """Files added, removed and changed between two builds' pins; a family's new version is shown beside the
    version it follows."""
    if old is None:
        return {"recorded": False, "added": [], "removed": [], "changed": []}
    pick = ("dataset", "sha256", "snapshot_date", "commit")
    added = [dict(local_path=p, **{k: new[p][k] for k in pick}) for p in sorted(set(new) - set(old))]
    removed = [dict(local_path=p, **{k: old[p][k] for k in pick}) for p in sorted(set(old) - set(new))]
    changed = [dict(local_path=p, old={k: old[p][k] for k in pick}, new={k: new[p][k] for k in pick})
               for p in sorted(set(old) & set(new)) if old[p]["sha256"] != new[p]["sha256"]]
    for a in added:  # the version of the same family it replaces or follows (an older pin or a new one before it)
        fam, date = versions.family(a["local_path"]), versions.date_of(a["local_path"]) or ""
        before = [p for p in sorted(set(old) | set(new), key=lambda p: (versions.date_of(p) or "", p))
                  if fam is not None and versions.family(p) == fam and (versions.date_of(p) or "") < date]
        if before:
            a["follows"] = before[-1]
    return {"recorded": True, "added": added, "removed": removed, "changed": changed}


# --- the diff of two frames by key ---------------------------------------------------------------------------

def _comparable(df: pl.DataFrame) -> pl.DataFrame:
    """Lists as text (compared and shown as one value), other nested values as their text."""
    out = []
    for c, t in df.schema.items():
        if isinstance(t, pl.List) and t.inner == pl.String:
            out.append(pl.col(c).list.join(" | "))
        elif t.is_nested():
            out.append(pl.col(c).map_elements(str, return_dtype=pl.String))
        else:
            out.append(pl.col(c))
    return df.select(out)


def family_column(df: pl.DataFrame, column: str = "source_file") -> pl.DataFrame:
    """`column` replaced by the family of its dated file (the path itself for an undated file)."""
    if column not in df.columns:
        return df
    return df.with_columns(pl.col(column).map_elements(lambda p: versions.family(p) or p, return_dtype=pl.String))


def diff_key(name: str, table_key: tuple[str, ...]) -> tuple[str, ...]:
    return DIFF_KEYS.get(name, table_key)


def _keyed(df: pl.DataFrame, key: list[str], values: list[str]) -> pl.DataFrame:
    """`df` with an ordinal `_n` within each key when the key is not unique (rows of one key in a stable order)."""
    if not len(df) or not df.select(key).is_duplicated().any():
        return df.with_columns(pl.lit(0, pl.Int64).alias("_n"))
    return (df.sort([*key, *values], nulls_last=True)
            .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).over(key).alias("_n")))


def _jsonable(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else str(v)
    return str(v)


def _rows(df: pl.DataFrame, cap: int = LIST_CAP) -> list[dict]:
    return [{k: _jsonable(v) for k, v in r.items()} for r in df.head(cap).iter_rows(named=True)]


def diff_frames(old: pl.DataFrame, new: pl.DataFrame, key: tuple[str, ...], ignore=PROVENANCE_COLUMNS) -> dict:
    """Rows of `new` against `old` matched by `key` (an ordinal within the key where it is not unique): the
    frames of added and removed rows (all columns), and of changed rows (the key, `columns`: the changed column
    names joined by ',', and `<col>` / `<col>_new` for every compared column)."""
    key = [k for k in key if k in new.columns or k in old.columns]
    old, new = _comparable(old), _comparable(new)
    common = [c for c in new.columns if c in old.columns]
    if not key:  # a table without a key: a row is matched by all its values (added or removed, never changed)
        key = [c for c in common if c not in ignore]
    values = [c for c in common if c not in key and c not in ignore]
    o, n = _keyed(old, key, values), _keyed(new, key, values)
    k = [*key, "_n"]
    added = n.join(o.select(k), on=k, how="anti", nulls_equal=True).drop("_n")
    removed = o.join(n.select(k), on=k, how="anti", nulls_equal=True).drop("_n")
    both = o.select([*k, *values]).join(n.select([*k, *values]), on=k, how="inner", suffix="_new",
                                         nulls_equal=True)
    flags = [(~pl.col(c).eq_missing(pl.col(f"{c}_new"))).alias(f"_d_{c}") for c in values]
    both = both.with_columns(flags) if flags else both
    if values:
        changed = both.filter(pl.any_horizontal([pl.col(f"_d_{c}") for c in values]))
        names = pl.concat_list([pl.when(pl.col(f"_d_{c}")).then(pl.lit(c)).otherwise(None) for c in values])
        changed = changed.with_columns(names.list.drop_nulls().list.join(",").alias("columns"))
        counts = {c: int(changed[f"_d_{c}"].sum()) for c in values if changed[f"_d_{c}"].sum()}
        changed = changed.drop([f"_d_{c}" for c in values] + ["_n"])
    else:
        changed, counts = both.head(0).drop("_n").with_columns(pl.lit("").alias("columns")), {}
    return dict(added=added, removed=removed, changed=changed, column_counts=counts, key=key)


def _summary(name: str, old: pl.DataFrame, new: pl.DataFrame, key: tuple[str, ...]) -> tuple[dict, dict]:
    d = diff_frames(old, new, key)
    key = d["key"]
    changed_rows = []
    for r in d["changed"].head(LIST_CAP).iter_rows(named=True):
        cols = r["columns"].split(",")
        changed_rows.append(dict(key={k: _jsonable(r[k]) for k in key},
                                 changes={c: [_jsonable(r[c]), _jsonable(r[f"{c}_new"])] for c in cols}))
    out = dict(key=key, rows_old=len(old), rows_new=len(new), added=len(d["added"]), removed=len(d["removed"]),
               changed=len(d["changed"]), changed_columns=d["column_counts"],
               added_keys=_rows(d["added"].select(key)), removed_keys=_rows(d["removed"].select(key)),
               changed_rows=changed_rows,
               truncated=max(len(d["added"]), len(d["removed"]), len(d["changed"])) > LIST_CAP)
    return out, d


def _read(gen: Path | None, name: str) -> pl.DataFrame | None:
    if gen is None:
        return None
    f = tables.path(name, gen)
    if not f.exists():
        f = gen / f"{name}.parquet"  # a build from before stage folders
    return pl.read_parquet(f) if f.exists() else None


def _table_names(gen: Path) -> list[str]:
    return [p.stem for p in tables.table_files(gen)]


def table_keys() -> dict[str, tuple[str, ...]]:
    """The primary key of every clean table, from the schemas: the Table instances of analysis.clean and
    analysis.link (as the data dictionary finds them), quarantine and row counts."""
    import importlib
    import pkgutil

    import analysis.clean
    import analysis.link
    from analysis.core.schema import QUARANTINE, ROW_COUNTS, Table

    found = {t.name: t.primary_key for t in (QUARANTINE, ROW_COUNTS)}
    for pkg in (analysis.clean, analysis.link):
        for mod in pkgutil.iter_modules(pkg.__path__):
            for v in vars(importlib.import_module(f"{pkg.__name__}.{mod.name}")).values():
                if isinstance(v, Table):
                    found.setdefault(v.name, v.primary_key)
    return found


# --- the sections -----------------------------------------------------------------------------------------

def _latest_prices(df: pl.DataFrame) -> pl.DataFrame:
    keys = [c for c in PRICE_SERIES if c in df.columns]
    return (df.sort("valid_from").group_by(keys, maintain_order=True).last()
            .select([*keys, "valid_from", *[c for c in PRICE_VALUES if c in df.columns]]))


def price_changes(old: pl.DataFrame, new: pl.DataFrame) -> dict:
    """Price series whose latest price (the period with the latest valid_from) differs: old -> new values."""
    d = diff_frames(_latest_prices(old), _latest_prices(new), PRICE_SERIES, ignore={"valid_from"})
    ch = d["changed"]
    rows = [dict(series={k: _jsonable(r[k]) for k in PRICE_SERIES},
                 old={c: _jsonable(r[c]) for c in PRICE_VALUES}, new={c: _jsonable(r[f"{c}_new"]) for c in PRICE_VALUES},
                 since=_jsonable(r["valid_from_new"]) if "valid_from_new" in r else None)
            for r in ch.head(LIST_CAP).iter_rows(named=True)]
    by_source = dict(ch.group_by("source", maintain_order=True).len().sort("source").iter_rows()) if len(ch) else {}
    return dict(changed=len(ch), by_source=by_source, new_series=len(d["added"]), gone_series=len(d["removed"]),
                rows=rows, truncated=len(ch) > LIST_CAP)


def _keys_by_source(frames: dict[str, pl.DataFrame | None]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, col in RECORD_KEYS.items():
        df = frames.get(name)
        if df is not None and col in df.columns:
            for f, k in family_column(df.select("source_file", col)).unique(maintain_order=True).iter_rows():
                out.setdefault(f, set()).add(k)
    q = frames.get("quarantine")
    if q is not None:
        q = family_column(q.filter(pl.col("table").is_in(list(RECORD_KEYS))).select("source_file", "key"))
        for f, k in q.drop_nulls().unique(maintain_order=True).iter_rows():
            out.setdefault(f, set()).add(k)
    return out


def source_keys(old: dict, new: dict) -> dict:
    """Per source (a family of dated files, or a file), the record keys of its rows, used or quarantined, that
    appeared or vanished."""
    a, b = _keys_by_source(old), _keys_by_source(new)
    out = {}
    for f in sorted(set(a) | set(b)):
        added, gone = sorted(b.get(f, set()) - a.get(f, set())), sorted(a.get(f, set()) - b.get(f, set()))
        if added or gone:
            out[f] = dict(keys_old=len(a.get(f, ())), keys_new=len(b.get(f, ())), added=len(added),
                          removed=len(gone), added_keys=added[:LIST_CAP], removed_keys=gone[:LIST_CAP])
    return out


def _unlinked(gen: Path | None) -> pl.DataFrame | None:
    f = tables.path("unlinked_names.csv", gen) if gen is not None else None
    if f is None or not f.is_file():
        return None
    return family_column(pl.read_csv(f, infer_schema=False), "source")


def _quarantine_counts(d: dict) -> list[dict]:
    rows = []
    for what in ("added", "removed"):
        df = d[what]
        if len(df):
            counts = df.group_by("table", "source_file", maintain_order=True).len().sort("table", "source_file")
            for t, f, n in counts.iter_rows():
                rows.append(dict(change=what, table=t, source=f, rows=n))
    return rows


def compute(previous: Path | None, gen: Path, build_id: str, previous_id: str | None = None) -> dict:
    """The diff of generation `gen` against `previous` (None: the first build)."""
    entry = dict(build=build_id, previous=previous_id, finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 pins=pins_diff(_read_pins(previous), _read_pins(gen) or {}))
    if previous is None:
        entry["first_build"] = True
        return entry
    keys = table_keys()
    names = _table_names(gen)
    old_frames = {n: _read(previous, n) for n in names}
    new_frames = {n: _read(gen, n) for n in names}
    results, raw = {}, {}
    for n in names:
        old, new = old_frames[n], new_frames[n]
        if old is None:
            results[n] = dict(new_table=True, rows_new=len(new))
            continue
        key = diff_key(n, keys.get(n, ()))
        if "source_file" in key:
            old, new = family_column(old), family_column(new)
        results[n], raw[n] = _summary(n, old, new, key)
    entry["tables"] = results
    cm = raw.get("canonical_models")
    if cm is not None:
        show = ["model_id", "model", "organizations", "country_bucket", "release_date", "release_date_basis"]
        entry["models"] = dict(added=len(cm["added"]), removed=len(cm["removed"]),
                               added_rows=_rows(cm["added"].select([c for c in show if c in cm["added"].columns])),
                               removed_rows=_rows(cm["removed"].select([c for c in show
                                                                        if c in cm["removed"].columns])))
        moved = cm["changed"].filter(pl.col("columns").str.split(",").list.contains("release_date"))
        entry["release_dates"] = dict(moved=len(moved), rows=[
            dict(model_id=r["model_id"], model=r.get("model_new") or r.get("model"), old=_jsonable(r["release_date"]),
                 new=_jsonable(r["release_date_new"]), basis_old=r.get("release_date_basis"),
                 basis_new=r.get("release_date_basis_new")) for r in moved.head(LIST_CAP).iter_rows(named=True)])
    org = raw.get("organizations")
    if org is not None:
        entry["organizations"] = dict(added=[r["organization"] for r in _rows(org["added"])],
                                      removed=[r["organization"] for r in _rows(org["removed"])])
    q = raw.get("quarantine")
    if q is not None:
        entry["quarantine"] = dict(added=len(q["added"]), removed=len(q["removed"]), by_source=_quarantine_counts(q))
    ua, ub = _unlinked(previous), _unlinked(gen)
    if ua is not None and ub is not None:
        d = diff_frames(ua.select("source", "name").unique(maintain_order=True),
                        ub.select("source", "name").unique(maintain_order=True), ("source", "name"))
        entry["unlinked"] = dict(added=len(d["added"]), removed=len(d["removed"]), added_rows=_rows(d["added"]),
                                 removed_rows=_rows(d["removed"]))
    if old_frames.get("prices") is not None and new_frames.get("prices") is not None:
        entry["prices"] = price_changes(old_frames["prices"], new_frames["prices"])
    entry["source_keys"] = source_keys(old_frames, new_frames)
    return entry


def read(gen: Path | None = None) -> dict:
    """The changes file of a generation (default: the current one): {"builds": [newest first]}."""
    from analysis.core import paths

    gen = gen if gen is not None else paths.tables_dir()
    f = tables.path(CHANGES_FILE, gen)
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {"builds": []}


def write(gen: Path, entry: dict, previous: Path | None) -> Path:
    """`entry` first, then the previous generation's last HISTORY - 1 diffs."""
    from analysis.core.atomic import write_text

    older = read(previous)["builds"] if previous is not None else []
    target = tables.path(CHANGES_FILE, gen)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, json.dumps({"builds": [entry, *older][:HISTORY]}, default=str) + "\n")
    return target


def write_pins(gen: Path, entries: list[manifest.Entry]) -> Path:
    from analysis.core.atomic import write_text

    target = tables.path(PINS_FILE, gen)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, pins_text(entries))
    return target


def summary_lines(entry: dict) -> list[str]:
    """A few console lines: what this build changed against the previous one."""
    if entry.get("first_build"):
        return ["  changes: first build, nothing to compare with"]
    lines = []
    p = entry["pins"]
    if p["recorded"] and (p["added"] or p["removed"] or p["changed"]):
        lines.append(f"  changes: pins {len(p['added'])} added, {len(p['removed'])} removed, "
                     f"{len(p['changed'])} changed")
    moved = [f"{n} +{t['added']} -{t['removed']} ~{t['changed']}" for n, t in entry.get("tables", {}).items()
             if not t.get("new_table") and (t["added"] or t["removed"] or t["changed"])]
    if moved:
        lines.append("  changes: rows (added, removed, changed) " + "; ".join(moved))
    extra = []
    if entry.get("models", {}).get("added") or entry.get("models", {}).get("removed"):
        extra.append(f"models +{entry['models']['added']} -{entry['models']['removed']}")
    if entry.get("prices", {}).get("changed"):
        extra.append(f"{entry['prices']['changed']} price(s) changed")
    if entry.get("release_dates", {}).get("moved"):
        extra.append(f"{entry['release_dates']['moved']} release date(s) moved")
    if entry.get("unlinked", {}).get("added") or entry.get("unlinked", {}).get("removed"):
        extra.append(f"unlinked names +{entry['unlinked']['added']} -{entry['unlinked']['removed']}")
    if extra:
        lines.append("  changes: " + ", ".join(extra))
    return lines or ["  changes: none against the previous build"]
