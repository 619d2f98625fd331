"""Segmentation metrics of cnncourse.metrics against cases counted by hand."""

from __future__ import annotations

import numpy as np
import pytest

from cnncourse.metrics import (
    dice_score, iou_score, pixel_accuracy, rand_score, segmentation_scores,
)

# 3 x 3 case: TP = 2 (top-left pair), FP = 1 (top right), FN = 2 (second row), TN = 4.
TRUE_3X3 = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0]], dtype=np.uint8)
PREDICTED_3X3 = np.array([[1, 1, 1], [0, 0, 0], [0, 0, 0]], dtype=np.uint8)


def test_hand_counted_case_every_score():
    scores = segmentation_scores(TRUE_3X3, PREDICTED_3X3)
    assert scores["pixel_accuracy"] == pytest.approx(6 / 9)
    assert scores["pixel_error"] == pytest.approx(3 / 9)
    assert scores["dice"] == pytest.approx(2 * 2 / (4 + 3))  # 2 TP / (|T| + |P|)
    assert scores["iou"] == pytest.approx(2 / 5)  # TP / (TP + FP + FN)
    # Class 0: |T0| = 5, |P0| = 6, both = TN = 4, union = 7.
    assert scores["mean_dice"] == pytest.approx((4 / 7 + 8 / 11) / 2)
    assert scores["mean_iou"] == pytest.approx((2 / 5 + 4 / 7) / 2)


def test_background_class_scores():
    assert dice_score(TRUE_3X3, PREDICTED_3X3, foreground=0) == pytest.approx(8 / 11)
    assert iou_score(TRUE_3X3, PREDICTED_3X3, foreground=0) == pytest.approx(4 / 7)


def test_half_right_checkerboard():
    true, predicted = np.array([[1, 1, 0, 0]]), np.array([[1, 0, 1, 0]])
    assert pixel_accuracy(true, predicted) == pytest.approx(0.5)
    assert dice_score(true, predicted) == pytest.approx(0.5)
    assert iou_score(true, predicted) == pytest.approx(1 / 3)


def test_perfect_and_disjoint_predictions():
    assert segmentation_scores(TRUE_3X3, TRUE_3X3) == pytest.approx(
        {"pixel_accuracy": 1, "pixel_error": 0, "dice": 1, "iou": 1, "mean_dice": 1, "mean_iou": 1})
    inverted = 1 - TRUE_3X3
    assert pixel_accuracy(TRUE_3X3, inverted) == 0.0
    assert dice_score(TRUE_3X3, inverted) == 0.0
    assert iou_score(TRUE_3X3, inverted, foreground=0) == 0.0


def test_class_absent_from_both_masks_counts_as_perfect():
    empty = np.zeros((4, 4), dtype=np.uint8)
    assert dice_score(empty, empty) == 1.0 and iou_score(empty, empty) == 1.0
    missed = empty.copy()
    missed[1, 1] = 1
    assert dice_score(missed, empty) == 0.0 and iou_score(missed, empty) == 0.0


def test_pixels_of_all_images_are_pooled():
    # Image A: one foreground pixel, found. Image B: three, all missed. Pooled: 2*1 / (4 + 1).
    true = np.zeros((2, 2, 2), dtype=np.uint8)
    true[0, 0, 0] = 1
    true[1, 0, 0] = true[1, 0, 1] = true[1, 1, 0] = 1
    predicted = np.zeros_like(true)
    predicted[0, 0, 0] = 1
    assert dice_score(true, predicted) == pytest.approx(0.4)  # the mean of per-image scores would be 0.5
    assert iou_score(true, predicted) == pytest.approx(0.25)
    assert pixel_accuracy(true, predicted) == pytest.approx(5 / 8)


def test_bool_integer_and_float_masks_agree():
    as_bool = segmentation_scores(TRUE_3X3.astype(bool), PREDICTED_3X3.astype(bool))
    as_float = segmentation_scores(TRUE_3X3.astype(np.float32), PREDICTED_3X3.astype(np.float64))
    assert as_bool == pytest.approx(segmentation_scores(TRUE_3X3, PREDICTED_3X3))
    assert as_float == pytest.approx(as_bool)


