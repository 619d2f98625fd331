"""Evaluation metrics shared by chapters and assignments."""

from __future__ import annotations

import numpy as np


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
