"""The site's front page (reports/index.html) and the navigation bar of every report.

The claims table (analysis.site.claims), the other measured numbers (analysis.site.findings), one card per report
(summary from its parameters, sparkline preview, parameters, snapshot dates, status) ordered by the claims
it answers, and the user's variants; rendered from templates/site/index.html.j2.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from markupsafe import Markup

from analysis.site import chart_data, report_specs, templating
from analysis.site.templating import esc


def nav_html(current: str | None = None) -> str:
    items = ['<a href="index.html">All reports</a>']
    for s in report_specs.load_specs():
        cur = ' aria-current="page"' if s.name == current else ""
        items.append(f'<a href="{esc(s.name)}.html"{cur} title="{esc(s.title)}">{esc(_short(s.title))}</a>')
    return f'<nav class="site-nav" aria-label="reports">{"".join(items)}</nav>'


def _short(title: str) -> str:
    return title if len(title) <= 48 else title[:46].rstrip() + "\u2026"


_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|rgba?\([0-9., ]+\)|[a-z]+)$")


def sparkline_svg(prev: dict | None, width: int = 240, height: int = 56) -> str:
    if not prev:
        return ""
    lines = []
    for s in prev["series"]:
        y = s["y"]
        lo, hi = min(y), max(y)
        span = (hi - lo) or 1.0
        pts = " ".join(f"{width * i / (len(y) - 1):.1f},{height - 4 - (height - 8) * (v - lo) / span:.1f}"
                       for i, v in enumerate(y))
        color = s.get("color") if s.get("color") and _COLOR.match(s["color"]) else "#555"
        lines.append(f'<polyline fill="none" stroke="{esc(color)}" stroke-width="1.5" points="{pts}">'
                     f"<title>{esc(s['name'])}</title></polyline>")
    return (f'<svg class="spark" role="img" aria-label="{esc("Preview: " + prev.get("title", ""))}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(lines)}</svg>')


def _load_meta(name: str, base=None) -> dict:
    """The index card's data of a report: preview.json in its data folder (of the site, or of the generation
    `base` being written)."""
    p = (Path(base) / name if base is not None else chart_data.report_dir(name)) / "preview.json"
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _package(base=None) -> dict | None:
    """The clean-table package of the site (or of the generation `base` being written): its tables and the tables
    left out, from its datapackage.json (analysis.site.table_package), or None."""
    from analysis.core import paths
    from analysis.site import table_package

    p = Path(base if base is not None else paths.reports_dir()) / table_package.NAME / "datapackage.json"
    try:
        pkg = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return dict(href=table_package.NAME, names=[r["name"] for r in pkg.get("resources", [])],
                withheld=[w["name"] for w in pkg.get("withheld", [])])


def _params(parameters: dict) -> str:
    return ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in parameters.items())


def _card_order(r: dict) -> tuple:
    """Cards in the order of the claims they answer (report_text.CLAIMS_ANSWERED), default report first."""
    from analysis.site import report_text

    nb = r["notebook"].removesuffix(".ipynb")
    answered = report_text.CLAIMS_ANSWERED.get(nb) or (99,)
    return (min(answered), nb, bool(r.get("parameters")), r["name"])


def render_index(index: dict, base=None) -> str:
    """The front page of `index` (the cards' previews read from the site, or from the folder `base`: the site
    generation being written)."""
    from analysis.site import report_text

    titles = {r["name"]: r["title"] for r in index["reports"].values()}
    claims = [dict(c, n=i) for i, c in enumerate(index.get("claims") or [], start=1)]
    cards = []
    for r in sorted(index["reports"].values(), key=_card_order):
        meta = _load_meta(r["name"], base) if r["status"] == "ok" or r.get("stale_html") else {}
        snaps = r.get("snapshots") or {}
        nb = r["notebook"].removesuffix(".ipynb")
        summary = report_text.summary(nb, report_text.full_parameters(nb, r["parameters"])) or meta.get("summary", "")
        answers = [c for c in claims if c["report"] == r["name"]]
        cards.append(dict(r=r, params=_params(r["parameters"]), snaps=sorted(snaps.items()),
                          newest=max(snaps.values()) if snaps else "", charts=meta.get("charts"),
                          summary=summary, answers=answers, spark=Markup(sparkline_svg(meta.get("preview")))))
    from analysis.site import freshness

    months = freshness.stale_after_months()
    ages = freshness.sources(freshness.build_day(index["built_at"]), months)
    for c in claims:
        c["title"] = titles.get(c["report"], c["report"])
        # None: an index from before claims recorded their files (the mark is not known, never "fresh")
        c["stale"] = ([s.as_dict() for s in freshness.stale_for(c["files"], ages)] if "files" in c else None)
    from analysis.site.claims import VERDICTS
    from analysis.site.robustness import TOO_CLOSE

    tally = [(v, sum((c.get("shown_verdict") or c["verdict"]) == v for c in claims)) for v in (*VERDICTS, TOO_CLOSE)]
    tally = ", ".join(f"{n} {v}" for v, n in tally if n)
    findings = [dict(f=f, title=titles.get(f.get("report")), report=f.get("report") or "")
                for f in index.get("findings") or []]
    variants = [dict(v=v, params=_params(v["parameters"]),
                     summary=report_text.summary(v["notebook"].removesuffix(".ipynb"), report_text.full_parameters(
                         v["notebook"].removesuffix(".ipynb"), v["parameters"])))
                for v in sorted((index.get("variants") or {}).values(), key=lambda v: v["name"])]
    from analysis.site import changes

    where = Path(base) if base is not None else None
    has_changes = where is not None and (where / changes.PAGE).is_file()
    return templating.render("index.html.j2", built_at=index["built_at"], cards=cards, findings=findings,
                             claims=claims, tally=tally, headlines=index.get("headlines") or [], variants=variants,
                             freshness=[a.as_dict() for a in ages], stale_after_months=months,
                             build_day=freshness.build_day(index["built_at"]).isoformat(),
                             tables=_package(base),
                             changes=has_changes, changes_line=changes.latest_summary(where) if has_changes else None)


# --- writing the index pair ----------------------------------------------------------------------------------
# index.html is written first, then index.json (the record the next run reads): each atomically, into the site
# generation being written (analysis.site.generation), which becomes current with the pages in one rename, so a
# reader never sees the two of different runs. `repair` is for a pair written in place (a folder given to
# `write_index`, a site from before generations, or an index.json put back by hand): it renders index.html again
# from index.json, and removes the temporary files a killed run left in reports/ (e.g. reports/data/<report>/
# <build id>/.chart-1.*.tmp.csv).

def _stamp(index: dict) -> str:
    return f'<meta name="index-built" content="{esc(index["built_at"])}">'


def write_index(index: dict, reports_dir=None) -> None:
    """Write index.html, then index.json, into the folder `reports_dir` (a site generation being written); without
    one, into the generation this process is writing, or a new one switched to on its own."""
    from analysis.core import faults
    from analysis.core.atomic import write_text
    from analysis.site import generation

    if reports_dir is None:
        with generation.publishing() as gen:
            write_index(index, gen.path)
        return
    base = Path(reports_dir)
    from analysis.site import changes

    changes.write(base, index)  # changes.html + changes.json, before the pair that links them (analysis.site.changes)
    page = render_index(index, base).replace("<head>", "<head>" + _stamp(index), 1)
    write_text(base / "index.html", page)
    faults.stop_at("site:index-html")
    write_text(base / "index.json", json.dumps(index, indent=2, default=str))


def repair(reports_dir=None) -> list:
    """Make index.html match index.json again and delete a killed run's temporary files; returns what it fixed.
    In a site of generations the pair is the current generation's (written there, in place)."""
    from analysis.core import paths
    from analysis.core.atomic import remove_stale_temps, write_text
    from analysis.site import generation

    base = Path(reports_dir or paths.reports_dir())
    fixed = list(remove_stale_temps(base, recursive=True))
    where = generation.current(base) or base
    try:
        index = json.loads((where / "index.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return fixed
    page = where / "index.html"
    current = page.read_text(encoding="utf-8") if page.is_file() else ""
    if index.get("built_at") and "reports" in index and _stamp(index) not in current:
        write_text(page, render_index(index, where).replace("<head>", "<head>" + _stamp(index), 1))
        fixed.append(base / "index.html")
    return fixed
