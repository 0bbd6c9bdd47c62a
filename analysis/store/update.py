"""`python -m analysis update SOURCE [...]`: move a source's pins to a newer version, rebuild, write the diff.

A source is a manifest dataset (`litellm`, `lmarena`, ...). Its new version comes from

- a mirror (`--mirror DIR` or $ANALYSIS_MIRROR): for each pinned file of a family of dated versions
  (analysis.acquire.versions: `model_prices_{date}.json`), the versions of the family in the mirror newer than the
  newest pinned one; for an undated file, the mirror's file at the same path when its content differs. The
  upstream commit of a new version is read from the mirror's SOURCES.md (the line naming the file), the upstream
  repository and path are the old pin's, the snapshot date is the date in the file's name;
- or a commit of its upstream repository (`--to COMMIT`, with `--snapshot-date`): each pinned file's upstream
  path at that commit, downloaded; a dated family's new version is named with the snapshot date.

What a step reads of a family decides what happens to the old pins (analysis.clean.common.Read `versions`): a
family read as a sequence ('all': LiteLLM's price periods are built from every version) keeps its older pins and
gains the new ones; a family of which only the newest version is read ('latest': LMArena's ratings are re-fitted
between scrapes, never mixed) has its pin replaced.

Each new file is verified before anything is changed: its sha256 and size are recorded, it must parse, and its
shape (what the reading step relies on: `Read.shape`, or a CSV's declared columns) is compared with the version it
follows; a column or field gone (renamed), or a category added or gone, refuses the update with one line naming
the file and the change. Then the files are put in data/external/, the manifest is rewritten with the new pins,
and the build runs (its data diff: analysis.store.changes). If the build fails, the manifest and the files are
put back as they were; the clean tables were never switched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from analysis.acquire import fetch, manifest, versions
from analysis.clean.common import Read
from analysis.core import paths
from analysis.core.errors import InputError


class UpdateError(InputError):
    """An update refused: one line naming the file and why; nothing was changed."""


@dataclass
class NewPin:
    """One new version of a pinned file: `entry` the new manifest row, `follows` the pin it follows, `replaces`
    the pins it takes the place of (none when the older versions stay pinned), `staged` the verified bytes."""
    entry: manifest.Entry
    follows: manifest.Entry
    replaces: list[manifest.Entry]
    staged: Path
    read: Read | None = None


def declared_reads() -> list[Read]:
    """Every upstream read the build's steps declare."""
    from analysis.store import build

    return [r for s in build.STEPS for r in s.reads if r.kind != "curated"]


def read_of(local_path: str, reads: list[Read] | None = None) -> Read | None:
    """The step read that reads `local_path` (the file itself, or a version of the family), or None; of several,
    one that reads every version ('all') when there is one: then a step needs the older pins."""
    found = [r for r in (reads if reads is not None else declared_reads())
             if (r.versions and versions.matches(r.path, local_path)) or r.path == local_path]
    return next((r for r in found if r.versions == "all"), found[0] if found else None)


# --- where the new version comes from --------------------------------------------------------------------------

_COMMIT = re.compile(r"\b[0-9a-f]{40}\b")


def mirror_commit(mirror: Path, local_path: str) -> str | None:
    """The upstream commit the mirror's SOURCES.md gives for `local_path` (the first 40-hex commit on a line naming
    the file), looked for from the file's folder up to the mirror root."""
    name = Path(local_path).name
    folder = (mirror / local_path).parent
    while True:
        notes = folder / "SOURCES.md"
        if notes.is_file():
            for line in notes.read_text(encoding="utf-8", errors="replace").splitlines():
                if re.search(rf"(^|[/`\s]){re.escape(name)}([`\s|]|$)", line) and (m := _COMMIT.search(line)):
                    return m.group(0)
        if folder == mirror or mirror not in folder.parents:
            return None
        folder = folder.parent


