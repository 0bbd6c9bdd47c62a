"""Cleaning steps: each turns upstream snapshots (and curated CSVs) into one validated clean table."""
