"""`reports/changes.html`: what each update of the data changed, newest first.

Written with the index pair (analysis.site.index_page.write_index) into the site generation being written, so it
switches with the pages and the index it describes (analysis.site.generation). Each entry is one publication of
the front page whose data or numbers moved:

- the front page's changes: every claim's finding, date, verdict and robustness line, and every other measured
  number, that differ from the front page published before, old -> new (`front_page_diff`);
- the data diffs of the builds since the build that front page was computed from (analysis.store.changes: pins,
  rows added / removed / changed per table, new models and organizations, unlinked names, quarantined rows,
  price changes, release dates that moved, new and vanished source keys).

`changes.json` beside it holds the same entries (the last KEEP). A publication that changes neither the data
build nor a front-page number (a variant, a rerun with the same tables) adds no entry.
"""

from __future__ import annotations

import json
from pathlib import Path

PAGE = "changes.html"
RECORD = "changes.json"
KEEP = 5
CLAIM_FIELDS = ("finding", "date", "verdict", "shown_verdict")
FINDING_FIELDS = ("value", "date", "text")


def _claim_values(c: dict) -> dict:
    out = {f: c.get(f) for f in CLAIM_FIELDS}
    out["robustness"] = (c.get("robustness") or {}).get("line")
    return out


def _finding_keys(findings: list[dict]) -> dict[tuple, dict]:
    """The other measured numbers by (report, place among that report's numbers)."""
    seen: dict[str, int] = {}
    out = {}
    for f in findings:
        r = f.get("report") or ""
        seen[r] = seen.get(r, 0) + 1
        out[(r, seen[r])] = f
    return out


def front_page_diff(old: dict | None, new: dict) -> dict:
    """Claims and other measured numbers that changed between two index records, field by field, old -> new."""
    if old is None:
        return dict(compared=False, changes=[])
    changes = []
    oc = {c["key"]: c for c in old.get("claims") or []}
    nc = {c["key"]: c for c in new.get("claims") or []}
    for key in [*nc, *[k for k in oc if k not in nc]]:
        a, b = oc.get(key), nc.get(key)
        label = (b or a).get("quote", key)
        if a is None or b is None:
            changes.append(dict(kind="claim", key=key, label=label, field="claim",
                                old=None if a is None else "listed", new=None if b is None else "listed"))
            continue
        va, vb = _claim_values(a), _claim_values(b)
        for f in va:
            if va[f] != vb[f]:
                changes.append(dict(kind="claim", key=key, label=label, field=f, old=va[f], new=vb[f]))
    of, nf = _finding_keys(old.get("findings") or []), _finding_keys(new.get("findings") or [])
    for key in [*nf, *[k for k in of if k not in nf]]:
        a, b = of.get(key), nf.get(key)
        label = f"{key[0] or 'front page'} number {key[1]}"
        for f in FINDING_FIELDS:
            va, vb = (a or {}).get(f), (b or {}).get(f)
            if va != vb:
                changes.append(dict(kind="number", key=f"{key[0]}#{key[1]}", label=label, field=f, old=va, new=vb))
    return dict(compared=True, changes=changes)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def data_build() -> tuple[str | None, list[dict]]:
    """The build id of the current clean tables and the data diffs of the last builds, newest first."""
    from analysis.store import changes, generations

    gen = generations.current_generation()
    if gen is None or not (gen / generations.MANIFEST).is_file():
        return None, []
    return generations.read_manifest(gen).get("build_id"), changes.read(gen)["builds"]


def builds_since(builds: list[dict], last: str | None) -> tuple[list[dict], bool]:
    """The builds after `last` (newest first), and whether the chain reaches back to it."""
    out = []
    for b in builds:
        if last is not None and b.get("build") == last:
            return out, True
        out.append(b)
    return (out[:1], False) if last is None else (out, False)


def changed(build: dict) -> bool:
    """Whether a build's data diff changed anything: pins, or rows of a table."""
    pins = build.get("pins") or {}
    return bool(build.get("first_build") or pins.get("added") or pins.get("removed") or pins.get("changed")
                or any(t.get("new_table") or t.get("added") or t.get("removed") or t.get("changed")
                       for t in (build.get("tables") or {}).values()))


def next_record(base: Path, index: dict) -> dict | None:
    """The record of changes after publishing `index` into the generation `base` (which still holds the previous
    index.json and changes.json, hard-linked from the set readers see); None when nothing new is to be said."""
    previous = _read_json(base / RECORD)
    prev_index = _read_json(base / "index.json")
    build, builds = data_build()
    last = (previous or {}).get("data_build")
    if previous is not None and build == last:
        since, complete = [], True
    else:
        since, complete = builds_since(builds, last)
        since = [b for b in since if changed(b)]  # a rebuild of the same tables is no update
    front = front_page_diff(prev_index, index)
    if previous is not None and not since and not front["changes"]:
        return None
    entry = dict(published_at=index.get("built_at"), data_build=build, previous_data_build=last,
                 builds_complete=complete, builds=since, front_page=front)
    return dict(data_build=build, updates=[entry, *(previous or {}).get("updates", [])][:KEEP])


def write(base: Path, index: dict) -> bool:
    """Write changes.json and changes.html into the generation `base` when there is something new (or no page
    yet); returns whether it wrote."""
    from analysis.core.atomic import write_text

    record = next_record(base, index)
    if record is None and (base / PAGE).is_file():
        return False
    record = record or dict(data_build=data_build()[0], updates=[])
    write_text(base / RECORD, json.dumps(record, indent=1, default=str))
    write_text(base / PAGE, render(record))
    return True


def latest_summary(base: Path | None) -> str | None:
    """One line on the newest update for the front page, or None."""
    record = _read_json(Path(base) / RECORD) if base is not None else None
    if not record or not record.get("updates"):
        return None
    u = record["updates"][0]
    parts = []
    n = len({(c["kind"], c["key"]) for c in u["front_page"]["changes"]})
    if n:
        parts.append(f"{n} front-page {'claim or number' if n == 1 else 'claims and numbers'} changed")
    for b in u["builds"][:1]:
        pins = b.get("pins") or {}
        if pins.get("added") or pins.get("changed"):
            parts.append(f"{len(pins.get('added', [])) + len(pins.get('changed', []))} new upstream file(s)")
        if (b.get("models") or {}).get("added"):
            parts.append(f"{b['models']['added']} new model(s)")
        if (b.get("prices") or {}).get("changed"):
            parts.append(f"{b['prices']['changed']} price(s) changed")
    return f"Last update {u['published_at']}: " + (", ".join(parts) if parts else "no change of numbers") + "."


# --- the page ----------------------------------------------------------------------------------------------

def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def render(record: dict) -> str:
    from analysis.site import templating

    return templating.render("changes.html.j2", record=record, fmt=_fmt)
