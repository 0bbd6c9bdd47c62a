"""The shared chart look: log toggles, orders-of-magnitude check, country colours, renderer config."""

import plotly.graph_objects as go

from analysis.figures import plots


def test_log_toggle_adds_linear_and_log_buttons_for_the_axis():
    fig = plots.add_log_toggle(go.Figure(go.Scatter(x=[1, 2], y=[1, 1000])), axis="y", log_first=True)
    menu = fig.layout.updatemenus[-1]
    assert [b.label for b in menu.buttons] == ["Linear", "Log"] and menu.active == 1
    assert menu.buttons[1].args[0]["yaxis.type"] == "log" and fig.layout.yaxis.type == "log"
    assert menu.buttons[0].args[0] == {"yaxis.type": "linear", "yaxis.dtick": None}


def test_log_toggle_keeps_the_current_scale_by_default_and_handles_other_axes():
    fig = plots.add_log_toggle(go.Figure(go.Scatter(x=[1, 2], y=[1, 2])), axis="x")
    assert fig.layout.xaxis.type == "linear" and fig.layout.updatemenus[-1].active == 0
    assert "xaxis.type" in fig.layout.updatemenus[-1].buttons[1].args[0]


def test_spans_orders_of_magnitude():
    assert plots.spans_orders_of_magnitude([1, 50, 1000])
    assert not plots.spans_orders_of_magnitude([10, 50, 99])
    assert not plots.spans_orders_of_magnitude([0, None, 5])  # zeros and gaps are ignored


def test_country_colour_falls_back_to_other():
    assert plots.country_color("China") == plots.COUNTRY_COLORS["China"]
    assert plots.country_color("Atlantis") == plots.COUNTRY_COLORS["Other"]


def test_html_renderer_is_responsive_and_offline():
    plots.setup()
    plots.OfflineHTMLRenderer.plotlyjs_included = True  # second figure: no library again
    html = plots.OfflineHTMLRenderer().to_mimebundle(go.Figure().to_dict())["text/html"]
    assert '"responsive": true' in html and "cdn" not in html.lower() and '"displaylogo": false' in html


# --- partial periods, layout rule, source notes, event symbols (issue 13) ------------------------------

import datetime as dt  # noqa: E402

import polars as pl  # noqa: E402

from analysis.figures import chart_frames  # noqa: E402
from analysis.figures import events as evfigs  # noqa: E402
from analysis.site import chart_data  # noqa: E402

D = dt.date


def test_partial_periods_marks_the_period_running_past_the_data_end_and_recent_ones_under_lag():
    starts = [D(2024, 1, 1), D(2025, 1, 1), D(2026, 1, 1)]
    assert plots.partial_periods(starts, "year", D(2026, 7, 15)) == {D(2026, 1, 1): "partial: data to 2026-07-15"}
    q = plots.partial_periods([D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)], "quarter", D(2026, 7, 15), 90, "lag")
    assert q[D(2026, 7, 1)].startswith("partial") and q[D(2026, 4, 1)].startswith("provisional")
    assert D(2026, 1, 1) not in q
    assert plots.partial_periods([D(2025, 1, 1)], "year", D(2025, 12, 31)) == {}  # a full year is complete


def test_mark_partial_draws_the_partial_bar_lighter_hatched_with_its_note_on_hover_and_in_the_legend():
    fig = go.Figure(go.Bar(x=[D(2025, 1, 1), D(2026, 1, 1)], y=[103, 41], name="US",
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    plots.mark_partial(fig, {D(2026, 1, 1): "partial: data to 2026-07-15"})
    bar = fig.data[0]
    assert list(bar.marker.opacity) == [1.0, plots.PARTIAL_OPACITY]
    assert list(bar.marker.pattern.shape) == ["", "/"] and list(bar.text) == ["", "partial: data to 2026-07-15"]
    assert "%{text}" in bar.hovertemplate and bar.textposition == "none"
    assert plots.partial_notes(fig) == ["partial: data to 2026-07-15"]


def test_mark_partial_leaves_complete_charts_and_event_markers_alone():
    fig = go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=["b"], y=[1], legendgroup="events-US")])
    plots.mark_partial(fig, {"b": "partial: data to 2026-01-01"})
    assert len(fig.data) == 2 and fig.data[0].marker.opacity is None and plots.partial_notes(fig) == []


def test_layout_rule_puts_the_legend_right_of_the_plot_and_wraps_long_entries():
    fig = plots.add_source(go.Figure(go.Scatter(x=[1], y=[1], name="a very long legend entry " * 4)),
                           ["epoch/notable_ai_models.csv"])
    lg = fig.layout.legend
    assert (lg.orientation, lg.x, lg.xanchor, lg.y, lg.yanchor) == ("v", plots.LEGEND_X, "left", 1.0, "top")
    assert all(len(line) <= plots.LEGEND_WRAP for line in fig.data[0].name.split("<br>"))
    assert not fig.layout.annotations  # the source note is HTML under the chart, not drawn over the plot


def test_source_note_is_one_short_line_with_the_full_list_in_a_details_block():
    fig = plots.add_source(go.Figure(), ["epoch/notable_ai_models.csv", "epoch/frontier_ai_models.csv"],
                           "Countries <from> data/curated/organizations.csv")
    meta = fig.layout.meta
    assert meta["source"].startswith("Source: Epoch AI") and "(data to " in meta["source"]
    assert meta["source"].count("Epoch AI") == 1 and len(meta["source"]) < 120
    out = plots.source_html(fig.to_plotly_json())
    assert "<details" in out and "frontier_ai_models.csv" in out and "&lt;from&gt;" in out


