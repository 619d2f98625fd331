"""Sub-pixel shifts and offset search of cnncourse.registration, on maps worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from cnncourse.registration import best_offset, shift


def test_whole_pixel_shift_moves_content_and_repeats_edges():
    ramp = np.arange(16, dtype=np.float32).reshape(4, 4)  # value = 4 * row + column
    up_one = shift(ramp, 1, 0)
    np.testing.assert_allclose(up_one[:3], ramp[1:])  # row y now shows row y + 1
    np.testing.assert_allclose(up_one[3], ramp[3])  # the last row is repeated
    np.testing.assert_allclose(shift(ramp, 0, -2)[:, 2:], ramp[:, :2])


def test_fractional_shift_interpolates_linearly():
    ramp = np.arange(16, dtype=np.float32).reshape(4, 4)
    # Inside the map a linear ramp shifted by (0.5, 0.25) rises by 4 * 0.5 + 0.25 everywhere.
    np.testing.assert_allclose(shift(ramp, 0.5, 0.25)[:3, :3], ramp[:3, :3] + 2.25)


def test_shift_keeps_leading_axes_and_rejects_bad_input():
    stack = np.random.default_rng(0).random((2, 3, 5, 6))
    assert shift(stack, 0.3, -0.7).shape == (2, 3, 5, 6)
    np.testing.assert_allclose(shift(stack, 0, 0), stack.astype(np.float32))
    with pytest.raises(ValueError, match="H, W"):
        shift(np.zeros(5), 1, 0)
    with pytest.raises(ValueError, match="finite"):
        shift(np.zeros((4, 4)), np.nan, 0)


def test_best_offset_recovers_a_known_displacement():
    # Two crossing waves with edges every few pixels in every direction, so that a quarter-pixel
    # shift changes the thresholded map; the "truth" is the map read 0.5 row down and 0.25
    # column left, so shifting the probability by (0.5, -0.25) fits it exactly.
    rows, cols = np.mgrid[0:64, 0:64].astype(np.float32)
    probability = 0.5 + 0.25 * np.sin(rows / 2.3 + cols / 5.1) + 0.25 * np.cos(cols / 1.9 - rows / 3.7)
    truth = shift(probability, 0.5, -0.25) > 0.5
    candidates = np.arange(-1, 1.01, 0.25)
    (dy, dx), errors = best_offset(probability, truth, candidates)
    assert (dy, dx) == (0.5, -0.25)
    assert errors.shape == (9, 9)
    assert errors[6, 3] == 0.0 and np.sort(errors.ravel())[1] > 0.01  # one exact fit, all others worse


def test_a_mask_drawn_one_row_above_the_membrane_gives_dy_one():
    probability = np.zeros((32, 32), dtype=np.float32)
    probability[16] = 1.0  # the network sees a horizontal membrane on row 16
    truth = np.zeros((32, 32), dtype=bool)
    truth[15] = True  # the expert drew it on row 15, one pixel up
    (dy, dx), errors = best_offset(probability, truth, np.arange(-2, 2.01, 0.5))
    assert dy == 1.0  # positive: the truth sits above
    assert dx == 0.0  # a horizontal line says nothing about columns: ties go to no shift
    assert errors[6, 4] == 0.0 and errors[4, 4] > 0


def test_best_offset_reports_no_shift_when_nothing_can_tell():
    flat = np.full((20, 20), 0.2)
    assert best_offset(flat, np.zeros((20, 20), bool), np.arange(-1, 1.01, 0.25))[0] == (0.0, 0.0)


def test_fractional_shift_clamps_at_the_edges():
    ramp = np.arange(16, dtype=np.float32).reshape(4, 4)
    # Row 3 read half a row further down stays row 3: there is nothing below it.
    np.testing.assert_allclose(shift(ramp, 0.5, 0)[3], ramp[3])
    np.testing.assert_allclose(shift(ramp, -0.5, 0)[0], ramp[0])


def test_best_offset_checks_shapes():
    with pytest.raises(ValueError, match="one shape"):
        best_offset(np.zeros((20, 20)), np.zeros((20, 21)), [0.0])
    with pytest.raises(ValueError, match="margin"):
        best_offset(np.zeros((10, 10)), np.zeros((10, 10)), [0.0])
    with pytest.raises(ValueError, match="candidate"):
        best_offset(np.zeros((20, 20)), np.zeros((20, 20)), [])
    with pytest.raises(ValueError, match="margin"):
        best_offset(np.zeros((20, 20)), np.zeros((20, 20)), [0.0], margin=0)
    with pytest.raises(ValueError, match="finite"):
        best_offset(np.full((20, 20), np.nan), np.zeros((20, 20)), [0.0])