def _new_entry(old: manifest.Entry, local_path: str, staged: Path, snapshot_date: str, commit: str) -> manifest.Entry:
    url = manifest.raw_github_url(old.upstream_repo, commit, old.upstream_path) if old.url and commit else ""
    citation = old.citation.replace(old.commit[:7], commit[:7]) if old.commit and commit else old.citation
    return replace(old, local_path=local_path, url=url, sha256=manifest.sha256_of(staged),
                   bytes=staged.stat().st_size, snapshot_date=snapshot_date, commit=commit or old.commit,
                   citation=citation)


def _stage(src: Path, tmp: Path) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    dst = tmp / f"{len(list(tmp.iterdir()))}-{src.name}"
    shutil.copyfile(src, dst)
    return dst


def _families(entries: list[manifest.Entry]) -> dict[str, list[manifest.Entry]]:
    """The dataset's pins by family (an undated file is a family of its own, keyed by its path)."""
    out: dict[str, list[manifest.Entry]] = {}
    for e in entries:
        out.setdefault(versions.family(e.local_path) or e.local_path, []).append(e)
    for v in out.values():
        v.sort(key=lambda e: (versions.date_of(e.local_path) or "", e.local_path))
    return out


def plan_mirror(dataset_entries: list[manifest.Entry], mirror: Path, tmp: Path, reads=None,
                snapshot_date: str | None = None) -> list[NewPin]:
    """The newer versions the mirror holds of the dataset's pinned files (`snapshot_date`: of an undated file
    whose content changed, which has no date in its name)."""
    planned = []
    for fam, pinned in _families(dataset_entries).items():
        newest = pinned[-1]
        read = read_of(newest.local_path, reads)
        if not versions.is_family(fam):  # an undated file: the mirror's copy when its content differs
            src = mirror / fam
            if src.is_file() and manifest.sha256_of(src) != newest.sha256:
                commit = mirror_commit(mirror, fam)
                if commit is None:
                    raise UpdateError(f"{fam}: the mirror's copy differs from the pin but its SOURCES.md names no "
                                      "upstream commit for it; pin it with `python -m analysis pin`")
                if commit == newest.commit:
                    raise UpdateError(f"{fam}: the mirror's copy differs from the pin at the same commit "
                                      f"{commit[:7]}; the mirror is inconsistent")
                if not snapshot_date:
                    raise UpdateError(f"{fam}: the mirror holds new content under the same name (commit "
                                      f"{commit[:7]}); give the date its data run to with --snapshot-date")
                staged = _stage(src, tmp)
                planned.append(NewPin(_new_entry(newest, fam, staged, snapshot_date, commit), newest, [newest],
                                      staged, read))
            continue
        last = versions.date_of(newest.local_path)
        newer = [p for p in versions.in_mirror(fam, mirror) if (versions.date_of(p) or "") > last]
        if not newer:
            continue
        keep_old = read is not None and read.versions == "all"
        chosen = newer if keep_old else newer[-1:]
        follows = newest
        for p in chosen:
            commit = mirror_commit(mirror, p)
            if commit is None:
                raise UpdateError(f"{p}: no upstream commit for it in the mirror's SOURCES.md; pin it with "
                                  "`python -m analysis pin`")
            staged = _stage(mirror / p, tmp)
            e = _new_entry(follows, p, staged, versions.date_of(p), commit)
            planned.append(NewPin(e, follows, [] if keep_old else pinned, staged, read))
            follows = e
    return planned


