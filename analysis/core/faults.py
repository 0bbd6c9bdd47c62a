"""Stop points for the kill tests: the one place where a test can make a run die at an exact point.

With `ANALYSIS_TEST_STOP_AT=<point>` in its environment, a process that reaches `stop_at(<point>)` prints one
line, `stopping at <point> (ANALYSIS_TEST_STOP_AT)`, and kills itself with SIGKILL: no handler, no cleanup, no
atexit, exactly as `kill -9` at that moment. Without the variable (every normal run) `stop_at` does nothing. A
test sets it on a `python -m analysis ...` subprocess, waits for the process to end (no clock), and checks what
the run left on disk (tests/test_site_switch.py).

The points, in the order a report run reaches them (analysis.site.generation):

  site:page-written   a report page and its data folder are written into the new site generation
  site:index-html     the new generation's index.html is written, its index.json not yet
  site:before-switch  the new generation is complete; `reports/.site/current` still names the previous one
  site:after-switch   `current` names the new generation; the previous one and the data folders only it used
                      are not removed yet
"""

from __future__ import annotations

import os
import signal
import sys

ENV = "ANALYSIS_TEST_STOP_AT"
POINTS = ("site:page-written", "site:index-html", "site:before-switch", "site:after-switch")


def stop_at(point: str) -> None:
    """Kill this process (SIGKILL) here when $ANALYSIS_TEST_STOP_AT names `point`; otherwise nothing."""
    if point not in POINTS:
        raise ValueError(f"unknown stop point {point!r}; known: {', '.join(POINTS)}")
    if os.environ.get(ENV) != point:
        return
    print(f"stopping at {point} ({ENV})", file=sys.stdout, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
