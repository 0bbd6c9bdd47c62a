"""The errors the command line turns into one line (`error: ...`), in a module that imports nothing else, so a
verb that needs no table (fetch, pin) starts without importing polars to name them."""


class InputError(ValueError):
    """An upstream file cannot be read as the step expects (names the file, and row/column where known)."""


class SchemaError(ValueError):
    """A table does not match its schema."""
