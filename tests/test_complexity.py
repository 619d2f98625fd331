"""cnncourse.complexity: multiply-accumulates against hand-computed cases and a published figure."""

from __future__ import annotations

import keras
import pytest
from keras import layers

from cnncourse.complexity import layer_multiply_accumulates, multiply_accumulates


def _single(layer: layers.Layer, input_shape: tuple[int, ...]) -> keras.Model:
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, layer(inputs))


@pytest.mark.parametrize(
    "layer, input_shape, expected",
    [
        # 3x3 valid on 5x5x1 -> 3x3x2: 18 outputs, 9 weights each.
        (layers.Conv2D(2, 3), (5, 5, 1), 3 * 3 * 2 * 9),
        # 3x3 same, stride 2 on 8x8x4 -> 4x4x6: 96 outputs of 3*3*4 weights.
        (layers.Conv2D(6, 3, strides=2, padding="same"), (8, 8, 4), 4 * 4 * 6 * 36),
        # grouped: 2 groups, each output sees 4 of the 8 input channels.
        (layers.Conv2D(6, 1, groups=2), (5, 5, 8), 5 * 5 * 6 * 4),
        # 1x1 conv is a dense layer applied at every pixel.
        (layers.Conv2D(16, 1), (7, 7, 32), 7 * 7 * 16 * 32),
        # depthwise 3x3 same on 6x6x5: 180 outputs, 9 weights each, one input channel.
        (layers.DepthwiseConv2D(3, padding="same"), (6, 6, 5), 6 * 6 * 5 * 9),
        # depth multiplier 2 doubles the outputs.
        (layers.DepthwiseConv2D(3, depth_multiplier=2), (6, 6, 5), 4 * 4 * 10 * 9),
        # separable: depthwise 4x4x3 outputs of 9 MACs, then 1x1 from 3 to 7 channels.
        (layers.SeparableConv2D(7, 3), (6, 6, 3), 4 * 4 * 3 * 9 + 4 * 4 * 7 * 3),
        # transpose 2x2 stride 2 on 3x3x4 -> 6x6x5: each input value meets 2*2*5 weights.
        (layers.Conv2DTranspose(5, 2, strides=2), (3, 3, 4), 3 * 3 * 4 * 4 * 5),
        (layers.Conv1D(4, 3), (10, 2), 8 * 4 * 3 * 2),
        (layers.Dense(10), (120,), 1200),
        # Dense on a sequence acts on the last axis at each of the 6 positions.
        (layers.Dense(3), (6, 4), 6 * 3 * 4),
    ],
)
def test_single_layer_counts(layer, input_shape, expected):
    assert multiply_accumulates(_single(layer, input_shape)) == expected


def test_uncounted_layers_add_nothing_and_counts_are_per_layer():
    inputs = keras.Input(shape=(8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same", name="conv")(inputs)  # 8*8*4*27 = 6912
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(2, name="head")(x)  # 2*4 = 8
    per_layer = layer_multiply_accumulates(keras.Model(inputs, outputs))
    assert per_layer == [("conv", 6912), ("head", 8)]


def test_nested_models_are_walked_into():
    inner_inputs = keras.Input(shape=(8, 8, 3))
    inner = keras.Model(inner_inputs, layers.Conv2D(4, 3, padding="same", name="conv")(inner_inputs), name="backbone")
    inputs = keras.Input(shape=(8, 8, 3))
    x = layers.GlobalAveragePooling2D()(inner(inputs))
    outer = keras.Model(inputs, layers.Dense(2, name="head")(x))
    assert layer_multiply_accumulates(outer) == [("backbone/conv", 6912), ("head", 8)]


def test_a_sequential_model_counts_like_a_functional_one():
    model = keras.Sequential([keras.Input(shape=(5, 5, 1)), layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(3)])
    assert multiply_accumulates(model) == 162 + 18 * 3


def test_mobilenet_v2_matches_the_paper():
    # Sandler et al. (2018), Table 4: MobileNetV2 (1.0, 224) needs about 300 million
    # multiply-adds. Counts differ slightly in what they include (the classifier, rounding).
    model = keras.applications.MobileNetV2(weights=None, input_shape=(224, 224, 3))
    assert 290e6 <= multiply_accumulates(model) <= 310e6


def test_unknown_input_size_is_refused():
    with pytest.raises(ValueError, match="fixed input size"):
        multiply_accumulates(_single(layers.Conv2D(2, 3), (None, None, 3)))


def test_a_model_without_inputs_is_refused():
    with pytest.raises(ValueError, match="expected a built"):
        multiply_accumulates(keras.Sequential([layers.Dense(3)]))
