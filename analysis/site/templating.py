"""The site's HTML: Jinja templates (analysis/site/templates/site/, autoescaped) and the small escaping helpers.

Everything data-derived is HTML-escaped; only http(s) URLs (`analysis.core.safety.safe_url`) become links.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from analysis.core.safety import safe_url

TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"


def bytecode_cache():
    """Jinja's own cache of compiled templates, in its per-user folder of the temporary directory (keyed on each
    template's file and source, written atomically): the site's templates and nbconvert's are compiled once, not
    in every build (a third of the index's time in a one-report rebuild). None, and templates compiled as usual,
    where Jinja finds no safe folder for it."""
    import jinja2

    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


@cache
def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              bytecode_cache=bytecode_cache())


def render(template: str, **context) -> str:
    return _env().get_template(template).render(**context)


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def link(url: str | None, text: str) -> str:
    u = safe_url(url)
    return f'<a href="{esc(u)}">{esc(text)}</a>' if u else esc(text)


_URL = re.compile(r"https?://[^\s\"'<>;,)]+")


def linkify(text: str) -> str:
    """Escape `text` and turn the http(s) URLs in it into links."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".")
        out.append(esc(text[pos:m.start()]))
        out.append(link(url, url))
        pos = m.start() + len(url)
    out.append(esc(text[pos:]))
    return "".join(out)
