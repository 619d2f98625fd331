"""Intervals over seeds: cnncourse.metrics.mean_interval and difference_interval."""

from __future__ import annotations

import numpy as np
import pytest

from cnncourse.metrics import difference_interval, mean_interval


def test_mean_interval_of_three_runs_by_hand():
    # mean 2, sample standard deviation 1; t(0.975, 2 degrees of freedom) = 4.3027
    mean, low, high = mean_interval([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert high - mean == pytest.approx(4.302653 / np.sqrt(3), rel=1e-6)
    assert mean - low == pytest.approx(high - mean)


def test_wider_with_more_confidence_and_narrower_with_more_runs():
    runs = [0.95, 0.96, 0.97]
    _, low_95, high_95 = mean_interval(runs)
    _, low_99, high_99 = mean_interval(runs, confidence=0.99)
    assert low_99 < low_95 < high_95 < high_99
    _, low_6, high_6 = mean_interval(runs * 2)
    assert high_6 - low_6 < high_95 - low_95


def test_difference_interval_separates_or_not():
    apart = difference_interval([0.97, 0.971, 0.972], [0.96, 0.961, 0.962])
    assert apart[0] == pytest.approx(0.01)
    assert apart[1] > 0  # the noise is a tenth of the difference
    overlapping = difference_interval([0.97, 0.95, 0.96], [0.96, 0.955, 0.965])
    assert overlapping[1] < 0 < overlapping[2]


def test_equal_variances_give_the_pooled_t_interval():
    # With equal sizes and variances Welch's degrees of freedom are 2n - 2, as the pooled test's.
    first, second = np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0])
    difference, low, _ = difference_interval(first, second)
    half = 2.776445 * np.sqrt(1 / 3 + 1 / 3)  # t(0.975, 4)
    assert difference == -1.0
    assert difference - low == pytest.approx(half, rel=1e-6)


def test_too_few_runs_are_refused():
    with pytest.raises(ValueError, match="at least two"):
        mean_interval([0.9])
    with pytest.raises(ValueError, match="at least two"):
        difference_interval([0.9], [0.8, 0.7])
