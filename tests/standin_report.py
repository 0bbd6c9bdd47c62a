"""`python -m analysis` with stand-in notebook runs, for the tests of the site's switch (tests/test_site_switch.py).

Run as `python -c "import sys; sys.path.insert(1, 'tests'); import standin_report; sys.exit(standin_report.main(
sys.argv[1:]))" report ...` from the repository: the command line itself (analysis.cli.main), the build lock, the
staleness rule, the site generation and the index are the project's own; only what a report's kernel does is
replaced. Each report "runs" in milliseconds: its page (its name and parameters in `<p class="params">`, one
chart) goes through analysis.site.pages.finish_report like a real one, with one chart CSV in its build folder.
No kernel starts; the front page's claims and findings are empty (they read the real clean tables); the
release_pace parameter checks that read the models table are skipped. The clean tables are whatever
$ANALYSIS_CLEAN_DIR holds (the tests write small stand-ins).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

READS = ["models"]  # the clean tables every stand-in report "loads"


def _notebook():
    import nbformat

    from analysis.site import chart_data

    fig = {"data": [{"type": "scatter", "name": "s", "x": [1, 2], "y": [3, 4]}]}
    table = {"columns": ["trace", "trace_index", "trace_type", "point", "x", "y"],
             "rows": [["s", 0, "scatter", 0, 1, 3], ["s", 0, "scatter", 1, 2, 4]]}
    return nbformat.from_dict({"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "data": {chart_data.PLOTLY_MIME: fig,
                                                 "text/html": '<div id="c0" class="plotly-graph-div"></div>',
                                                 chart_data.CHART_DATA_MIME: table}}]}]})


def params_html(params: dict) -> str:
    """How a stand-in page states its parameters (tests read it back)."""
    from analysis.site.templating import esc

    return f'<p class="params">{esc(json.dumps(params, sort_keys=True))}</p>'


def fake_execute(spec, params, show_code=False, warm=None):
    from analysis.core import paths
    from analysis.site import pages, report

    body = (f"<html><head></head><body><h1>{spec.name}</h1>{params_html(params)}"
            '<div class="plotly-graph-div" id="c0"></div><script>draw</script></body></html>')
    html = paths.reports_dir() / f"{spec.name}.html"
    meta = pages.finish_report(spec, html, body, SimpleNamespace(upstream=[], curated=[]), _notebook(), {})
    return report.Built(html, list(READS), {}, meta.get("build"))


def main(argv: list[str]) -> int:
    from analysis.cli import main as cli_main
    from analysis.site import findings, kernels, provenance, report, robustness
    from analysis.site.params import release_pace

    report.execute = fake_execute
    findings.findings = lambda: []
    robustness.front_page = lambda: []
    provenance.provenance_html = lambda spec, sources: '<section class="provenance">stand-in</section>'
    release_pace.CHECKS = []
    kernels.WarmKernels.start = lambda self, n: None  # no kernel is needed
    kernels.WarmKernels.plan = lambda self, total, ahead: None
    return cli_main(argv)
