"""A straight-line least-squares fit and the Student-t quantile of its interval, without `scipy.stats`.

`scipy.stats` takes 1.5 s to import (2.5 s on a slow machine), more than the fits of a report cost, and every
report with a trend line paid it. `linregress` follows `scipy.stats.linregress` (scipy 1.17) step for step, so
slope, intercept, r and the slope's standard error are the same floats; `t_quantile` is what
`scipy.stats.t.ppf` computes (`scipy.special.stdtrit`, whose import costs 0.4 s). tests/test_ols.py checks
both against scipy.stats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LineFit:
    slope: float
    intercept: float
    rvalue: float
    stderr: float  # standard error of the slope


def linregress(x, y) -> LineFit:
    """Least-squares line of y on x (at least two points, not all x equal), as scipy.stats.linregress."""
    x, y = np.asarray(x), np.asarray(y)
    if x.size == 0 or y.size == 0:
        raise ValueError("Inputs must not be empty.")
    if np.amax(x) == np.amin(x) and len(x) > 1:
        raise ValueError("Cannot calculate a linear regression if all x values are identical")
    n = len(x)
    xmean, ymean = np.mean(x, None), np.mean(y, None)
    ssxm, ssxym, _, ssym = np.cov(x, y, bias=1).flat
    if ssxm == 0.0 or ssym == 0.0:
        r = np.asarray(np.nan if ssxym == 0 else 0.0)[()]
    else:
        r = min(max(ssxym / np.sqrt(ssxm * ssym), -1.0), 1.0)
    slope = ssxym / ssxm
    intercept = ymean - slope * xmean
    stderr = 0.0 if n == 2 else np.sqrt((1 - r ** 2) * ssym / ssxm / (n - 2))
    return LineFit(slope, intercept, r, stderr)


def t_quantile(p: float, df: float) -> float:
    """The p quantile of Student's t with df degrees of freedom (scipy.stats.t.ppf(p, df))."""
    from scipy.special import stdtrit

    return stdtrit(df, p)
