"""Text from the data is untrusted: it is shown as text, never run, and only http(s) URLs become links.

Names, titles and URLs come from files on the internet. Charts escape them (plotly renders its own small
HTML subset in hover text and legends); Markdown outputs of the notebooks are neutralised before the HTML
export (`sanitize_notebook`), because nbconvert passes raw HTML inside Markdown straight into the page.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

SAFE_SCHEMES = ("http", "https")


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL without white space or control characters, else None."""
    if not url or not isinstance(url, str):
        return None
    u = url.strip()
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in u):
        return None
    parsed = urlparse(u)
    if parsed.scheme.lower() not in SAFE_SCHEMES or not parsed.netloc:
        return None
    return u


def link_html(url: str | None, text: str | None = None) -> str:
    """An <a> element for an http(s) URL; for anything else the escaped text only (no link)."""
    shown = html.escape(text if text is not None else (url or ""), quote=False)
    good = safe_url(url)
    if good is None:
        return shown
    return f'<a href="{html.escape(good, quote=True)}" rel="noopener noreferrer">{shown}</a>'


def escape_text(text: str | None) -> str:
    """Data text for plotly labels, hover text and legends: plotly's pseudo-HTML is not interpreted."""
    return html.escape(text or "", quote=False)


def escape_columns(df, columns):
    """A polars frame with the named text columns escaped as `escape_text` does, for a chart that shows them
    (hover_name / hover_data / text of plotly express); columns that are absent or not text are left."""
    import polars as pl

    cols = [c for c in columns if c in df.columns and df.schema[c] == pl.String]
    return df.with_columns(pl.col(c).str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True)
                           .str.replace_all(">", "&gt;", literal=True) for c in cols)


_MD_LINK = re.compile(r"\]\(\s*<?\s*([^)\s>]*)")
# a link reference definition: up to 3 spaces, [label]:, the target (entities for < > are already written)
_MD_REF_DEF = re.compile(r"(?m)^( {0,3}\[[^\]\n]+\]:[ \t]*)(&lt;[^\s]*?&gt;|\S+)")


def neutralize_markdown(text: str) -> str:
    """Markdown from a notebook output with raw HTML shown as text and non-http(s) link targets disabled.

    The project's Markdown outputs use emphasis, code and lists only; '<' and '>' are written as entities
    (they render the same), so a name such as '<script>...' is displayed, not run."""
    text = text.replace("<", "&lt;").replace(">", "&gt;")

    def fix(m: re.Match) -> str:
        target = m.group(1)
        return m.group(0) if safe_url(target) or target.startswith("#") else "](#unsafe-link-removed"

    text = _MD_LINK.sub(fix, text)
    # an image would load a remote file when the page is opened: never an image from an output, in any syntax
    text = text.replace("![", "!&#91;")

    # a reference-style link ([title][1] ... [1]: javascript:...) gets its target from a definition line
    def fix_ref(m: re.Match) -> str:
        target = m.group(2).removeprefix("&lt;").removesuffix("&gt;")
        return m.group(0) if safe_url(target) or target.startswith("#") else f"{m.group(1)}#unsafe-link-removed"

    return _MD_REF_DEF.sub(fix_ref, text)


def sanitize_notebook(nb) -> int:
    """Neutralise every text/markdown output of an executed notebook in place; returns how many."""
    n = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data") or {}
            if "text/markdown" in data:
                md = data["text/markdown"]
                md = "".join(md) if isinstance(md, list) else md
                data["text/markdown"] = neutralize_markdown(md)
                n += 1
    return n