def test_wrap_label_breaks_at_word_boundaries_and_never_cuts():
    title = "US expands export controls: A800/H800 covered, new licence rules for advanced computing chips"
    wrapped = plots.wrap_label(title, 40)
    assert wrapped.replace("<br>", " ") == title
    assert all(len(line) <= 40 for line in wrapped.split("<br>"))


def _events(jur: str, kind: str) -> pl.DataFrame:
    return pl.DataFrame({"event_id": [f"e-{jur}-{kind}"], "date": [D(2025, 3, 1)], "date_precision": ["day"],
                         "jurisdiction": [jur], "actor": ["x"], "kind": [kind], "title": ["t"],
                         "description": [None], "source_url": [None]}, schema_overrides={"description": pl.String})


def test_event_markers_keep_one_symbol_per_jurisdiction_whatever_the_kind():
    symbols = set()
    for kind in ("export control", "summit", "filing"):
        fig = go.Figure(go.Scatter(x=[D(2025, 1, 1), D(2025, 6, 1)], y=[1, 2]))
        evfigs.add_events(fig, _events("US", kind))
        symbols |= {t.marker.symbol for t in fig.data if (t.legendgroup or "").startswith("events-")}
    assert symbols == {evfigs.JURISDICTION_SYMBOLS["US"]}
    assert len(set(evfigs.JURISDICTION_SYMBOLS.values())) == len(evfigs.JURISDICTION_SYMBOLS)


def test_chart_rows_have_the_builders_column_names_a_trace_column_and_no_html():
    fig = go.Figure([go.Bar(x=["2025"], y=[3], name="United<br>States", customdata=[["<b>a</b> &amp; b", 7]],
                            hovertemplate="Year=%{x}<br>Models released=%{y}<extra></extra>")])
    chart_frames.attach(fig, pl.DataFrame({"year": ["2025"], "n": [3], "lab": ["<b>a</b> &amp; b"]}),
                        {"year": "Year", "n": "Models released", "lab": "Lab"}, name="United<br>States")
    header, rows = chart_data.chart_rows(chart_frames.chart_table(fig))
    assert header == ["trace", "trace_index", "trace_type", "point", "Year", "Models released", "Lab"]
    assert rows == [["United States", 0, "bar", 0, "2025", 3, "a & b"]]


def test_the_events_sources_join_the_charts_source_note_from_their_rows():
    ev = _events("US", "summit").with_columns(pl.lit("data/curated/policy_events.csv").alias("source_file"))
    for order in ("events first", "source first"):
        fig = go.Figure(go.Scatter(x=[D(2025, 1, 1), D(2025, 6, 1)], y=[1, 2]))
        if order == "events first":
            evfigs.add_events(fig, ev)
            plots.add_source(fig, ["epoch/notable_ai_models.csv"])
        else:
            plots.add_source(fig, ["epoch/notable_ai_models.csv"])
            evfigs.add_events(fig, ev)
        meta = fig.layout.meta
        assert meta["source_files"] == ["epoch/notable_ai_models.csv", "data/curated/policy_events.csv"], order
        assert "data curated by this project" in meta["source"] and "Epoch AI" in meta["source"], order


def test_pace_charts_draw_a_trace_per_country_in_the_charts_order_coloured_and_named_on_hover():
    from analysis.figures import pace as pacefigs

    orgs = pl.DataFrame({"year": [2020, 2021, 2020, 2020, 2021], "organizations": [3, 4, 5, 6, 7],
                         "country_bucket": ["Other", "Other", "China", None, "United States"]})
    fig = pacefigs.organizations(orgs, end=dt.date(2030, 1, 1))
    drawn = [t for t in fig.data if t.legendgroup != "partial"]
    assert [t.name for t in drawn] == ["United States", "China", "Other"]  # COUNTRY_ORDER; no bucket: not drawn
    assert [list(t.y) for t in drawn] == [[7], [5], [3, 4]]
    assert [t.line.color for t in drawn] == [plots.COUNTRY_COLORS[t.name] for t in drawn]
    assert drawn[1].hovertemplate.startswith("China<br>Year=%{x}<br>Organizations releasing=%{y}")
    assert fig.layout.xaxis.title.text == "Year" and fig.layout.legend.title.text == ""


def test_the_report_kernels_preload_and_the_release_pace_charts_import_no_plotly_express():
    """plotly express costs 0.07 s to import: a kernel imports it only where a chart drawn with it is made (the
    policy report's, analysis.figures.events)."""
    import subprocess
    import sys

    code = ("import sys; from analysis.site import kernels; import analysis.figures.pace; "
            "[__import__(m) for m in kernels.PRELOAD]; print('plotly.express' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_a_hover_never_starts_with_the_equals_sign_of_an_empty_label():
    import plotly.express as px

    df = pl.DataFrame({"year": [2024, 2025], "n": [1, 2], "country_bucket": ["China", "China"]})
    fig = px.bar(df, x="year", y="n", color="country_bucket", labels={"country_bucket": ""})
    assert fig.data[0].hovertemplate.startswith("=China<br>")  # what plotly express writes
    plots.apply_layout(fig)
    assert fig.data[0].hovertemplate.startswith("China<br>year=%{x}")
