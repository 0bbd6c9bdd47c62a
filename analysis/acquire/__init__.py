"""acquire: see docs/architecture.md."""
