"""The report site switches as one set: site generations.

Every name a reader opens in `reports/` is a stable relative symlink through one link, `.site/current`:

    reports/index.html    -> .site/current/index.html
    reports/index.json    -> .site/current/index.json
    reports/<name>.html   -> .site/current/<name>.html       (each report and each --output-name variant)
    reports/<name>        -> .site/current/<name>            (its data folder)
    reports/.site/current -> generations/<id>                the switch
    reports/.site/generations/<id>/index.html, index.json, <name>.html,
                                  <name> -> ../../../data/<name>/<build id>,
                                  assets -> ../../../assets, data -> ../../../data  (SHARED)
    reports/data/<name>/<build id>/   chart CSVs, datapackage.json, preview.json, published tables (written once)
    reports/assets/                   the shared plotly.js and stylesheet (named by version or hash, never rewritten)

A generation is one complete set: the index pair and every page with the data folder it links. A run that
publishes (`report`, `report NAME -p ...`, `report NAME --output-name V`) opens a new generation (`publishing`,
`begin`), which starts as the current set (files hard-linked, links copied: nothing is rewritten). Each page
the run builds goes into it (analysis.site.pages: its data first, in a new build folder, then the page, then the
generation's link to that folder), then the index pair (analysis.site.index_page.write_index). `commit` makes
the top-level link of any name new to the site, then points `.site/current` at the new generation with one
`os.replace`: that rename switches pages, data folders, index.html and index.json together. Afterwards
(`tidy`) the older generation, the build folders no page of the current set uses, and top-level links to names
the current set does not have are removed.

A run killed at any point therefore leaves the previous complete set or the new complete set; a new name's
top-level link made before the switch points at nothing until then (it is not a page, and `tidy` removes it).
The next run, under the build lock, starts with `sweep`: the generation a killed run never switched to goes,
with its build folders. Since a page and the index that describes it are of one generation, the index's record
of a page (its `build`, analysis.site.report.stale_reasons) is what that page was built from.

A site written before generations existed (real files at the top of `reports/`) is taken over as it is by
`adopt` (a generation of exactly the files a reader sees, then each top-level name replaced by its link to the
same content), so the first run of this layout changes nothing a reader sees before its own switch.
Stop points for the kill tests: analysis.core.faults.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.core import atomic, faults, paths
from analysis.site import chart_data

SITE = ".site"
GENERATIONS = "generations"
CURRENT = "current"
INDEX_FILES = ("index.html", "index.json")
# the site's own files beside the pages: the index pair and the changes page with its record (analysis.site.changes)
SITE_FILES = (*INDEX_FILES, "changes.html", "changes.json")
_ASIDE = ".old-dir"  # a real folder of an old layout, moved aside to be removed
# the site's shared folders (plotly.js and the stylesheet; every build's data files), linked from each generation
# too: a page opened at its real path (.site/generations/<id>/<name>.html; Chromium resolves the links of a path
# given on its command line, and `xdg-open` gives one) finds its `assets/...` and `data/...` there as it does at
# reports/<name>.html
SHARED = ("assets", chart_data.BUILDS)
# top-level names that are the site's own folders, never a report's data link
_OWN = {SITE, *SHARED}


def _site(reports: Path | None) -> Path:
    """The site folder (`reports/`, or the one given), resolved: one key per site."""
    return Path(reports or paths.reports_dir()).resolve()


def site_dir(reports: Path | None = None) -> Path:
    return _site(reports) / SITE


def generations_dir(reports: Path | None = None) -> Path:
    return site_dir(reports) / GENERATIONS


def current_link(reports: Path | None = None) -> Path:
    return site_dir(reports) / CURRENT


def current(reports: Path | None = None) -> Path | None:
    """The folder of the current generation, or None (no site yet, or one from before generations)."""
    link = current_link(reports)
    return link.resolve() if link.is_symlink() and link.exists() else None


def _top_target(name: str) -> str:
    return f"{SITE}/{CURRENT}/{name}"


def _is_ours(top: Path) -> bool:
    """`reports/<name>` is the stable link through the current generation."""
    return top.is_symlink() and os.readlink(top) == _top_target(top.name)


def _token() -> str:
    return f"{os.getpid()}.{secrets.token_hex(4)}"


def _symlink(target: str, where: Path) -> None:
    """Make (or replace) the symlink `where` -> `target` in one rename."""
    atomic.replace_symlink(where, target)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or hard links not supported
        shutil.copy2(src, dst)


@dataclass
class Generation:
    """One set of the site being written (`path`: .site/generations/<id>/) for the site `reports`."""

    reports: Path
    path: Path

    def page(self, name: str) -> Path:
        return self.path / f"{name}.html"

    def link_data(self, name: str, build: Path) -> None:
        """The generation's `<name>`: a relative link to the report's build folder `build` (data/<name>/<id>)."""
        _symlink(os.path.relpath(build, self.path), self.path / name)


def begin(reports: Path | None = None) -> Generation:
    """A new generation holding the current set (files hard-linked, links copied). Never written in place:
    each file a run changes is a new file renamed over the generation's entry."""
    reports = _site(reports)
    gen = generations_dir(reports) / (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{_token()}")
    gen.mkdir(parents=True)
    for name in SHARED:  # reports/assets, reports/data, as seen from the generation
        os.symlink(os.path.relpath(reports / name, gen), gen / name)
    previous = current(reports)
    if previous is not None:
        for entry in previous.iterdir():
            if entry.name.startswith(".") or entry.name in _OWN:
                continue
            if entry.is_symlink():
                os.symlink(os.readlink(entry), gen / entry.name)
            elif entry.is_file():
                _link_or_copy(entry, gen / entry.name)
    return Generation(reports, gen)


def commit(gen: Generation) -> None:
    """Switch the site to `gen` in one rename (see the module's docstring), then tidy up."""
    reports = gen.reports
    names = sorted(e.name for e in gen.path.iterdir() if not e.name.startswith(".") and e.name not in _OWN)
    for name in names:  # a new name's link: it points at nothing until the switch
        top = reports / name
        if not top.exists():
            _symlink(_top_target(name), top)
    faults.stop_at("site:before-switch")
    _symlink(f"{GENERATIONS}/{gen.path.name}", current_link(reports))  # the switch
    faults.stop_at("site:after-switch")
    tidy(reports)


def _replace_top(top: Path) -> None:
    """Make `reports/<name>` the stable link (after a switch to a generation that has `<name>`)."""
    if _is_ours(top):
        return
    if top.is_dir() and not top.is_symlink():  # a report folder of the layout before build folders
        aside = top.parent / f".{top.name}.{_token()}{_ASIDE}"
        os.rename(top, aside)
        _symlink(_top_target(top.name), top)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        _symlink(_top_target(top.name), top)


def tidy(reports: Path | None = None) -> list[Path]:
    """After a switch, or at the start of a run under the build lock: every name of the current set has its
    top-level link; generations other than the current one, top-level links to names it lacks, half-made links
    and the build folders no page or link of the current set uses are removed. Returns what it removed."""
    reports = _site(reports)
    keep = current(reports)
    gone: list[Path] = []
    if keep is not None:
        for entry in sorted(keep.iterdir()):
            top = reports / entry.name
            if entry.name.startswith(".") or entry.name in _OWN:
                continue
            if top.exists() or top.is_symlink():
                _replace_top(top)  # a file of an adopted site: the generation has the same content
            elif not entry.name.endswith(".html") and entry.name not in INDEX_FILES \
                    and (reports / f"{entry.name}.html").exists():
                _symlink(_top_target(entry.name), top)  # a data link a kill lost while replacing an old folder
            # a page or index a reader deleted stays deleted: the next run rebuilds it ("its HTML is missing")
    gone += atomic.remove_all_but(generations_dir(reports), keep)
    for folder in (reports, site_dir(reports)):
        atomic.remove_stale_links(folder)
    for p in reports.glob(f".*{_ASIDE}") if reports.is_dir() else []:
        shutil.rmtree(p, ignore_errors=True)
    for top in sorted(reports.iterdir()) if reports.is_dir() else []:
        if top.is_symlink() and os.readlink(top) == _top_target(top.name) and not top.exists():
            top.unlink()  # a name the current set does not have (a killed run's new page)
            gone.append(top)
    gone += chart_data.sweep_builds(reports)  # reads the pages and links of the current set
    return gone


def _legacy(reports: Path) -> list[Path]:
    """Top-level entries a reader sees that are not links through `.site/current`: a site from before
    generations, or files another program put there."""
    out = []
    for top in sorted(reports.iterdir()) if reports.is_dir() else []:
        if top.name.startswith(".") or top.name in _OWN or _is_ours(top) or not top.exists():
            continue
        if top.name in SITE_FILES or top.suffix == ".html" and top.is_file():
            out.append(top)
        elif top.is_dir() and (reports / f"{top.name}.html").exists():  # a page's data folder
            out.append(top)
    return out


def adopt(reports: Path | None = None) -> list[Path]:
    """Take over the top-level files of a site from before generations as they are (see the module's
    docstring); returns the names taken over."""
    reports = _site(reports)
    legacy = _legacy(reports)
    if not legacy:
        return []
    gen = begin(reports)
    for top in legacy:
        target = gen.path / top.name
        if top.is_file():
            target.unlink(missing_ok=True)
            _link_or_copy(top.resolve(), target)
            continue
        real = top.resolve()
        if real.is_relative_to(chart_data.builds_dir(top.name, reports)):  # data/<name>/<build id>: kept as is
            gen.link_data(top.name, real)
        else:  # a folder of the layout before build folders: copied into a build folder
            build = chart_data.new_build_dir(top.name, reports, create=False)
            shutil.copytree(real, build, copy_function=lambda s, d: _link_or_copy(Path(s), Path(d)))
            gen.link_data(top.name, build)
    _symlink(f"{GENERATIONS}/{gen.path.name}", current_link(reports))  # same content as the top-level files
    tidy(reports)  # now each top-level name becomes its link to that same content
    return legacy


def sweep(reports: Path | None = None) -> list[Path]:
    """At the start of a run, under the build lock: adopt a site from before generations, then remove what
    killed runs left (`tidy`). Returns what it removed."""
    adopt(reports)
    return tidy(reports)


# --- the generation this process is writing ------------------------------------------------------------------

_ACTIVE: dict[Path, Generation] = {}
_ACTIVE_LOCK = threading.Lock()


def active(reports: Path | None = None) -> Generation | None:
    """The generation this process is writing for the site `reports` (None: none open)."""
    with _ACTIVE_LOCK:
        return _ACTIVE.get(_site(reports))


@contextlib.contextmanager
def publishing(reports: Path | None = None) -> Iterator[Generation]:
    """Open a new generation of the site for this process's writes and switch to it when the block ends; an
    exception leaves the current set as it is (the unfinished generation is removed). Nested: the outer block
    switches."""
    reports = _site(reports)
    with _ACTIVE_LOCK:
        outer = _ACTIVE.get(reports)
    if outer is not None:
        yield outer
        return
    gen = begin(reports)
    with _ACTIVE_LOCK:
        _ACTIVE[reports] = gen
    try:
        yield gen
    except BaseException:
        shutil.rmtree(gen.path, ignore_errors=True)  # its build folders go with the next run's sweep
        raise
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE.pop(reports, None)
    commit(gen)
