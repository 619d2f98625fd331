"""The course's one figure style, and the plotting helpers every chapter draws with.

Figures are sized for the book's text column, 672 CSS pixels wide. At ``DISPLAY_DPI``
one inch of figure is 100 pixels of page, so a figure at most ``COLUMN_WIDTH`` inches
wide is shown at its own size, never scaled down, and its fonts keep the point sizes of
``STYLE`` (none below ``MIN_FONT_PT``). Images are rendered at ``SHARPNESS`` times that
resolution and tagged with their page width, so that they stay sharp on high-density
screens and phones.

Each helper returns its matplotlib Figure, so that a chapter can caption, change or save
it; ``as_jpeg`` turns a figure of photographs into a compressed image for the page.
"""

from __future__ import annotations

import importlib
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image as PILImage

from cnncourse.metrics import is_share

COLUMN_WIDTH = 6.6  # inches: the widest figure; with its margins, the 672-pixel column
CHART_WIDTH = 5.2  # inches: charts are narrower, so that a phone shrinks them less
PANEL_HEIGHT = 2.3  # inches per row of chart panels
DISPLAY_DPI = 100  # page pixels per figure inch
SHARPNESS = 2  # image pixels per page pixel: sharp on high-density screens
# Photographs need less: their detail is the source's, and a phone (3 pixels per page
# pixel across its narrow column) asks for about 1.5 across the whole 672-pixel column.
PHOTO_SHARPNESS = 1.5
# Inches of white kept around a figure's content when it is saved: at PHOTO_SHARPNESS
# more than a JPEG block of 8 pixels, so that the page's dark mode finds a white corner.
MARGIN = 0.06
MIN_FONT_PT = 9  # the smallest text in any figure: tick labels, image titles, counts
MIN_IMAGE_SIZE = 0.75  # inches: image grids wrap to more rows rather than go smaller
IMAGE_GAP = 0.06  # inches between neighbouring images of a grid
JPEG_QUALITY = 75

STYLE: dict[str, Any] = {
    "figure.dpi": DISPLAY_DPI,
    "figure.figsize": (CHART_WIDTH, 3.2),
    "savefig.dpi": DISPLAY_DPI * SHARPNESS,
    "savefig.bbox": "tight",
    "savefig.pad_inches": MARGIN,
    # Opaque white figures: a transparent image would show black axes in dark mode.
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,  # charts() turns it on; over an image a grid would hide pixels
    "grid.alpha": 0.3,
    "lines.linewidth": 1.8,
    "lines.markersize": 4.5,
    "image.cmap": "gray",
}


def use_course_style() -> None:
    """Apply ``STYLE`` to matplotlib and, inside IPython, show figures as sharp PNGs at
    their page size: ``SHARPNESS`` image pixels per page pixel, with the page width in
    the output's metadata, which Jupyter and the book both honour."""
    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    # The inline backend registers its own PNG formatter when it is first imported (at
    # the first figure): import it now, so that the course's formatter is the one kept.
    try:
        importlib.import_module("matplotlib_inline.backend_inline")
    except ImportError:
        pass
    shell.display_formatter.formatters["image/png"].for_type(Figure, _page_png)


def _page_png(figure: Figure) -> tuple[bytes, dict[str, int]] | None:
    if not figure.axes:
        return None  # nothing drawn: no empty white box on the page
    data, width = render_figure(figure)
    return data, {"width": width}


