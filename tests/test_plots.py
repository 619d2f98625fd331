"""cnncourse.plots: every helper's figure fits the book's column and stays legible
there, labels its axes in words, counts epochs in whole numbers and keeps its legend off
the data; photographs go to the page as JPEG."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image as PILImage  # noqa: E402

from cnncourse import plots  # noqa: E402

# No helper may warn: in a chapter a warning goes to stderr and fails the strict build.
pytestmark = pytest.mark.filterwarnings("error")

COLUMN_PIXELS = 672  # the book's text column, in CSS pixels
RNG = np.random.default_rng(0)
RUNS = ("plain", "augmentation", "batch norm", "dropout", "weight decay",
        "early stopping", "all + warm-up cosine")


@pytest.fixture(autouse=True)
def course_style():
    with plt.rc_context():
        plots.use_course_style()
        yield
    plt.close("all")


def _history(epochs: int, metrics=("loss", "accuracy")) -> dict[str, list[float]]:
    history = {}
    for metric in metrics:
        history[metric] = list(RNG.uniform(0.1, 0.9, epochs))
        history[f"val_{metric}"] = list(RNG.uniform(0.1, 0.9, epochs))
    return history


def _photos(count: int, side: int = 96) -> np.ndarray:
    """Photo-like colour images (N, side, side, 3) in [0, 1]: a blob, some grain."""
    y, x = np.mgrid[0:side, 0:side] / side
    images = []
    for _ in range(count):
        centre = RNG.uniform(0.2, 0.8, 2)
        blob = np.exp(-((x - centre[0]) ** 2 + (y - centre[1]) ** 2) / 0.05)
        colour = RNG.uniform(0.2, 1.0, 3)
        grain = 0.02 * RNG.standard_normal((side, side, 3))
        images.append(np.clip(0.3 + 0.6 * blob[..., None] * colour + grain, 0, 1))
    return np.stack(images)


def _feature_maps():
    return plots.feature_map_rows(
        [RNG.normal(size=(28, 28, 1)), RNG.normal(size=(12, 12, 8)),
         RNG.normal(size=(3, 3, 8))],
        ["input\n28 × 28 × 1", "block 1\n12 × 12 × 32\nsees 6 × 6",
         "block 3\n3 × 3 × 64"])


# One figure of every kind the chapters draw, at the sizes they ask for.
FIGURES = {
    "training curves": lambda: plots.training_curves(_history(6)),
    "training curves, three metrics": lambda: plots.training_curves(
        _history(40, ("loss", "pixel_accuracy", "membrane_iou")),
        metrics=("loss", "pixel_accuracy", "membrane_iou")),
    "compare runs": lambda: plots.compare_runs({name: _history(8) for name in RUNS}),
    "image grid, 24 digits asked in 12 columns": lambda: plots.image_grid(
        RNG.integers(0, 256, (24, 28, 28), dtype=np.uint8),
        titles=[str(i % 10) for i in range(24)], columns=12, size=0.9),
    "image grid, 32 kernels asked in 16 columns": lambda: plots.image_grid(
        RNG.normal(size=(32, 5, 5)), columns=16, size=0.7, cmap="RdBu"),
    "image grid, photos of two sizes": lambda: plots.image_grid(
        [_photos(1, 128)[0], _photos(1, 48)[0]], titles=["whole", "corner,\nenlarged"],
        columns=2, size=4.0),
    "feature map rows": _feature_maps,
    "confusion matrix, 10 classes": lambda: plots.confusion_matrix_plot(
        RNG.integers(0, 1200, (10, 10)), [str(d) for d in range(10)]),
    "confusion matrix, 2 classes": lambda: plots.confusion_matrix_plot(
        np.array([[70, 5], [8, 70]]), ["ants", "bees"]),
    "charts, two side by side": lambda: plots.charts(1, 2)[0],
}


@pytest.mark.parametrize("kind", FIGURES)
def test_figure_fits_the_column_at_its_own_size(kind):
    figure = FIGURES[kind]()
    assert figure.get_size_inches()[0] <= plots.COLUMN_WIDTH + 1e-9, kind
    data, page_width = plots.render_figure(figure)
    assert page_width <= COLUMN_PIXELS, f"{kind}: {page_width} px wide on the page"
    # What the figure measures on its own, in inches, cropped to its content plus margins.
    inches = _content_inches(figure)
    assert page_width == pytest.approx(inches * plots.DISPLAY_DPI, rel=0.03, abs=2)
    with PILImage.open(io.BytesIO(data)) as image:
        # Sharper than the page (SHARPNESS image pixels per page pixel), never softer.
        assert image.width == pytest.approx(inches * plots.DISPLAY_DPI * plots.SHARPNESS, rel=0.03, abs=4)


def _content_inches(figure) -> float:
    """The width savefig's tight crop keeps, from the figure's own layout."""
    figure.canvas.draw()
    return figure.get_tightbbox(figure.canvas.get_renderer()).width + 2 * plots.MARGIN


@pytest.mark.parametrize("kind", FIGURES)
def test_every_text_is_legible(kind):
    figure = FIGURES[kind]()
    figure.canvas.draw()  # creates the tick labels
    texts = [text for text in figure.findobj(Text)
             if text.get_visible() and text.get_text().strip()]
    small = [(text.get_text(), text.get_fontsize()) for text in texts
             if text.get_fontsize() < plots.MIN_FONT_PT]
    assert not small, f"{kind}: text below {plots.MIN_FONT_PT} pt: {small[:5]}"


@pytest.mark.parametrize("kind", FIGURES)
def test_axes_are_labelled_in_words(kind):
    figure = FIGURES[kind]()
    labels = [label for axis in figure.axes
              for label in (axis.get_xlabel(), axis.get_ylabel())]
    assert not [label for label in labels if "_" in label], labels
    assert not [label for label in labels if re.search(r"accuracy(?! \(%\))", label)]


@pytest.mark.parametrize("epochs", [1, 2, 3, 7, 30])
@pytest.mark.parametrize("draw", [
    lambda history: plots.training_curves(history),
    lambda history: plots.compare_runs({"one run": history, "another": history}),
], ids=["training curves", "compare runs"])
def test_epoch_axes_have_whole_number_ticks(epochs, draw):
    figure = draw(_history(epochs))
    figure.canvas.draw()
    epoch_axis = figure.axes[-1]
    assert epoch_axis.get_xlabel() == "epoch"
    low, high = epoch_axis.get_xlim()
    ticks = [tick for tick in epoch_axis.get_xticks() if low <= tick <= high]
    assert ticks, f"no epoch ticks for {epochs} epochs"
    assert all(float(tick).is_integer() for tick in ticks), ticks


@pytest.mark.parametrize("kind", ["training curves", "compare runs"])
def test_legends_do_not_cover_the_curves(kind):
    figure = FIGURES[kind]()
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    legends = figure.legends + [axis.get_legend() for axis in figure.axes
                                if axis.get_legend()]
    assert legends, kind
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for axis in figure.axes:
            assert not box.overlaps(axis.get_window_extent(renderer)), kind


def test_a_row_of_many_images_wraps_instead_of_shrinking():
    figure = plots.image_grid(RNG.normal(size=(32, 12, 12)), columns=16, size=0.9)
    images = [axis for axis in figure.axes if axis.get_images()]
    widths = [axis.get_position().width * figure.get_figwidth() for axis in images]
    rows = {round(axis.get_position().y0, 3) for axis in images}
    assert min(widths) >= plots.MIN_IMAGE_SIZE - 1e-6
    assert len(rows) >= 4


def test_jpeg_is_valid_and_lighter_than_the_png():
    figure = plots.image_grid(_photos(6), titles=[f"photo {i}" for i in range(6)],
                              columns=3, size=2.1)
    png, png_width = plots.render_figure(figure)
    inches = _content_inches(figure)
    shown = plots.as_jpeg(figure)
    assert shown.format == "jpeg"
    assert shown.data[:3] == b"\xff\xd8\xff"
    with PILImage.open(io.BytesIO(shown.data)) as image:
        assert image.format == "JPEG"
        image.load()  # decodes the whole image: raises if it is truncated
        assert image.width == pytest.approx(inches * plots.DISPLAY_DPI * plots.PHOTO_SHARPNESS, rel=0.03, abs=4)
    assert shown.width == png_width <= COLUMN_PIXELS
    assert len(shown.data) < 0.6 * len(png)
    # The JPEG replaces the figure, closed so that the notebook does not show both.
    assert not plt.fignum_exists(figure.number)
    _, metadata = shown._repr_jpeg_()
    assert metadata["width"] == shown.width  # the page width Jupyter and the book use


def test_a_jpeg_of_dark_photos_keeps_a_white_corner():
    """The book's dark mode relies on opaque white figures; JPEG's blocks must not smear
    a dark photo's edge into the corner."""
    grid = plots.image_grid(np.zeros((4, 64, 64, 3)), columns=4, size=1.6)
    with PILImage.open(io.BytesIO(plots.as_jpeg(grid).data)) as image:
        corner = np.asarray(image.convert("RGB"))[:8, :8]
    assert corner.min() >= 250


def test_helpers_say_what_they_expected():
    with pytest.raises(ValueError, match=r"\(H, W, 3\).*shape \(4, 4, 2\)"):
        plots.image_grid(np.zeros((3, 4, 4, 2)))
    with pytest.raises(ValueError, match="one title per image, got 1 for 2"):
        plots.image_grid(np.zeros((2, 4, 4)), titles=["one"])
    with pytest.raises(ValueError, match=r"\['accuracy'\] not in the history"):
        plots.training_curves({"loss": [1.0]})
    with pytest.raises(ValueError, match="column's 6.6 inches, got 9"):
        plots.charts(width=9)
    with pytest.raises(ValueError, match=r"\(2, 2\) counts .* shape \(3, 3\)"):
        plots.confusion_matrix_plot(np.zeros((3, 3), int), ["ants", "bees"])
    with pytest.raises(ValueError, match="'png' or 'jpeg', got 'gif'"):
        plots.render_figure(plots.charts()[0], "gif")
