"""Notebook parameters, declared once and validated before any work.

Each parameterised notebook `notebooks/<name>.ipynb` has a spec module `analysis/site/params/<name>.py` with
`SPEC`: a list of `Param` (name, kind, default, help, and the allowed values or range). The notebook's
papermill `parameters` cell holds the same defaults (a test checks they agree), and the cell right after it
calls `params.validate("<name>", globals())`. The CLI reads the same spec: `-p` names are checked (with the
closest known name) and values validated before any notebook runs; `report NAME --help-params` prints it.

A bad value raises `ParamError` with one line: the parameter, the bad value and what is allowed. In a
notebook kernel the error renders as that one line (no traceback), so papermill and the report build show it.

To adopt it in a new notebook: add `analysis/site/params/<notebook>.py` with `SPEC = [Param(...), ...]` and a code
cell `from analysis.site import params; params.validate("<notebook>", globals())` after the parameters cell.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("str", "choice", "date", "int", "float", "bool", "list", "dates")
INT64_MAX = 2**63 - 1  # an integer parameter beyond this cannot reach a polars column


class ParamError(ValueError):
    """A bad notebook parameter; the message is one line."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"ParamError: {self}"]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # one of KINDS
    default: Any
    help: str
    choices: tuple | Callable[[], tuple] | None = None  # allowed values (choice, or list items)
    low: float | None = None  # range of int/float
    high: float | None = None
    low_open: bool = False  # True: low itself not allowed
    optional: bool = False  # None allowed
    empty: str | None = None  # lists: what [] means; None = [] is an error
    item: str = "str"  # lists: kind of the items ("str" or "choice")
    extra: dict = field(default_factory=dict)

    def allowed(self) -> tuple | None:
        c = self.choices
        if callable(c):
            c = c()
        return None if c is None else tuple(c)

    def describe(self, full: bool = False) -> str:
        """What is allowed, in words (a long list of choices cut to one line's worth unless `full`)."""
        none = " or None" if self.optional else ""
        if self.kind == "date":
            return f"an ISO date YYYY-MM-DD{none}"
        if self.kind in ("int", "float"):
            lo = "(" if self.low_open else "["
            lo_v = "-inf" if self.low is None else f"{self.low:g}"
            hi_v = "inf" if self.high is None else f"{self.high:g}"
            hi = "]" if self.high is not None else ")"
            return f"{'an integer' if self.kind == 'int' else 'a number'} in {lo}{lo_v}, {hi_v}{hi}{none}"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "dates":
            keys = f" of: {', '.join(map(str, self.allowed()))}" if self.allowed() else ""
            return f"a mapping of keys{keys} to ISO dates YYYY-MM-DD (may be empty){none}"
        if self.kind == "choice":
            return f"one of: {_listed(self.allowed() or ('(unknown: no clean table)',), full)}{none}"
        if self.kind == "list":
            items = f" of: {', '.join(map(str, self.allowed()))}" if self.allowed() else " of strings"
            empty = f"; [] means {self.empty}" if self.empty else "; not empty"
            return f"a list{items}{empty}{none}"
        return f"a string{none}"


def _listed(values, full: bool, width: int = 100) -> str:
    """The values joined with ', ', cut after about `width` characters (with how many there are in all)."""
    text = ", ".join(map(str, values))
    if full or len(text) <= width:
        return text
    cut = text[:width].rsplit(", ", 1)[0]
    return f"{cut}, ... ({len(values)} in all, see --help-params)"


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_known(p: Param, items) -> None:
    """Raise ParamError naming the items (list values, mapping keys) that are not among p's allowed values."""
    allowed = p.allowed()
    unknown = [v for v in items if v not in allowed] if allowed else []
    if unknown:
        raise ParamError(f"{p.name} has {', '.join(map(repr, unknown))}, not in: {', '.join(allowed)}")


def check(p: Param, value) -> None:
    """Raise ParamError if `value` is not allowed for `p`."""
    def bad(what: str | None = None):
        raise ParamError(f"{p.name} {_show(value)} is not {what or p.describe()}")

    if value is None:
        if p.optional:
            return
        bad()
    if p.kind == "bool":
        if not isinstance(value, bool):
            bad()
    elif p.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (p.kind == "int" and not isinstance(value, int)):
            bad()
        if isinstance(value, float) and not math.isfinite(value):
            bad()
        if isinstance(value, int) and not -INT64_MAX <= value <= INT64_MAX:
            raise ParamError(f"{p.name} {_show(value)} is past the int64 range; give {p.describe()}")
        if (p.low is not None and (value < p.low or (p.low_open and value == p.low))) or \
                (p.high is not None and value > p.high):
            lo = "(" if p.low_open else "["
            raise ParamError(f"{p.name} must be in {lo}{p.low:g}, {'inf)' if p.high is None else f'{p.high:g}]'}"
                             f", got {_show(value)}")
    elif p.kind == "date":
        if not isinstance(value, str):
            bad()
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            bad()
        if len(value) != 10:
            bad()
    elif p.kind == "choice":
        allowed = p.allowed()
        if allowed is not None and value not in allowed:
            bad()
    elif p.kind == "list":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            bad()
        if not value and not p.empty:
            raise ParamError(f"{p.name} [] is empty; give {p.describe()}")
        _check_known(p, value)
    elif p.kind == "dates":
        if not isinstance(value, dict) or not all(isinstance(v, str) and len(v) == 10 for v in value.values()):
            bad()
        try:
            [dt.date.fromisoformat(v) for v in value.values()]
        except ValueError:
            bad()
        _check_known(p, value)  # the keys
    elif p.kind == "str":
        if not isinstance(value, str):
            bad()
    else:  # pragma: no cover - a spec error
        raise TypeError(f"unknown kind {p.kind!r} of {p.name}")