def plan_commit(dataset_entries: list[manifest.Entry], commit: str, snapshot_date: str, tmp: Path,
                reads=None) -> list[NewPin]:
    """Each pinned file's upstream path at `commit` (one new version per family), downloaded."""
    if not re.fullmatch(r"[0-9a-f]{7,40}", commit):
        raise UpdateError(f"--to {commit!r} is not a commit hash")
    planned = []
    for fam, pinned in _families(dataset_entries).items():
        newest = pinned[-1]
        if not newest.upstream_repo or not newest.upstream_path:
            raise UpdateError(f"{newest.local_path}: no upstream repository and path in the manifest (derived "
                              f"from {newest.derived_from or 'unknown'}); it can only come from a mirror")
        if newest.commit == commit:
            continue
        local = versions.with_date(fam, snapshot_date) if versions.is_family(fam) else fam
        if versions.is_family(fam) and snapshot_date <= (versions.date_of(newest.local_path) or ""):
            raise UpdateError(f"{fam}: --snapshot-date {snapshot_date} is not after the pinned "
                              f"{versions.date_of(newest.local_path)}")
        url = manifest.raw_github_url(newest.upstream_repo, commit, newest.upstream_path)
        tmp.mkdir(parents=True, exist_ok=True)
        staged = tmp / f"{len(list(tmp.iterdir()))}-{Path(local).name}"
        probe = replace(newest, url=url, local_path=local)
        fetch._copy_or_download(probe, None, staged, 60.0)
        read = read_of(newest.local_path, reads)
        keep_old = versions.is_family(fam) and read is not None and read.versions == "all"
        e = replace(_new_entry(newest, local, staged, snapshot_date, commit), url=url)
        planned.append(NewPin(e, newest, [] if keep_old else pinned, staged, read))
    return planned


# --- verifying a new version ---------------------------------------------------------------------------------

def _parse(path: Path, shown: str, kind: str):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UpdateError(f"{shown}: not UTF-8 text (byte {exc.start}); nothing updated") from None
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UpdateError(f"{shown}: not valid JSON (line {exc.lineno}: {exc.msg}); nothing updated") from None
    if kind == "csv":
        return next(csv.reader(io.StringIO(text, newline="")), [])
    return text


def shape(read: Read | None, value) -> dict[str, set]:
    """What the step reading the file relies on: `read.shape(value)`, or for a CSV the declared columns its header
    has (`value` is the header)."""
    if read is None:
        return {}
    if read.shape is not None:
        return {k: set(v) for k, v in read.shape(value).items()}
    if read.kind == "csv":
        return {"column": set(value) & set(read.columns)}
    return {}


def shape_change(old: dict[str, set], new: dict[str, set]) -> str | None:
    """The change of shape, in words, or None. A column or field gone is a change (a renamed one shows beside the
    new names); a category added or gone is one."""
    for aspect in sorted(set(old) | set(new)):
        a, b = old.get(aspect, set()), new.get(aspect, set())
        gone, added = sorted(a - b), sorted(b - a)
        if aspect == "category" and (gone or added):
            parts = ([f"{aspect} {', '.join(map(repr, gone))} gone"] if gone else []) + \
                    ([f"new {aspect} {', '.join(map(repr, added))}"] if added else [])
            return "; ".join(parts)
        if gone:
            return f"{aspect} {', '.join(map(repr, gone))} gone" + (f" (new: {', '.join(map(repr, added))})"
                                                                     if added else "")
    return None


def verify(pin: NewPin, old_file: Path) -> None:
    """Refuse a new version whose shape changed against the version it follows (one line, nothing changed)."""
    kind = pin.read.kind if pin.read is not None else ("json" if pin.entry.local_path.endswith(".json") else "")
    new_value = _parse(pin.staged, pin.entry.local_path, kind)
    if pin.read is None:
        return
    old_value = _parse(old_file, pin.follows.local_path, kind)
    change = shape_change(shape(pin.read, old_value), shape(pin.read, new_value))
    if change:
        raise UpdateError(f"{pin.entry.local_path}: {change} against {Path(pin.follows.local_path).name}; "
                          "the manifest and the clean tables are left as they were")


def _old_file(e: manifest.Entry, mirror: Path | None) -> Path:
    for base in (paths.external_dir(), mirror):
        if base is not None and (base / e.local_path).is_file() and manifest.sha256_of(base / e.local_path) == e.sha256:
            return base / e.local_path
    raise UpdateError(f"{e.local_path}: the pinned version is not in data/external/ (run `python -m analysis fetch`)"
                      " to compare the new version's shape with")


# --- applying it ---------------------------------------------------------------------------------------------

