"""thousand-models: clean, validated tables on the US-China AI race, and the reports built from them."""

import sys

__version__ = "0.1.0"

# jsonschema (under nbformat, which plotly's notebook renderer, nbclient, papermill and nbconvert import) imports
# the optional IRI format checker `rfc3987_syntax` when it is installed (jupyterlab pulls it in); that module
# compiles ~40 Earley grammars at import: 2-3 s of CPU in every process and kernel that draws a chart. Nothing in
# this project checks IRI formats (nbformat validates without a format checker), so a process that imports
# `analysis` before jsonschema starts without it: a notebook run in JupyterLab, papermill or nbconvert, the
# tests, the build. A process that imported it already keeps it.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)
