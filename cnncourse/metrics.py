"""Evaluation metrics shared by chapters and assignments."""

from __future__ import annotations

import numpy as np


# Keras metric names whose values are shares of 1, shown as percentages in logs and on axes.
SHARE_METRICS = ("accuracy", "iou", "dice")


def is_share(metric: str) -> bool:
    """True for a Keras metric name that ends in a share-of-1 metric ("val_accuracy",
    "membrane_iou", "dice"), False for others ("loss", "dice_loss")."""
    return metric.lower().endswith(SHARE_METRICS)


def confusion_matrix(true_labels: np.ndarray, predicted_labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts (num_classes, num_classes) int64: row = true class, column = predicted class.

    true_labels, predicted_labels: (N,) integers in [0, num_classes).
    """
    true_labels = np.asarray(true_labels)
    predicted_labels = np.asarray(predicted_labels)
    if true_labels.shape != predicted_labels.shape or true_labels.ndim != 1:
        raise ValueError(
            f"expected two label vectors of the same length (N,), got {true_labels.shape} and {predicted_labels.shape}"
        )
    for name, labels in (("true", true_labels), ("predicted", predicted_labels)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes or not np.issubdtype(labels.dtype, np.integer)):
            raise ValueError(f"{name} labels must be integers in [0, {num_classes}), got {labels.dtype} in [{labels.min()}, {labels.max()}]")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (true_labels, predicted_labels), 1)
    return counts


def _binary_pair(true_masks: np.ndarray, predicted_masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both masks as bool arrays of one shape, or a ValueError saying what was wrong."""
    true_masks = np.asarray(true_masks)
    predicted_masks = np.asarray(predicted_masks)
    if true_masks.shape != predicted_masks.shape:
        raise ValueError(f"expected true and predicted masks of the same shape, got {true_masks.shape} and {predicted_masks.shape}")
    if true_masks.size == 0:
        raise ValueError("expected non-empty masks, got empty arrays")
    for name, masks in (("true", true_masks), ("predicted", predicted_masks)):
        if masks.dtype != bool:
            if not (np.issubdtype(masks.dtype, np.integer) or np.issubdtype(masks.dtype, np.floating)):
                raise ValueError(f"{name} masks must be bool or numbers 0/1, got dtype {masks.dtype}")
            values = np.unique(masks)
            if not np.isin(values, (0, 1)).all():
                raise ValueError(
                    f"{name} masks must hold only 0 and 1 (threshold probabilities first), got values {values[:6].tolist()}"
                )
    return true_masks.astype(bool), predicted_masks.astype(bool)


def pixel_accuracy(true_masks: np.ndarray, predicted_masks: np.ndarray) -> float:
    """Fraction of pixels whose predicted class is the true one, in [0, 1].

    true_masks, predicted_masks: binary masks of one shape, e.g. (N, H, W), bool or 0/1 numbers.
    The ISBI 2012 challenge's *pixel error* is ``1 - pixel_accuracy``.
    """
    true_masks, predicted_masks = _binary_pair(true_masks, predicted_masks)
    return float(np.mean(true_masks == predicted_masks))


def dice_score(true_masks: np.ndarray, predicted_masks: np.ndarray, foreground: int = 1) -> float:
    """Dice coefficient 2|T∩P| / (|T| + |P|) of the class ``foreground`` (0 or 1), in [0, 1].

    true_masks, predicted_masks: binary masks of one shape, bool or 0/1 numbers. Pixels of all
    images are pooled, so large and small objects count by their area. When neither mask holds
    the class, the prediction is perfect and the score is 1.0.
    """
    true_class, predicted_class = _foreground_pair(true_masks, predicted_masks, foreground)
    both = np.count_nonzero(true_class & predicted_class)
    total = np.count_nonzero(true_class) + np.count_nonzero(predicted_class)
    return 1.0 if total == 0 else float(2 * both / total)


def iou_score(true_masks: np.ndarray, predicted_masks: np.ndarray, foreground: int = 1) -> float:
    """Intersection over union |T∩P| / |T∪P| (Jaccard index) of the class ``foreground``, in [0, 1].

    Same inputs and conventions as ``dice_score``; for one pair of masks IoU = Dice / (2 - Dice).
    """
    true_class, predicted_class = _foreground_pair(true_masks, predicted_masks, foreground)
    union = np.count_nonzero(true_class | predicted_class)
    return 1.0 if union == 0 else float(np.count_nonzero(true_class & predicted_class) / union)


def _foreground_pair(true_masks, predicted_masks, foreground: int) -> tuple[np.ndarray, np.ndarray]:
    if foreground not in (0, 1):
        raise ValueError(f"foreground must be the class 0 or 1, got {foreground!r}")
    true_masks, predicted_masks = _binary_pair(true_masks, predicted_masks)
    if foreground == 0:
        return ~true_masks, ~predicted_masks
    return true_masks, predicted_masks


def segmentation_scores(true_masks: np.ndarray, predicted_masks: np.ndarray) -> dict[str, float]:
    """The usual binary segmentation scores in one dict, each in [0, 1].

    true_masks, predicted_masks: binary masks of one shape, bool or 0/1 numbers; class 1 is the
    foreground. Keys: ``pixel_accuracy``, ``pixel_error``, ``dice`` and ``iou`` (of class 1),
    ``mean_dice`` and ``mean_iou`` (the average over classes 0 and 1).
    """
    accuracy = pixel_accuracy(true_masks, predicted_masks)
    dice = [dice_score(true_masks, predicted_masks, foreground=c) for c in (0, 1)]
    iou = [iou_score(true_masks, predicted_masks, foreground=c) for c in (0, 1)]
    return {
        "pixel_accuracy": accuracy, "pixel_error": 1.0 - accuracy,
        "dice": dice[1], "iou": iou[1], "mean_dice": float(np.mean(dice)), "mean_iou": float(np.mean(iou)),
    }