def describe(pin: NewPin) -> str:
    e = pin.entry
    how = (f"replaces {Path(pin.follows.local_path).name}" if pin.replaces and e.local_path != pin.follows.local_path
           else "replaces the pinned copy" if pin.replaces else
           f"after {Path(pin.follows.local_path).name}, older versions kept (every version is read)")
    return (f"update: {e.dataset} {e.local_path} (snapshot {e.snapshot_date}, commit {e.commit[:7]}, sha256 "
            f"{e.sha256[:12]}...) {how}")


def update(datasets: list[str], mirror: Path | None = None, to: str | None = None, snapshot_date: str | None = None,
           out: TextIO | None = None, build=None) -> list[NewPin]:
    """Move the datasets' pins to their newer versions, verify, rebuild (see the module's docstring); returns the
    new pins (none: up to date, nothing rebuilt)."""
    from analysis.store import build as build_mod

    build = build or build_mod.build
    out = out or sys.stdout  # looked up at call time (a redirected or captured stdout)
    if (mirror is None) == (to is None):
        raise UpdateError("update needs one of --mirror DIR (or $ANALYSIS_MIRROR) or --to COMMIT")
    if to is not None and not snapshot_date:  # a raw file at a commit does not say when its data run to
        raise UpdateError("--to COMMIT needs --snapshot-date (the date the new version's data run to)")
    entries = manifest.load()
    known = sorted({e.dataset for e in entries})
    unknown = [d for d in datasets if d not in known]
    if unknown:
        raise UpdateError(f"unknown source(s) {unknown}; known: {', '.join(known)}")
    reads = declared_reads()
    with tempfile.TemporaryDirectory(prefix=".update-", dir=paths.external_dir().parent
                                     if paths.external_dir().parent.is_dir() else None) as tmpdir:
        tmp = Path(tmpdir)
        planned: list[NewPin] = []
        for d in datasets:
            mine = [e for e in entries if e.dataset == d]
            planned += (plan_mirror(mine, mirror, tmp, reads, snapshot_date) if to is None
                        else plan_commit(mine, to, snapshot_date, tmp, reads))
        staged_of = {p.entry.local_path: p.staged for p in planned}
        for p in planned:  # each against the version it follows: the pinned one, or the new one before it
            verify(p, _old_file(p.follows, mirror) if p.follows in entries else staged_of[p.follows.local_path])
        if not planned:
            print(f"update: {', '.join(datasets)} up to date (no newer version "
                  f"{'in the mirror' if to is None else 'at ' + to}); nothing rebuilt", file=out)
            return []
        for p in planned:
            print(describe(p), file=out)
        _apply(planned, entries, out, build)
    return planned


def _apply(planned: list[NewPin], entries: list[manifest.Entry], out: TextIO, build) -> None:
    """Put the new files in place, rewrite the manifest, build; on any failure put everything back."""
    from analysis.core.atomic import atomic_path, write_text

    mpath = paths.manifest_path()
    old_manifest = mpath.read_bytes()
    gone = {e.local_path for p in planned for e in p.replaces}
    new_entries = [e for e in entries if e.local_path not in gone]
    new_entries = [e for e in new_entries if e.local_path not in {p.entry.local_path for p in planned}]
    new_entries += [p.entry for p in planned]
    ext = paths.external_dir()
    placed, backups = [], []
    try:
        for p in planned:
            target = ext / p.entry.local_path
            if target.exists():
                backup = target.with_name(f".{target.name}.{os.getpid()}.update-backup")
                os.replace(target, backup)
                backups.append((backup, target))
            with atomic_path(target) as tmp:
                shutil.copyfile(p.staged, tmp)
            placed.append(target)
        manifest.save(new_entries, mpath)
        build()
    except BaseException:
        for t in placed:
            t.unlink(missing_ok=True)
        for backup, target in backups:
            os.replace(backup, target)
        write_text(mpath, old_manifest.decode("utf-8"))
        print("update: failed; the manifest and data/external/ are as they were, the clean tables unchanged",
              file=out)
        raise
    for backup, _ in backups:
        backup.unlink(missing_ok=True)
