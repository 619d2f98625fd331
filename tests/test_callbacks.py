"""cnncourse.callbacks.EpochLog: one short line per epoch, with every metric in it."""

from __future__ import annotations

import re

import keras
import numpy as np
from keras import layers

from cnncourse.callbacks import EpochLog

# Keras' own order of the logs: the metrics alphabetically, validation last.
KERAS_LOGS = {"accuracy": 0.95, "loss": 0.123456, "val_accuracy": 0.9, "val_loss": 0.25}


def _tiny_classifier() -> keras.Model:
    model = keras.Sequential(
        [keras.Input(shape=(6, 6, 1)), layers.Flatten(), layers.Dense(3, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_prints_one_short_line_per_epoch_with_every_metric(capsys):
    keras.utils.set_random_seed(0)
    images = np.random.rand(32, 6, 6, 1).astype("float32")
    labels = np.random.randint(0, 3, size=32)
    history = _tiny_classifier().fit(
        images,
        labels,
        batch_size=8,
        epochs=2,
        validation_data=(images[:8], labels[:8]),
        callbacks=[EpochLog()],
        verbose=0,
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    for epoch, line in enumerate(lines):
        assert len(line) <= 88, line
        assert line.startswith(f"epoch {epoch + 1}/2  loss "), line
        names = re.findall(r"\s([a-z_]+) [\d.]", line)
        assert names == ["loss", "accuracy", "val_loss", "val_accuracy"], line
        assert f"val_accuracy {history.history['val_accuracy'][epoch]:.1%}" in line
        assert re.search(r"  \d+(\.\d)? s$", line), line


def test_line_reads_loss_first_with_accuracies_as_percentages():
    log = EpochLog()
    log.set_params({"epochs": 10})
    line = log.format_line(2, KERAS_LOGS, seconds=4.56)
    assert line == (
        "epoch  3/10  loss 0.123  accuracy 95.0%  val_loss 0.250  val_accuracy 90.0%  4.6 s"
    )


def test_a_line_too_wide_falls_back_to_single_spaces():
    log = EpochLog(width=80)
    log.set_params({"epochs": 10})
    line = log.format_line(2, KERAS_LOGS, seconds=4.56)
    assert line == "epoch  3/10 loss 0.123 accuracy 95.0% val_loss 0.250 val_accuracy 90.0% 4.6 s"


def test_worst_case_classifier_line_fits_the_column():
    log = EpochLog()
    log.set_params({"epochs": 999})
    logs = {"loss": 1.234e-05, "accuracy": 1.0, "val_loss": 1234.5, "val_accuracy": 1.0}
    assert len(log.format_line(998, logs, seconds=9999.0)) <= 88


def test_shares_of_one_are_told_apart_from_other_metrics():
    from cnncourse.metrics import is_share

    assert all(map(is_share, ["accuracy", "val_accuracy", "pixel_accuracy", "membrane_iou", "dice"]))
    assert not any(map(is_share, ["loss", "val_loss", "dice_loss", "iou_threshold"]))