def render_figure(
    figure: Figure, image_format: str = "png", quality: int = JPEG_QUALITY,
    sharpness: float = SHARPNESS,
) -> tuple[bytes, int]:
    """The figure as image bytes, "png" or "jpeg" (quality 1 to 95), at ``sharpness``
    times ``DISPLAY_DPI`` and cropped to its content; and its width on the page in CSS
    pixels."""
    if image_format not in ("png", "jpeg"):
        raise ValueError(f"expected image_format 'png' or 'jpeg', got {image_format!r}")
    options: dict[str, Any] = {}
    if image_format == "jpeg":
        # Subsampling 0 keeps colour at full resolution: thin coloured lines stay sharp.
        options["pil_kwargs"] = {"quality": quality, "subsampling": 0,
                                 "optimize": True, "progressive": True}
    buffer = io.BytesIO()
    figure.savefig(buffer, format=image_format, dpi=DISPLAY_DPI * sharpness,
                   bbox_inches="tight", pad_inches=MARGIN, facecolor="white", **options)
    data = buffer.getvalue()
    with PILImage.open(io.BytesIO(data)) as image:
        pixel_width = image.width
    return data, round(pixel_width / sharpness)


def as_jpeg(figure: Figure, quality: int = JPEG_QUALITY) -> Image:
    """The figure as a JPEG for the page, at ``PHOTO_SHARPNESS``; the figure is closed,
    so that the notebook does not show it a second time.

    For photographs and overlays on them, which take several times fewer bytes as JPEG
    than as PNG. Make it the last line of a cell (or ``display()`` it), so that the
    cell's caption and alt text apply to it.
    """
    data, width = render_figure(figure, "jpeg", quality, PHOTO_SHARPNESS)
    plt.close(figure)
    return Image(data=data, format="jpeg", width=width)


def charts(
    rows: int = 1, columns: int = 1, *, width: float | None = None,
    panel_height: float = PANEL_HEIGHT, sharex: bool = False,
) -> tuple[Figure, Any]:
    """A figure of chart panels with a light grid, laid out by matplotlib (no
    tight_layout() needed, or wanted). Returns (figure, axes) as ``plt.subplots`` does:
    one Axes for one panel, else an array (rows, columns), squeezed. width: inches,
    CHART_WIDTH for one column of panels and COLUMN_WIDTH for more unless given."""
    if width is None:
        width = CHART_WIDTH if columns == 1 else COLUMN_WIDTH
    if not 0 < width <= COLUMN_WIDTH:
        raise ValueError(
            f"expected a width up to the column's {COLUMN_WIDTH} inches, got {width}")
    figure, axes = plt.subplots(rows, columns, sharex=sharex, layout="constrained",
                                figsize=(width, panel_height * rows + 0.4))
    for axis in np.atleast_1d(axes).flat:
        axis.grid(True)
    return figure, axes


def label_epochs(axis: Axes, label: str = "epoch") -> None:
    """Label the x axis in epochs, with whole-number ticks; call it after plotting."""
    axis.set_xlabel(label)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    low, high = axis.dataLim.intervalx
    if np.isfinite([low, high]).all() and high - low < 2:
        axis.set_xlim(low - 0.5, high + 0.5)  # else one epoch gets ticks like 0.995


def metric_label(metric: str) -> tuple[str, float]:
    """An axis label in words for a Keras history key, and the factor to plot it with:
    "val_accuracy" gives ("validation accuracy (%)", 100.0), "loss" ("loss", 1.0)."""
    name = metric.removeprefix("val_")
    words = name.replace("_", " ").replace("iou", "IoU")
    if metric.startswith("val_"):
        words = f"validation {words}"
    if is_share(name):
        return f"{words} (%)", 100.0
    return words, 1.0


def legend_above(figure: Figure, axis: Axes, columns: int = 2) -> None:
    """The legend of ``axis`` above all the panels of a ``charts()`` figure, where it
    cannot cover a curve, in up to ``columns`` columns."""
    handles, labels = axis.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside upper center",
                  ncols=min(columns, len(labels)))


