"""Sub-pixel registration of a label map to its image: shift a map, find the best shift.

A hand-drawn mask can sit a fraction of a pixel off the image it labels. A network trained with
rotations and mirror flips cannot learn such an offset (it would have to point one way in every
orientation), so it shows up as errors along every edge. These helpers measure and undo it.
"""

from __future__ import annotations

import numpy as np


def shift(maps: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """maps (..., H, W) read at (y + dy, x + dx): bilinear between pixels, edges repeated.

    A positive dy moves the content up by dy pixels: the value at row y becomes the one at row
    y + dy. shift(shift(m, dy, dx), -dy, -dx) returns m away from the edges for whole-pixel
    shifts, and smoothed by at most one pixel for fractional ones.
    """
    maps = np.asarray(maps)
    if maps.ndim < 2 or 0 in maps.shape[-2:]:
        raise ValueError(f"expected maps of shape (..., H, W) with H, W > 0, got {maps.shape}")
    if not (np.isfinite(dy) and np.isfinite(dx)):
        raise ValueError(f"the shift must be finite, got ({dy}, {dx})")
    height, width = maps.shape[-2:]
    rows, row_weights = _neighbours(np.arange(height) + dy, height)
    cols, col_weights = _neighbours(np.arange(width) + dx, width)
    values = maps.astype(np.float32, copy=False)
    # Interpolate along rows, then along columns: two 1-D linear interpolations make a bilinear one.
    along_rows = values[..., rows[0], :] * row_weights[0][:, None] + values[..., rows[1], :] * row_weights[1][:, None]
    return along_rows[..., cols[0]] * col_weights[0] + along_rows[..., cols[1]] * col_weights[1]


def _neighbours(positions: np.ndarray, size: int):
    """For fractional positions along an axis of `size`: the two neighbouring indices and their weights."""
    positions = np.clip(positions, 0, size - 1)
    lower = np.floor(positions).astype(int)
    upper = np.minimum(lower + 1, size - 1)
    upper_weight = (positions - lower).astype(np.float32)
    return (lower, upper), (1 - upper_weight, upper_weight)


def best_offset(probability: np.ndarray, truth: np.ndarray, candidates: np.ndarray, threshold: float = 0.5,
                margin: int = 8) -> tuple[tuple[float, float], np.ndarray]:
    """The shift (dy, dx) of `probability` that best matches `truth`, and the error for every pair.

    probability: (..., H, W) in [0, 1]; truth: a 0/1 or bool map of the same shape; candidates:
    the 1-D shifts tried along each axis. The error is the share of pixels on the wrong side of
    `threshold` after shift(probability, dy, dx), counted away from a `margin` at the borders,
    where shifting repeats edge pixels. Returns ((dy, dx), errors) with errors[i, j] for
    (candidates[i], candidates[j]); among equal errors, the smallest shift wins, so that maps
    that cannot tell (edges in one direction only, or none) report no offset rather than an
    extreme one. dy > 0 says the truth sits above what the probability shows, dx > 0 to its left.
    """
    probability, truth = np.asarray(probability), np.asarray(truth)
    candidates = np.asarray(candidates, dtype=float)
    if probability.shape != truth.shape:
        raise ValueError(f"expected probability and truth of one shape, got {probability.shape} and {truth.shape}")
    if candidates.ndim != 1 or candidates.size == 0:
        raise ValueError(f"expected a non-empty 1-D array of candidate shifts, got shape {candidates.shape}")
    if not np.isfinite(probability).all() or not np.isfinite(candidates).all():
        raise ValueError("probabilities and candidate shifts must be finite numbers (found NaN or infinity)")
    if margin < 1 or min(probability.shape[-2:]) <= 2 * margin:
        raise ValueError(f"the margin must be at least 1 pixel and leave something inside maps of "
                         f"{probability.shape[-2:]} pixels, got {margin}")
    inside = (..., slice(margin, -margin), slice(margin, -margin))
    truth = truth[inside].astype(bool)
    errors = np.array([[np.mean((shift(probability, dy, dx)[inside] > threshold) != truth) for dx in candidates]
                       for dy in candidates])
    size = np.hypot(*np.meshgrid(candidates, candidates, indexing="ij"))
    ties = np.flatnonzero(errors.ravel() == errors.min())
    row, col = np.unravel_index(ties[np.argmin(size.ravel()[ties])], errors.shape)
    return (float(candidates[row]), float(candidates[col])), errors
