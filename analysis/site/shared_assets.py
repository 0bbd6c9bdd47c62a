"""One plotly.js and one stylesheet for the site, and single-file exports that embed them.

Reports in `reports/` load one shared, versioned copy of plotly.js from beside them
(`reports/assets/plotly-<version>.min.js`, a relative path, no network), so the folder opens offline and each
report costs its charts, not 4.7 MB of library. Likewise the JupyterLab stylesheet nbconvert's lab template
inlines (240 kB per report) goes to `reports/assets/jupyterlab-<sha256 prefix>.css` (`share_stylesheet`).
The report kernels are told the plotly.js path through $ANALYSIS_PLOTLYJS_SRC (see
`analysis.figures.plots.OfflineHTMLRenderer`); without it (a notebook run in JupyterLab, nbconvert or papermill) the
first chart embeds plotly.js as before.

`standalone_html` turns a report's HTML into a single file with plotly.js embedded, for someone who mails one
report: `python -m analysis export NAME` (or `report NAME --standalone`) writes `standalone/<name>.html`,
which draws from that one file moved anywhere.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from pathlib import Path

from analysis.core import paths
from analysis.core.atomic import atomic_path, write_text

ENV = "ANALYSIS_PLOTLYJS_SRC"
ASSETS = "assets"


def _bundled() -> Path:
    """plotly.min.js as shipped inside the installed plotly package (what pio.to_html would embed)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@cache
def version() -> str:
    """plotly.js version of the bundled file, read from its licence header (no plotly import)."""
    with open(_bundled(), encoding="utf-8") as f:
        head = f.read(300)
    m = re.search(r"plotly\.js v(\d+\.\d+\.\d+\S*)", head)
    if not m:
        raise RuntimeError(f"{_bundled()}: no plotly.js version in its header")
    return m.group(1)


def asset_name() -> str:
    return f"plotly-{version()}.min.js"


def src() -> str:
    """The script src every report uses: relative to the report, inside reports/."""
    return f"{ASSETS}/{asset_name()}"


def ensure_asset(reports_dir: Path | None = None) -> Path:
    """Write reports/assets/plotly-<version>.min.js once (atomically); a copy of the same size is kept."""
    target = (reports_dir or paths.reports_dir()) / ASSETS / asset_name()
    source = _bundled()
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        with atomic_path(target) as tmp:
            Path(tmp).write_bytes(source.read_bytes())
    return target


def _tag_re() -> re.Pattern:
    return re.compile(r'<script charset="utf-8" src="' + re.escape(src()) + r'"></script>')


def uses_shared(html: str) -> bool:
    return bool(_tag_re().search(html))


# nbconvert's include_css writes exactly this; the first one over this size is the JupyterLab stylesheet
_STYLE_RE = re.compile(r'<style type="text/css">\n(.*?)</style>', re.S)
_LINK_RE = re.compile(r'<link rel="stylesheet" href="(' + ASSETS + r'/jupyterlab-[0-9a-f]{16}\.css)">')
BIG_STYLE = 50_000


def share_stylesheet(html: str, reports_dir: Path | None = None) -> str:
    """Move the page's large inline JupyterLab stylesheet to reports/assets/ (named by its hash) and link it."""
    m = next((m for m in _STYLE_RE.finditer(html) if len(m.group(1)) > BIG_STYLE), None)
    if m is None:
        return html
    css = m.group(1)
    name = f"{ASSETS}/jupyterlab-{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
    target = (reports_dir or paths.reports_dir()) / name
    if not target.is_file():
        write_text(target, css)
    return html[:m.start()] + f'<link rel="stylesheet" href="{name}">' + html[m.end():]


def standalone_html(html: str, reports_dir: Path | None = None) -> str:
    """The same page with the shared plotly.js and stylesheet replaced by their contents (one file, offline)."""
    base = reports_dir or paths.reports_dir()

    def style(m: re.Match) -> str:
        css = (base / m.group(1)).read_text(encoding="utf-8")
        return f'<style type="text/css">\n{css}</style>'

    html = _LINK_RE.sub(style, html, count=1)
    js = _bundled().read_text(encoding="utf-8")
    return _tag_re().sub(lambda _m: f'<script charset="utf-8" type="text/javascript">{js}</script>', html, count=1)


def export(names: list[str], out_dir: Path | None = None) -> list[Path]:
    """Write standalone copies of built reports to out_dir (default: standalone/ beside reports/)."""
    out_dir = out_dir or paths.reports_dir().parent / "standalone"
    written = []
    for name in names:
        page = paths.reports_dir() / f"{name}.html"
        if not page.is_file():
            raise FileNotFoundError(f"{page}: report {name!r} is not built (python -m analysis report {name})")
        target = out_dir / f"{name}.html"
        write_text(target, standalone_html(page.read_text(encoding="utf-8")))
        written.append(target)
    return written
