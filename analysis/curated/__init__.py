"""curated: see docs/architecture.md."""
