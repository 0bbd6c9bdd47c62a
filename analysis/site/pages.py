"""The reader's side of a built report: chart data downloads, navigation and provenance.

`finish_report(spec, html_path, body, sources, nb, published)` runs after each successful notebook export: it
writes the data of every plotly chart to `chart-<n>.csv` in a new build folder of the report (with its
datapackage.json and a small preview.json for the index card) and links each under its chart
(analysis.site.chart_data), writes the tables the notebook published (analysis.site.report_files, e.g. the replication's
figures.csv) into the same folder and links them above the provenance block, adds the
navigation bar (analysis.site.index_page) at the top and the provenance block (analysis.site.provenance, from the rows
the notebook loaded) at the end, then writes the page once, after its data, into the site generation the run is
writing (analysis.site.generation): page, data folder and index switch together when the run ends. Called
outside a run (no generation open), it switches the one page with its data on its own. Nothing loads from the
network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from analysis.core import faults
from analysis.core.atomic import write_text
from analysis.site import chart_data, generation, index_page, provenance, report_files
from analysis.site.templating import esc

CSS = """
nav.site-nav{font-family:Inter,Helvetica,Arial,sans-serif;font-size:14px;padding:0.6em 1em;border-bottom:1px solid #ddd;
  display:flex;flex-wrap:wrap;gap:0.3em 1em;background:#fafafa}
nav.site-nav a{color:#1f5fa8;text-decoration:none}nav.site-nav a[aria-current]{font-weight:bold;color:#222}
p.chart-download{font-family:Inter,Helvetica,Arial,sans-serif;font-size:13px;margin:0.2em 0 1.2em 0}
section.provenance{font-family:Inter,Helvetica,Arial,sans-serif;font-size:14px;max-width:1100px;margin:2em auto;
  padding:0.5em 1.5em 1em 1.5em;border-top:2px solid #ddd}
section.provenance table{border-collapse:collapse;width:100%;font-size:13px}
section.provenance td,section.provenance th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
section.provenance code,section.provenance a{word-break:break-all}
section.provenance td,section.provenance li{overflow-wrap:anywhere}
section.provenance th,section.provenance td:nth-child(3){white-space:nowrap}
"""


# In a narrow window (under 700 px), a legend from the right goes under the chart, at the figure's foot below the
# axis (the figure grows by its height), with smaller type and a top margin for the title and the chart's buttons.
# At any width, a chart title wider than its chart is wrapped at spaces (from the title as built, again on every
# resize) and the figure grows by its extra lines, so that no title is cut at the chart's right edge.
NARROW_JS = r"""<script>
(function () {
  function grow(gd, dh, update) {
    // the figure and the box the renderer drew it in (a fixed height) grow by dh pixels: the plot keeps its size
    var h = gd.getBoundingClientRect().height + dh;
    if (gd.parentElement) gd.parentElement.style.height = h + "px";
    update.height = h;
    return Plotly.relayout(gd, update);
  }
  function narrow(gd) {
    if (window.innerWidth >= 700 || gd.dataset.narrow) return null;
    gd.dataset.narrow = "1";
    var below = gd.layout.legend && gd.layout.legend.x >= 1;
    var r = below ? {"legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left", "legend.yref": "container",
      "legend.y": 0, "legend.yanchor": "bottom", "margin.r": 20} : {};
    r["margin.t"] = 160; r["title.font.size"] = 13; r["legend.font.size"] = 10; r["margin.l"] = 45;  // room: title, buttons
    return Plotly.relayout(gd, r).then(function () {
      // the legend sits at the foot of the figure, under the axis: the bottom margin grows by its height
      var lg = gd.querySelector(".legend");
      if (!below || !lg) return;
      var b = (gd.layout.margin && gd.layout.margin.b) || 60, h = Math.ceil(lg.getBoundingClientRect().height) + 10;
      return grow(gd, h, {"margin.b": b + h});
    });
  }
  function wrap(text, n) {
    var lines = [], line = "";
    text.split(/\s+/).forEach(function (w) {
      if (line && line.length + 1 + w.length > n) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    lines.push(line);
    return lines;
  }
  function fitTitle(gd) {
    var t = gd.querySelector(".gtitle");
    if (!t || !gd.layout.title) return;
    if (gd.dataset.title === undefined) {
      gd.dataset.title = gd.layout.title.text || "";
      gd.dataset.top = (gd.layout.margin && gd.layout.margin.t) || 80;
    }
    var text = gd.dataset.title, top = +gd.dataset.top;
    if (text.indexOf("<br>") >= 0 || !text) return;  // wrapped by its builder: left as built
    var box = t.getBoundingClientRect(), room = gd.getBoundingClientRect().right - box.left - 8;
    var current = (gd.layout.title.text || "").split("<br>");
    var longest = Math.max.apply(null, current.map(function (l) { return l.length; }));
    var perChar = box.width / Math.max(1, longest);
    var lines = wrap(text, Math.max(12, Math.floor(room / perChar)));
    var wanted = lines.join("<br>");
    if (wanted === gd.layout.title.text || (lines.length === 1 && current.length === 1)) return;
    var size = (gd.layout.title.font && gd.layout.title.font.size) || 17;
    var t2 = top + Math.ceil((lines.length - 1) * size * 1.25), t1 = (gd.layout.margin && gd.layout.margin.t) || top;
    grow(gd, t2 - t1, {"title.text": wanted, "margin.t": t2});
  }
  function fit() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll(".plotly-graph-div").forEach(function (gd) {
      if (!gd.layout) return;
      var done = narrow(gd);
      if (done && done.then) { done.then(function () { gd.dataset.top = gd.layout.margin.t; fitTitle(gd); }); }
      else { fitTitle(gd); }
    });
  }
  window.addEventListener("load", fit);
  window.addEventListener("resize", fit);
})();
</script>
"""
CSS += """
.jp-OutputArea-output{max-width:100%;overflow-x:auto}
.plotly-graph-div{max-width:100%}
"""


def finish_report(spec, html_path: Path, body: str, sources: provenance.Sources, nb,
                  published: dict[str, str] | None = None) -> dict:
    """Post-process one exported report (`body`, the exporter's HTML; `nb`, the executed notebook; `published`,
    the files the notebook published, {name: CSV text}): chart CSVs + links, published files + links, nav bar,
    provenance block, index preview; the page is written once, after its data. `html_path`: the page's name
    in the site, reports/<name>.html; it is written into the generation open for that site (or one of its own)."""
    reports = Path(html_path).parent
    gen = generation.active(reports)
    if gen is None:  # not part of a run: this page and its data switch on their own
        with generation.publishing(reports) as gen:
            return _finish(gen, spec, body, sources, nb, published)
    return _finish(gen, spec, body, sources, nb, published)


def _finish(gen: generation.Generation, spec, body: str, sources: provenance.Sources, nb,
            published: dict[str, str] | None) -> dict:
    figures = chart_data.notebook_figures(nb)
    # the frames each figure builder plotted (analysis.figures.chart_frames); a chart without them fails the report
    tables = chart_data.notebook_tables(nb)
    build = chart_data.new_build_dir(spec.name, gen.reports)
    chart_data.write_chart_csvs(build, tables)
    files = report_files.write_files(build, published)  # beside the chart CSVs: they switch with the page
    chart_data.write_datapackage(build, spec.name, spec.title, figures, sources, tables)  # title, sources, licence per CSV
    meta = dict(charts=len(figures), summary=chart_data.summary(nb), preview=chart_data.preview(figures),
                points=[[chart_data.trace_points(t) for t in f.get("data", [])] for f, _ in figures])
    write_text(build / "preview.json", json.dumps(meta, default=str))
    meta["build"] = build.name  # the index records it: a page that is not this build is stale (report.stale_reasons)
    body = chart_data.insert_download_links(body, chart_data.href_base(build), figures)
    body = body.replace("</head>", f"<style>{CSS}</style>\n</head>", 1)
    body = body.replace("</body>", NARROW_JS + "</body>", 1) if "</body>" in body else body + NARROW_JS
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + index_page.nav_html(spec.name), body, count=1)
    idx = body.rfind("</body>")
    block = _published_html(spec.name, chart_data.href_base(build), files) + provenance.provenance_html(spec, sources)
    body = body[:idx] + block + body[idx:] if idx >= 0 else body + block
    write_text(gen.page(spec.name), body)  # the new page links the new build folder
    gen.link_data(spec.name, build)  # reports/<name> (through the generation): the page's data folder
    faults.stop_at("site:page-written")
    return meta


def _published_html(name: str, base: str, files: list[Path]) -> str:
    """Links to the report's published tables (reports/<report>/<name>), above the provenance block."""
    if not files:
        return ""
    links = ", ".join(f'<a href="{esc(base)}/{esc(f.name)}" download>{esc(f.name)}</a>' for f in files)
    return (f'<section class="provenance published-files"><p>Tables of this report as CSV: {links} '
            f'(also at <code>reports/{esc(name)}/</code>).</p></section>\n')
