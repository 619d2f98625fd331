"""Keras callbacks shared by the chapters: a training log that fits the book's column."""

from __future__ import annotations

import time

import keras

from cnncourse.metrics import is_share


def _reading_order(item: tuple[str, object]) -> tuple[bool, bool]:
    """Training figures before validation ones, and the loss first within each."""
    name = item[0]
    is_validation = name.startswith("val_")
    return is_validation, name.removeprefix("val_") != "loss"


class EpochLog(keras.callbacks.Callback):
    """Prints one line per epoch, for ``fit(..., verbose=0)``:

    ``epoch  3/10  loss 0.0521  accuracy 98.4%  val_loss 0.0412  val_accuracy 98.7%  12 s``

    Every number in the epoch's logs is shown under its Keras name, the loss first and the
    validation figures after the training ones: shares of 1 (``metrics.is_share``: accuracy,
    IoU, Dice) as percentages, the rest to ``digits`` significant digits. The
    epoch's wall-clock time (training and validation) comes last. A line longer than
    ``width`` characters is retried with single spaces, so that a loss, one accuracy-like
    metric and their validation twins fit 88 characters in any run of under 1,000 epochs.
    Each line is flushed at once, so that a notebook keeps the whole log in one output box.
    """

    def __init__(self, digits: int = 3, width: int = 88):
        super().__init__()
        self.digits = digits
        self.width = width

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        seconds = time.perf_counter() - self._epoch_start
        print(self.format_line(epoch, logs or {}, seconds), flush=True)

    def format_line(self, epoch: int, logs: dict, seconds: float) -> str:
        """The line for ``epoch`` (counted from 0), its ``logs`` and its duration in seconds."""
        epochs = self.params.get("epochs") if self.params else None
        counter = f"{epoch + 1}" if epochs is None else f"{epoch + 1:>{len(str(epochs))}}/{epochs}"
        parts = [f"epoch {counter}"]
        for name, value in sorted(logs.items(), key=_reading_order):
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue  # not a number: nothing to print
            if is_share(name):
                parts.append(f"{name} {value:.1%}")
            else:
                # "#" keeps trailing zeros (0.250, not 0.25), so that columns line up
                parts.append(f"{name} {value:#.{self.digits}g}".rstrip("."))
        parts.append(f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s")
        line = "  ".join(parts)
        return line if len(line) <= self.width else " ".join(parts)
