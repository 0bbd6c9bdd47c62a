"""One look for every chart: the project's plotly template, country colours, source notes.

`setup()` is called at the top of every notebook. It registers the template and picks the renderer:
`plotly_mimetype+notebook` shows charts interactively in JupyterLab (mimetype) and also writes a
`text/html` output with plotly.js embedded, which nbconvert keeps, so the HTML report draws its charts
offline. In a report build ($ANALYSIS_PLOTLYJS_SRC set) that output loads the site's shared plotly.js instead.
"""

from __future__ import annotations

import html
import os

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

from analysis import manifest, vocab

COUNTRY_COLORS = {
    vocab.US: "#1f5fa8",
    vocab.CHINA: "#d7301f",
    vocab.JOINT: "#8856a7",
    vocab.OTHER: "#8c8c8c",
}
COUNTRY_ORDER = list(COUNTRY_COLORS)
TEMPLATE = "thousand_models"
RENDERER = "plotly_mimetype+thousand_models_html"


class OfflineHTMLRenderer(MimetypeRenderer):
    """text/html output with plotly.js embedded in the first figure only and no CDN script (no MathJax).

    Plotly's own `notebook` renderer loads MathJax from a CDN; reports must open offline. JupyterLab shows
    the `application/vnd.plotly.v1+json` output of the mimetype renderer; nbconvert keeps this HTML one.
    """

    # plotly copies the renderer for every figure, so the flag lives on the class; setup() resets it
    plotlyjs_included = False

    def to_mimebundle(self, fig_dict):
        include = not OfflineHTMLRenderer.plotlyjs_included
        OfflineHTMLRenderer.plotlyjs_included = True
        if include and os.environ.get("ANALYSIS_PLOTLYJS_SRC"):
            # a report build: load the site's one shared copy (reports/assets/, see analysis.shared_assets)
            include = os.environ["ANALYSIS_PLOTLYJS_SRC"]
        html = pio.to_html(fig_dict, include_plotlyjs=include, include_mathjax=False, full_html=False,
                           default_width="100%", default_height=525, config=CONFIG)
        return {"text/html": html}


# Figures in the HTML export resize with the window; the mode bar stays out of the way.
CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def country_color(bucket: str) -> str:
    """The colour of a country bucket in every chart (grey for anything else)."""
    return COUNTRY_COLORS.get(bucket, COUNTRY_COLORS[vocab.OTHER])


def spans_orders_of_magnitude(values, orders: float = 2.0) -> bool:
    """True when the positive values range over at least `orders` powers of ten (a log axis helps)."""
    import math

    pos = [float(v) for v in values if v is not None and isinstance(v, (int, float)) and v > 0 and math.isfinite(v)]
    return len(pos) >= 2 and math.log10(max(pos) / min(pos)) >= orders


def add_log_toggle(fig: go.Figure, axis: str = "y", log_first: bool | None = None) -> go.Figure:
    """Two buttons above the chart switching `axis` ('y', 'x', 'y2', ...) between linear and log scale.

    `log_first`: which scale the chart opens in (default: the axis's current type).
    """
    name = f"{axis[0]}axis{axis[1:]}"
    current = getattr(fig.layout, name).type if getattr(fig.layout, name, None) is not None else None
    log = (current == "log") if log_first is None else log_first
    # log: one tick per power of ten, written 10^n; linear: plotly's own ticks
    fig.update_layout(**{name: dict(type="log" if log else "linear", dtick=1 if log else None,
                                    exponentformat="power")})
    fig.update_layout(updatemenus=[*fig.layout.updatemenus, dict(
        type="buttons", direction="right", x=0.97, xanchor="right", y=1.0, yanchor="bottom", pad=dict(t=0, b=4),
        showactive=True, active=1 if log else 0, font=dict(size=11), bgcolor="#f4f4f4", bordercolor="#ccc",
        buttons=[dict(label="Linear", method="relayout", args=[{f"{name}.type": "linear", f"{name}.dtick": None}]),
                 dict(label="Log", method="relayout", args=[{f"{name}.type": "log", f"{name}.dtick": 1}])],
    )])
    return fig


def _template() -> go.layout.Template:
    t = go.layout.Template()
    t.layout = go.Layout(
        font=dict(family="Inter, 'Helvetica Neue', Arial, sans-serif", size=13, color="#222"),
        title=dict(x=0.0, xanchor="left", font=dict(size=17)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(COUNTRY_COLORS.values()) + ["#e6ab02", "#1b9e77", "#666666"],
        xaxis=dict(showgrid=False, linecolor="#444", ticks="outside", automargin=True),
        yaxis=dict(gridcolor="#e5e5e5", zeroline=False, automargin=True, separatethousands=True,
                   hoverformat=",.4~g"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, title_text="",
                    entrywidthmode="pixels", entrywidth=0, itemsizing="constant", font=dict(size=12)),
        hoverlabel=dict(namelength=-1, font=dict(family="Inter, 'Helvetica Neue', Arial, sans-serif", size=12),
                        align="left"),
        hovermode="closest",
        margin=dict(l=60, r=20, t=80, b=90),
        autosize=True,
    )
    return t


def setup() -> None:
    """Register the template and the renderer (call once at the top of a notebook)."""
    pio.templates[TEMPLATE] = _template()
    pio.templates.default = f"plotly_white+{TEMPLATE}"
    OfflineHTMLRenderer.plotlyjs_included = False
    pio.renderers["thousand_models_html"] = OfflineHTMLRenderer()
    pio.renderers.default = RENDERER


def source_text(local_paths: list[str], extra: str = "") -> str:
    """'Source: <citation> (data to <date>, <licence>); ...' from the manifest."""
    entries = manifest.load()
    parts = []
    for p in local_paths:
        e = manifest.entry(p, entries)
        name = e.citation.split(";")[0].split(", https://")[0]
        parts.append(f"{name} ({p.rsplit('/', 1)[-1]}, data to {e.snapshot_date}, {e.license})")
    if not parts:  # a chart of project-curated data only
        return f"Source: {extra}" if extra else ""
    text = "Source: " + "; ".join(parts)
    return text + (f". {extra}" if extra else "")


def add_source(fig: go.Figure, local_paths: list[str], extra: str = "") -> go.Figure:
    """Write the source line (citation, snapshot date, licence) under the chart."""
    text = html.escape(source_text(local_paths, extra), quote=False)
    wrapped = wrap(text, 140)
    fig.add_annotation(
        text=wrapped, xref="paper", yref="paper", x=0, y=0, yshift=-48, xanchor="left", yanchor="top",
        showarrow=False, align="left", font=dict(size=10, color="#555"),
    )
    lines = wrapped.count("<br>") + 1
    fig.update_layout(margin=dict(b=max(fig.layout.margin.b or 0, 60 + 14 * lines)))
    return fig


def wrap(text: str, width: int = 70) -> str:
    """Break text into lines of at most `width` characters (plotly's <br>), at spaces."""
    lines, line = [], ""
    for w in text.split():
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "<br>".join(lines)
