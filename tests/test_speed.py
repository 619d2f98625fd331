"""cnncourse.speed: latency is measured per image, bigger models are slower, bad input is refused."""

from __future__ import annotations

import keras
import pytest
from keras import layers

from cnncourse.speed import cpu_description, has_bfloat16_units, inference_latency_ms, model_size


def _conv_net(filters: int, blocks: int, size: int = 32) -> keras.Model:
    inputs = keras.Input(shape=(size, size, 3))
    x = inputs
    for _ in range(blocks):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    outputs = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, outputs)


def test_latency_reports_a_median_inside_its_spread():
    timing = inference_latency_ms(_conv_net(8, 1), (32, 32, 3), repeats=10, warmup=2)
    assert timing["repeats"] == 10 and timing["batch_size"] == 1
    assert 0 < timing["min_ms"] <= timing["p10_ms"] <= timing["median_ms"] <= timing["p90_ms"]
    assert timing["mean_ms"] >= timing["min_ms"]


def test_a_much_bigger_model_is_slower():
    # About 500 times the multiply-accumulates: the order survives a busy machine.
    small = inference_latency_ms(_conv_net(4, 1), (32, 32, 3), repeats=7)
    big = inference_latency_ms(_conv_net(128, 4), (32, 32, 3), repeats=7)
    assert big["median_ms"] > 3 * small["median_ms"]


def test_latency_is_per_image_when_batched():
    model = _conv_net(64, 3)
    single = inference_latency_ms(model, (32, 32, 3), batch_size=1, repeats=7)
    batched = inference_latency_ms(model, (32, 32, 3), batch_size=16, repeats=7)
    assert batched["batch_size"] == 16
    # A batch of 16 does not cost 16 single calls per image: the figure must be divided.
    assert batched["median_ms"] < 4 * single["median_ms"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"input_shape": (28, 28, 3)}, "takes inputs of shape"),
        ({"input_shape": (32, 32)}, "takes inputs of shape"),
        ({"input_shape": (32, 0, 3)}, "positive integers"),
        ({"input_shape": (32, 32, 3), "batch_size": 0}, "batch_size"),
        ({"input_shape": (32, 32, 3), "repeats": 2}, "repeats"),
        ({"input_shape": (32, 32, 3), "warmup": -1}, "warmup"),
    ],
)
def test_latency_refuses_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        inference_latency_ms(_conv_net(4, 1), **arguments)


def test_model_size_counts_parameters_and_float32_bytes():
    inputs = keras.Input(shape=(8,))
    x = layers.Dense(4)(inputs)  # 8 * 4 + 4 = 36 trainable
    outputs = layers.BatchNormalization()(x)  # 4 gamma + 4 beta trainable, 8 moving statistics not
    model = keras.Model(inputs, outputs)
    size = model_size(model)
    assert size == {"parameters": 52, "trainable_parameters": 44, "bytes": 52 * 4}


def test_model_size_follows_the_weights_dtype():
    inputs = keras.Input(shape=(8,))
    model = keras.Model(inputs, layers.Dense(4, dtype="float16")(inputs))
    assert model_size(model)["bytes"] == 36 * 2


def test_model_size_refuses_an_unbuilt_model():
    with pytest.raises(ValueError, match="not built"):
        model_size(keras.Sequential([layers.Dense(3)]))


def test_cpu_description_names_the_core_count():
    description = cpu_description()
    cores = int(description.rsplit(", ", 1)[1].split()[0])
    assert cores >= 1


def test_bfloat16_units_are_read_from_the_cpu_flags(tmp_path):
    with_amx = tmp_path / "amx"
    with_amx.write_text("model name\t: Xeon\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile\n\n")
    without = tmp_path / "plain"
    without.write_text("model name\t: Core\nflags\t\t: fpu sse2 avx2 avx512_bf16\n")  # no matrix units
    assert has_bfloat16_units(str(with_amx)) is True
    assert has_bfloat16_units(str(without)) is False
    assert has_bfloat16_units(str(tmp_path / "missing")) is False  # not Linux: float32