def training_curves(
    history: Mapping[str, Sequence[float]],
    metrics: Sequence[str] = ("loss", "accuracy"),
) -> Figure:
    """Training and validation curves, one panel per metric, stacked over a shared epoch
    axis. history: ``model.fit(...).history``, a list of floats per key, accuracies in
    [0, 1] (drawn in percent); ``val_<metric>`` is drawn where present."""
    missing = [metric for metric in metrics if metric not in history]
    if missing:
        raise ValueError(
            f"metrics {missing} not in the history, which has {sorted(history)}")
    panel_height = PANEL_HEIGHT if len(metrics) < 3 else 0.85 * PANEL_HEIGHT
    figure, axes = charts(len(metrics), 1, sharex=True, panel_height=panel_height)
    axes = np.atleast_1d(axes)
    for axis, metric in zip(axes, metrics):
        label, scale = metric_label(metric)
        epochs = np.arange(1, len(history[metric]) + 1)
        marked = len(epochs) <= 30  # beyond that, markers merge into a thick line
        axis.plot(epochs, scale * np.asarray(history[metric]), "o-" if marked else "-",
                  label="training")
        if f"val_{metric}" in history:
            axis.plot(epochs, scale * np.asarray(history[f"val_{metric}"]),
                      "s-" if marked else "-", label="validation")
        axis.set_ylabel(label)
    label_epochs(axes[-1])
    legend_above(figure, axes[0])
    return figure


def compare_runs(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    metrics: Sequence[str] = ("val_loss", "val_accuracy"),
    styles: Mapping[str, Mapping[str, Any]] | None = None,
) -> Figure:
    """Several training runs, one panel per metric, stacked over a shared epoch axis.
    histories: run name to its ``fit(...).history``; styles: run name to keyword
    arguments of ``Axes.plot`` (colour, line style, marker) for runs that stand out."""
    styles = styles or {}
    figure, axes = charts(len(metrics), 1, sharex=True)
    axes = np.atleast_1d(axes)
    for axis, metric in zip(axes, metrics):
        label, scale = metric_label(metric)
        for name, history in histories.items():
            epochs = np.arange(1, len(history[metric]) + 1)
            axis.plot(epochs, scale * np.asarray(history[metric]), label=name,
                      **styles.get(name, {}))
        axis.set_ylabel(label)
    label_epochs(axes[-1])
    legend_above(figure, axes[0], columns=2 if len(histories) < 5 else 3)
    return figure


def _image_list(images: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    items = []
    for image in images:
        image = np.asarray(image)
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
            raise ValueError("expected images (H, W), (H, W, 1) or (H, W, 3), "
                             f"got one of shape {image.shape}")
        if image.ndim == 3 and np.issubdtype(image.dtype, np.floating):
            image = np.clip(image, 0.0, 1.0)  # rounding can pass 1: imshow would say so
        items.append(image)
    if not items:
        raise ValueError("expected at least one image, got none")
    return items


def image_grid(
    images: np.ndarray | Sequence[np.ndarray], titles: Sequence[str] | None = None,
    columns: int = 8, size: float = 1.3, cmap: str = "gray",
) -> Figure:
    """A grid of images, row by row.

    images: (N, H, W), (N, H, W, 1) or (N, H, W, 3), or a list of such images of
    different sizes; grey ones, of any real dtype, are scaled to their own range, colour
    ones are floats in [0, 1] or uint8. titles: N strings (line breaks allowed) or None.
    columns: the most images per row; a row that would not fit the column at ``size``
    inches per image shrinks, down to ``MIN_IMAGE_SIZE``, then wraps to more rows.
    """
    items = _image_list(images)
    if titles is not None and len(titles) != len(items):
        raise ValueError(
            f"expected one title per image, got {len(titles)} for {len(items)}")
    count = len(items)
    gap = IMAGE_GAP
    fitting = math.floor((COLUMN_WIDTH + gap) / (MIN_IMAGE_SIZE + gap))
    columns = max(1, min(columns, count, fitting))
    size = min(size, (COLUMN_WIDTH - gap * (columns - 1)) / columns)
    rows = math.ceil(count / columns)
    lines = max(title.count("\n") + 1 for title in titles) if titles else 0
    title_height = (0.18 * lines + 0.08) if lines else 0.0  # inches above each image
    width = size * columns + gap * (columns - 1)
    height = (size + title_height) * rows + gap * (rows - 1)
    figure, axes = plt.subplots(rows, columns, squeeze=False, figsize=(width, height))
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1 - title_height / height,
                           wspace=gap / size, hspace=(title_height + gap) / size)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < count:
            axis.imshow(items[index], cmap=cmap)
            if titles is not None:
                axis.set_title(titles[index], fontsize=MIN_FONT_PT, pad=3)
    return figure