def spec(notebook: str) -> list[Param] | None:
    """The spec of notebooks/<notebook>.ipynb, or None if it declares none."""
    try:
        module = importlib.import_module(f"analysis.site.params.{notebook}")
    except ModuleNotFoundError as exc:
        if exc.name == f"analysis.site.params.{notebook}":
            return None
        raise
    return module.SPEC


def closest(name: str, known) -> str:
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f"; did you mean {match[0]!r}?" if match else ""


def check_names(notebook: str, names) -> None:
    """Raise ParamError for a name the notebook does not declare (with the closest known name)."""
    s = spec(notebook)
    if s is None:
        return
    known = [p.name for p in s]
    for name in names:
        if name not in known:
            raise ParamError(f"unknown parameter {name!r} of {notebook}{closest(name, known)} "
                             f"(see --help-params)")


def injected_names(values: dict) -> list[str]:
    """Names papermill injected in this kernel: assignments of the executed cells (IPython's `In`) that start
    with papermill's "# Parameters" header. Other globals (a rerun in JupyterLab) are not looked at."""
    import ast

    names = []
    for source in values.get("In") or []:
        if isinstance(source, str) and source.startswith("# Parameters\n"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            names += [t.id for node in tree.body if isinstance(node, ast.Assign)
                      for t in node.targets if isinstance(t, ast.Name)]
    return names


def checks(notebook: str) -> list[Callable[[dict], None]]:
    """The checks across parameters of notebooks/<notebook>.ipynb (`CHECKS` of its spec module): each takes every
    parameter's value and raises ParamError for a combination the notebook cannot draw (e.g. no model selected)."""
    try:
        module = importlib.import_module(f"analysis.site.params.{notebook}")
    except ModuleNotFoundError:
        return []
    return list(getattr(module, "CHECKS", []))


def validate(notebook: str, values: dict, across: bool = True) -> None:
    """Check every declared parameter of `notebook` in `values` (a notebook passes globals()), that papermill
    injected no name the notebook does not declare, and (`across`) the spec's checks across parameters, which may
    read the clean tables (the CLI runs them for values given with -p; a notebook always)."""
    check_names(notebook, injected_names(values))
    s = spec(notebook) or []
    for p in s:
        check(p, values.get(p.name, p.default))
    given = {p.name: values.get(p.name, p.default) for p in s}
    for f in checks(notebook) if across else ():
        f(given)


def help_table(notebook: str) -> str:
    s = spec(notebook)
    if s is None:
        return f"{notebook}: no declared parameters"
    rows = [(p.name, p.kind, repr(p.default), p.describe(full=True), p.help) for p in s]
    widths = [max(len(r[i]) for r in rows + [("name", "type", "default", "allowed", "help")]) for i in range(3)]
    lines = [f"parameters of notebooks/{notebook}.ipynb (set with -p NAME VALUE, VALUE as JSON):"]
    for name, kind, default, allowed, text in rows:
        lines.append(f"  {name:<{widths[0]}}  {kind:<{widths[1]}}  default {default}")
        lines.append(f"      {text}")
        lines.append(f"      allowed: {allowed}")
    return "\n".join(lines)


def metrics() -> tuple[str, ...]:
    """The metric ids of the clean capability table."""
    import polars as pl

    from analysis.core import paths

    path = paths.tables_dir() / "capability.parquet"
    try:  # read directly (not tables.load: the report build records which tables a notebook reads)
        return tuple(sorted(pl.read_parquet(path, columns=["metric"])["metric"].unique(maintain_order=True).to_list()))
    except (OSError, pl.exceptions.ColumnNotFoundError):
        return None  # no capability table yet: the notebook itself says to run the build


def domains() -> tuple[str, ...]:
    """Epoch's domains (analysis.core.vocab.DOMAINS: the clean models table uses no other; no polars)."""
    from analysis.core.vocab import DOMAINS

    return DOMAINS


def country_buckets() -> tuple[str, ...]:
    from analysis.core.vocab import COUNTRY_BUCKETS

    return COUNTRY_BUCKETS


def jurisdictions() -> tuple[str, ...]:
    from analysis.core.vocab import JURISDICTIONS

    return JURISDICTIONS


def event_kinds() -> tuple[str, ...]:
    from analysis.core.vocab import EVENT_KINDS

    return EVENT_KINDS


def event_params() -> list[Param]:
    """The four event-overlay parameters the time-chart notebooks share."""
    return [
        Param("show_events", "bool", True, "lay policy events over the time charts"),
        Param("event_jurisdictions", "list", None, "jurisdiction codes of the events shown; None = all",
              choices=jurisdictions, optional=True),
        Param("event_kinds", "list", None, "event kinds shown; None = all", choices=event_kinds, optional=True),
        Param("events_style", "choice", "markers", "a strip of markers at the top, or thin vertical bands",
              choices=("markers", "bands")),
    ]
