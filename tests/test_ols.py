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
