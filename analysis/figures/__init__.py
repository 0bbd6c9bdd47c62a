"""Chart builders: each takes a metric frame and returns a plotly Figure with the project look."""
