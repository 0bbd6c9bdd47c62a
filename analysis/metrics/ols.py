"""A straight-line least-squares fit and the Student-t quantile of its interval, without `scipy.stats`.

A deliberate deviation from stock parts, kept because it buys a fifth of a single report's rerun: why, what it
costs and when to remove it are in docs/architecture.md. `linregress` follows `scipy.stats.linregress` (scipy
1.17) step for step, so slope, intercept, r and the slope's standard error are the same floats; `t_quantile` is
what `scipy.stats.t.ppf` computes (`scipy.special.stdtrit`; the quantiles the project's intervals use are tabled,
see TABLE). tests/test_ols.py checks both against scipy.stats.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


# The quantiles the project's intervals use (levels 80/90/95/99 %, two-sided, as `0.5 + level / 2`; 1 to 500
# degrees of freedom), as scipy.special.stdtrit computes them, are kept in t_quantiles.csv beside this module
# (written by `python -m analysis.metrics.ols`): importing scipy.special costs 0.15-0.4 s, most of a report's own
# fitting. tests/test_ols.py checks every row against scipy, float for float; any other (p, df) asks scipy.
TABLE = Path(__file__).with_name("t_quantiles.csv")
TABLE_LEVELS = (0.80, 0.90, 0.95, 0.99)
TABLE_MAX_DF = 500


def table_rows() -> list[tuple[float, int, float]]:
    """(p, df, quantile) of every tabled point, computed by scipy."""
    from scipy.special import stdtrit

    return [(p, df, float(stdtrit(df, p))) for p in (0.5 + level / 2 for level in TABLE_LEVELS)
            for df in range(1, TABLE_MAX_DF + 1)]


def write_table(path: Path = TABLE) -> None:
    import scipy

    lines = [f"# Student t quantiles, scipy.special.stdtrit(df, p) of scipy {scipy.__version__}; "
             "written by `python -m analysis.metrics.ols`", "p,df,quantile"]
    lines += [f"{p!r},{df},{q!r}" for p, df, q in table_rows()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@cache
def _table() -> dict[tuple[float, int], float]:
    rows = TABLE.read_text(encoding="utf-8").splitlines()[2:]
    return {(float(p), int(df)): float(q) for p, df, q in (r.split(",") for r in rows)}


def t_quantile(p: float, df: float) -> float:
    """The p quantile of Student's t with df degrees of freedom (scipy.stats.t.ppf(p, df), computed by
    scipy.special.stdtrit: from t_quantiles.csv when tabled)."""
    if float(df).is_integer():
        q = _table().get((float(p), int(df)))
        if q is not None:
            return np.float64(q)
    from scipy.special import stdtrit

    return stdtrit(df, p)


if __name__ == "__main__":
    write_table()
