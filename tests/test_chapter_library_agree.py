"""Chapters build their models in view; the library keeps the saved copy. They must not drift."""

from __future__ import annotations

import ast

import jupytext
import keras
import numpy as np
from keras import layers

from cnncourse import models
from conftest import REPO


def _chapter_cells(name: str):
    return jupytext.read(REPO / "chapters" / name).cells


def _tagged_code(name: str, tag: str) -> str:
    cells = [c for c in _chapter_cells(name) if c.cell_type == "code" and tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{name} should have exactly one code cell tagged {tag!r}"
    return cells[0].source


def _architecture(model: keras.Model) -> list[tuple]:
    """Each layer's type-independent description: output shape, parameter count, config values."""
    described = []
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype")}
        described.append((tuple(layer.output.shape), layer.count_params(), repr(sorted(config.items()))))
    return described


def test_chapter2_model_is_the_library_model():
    namespace = {"keras": keras, "layers": layers}
    exec(_tagged_code("02_first_cnn.md", "mnist-model"), namespace)
    in_view, saved = namespace["mnist_cnn"](), models.mnist_cnn()
    assert in_view.count_params() == saved.count_params()
    assert _architecture(in_view) == _architecture(saved)


def test_chapter2_first_network_is_the_library_one():
    namespace = {"keras": keras, "layers": layers, "glue": lambda *args, **kwargs: None}
    exec(_tagged_code("02_first_cnn.md", "simple-model"), namespace)
    in_view, saved = namespace["simple_model"], models.mnist_simple_cnn()
    assert in_view.count_params() == saved.count_params() == 34_826
    assert _architecture(in_view) == _architecture(saved)


def test_chapter2_hyperparameters_are_the_library_recipe():
    first_code = next(c.source for c in _chapter_cells("02_first_cnn.md") if c.cell_type == "code")
    constants = {
        target.id: ast.literal_eval(node.value)
        for node in ast.parse(first_code).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper() and target.id != "QUICK"
    }
    assert constants["BATCH_SIZE"] == models.MNIST_BATCH_SIZE
    assert constants["EPOCHS"] == models.MNIST_EPOCHS
    assert constants["PEAK_LEARNING_RATE"] == models.MNIST_PEAK_LEARNING_RATE
    assert constants["WARMUP_FRACTION"] == models.MNIST_WARMUP_FRACTION


def test_library_schedule_warms_up_then_decays_to_zero():
    optimizer = models.mnist_optimizer(steps_per_epoch=100, epochs=10)
    schedule = optimizer.learning_rate if callable(optimizer.learning_rate) else optimizer._learning_rate
    rates = np.array([float(schedule(step)) for step in (0, 100, 200, 600, 1000)])
    peak = models.MNIST_PEAK_LEARNING_RATE
    assert np.isclose(rates[0], peak / 10) and np.isclose(rates[2], peak)  # 20 % warm-up
    assert rates[1] < rates[2] and rates[3] < rates[2] and rates[4] < peak * 1e-3


def test_receptive_fields_follow_chapter_one_s_rule():
    """cnncourse.complexity.receptive_fields, which chapter 2 uses, is chapter 1's rule
    r += (k - 1) * dilation * jump, jump *= stride, worked by hand here."""
    from cnncourse.complexity import receptive_fields

    inputs = keras.Input((64, 64, 1))
    x = layers.Conv2D(1, 3, name="a")(inputs)                    # 1 + 2 = 3
    x = layers.Conv2D(1, 3, name="b")(x)                         # 3 + 2 = 5
    x = layers.MaxPooling2D(2, name="pool")(x)                   # 5 + 1 = 6, jump 2
    x = layers.ReLU(name="relu")(x)                              # unchanged
    x = layers.Conv2D(1, 3, dilation_rate=2, name="dilated")(x)  # 6 + 2 * 2 * 2 = 14
    x = layers.DepthwiseConv2D(3, strides=2, name="depthwise")(x)  # 14 + 2 * 2 = 18, jump 4
    x = layers.SeparableConv2D(1, 3, name="separable")(x)        # 18 + 2 * 4 = 26
    fields = receptive_fields(keras.Model(inputs, x))
    assert [fields[name] for name in ("a", "b", "pool", "relu", "dilated", "depthwise", "separable")] == \
        [3, 5, 6, 6, 14, 18, 26]


def test_copy_model_keeps_weights_and_statistics_and_stays_apart():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.BatchNormalization()])
    data = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    model(data, training=True)  # move the running statistics off their start
    copy = models.copy_model(model)
    np.testing.assert_array_equal(copy.predict(data, verbose=0), model.predict(data, verbose=0))
    before = [weight.copy() for weight in model.get_weights()]
    copy(data * 5 + 3, training=True)  # a training-mode call updates the copy's statistics only
    for kept, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(kept, now)
    assert not np.allclose(copy.predict(data, verbose=0), model.predict(data, verbose=0))
