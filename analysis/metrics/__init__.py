"""Metrics computed from the clean tables; the notebooks plot what these return."""
