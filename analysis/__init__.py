"""thousand-models: clean, validated tables on the US-China AI race, and the reports built from them."""

__version__ = "0.1.0"
