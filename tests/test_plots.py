"""The shared chart look: log toggles, orders-of-magnitude check, country colours, renderer config."""

import plotly.graph_objects as go

from analysis import plots


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