def test_iou_and_dice_are_related_on_random_masks():
    rng = np.random.default_rng(3)
    true, predicted = rng.integers(0, 2, size=(2, 2, 8, 8))
    dice = dice_score(true, predicted)
    assert iou_score(true, predicted) == pytest.approx(dice / (2 - dice))
    # Brute-force counts, independent of the library's vectorised ones.
    tp = sum(int(t == 1 and p == 1) for t, p in zip(true.flat, predicted.flat))
    assert dice == pytest.approx(2 * tp / (true.sum() + predicted.sum()))


@pytest.mark.parametrize("true, predicted, message", [
    (np.zeros((2, 3)), np.zeros((3, 2)), "same shape"),
    (np.array([0, 1, 2]), np.array([0, 1, 1]), "only 0 and 1"),
    (np.array([0.0, 1.0]), np.array([0.2, 0.9]), "threshold probabilities first"),
    (np.zeros(0), np.zeros(0), "non-empty"),
    (np.array(["a", "b"]), np.array(["a", "b"]), "bool or numbers"),
])
def test_bad_masks_are_refused_with_a_reason(true, predicted, message):
    with pytest.raises(ValueError, match=message):
        segmentation_scores(true, predicted)


def test_foreground_must_be_a_class():
    with pytest.raises(ValueError, match="foreground must be the class 0 or 1"):
        dice_score(TRUE_3X3, PREDICTED_3X3, foreground=2)


def _two_cells() -> np.ndarray:
    """A 5 x 7 slice: a membrane column in the middle splits two cells of 10 pixels each."""
    membranes = np.zeros((5, 7), dtype=bool)
    membranes[:, 3] = True
    membranes[:, [0, 6]] = True
    return membranes


def test_rand_score_is_one_for_the_true_segmentation_and_ignores_membrane_pixels():
    truth = _two_cells()
    assert rand_score(truth, truth) == pytest.approx(1.0)
    # A thicker predicted membrane covers cell pixels, which join the membrane segment.
    thicker = truth.copy()
    thicker[:, 2] = True
    assert rand_score(truth, thicker) < 1.0


def _rand_f(overlaps, true_sizes, predicted_sizes) -> float:
    """The Rand F-score from region sizes counted by hand, over pixels of true cells only.

    S, A and B count ordered pairs of distinct pixels (n^2 - n summed) in one true cell and one
    predicted segment, in one true cell, and in one predicted segment; precision S/B, recall
    S/A, so F = 2S / (A + B).
    """
    n = sum(true_sizes)
    pairs = [sum(size**2 for size in sizes) - n for sizes in (overlaps, true_sizes, predicted_sizes)]
    return 2 * pairs[0] / (pairs[1] + pairs[2])


def test_rand_score_of_a_merge_by_hand():
    truth = _two_cells()
    merged = truth.copy()
    merged[:, 3] = False  # the middle membrane missed: one predicted cell holds both
    expected = _rand_f(overlaps=[10, 10], true_sizes=[10, 10], predicted_sizes=[20])
    assert expected == pytest.approx(9 / 14)
    assert rand_score(truth, merged) == pytest.approx(expected)


def test_rand_score_of_a_split_by_hand():
    truth = _two_cells()
    split = truth.copy()
    split[2, :] = True  # a false membrane across both cells: four cells of 4 pixels remain
    # In each true cell: two predicted cells of 4 pixels and 2 pixels of predicted membrane,
    # which form one segment of 4 pixels over both true cells.
    expected = _rand_f(overlaps=[4, 4, 2, 4, 4, 2], true_sizes=[10, 10],
                       predicted_sizes=[4, 4, 4, 4, 4])
    assert expected == pytest.approx(13 / 30)
    assert rand_score(truth, split) == pytest.approx(expected)


def test_rand_score_averages_slices_and_checks_shapes():
    truth = np.stack([_two_cells(), _two_cells()])
    merged = truth.copy()
    merged[1, :, 3] = False
    assert rand_score(truth, merged) == pytest.approx((1.0 + 9 / 14) / 2)
    with pytest.raises(ValueError, match="same shape"):
        rand_score(truth, truth[:1])
