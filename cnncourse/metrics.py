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


def rand_score(true_membranes: np.ndarray, predicted_membranes: np.ndarray) -> float:
    """The foreground-restricted Rand score of membrane masks, averaged over slices, in [0, 1].

    The ISBI 2012 challenge ranked entries by this score (its V_Rand) because pixel error
    barely notices a gap of one pixel in a membrane, while the gap merges two cells. Each mask
    (N, H, W), membrane True, becomes a segmentation: every 4-connected region of non-membrane
    pixels is one cell. Pixels on a true membrane are left out of the count (the "foreground
    restriction"); predicted membrane pixels form one more segment, so a membrane predicted
    through a true cell costs something. Score = 1 - scikit-image's ``adapted_rand_error``, the
    F-score of the pairs of pixels that both segmentations put in one cell. The challenge also
    thinned the boundaries before scoring, so the figure is comparable, not identical.
    """
    from skimage.measure import label
    from skimage.metrics import adapted_rand_error

    true_membranes, predicted_membranes = _binary_pair(true_membranes, predicted_membranes)
    if true_membranes.ndim == 2:
        true_membranes, predicted_membranes = true_membranes[None], predicted_membranes[None]
    scores = []
    for truth, prediction in zip(true_membranes, predicted_membranes):
        # label() numbers the True regions from 1 and leaves False at 0: membranes are 0.
        true_cells = label(truth == 0, connectivity=1)
        predicted_cells = label(prediction == 0, connectivity=1)
        error, _, _ = adapted_rand_error(true_cells, predicted_cells, ignore_labels=(0,))
        scores.append(1.0 - error)
    return float(np.mean(scores))


def mean_interval(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of repeated measurements (e.g. one accuracy per seed) and its t interval.

    Returns (mean, low, high): the interval that covers the true mean with the given
    confidence if the runs are independent draws from one normal distribution. Few runs make
    it wide on purpose: with three seeds, about 2.5 standard deviations either side.
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"expected at least two measurements in a 1-D list, got shape {values.shape}")
    mean = float(values.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
    return mean, mean - half, mean + half


def difference_interval(first, second, confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference of means, first - second, and its Welch t interval (unequal variances).

    An interval that excludes 0 says the difference is larger than the run-to-run noise the
    measurements show; one that includes 0 says these runs cannot tell the two apart.
    """
    from scipy import stats

    first, second = (np.asarray(v, dtype=float) for v in (first, second))
    if min(len(first), len(second)) < 2:
        raise ValueError("expected at least two measurements of each")
    variances = first.var(ddof=1) / len(first), second.var(ddof=1) / len(second)
    spread = np.sqrt(sum(variances))
    difference = float(first.mean() - second.mean())
    if spread == 0:
        return difference, difference, difference
    # Welch-Satterthwaite degrees of freedom
    freedom = sum(variances) ** 2 / sum(v**2 / (len(x) - 1) for v, x in zip(variances, (first, second)))
    half = float(stats.t.ppf(0.5 + confidence / 2, freedom) * spread)
    return difference, difference - half, difference + half