def feature_map_rows(
    rows: Sequence[np.ndarray], row_titles: Sequence[str], size: float = 0.7,
    cmap: str = "gray",
) -> Figure:
    """Feature maps from several depths, one row per layer, every map drawn at the same
    width so that the shrinking grids show.

    rows: arrays (H_i, W_i, C_i), any real dtype, C_i maps each (rows may differ in size
    and count); row_titles: one per row. Each row shares one colour scale, from its
    smallest to its largest value, so that weak and silent maps look so. Maps shrink
    below ``size`` inches where a row would not fit the column.
    """
    if len(rows) != len(row_titles):
        raise ValueError(f"expected one title per row, got {len(rows)} rows and "
                         f"{len(row_titles)} titles")
    rows = [np.asarray(maps) for maps in rows]
    for maps in rows:
        if maps.ndim != 3:
            raise ValueError(
                f"expected each row as (H, W, C) maps, got shape {maps.shape}")
    title_width = 1.3  # inches left of the maps, for the row titles
    columns = max(maps.shape[-1] for maps in rows)
    size = min(size, (COLUMN_WIDTH - title_width) / columns)
    figure, axes = plt.subplots(
        len(rows), columns, squeeze=False, layout="constrained",
        figsize=(size * columns + title_width, size * len(rows) + 0.3))
    for row_axes, maps, title in zip(axes, rows, row_titles):
        low, high = float(maps.min()), float(maps.max())
        for channel, axis in enumerate(row_axes):
            if channel >= maps.shape[-1]:
                axis.axis("off")
                continue
            axis.imshow(maps[..., channel], cmap=cmap, vmin=low,
                        vmax=high if high > low else low + 1,
                        interpolation="nearest")  # a cell of a coarse map is one block
            axis.set_xticks([])
            axis.set_yticks([])
            axis.spines[:].set_visible(True)  # a frame, so that black maps show
        row_axes[0].set_ylabel(title, rotation=0, ha="right", va="center",
                               fontsize=MIN_FONT_PT)
    return figure


def confusion_matrix_plot(counts: np.ndarray, class_names: Sequence[str]) -> Figure:
    """A confusion matrix (rows: true class, columns: predicted), mistakes shaded by
    count. counts: (K, K) integers; class_names: K strings."""
    counts = np.asarray(counts)
    classes = len(class_names)
    if counts.shape != (classes, classes):
        raise ValueError(f"expected ({classes}, {classes}) counts for {classes} class "
                         f"names, got shape {counts.shape}")
    side = min(CHART_WIDTH, 0.42 * classes + 1.6)
    figure, axis = plt.subplots(figsize=(side, side), layout="constrained")
    errors = counts.astype(float).copy()
    np.fill_diagonal(errors, np.nan)  # the diagonal would swamp the colour scale
    axis.imshow(errors, cmap="Reds")
    most = max(1, int(counts.max(initial=0, where=~np.eye(classes, dtype=bool))))
    count_size = MIN_FONT_PT if classes > 4 else 12
    for (row, column), value in np.ndenumerate(counts):
        if row == column:
            colour = "tab:blue"
        else:
            colour = "white" if value > 0.6 * most else "black"  # legible on dark red
        axis.text(column, row, str(value), ha="center", va="center",
                  fontsize=count_size, color=colour)
    axis.set_xticks(range(classes), class_names)
    axis.set_yticks(range(classes), class_names)
    axis.tick_params(length=0)
    axis.spines[:].set_visible(False)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    return figure
