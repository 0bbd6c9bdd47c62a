"""Policy events: annotation helper, window counts, dataset checks, the policy-timeline notebook."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import papermill as pm
import plotly.graph_objects as go
import polars as pl
import pytest

from analysis.clean import events as clean_events
from analysis.core.errors import InputError
from analysis.figures.events import add_events, hover_text, select_events
from analysis.metrics.policy import describe, window_counts
from analysis.store import build

ROOT = Path(__file__).resolve().parent.parent
D = dt.date


def _events(**over) -> pl.DataFrame:
    base = dict(
        event_id=["a", "b", "c"], date=[D(2024, 1, 10), D(2024, 6, 1), D(2025, 3, 5)],
        date_precision=["day", "month", "uncertain"], jurisdiction=["US", "CN", "US"],
        actor=["BIS", "CAC", "President"], kind=["export control", "regulation", "licence"],
        title=["Rule A", "Measure B", "Licence C"], description=["d1", None, "d3"],
        source_url=["https://example.org/a", "https://example.org/b", "https://example.org/c"],
    )
    base.update(over)
    return pl.DataFrame(base)


def _chart(log: bool = False) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[D(2023, 1, 1), D(2026, 1, 1)], y=[1, 1e6], name="data"))
    if log:
        fig.update_yaxes(type="log")
    return fig


def _event_traces(fig):
    return [t for t in fig.data if (t.legendgroup or "").startswith("events-")]


# --- add_events ------------------------------------------------------------------------------------------

def test_add_events_one_legend_entry_per_jurisdiction():
    fig = add_events(_chart(), _events())
    shown = [t for t in _event_traces(fig) if t.showlegend]
    assert sorted(t.legendgroup for t in shown) == ["events-CN", "events-US"]
    assert fig.data[0].name == "data"  # the data trace stays first and untouched


def test_add_events_bands_share_the_legend_group():
    fig = add_events(_chart(), _events(), style="bands")
    groups = {t.legendgroup for t in _event_traces(fig)}
    assert groups == {"events-US", "events-CN"}
    assert sum(t.showlegend is True for t in _event_traces(fig)) == 2  # lines/bands have no own entry
    assert any(t.mode == "lines" for t in _event_traces(fig))


def test_add_events_markers_in_a_strip_above_the_data_keep_log_axis():
    fig = add_events(_chart(log=True), _events())
    assert fig.layout.yaxis.type == "log"
    ys = _event_traces(fig)[0].yaxis
    assert ys != "y"
    strip = fig.layout[ys.replace("y", "yaxis")]
    assert list(strip.range) == [0, 1] and strip.visible is False and strip.anchor == "x"
    assert strip.domain[0] >= fig.layout.yaxis.domain[1]  # the strip sits above the data, not over it
    assert fig.layout.height > 450  # the figure grows by the strip, so the data keep their room


def test_add_events_band_lines_on_overlay_axis_over_the_data():
    fig = add_events(_chart(log=True), _events(), style="bands")
    lines = [t for t in _event_traces(fig) if t.mode == "lines"]
    overlay = fig.layout[lines[0].yaxis.replace("y", "yaxis")]
    assert overlay.overlaying == "y" and list(overlay.range) == [0, 1] and overlay.visible is False
    assert fig.layout.yaxis.type == "log"


def test_add_events_twice_reuses_the_strip():
    fig = add_events(_chart(), _events(), jurisdictions=["US"])
    add_events(fig, _events(), jurisdictions=["CN"])
    assert len({t.yaxis for t in _event_traces(fig)}) == 1
    assert fig.layout.yaxis.domain[1] > 0.8  # the data axis shrank once, not twice


def test_add_events_filters_by_jurisdiction_kind_and_dates():
    fig = add_events(_chart(), _events(), jurisdictions=["US"], kinds=["licence"], start="2025-01-01")
    traces = _event_traces(fig)
    assert len(traces) == 1 and list(traces[0].x) == [D(2025, 3, 5)]


def test_add_events_nothing_selected_leaves_figure_alone():
    fig = add_events(_chart(), _events(), jurisdictions=["EU"])
    assert len(fig.data) == 1


def test_add_events_unknown_kind_raises():
    with pytest.raises(ValueError, match="unknown"):
        add_events(_chart(), _events(), kinds=["rumour"])


def test_hover_escapes_script_in_title():
    ev = _events(title=["<script>alert(1)</script>", "Measure B", "Licence C"])
    fig = add_events(_chart(), ev, jurisdictions=["US"])
    text = " ".join(_event_traces(fig)[0].customdata)
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_hover_shows_precision_and_links_only_http():
    row = _events().to_dicts()[1] | {"source_url": "javascript:alert(1)"}
    text = hover_text(row)
    assert "2024-06 (month only)" in text
    assert "<a " not in text
    assert '<a href="https://example.org/a">' in hover_text(_events().to_dicts()[0])


def test_add_events_on_second_facet_row():
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1)
    fig.add_trace(go.Scatter(x=[D(2024, 1, 1)], y=[1]), row=1, col=1)
    fig.add_trace(go.Scatter(x=[D(2024, 1, 1)], y=[1]), row=2, col=1)
    add_events(fig, _events(), row=2)
    assert {t.xaxis for t in _event_traces(fig)} == {"x2"}


def test_select_events_sorted_by_date():
    ev = select_events(_events().reverse())
    assert ev["event_id"].to_list() == ["a", "b", "c"]


# --- window_counts ---------------------------------------------------------------------------------------

def _frame():
    return pl.DataFrame({
        "release_date": [D(2024, 1, 1), D(2024, 1, 9), D(2024, 1, 10), D(2024, 1, 19), D(2024, 1, 20),
                         D(2024, 3, 1)],
        "country_bucket": ["China", "China", "United States", "China", "United States", "China"],
    })


def test_window_counts_before_and_after():
    ev = pl.DataFrame({"event_id": ["e"], "date": [D(2024, 1, 10)]})
    w = window_counts(ev, _frame(), "release_date", "country_bucket", 10)
    got = {(r["window"], r["group"]): r["count"] for r in w.iter_rows(named=True)}
    # before = 2023-12-31..2024-01-09: Jan 1, Jan 9 (China); after = Jan 10..Jan 19: Jan 10 (US), Jan 19 (China)
    assert got == {("before", "China"): 2, ("before", "United States"): 0,
                   ("after", "China"): 1, ("after", "United States"): 1}


def test_window_counts_flags_windows_past_the_data():
    ev = pl.DataFrame({"event_id": ["e"], "date": [D(2024, 2, 25)]})
    w = window_counts(ev, _frame(), "release_date", "country_bucket", 10)
    after = w.filter(pl.col("window") == "after")
    assert not after["complete"].any() and after["days_covered"].unique().to_list() == [6]
    assert w.filter(pl.col("window") == "before")["complete"].all()


def test_window_counts_generic_columns():
    prices = pl.DataFrame({"day": [D(2024, 5, 2), D(2024, 5, 3)], "provider": ["x", "y"]})
    ev = pl.DataFrame({"event_id": ["cut"], "date": [D(2024, 5, 1)]})
    w = window_counts(ev, prices, "day", "provider", 7)
    assert w.filter(pl.col("window") == "after")["count"].sum() == 2


def test_window_counts_median_of_a_value_column():
    cuts = pl.DataFrame({"date": [D(2024, 5, 2), D(2024, 5, 3), D(2024, 5, 4), D(2024, 4, 28)],
                         "country_bucket": ["China", "China", "China", "United States"],
                         "pct_change": [-50.0, -10.0, -20.0, -30.0]})
    ev = pl.DataFrame({"event_id": ["e"], "date": [D(2024, 5, 1)]})
    w = window_counts(ev, cuts, "date", "country_bucket", 7, value_col="pct_change")
    got = {(r["window"], r["group"]): (r["count"], r["median_pct_change"]) for r in w.iter_rows(named=True)}
    assert got == {("before", "China"): (0, None), ("before", "United States"): (1, -30.0),
                   ("after", "China"): (3, -20.0), ("after", "United States"): (0, None)}


def test_window_counts_flags_windows_before_the_data_start():
    ev = pl.DataFrame({"event_id": ["e"], "date": [D(2024, 1, 5)]})
    w = window_counts(ev, _frame(), "release_date", "country_bucket", 10, data_start=D(2024, 1, 1))
    before = w.filter(pl.col("window") == "before")
    # before = 2023-12-26..2024-01-04: the data start on Jan 1, so 4 of its 10 days are covered
    assert not before["complete"].any() and before["days_covered"].unique().to_list() == [4]
    assert w.filter(pl.col("window") == "after")["complete"].all()


def test_window_counts_without_value_col_has_no_median():
    ev = pl.DataFrame({"event_id": ["e"], "date": [D(2024, 1, 10)]})
    w = window_counts(ev, _frame(), "release_date", "country_bucket", 10)
    assert not any(c.startswith("median") for c in w.columns)


def test_describe_shows_medians_and_flags_short_before_window():
    ev = pl.DataFrame({"event_id": ["e"], "date": [D(2024, 5, 1)], "title": ["Rule"]})
    cuts = pl.DataFrame({"date": [D(2024, 5, 2), D(2024, 5, 3)], "country_bucket": ["China", "China"],
                         "pct_change": [-50.0, -10.0]})
    w = window_counts(ev, cuts, "date", "country_bucket", 7, value_col="pct_change", data_start=D(2024, 4, 28),
                      data_end=D(2024, 5, 31))
    text = describe(w, 7, "price cuts", median_col="median_pct_change")
    assert "China 0 → 2 (median -30%)" in text
    # before = Apr 24..Apr 30, the data start on Apr 28: 3 of 7 days; the after-window is complete
    assert "before-window incomplete: the data cover 3 of its 7 days" in text and "after-window" not in text


def test_window_counts_rejects_bad_days():
    with pytest.raises(ValueError):
        window_counts(pl.DataFrame({"event_id": ["e"], "date": [D(2024, 1, 1)]}), _frame(), "release_date",
                      "country_bucket", 0)


# --- dataset checks --------------------------------------------------------------------------------------

def _curated_dir(tmp_path, monkeypatch, edit) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "curated", raw)
    p = raw / "policy_events.csv"
    df = pl.read_csv(p, infer_schema=False)
    edit(df).write_csv(p)
    monkeypatch.setenv("ANALYSIS_CURATED_DIR", str(raw))


def test_curated_row_without_source_fails(tmp_path, monkeypatch):
    _curated_dir(tmp_path, monkeypatch, lambda d: d.with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col("source_url")).alias("source_url")))
    with pytest.raises(InputError, match=r"policy_events.csv: record 3 .*'source_url': no source"):
        build.run_step(clean_events.CURATED_STEP)


def test_curated_unknown_kind_fails(tmp_path, monkeypatch):
    _curated_dir(tmp_path, monkeypatch, lambda d: d.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("rumour")).otherwise(pl.col("kind")).alias("kind")))
    with pytest.raises(InputError, match=r"record 1 .*'kind': 'rumour' not in"):
        build.run_step(clean_events.CURATED_STEP)


def test_curated_non_http_source_fails(tmp_path, monkeypatch):
    _curated_dir(tmp_path, monkeypatch, lambda d: d.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("javascript:alert(1)")).otherwise(pl.col("source_url"))
        .alias("source_url")))
    with pytest.raises(InputError, match="not an http"):
        build.run_step(clean_events.CURATED_STEP)


def test_curated_bad_date_fails(tmp_path, monkeypatch):
    _curated_dir(tmp_path, monkeypatch, lambda d: d.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("2025-02-30")).otherwise(pl.col("date")).alias("date")))
    with pytest.raises(InputError, match="'date'"):
        build.run_step(clean_events.CURATED_STEP)


def test_vorplabs_bad_rows_quarantined(built, scratch):
    # the real snapshot (fetched by `built` into data/external/) with two rows broken
    text = (ROOT / "data" / "external" / clean_events.VORPLABS_FILE).read_text(encoding="utf-8")
    text = text.replace(",enacted-law,", ",rumoured-law,", 1).replace("https://leg.colorado.gov/bills/HB26-1139",
                                                                       "ftp://x", 1)
    target = scratch / "external" / clean_events.VORPLABS_FILE
    target.parent.mkdir(parents=True)
    target.write_text(text, encoding="utf-8")
    r = build.run_step(clean_events.VORPLABS_STEP)
    assert len(r.df) == 10 and len(r.quarantine) == 2
    assert set(r.quarantine["column"]) == {"event_type", "primary_source_url"}


# --- real snapshot ---------------------------------------------------------------------------------------

def test_built_events(built):
    ev = built["events"]
    # 56 curated rows + 12 Vorp Labs records (us-ai-law-changes.csv has 12 data rows after 7 '#' lines)
    assert ev.height == 68
    assert ev["source_url"].str.contains(r"^https?://").all()
    # checked by hand: the BIS frontier suspension is executive-action upstream, mapped to export control
    row = ev.filter(pl.col("event_id") == "us-fed-2026-bis-frontier-suspension").row(0, named=True)
    assert (row["kind"], row["actor"], row["date"]) == ("export control", "Commerce", D(2026, 6, 12))
    assert built["genai_filings"]["filed_cumulative"].to_list() == [302, 346, 538, 611, 748, 796, 868]


# --- notebook --------------------------------------------------------------------------------------------

def test_policy_timeline_notebook_runs_with_other_parameters(built, tmp_path):
    out = tmp_path / "policy_timeline.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "policy_timeline.ipynb"), str(out), kernel_name="python3",
        cwd=str(ROOT / "notebooks"), progress_bar=False, request_save_on_cell_execute=False, shutdown_kernel="immediate",
        parameters=dict(jurisdictions=["CN", "EU"], kinds=["regulation", "filing", "legislation"],
                        start_date="2023-01-01", end_date="2025-12-31", window_days=30,
                        window_jurisdictions=["CN"], window_kinds=["regulation"], events_style="bands"),
    )
    text = out.read_text(encoding="utf-8")
    assert "Events: China" in text and "Events: United States" not in text
    assert "price cuts in the panel" in text and "Counts of list-price cuts in the 30 days" in text
