"""Plotting helpers: each returns its matplotlib Figure, so a chapter can caption or save it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def image_grid(
    images: np.ndarray, titles: Sequence[str] | None = None, columns: int = 8, size: float = 1.3,
    cmap: str = "gray",
) -> Figure:
    """A grid of images. images: (N, H, W) or (N, H, W, 1 or 3), any real dtype (each is scaled
    to its own range for display); titles: N strings or None."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(f"expected images (N, H, W) or (N, H, W, C), got shape {images.shape}")
    count = len(images)
    rows = max(1, int(np.ceil(count / columns)))
    columns = min(columns, count) or 1
    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows + 0.2 * (titles is not None)), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < count:
            axis.imshow(images[index], cmap=cmap)
            if titles is not None:
                axis.set_title(titles[index], fontsize=8)
    figure.tight_layout()
    return figure


def feature_map_rows(
    rows: Sequence[np.ndarray], row_titles: Sequence[str], size: float = 0.7, cmap: str = "gray"
) -> Figure:
    """Feature maps from several depths, one row per layer, every map drawn at the same width so
    that the shrinking grids show. rows: arrays (H_i, W_i, C_i), any real dtype, C_i maps each
    (rows may differ in size and count); row_titles: one per row. Each row shares one colour
    scale, from its smallest to its largest value, so that weak and silent maps look so."""
    if len(rows) != len(row_titles):
        raise ValueError(f"expected one title per row, got {len(rows)} rows and {len(row_titles)} titles")
    rows = [np.asarray(maps) for maps in rows]
    for maps in rows:
        if maps.ndim != 3:
            raise ValueError(f"expected each row as (H, W, C) maps, got shape {maps.shape}")
    columns = max(maps.shape[-1] for maps in rows)
    figure, axes = plt.subplots(len(rows), columns, figsize=(size * columns + 1.4, size * len(rows)),
                                squeeze=False)
    for row_axes, maps, title in zip(axes, rows, row_titles):
        low, high = float(maps.min()), float(maps.max())
        for channel, axis in enumerate(row_axes):
            if channel >= maps.shape[-1]:
                axis.axis("off")
                continue
            axis.imshow(maps[..., channel], cmap=cmap, vmin=low, vmax=high if high > low else low + 1,
                        interpolation="nearest")  # a cell of a coarse map is one block
            axis.set_xticks([])
            axis.set_yticks([])
        row_axes[0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=8)
    figure.tight_layout()
    return figure


def training_curves(history: Mapping[str, Sequence[float]], metrics: Sequence[str] = ("loss", "accuracy")) -> Figure:
    """Training and validation curves, one panel per metric, from ``model.fit(...).history``."""
    figure, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.4), squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        epochs = np.arange(1, len(history[metric]) + 1)
        axis.plot(epochs, history[metric], "o-", label="training")
        if f"val_{metric}" in history:
            axis.plot(epochs, history[f"val_{metric}"], "s-", label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.legend()
        axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def confusion_matrix_plot(counts: np.ndarray, class_names: Sequence[str]) -> Figure:
    """A confusion matrix (rows: true class, columns: predicted), off-diagonal counts emphasised."""
    figure, axis = plt.subplots(figsize=(0.55 * len(class_names) + 2, 0.55 * len(class_names) + 1.5))
    errors = counts.astype(float).copy()
    np.fill_diagonal(errors, np.nan)  # the diagonal would swamp the colour scale
    axis.imshow(errors, cmap="Reds")
    for (row, column), value in np.ndenumerate(counts):
        axis.text(column, row, str(value), ha="center", va="center", fontsize=7,
                  color="black" if row != column else "tab:blue")
    axis.set_xticks(range(len(class_names)), class_names)
    axis.set_yticks(range(len(class_names)), class_names)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    figure.tight_layout()
    return figure
