"""analysis.metrics.ols gives the floats of scipy.stats.linregress and scipy.stats.t.ppf."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.metrics import ols


def _same(x, y):
    from scipy import stats

    want, got = stats.linregress(x, y), ols.linregress(x, y)
    for name in ("slope", "intercept", "rvalue", "stderr"):
        a, b = float(getattr(want, name)), float(getattr(got, name))
        assert a == b or (np.isnan(a) and np.isnan(b)), (name, a, b)


def test_fits_of_fixed_points_equal_scipy():
    _same([2020.0, 2021.5, 2022.25, 2024.0], [1.0, 2.5, 2.0, 4.0])
    _same([0.0, 1.0], [3.0, 5.0])  # two points: no standard error
    _same([1.0, 2.0, 3.0], [7.0, 7.0, 7.0])  # a flat line: r is 0
    _same([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0])  # a perfect line: r clipped to 1


def test_identical_x_or_no_points_raise_as_scipy_does():
    with pytest.raises(ValueError, match="all x values are identical"):
        ols.linregress([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="must not be empty"):
        ols.linregress([], [])


@given(st.lists(st.tuples(st.floats(1990, 2030), st.floats(-30, 30)), min_size=3, max_size=40)
       .filter(lambda pts: len({p[0] for p in pts}) > 1))
def test_random_fits_equal_scipy(pts):
    x, y = zip(*pts, strict=True)
    _same(np.array(x), np.array(y))


@pytest.mark.parametrize("df", [1, 2, 3, 7.5, 30, 400])
@pytest.mark.parametrize("p", [0.75, 0.9, 0.95, 0.975, 0.995])
def test_t_quantile_equals_scipy(p, df):
    from scipy import stats

    assert ols.t_quantile(p, df) == stats.t.ppf(p, df)


def test_the_tabled_t_quantiles_are_scipys_float_for_float(tmp_path):
    """analysis/metrics/t_quantiles.csv is what scipy.special.stdtrit gives, every row (rewrite it with
    `python -m analysis.metrics.ols` after a scipy upgrade that changes one)."""
    from scipy.special import stdtrit

    ols.write_table(tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines()[1:] == ols.TABLE.read_text().splitlines()[1:]
    table = ols._table()
    assert len(table) == len(ols.TABLE_LEVELS) * ols.TABLE_MAX_DF
    for (p, df), q in table.items():
        assert q == float(stdtrit(df, p)), (p, df)
    # the levels the fits use hit the table (0.5 + level / 2 is the float the callers compute)
    for level in (0.90, 0.95):
        assert (0.5 + level / 2, 7) in table
    # tabled or not, t_quantile is stdtrit
    for p, df in [(0.975, 7), (0.95, 500), (0.975, 501), (0.9123, 12), (0.975, 7.5)]:
        assert ols.t_quantile(p, df) == stdtrit(df, p) and isinstance(ols.t_quantile(p, df), float)
