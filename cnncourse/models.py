"""Model builders that chapters define in view and later chapters and benchmarks reuse.

Each builder here is the saved copy of a model a chapter builds in front of the reader; the test
suite checks that the chapter's version and this one stay identical.
"""

from __future__ import annotations

import keras
from keras import layers

# Chapter 2's training recipe: a one-cycle style schedule (linear warm-up, cosine decay).
MNIST_BATCH_SIZE = 128
MNIST_EPOCHS = 5  # chosen on validation accuracy: 5 ended higher than 6 and got there sooner
MNIST_PEAK_LEARNING_RATE = 3e-3
MNIST_WARMUP_FRACTION = 0.2


def mnist_simple_cnn(name: str = "simple_cnn") -> keras.Model:
    """Chapter 2's first network, the Keras documentation's "Simple MNIST convnet" layer for
    layer: (N, 28, 28, 1) float32 in [0, 1] -> (N, 10) softmax."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name=name,
    )


def mnist_cnn() -> keras.Model:
    """Chapter 2's improved classifier: (N, 28, 28, 1) float32 in [0, 1] -> (N, 10) softmax."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 5, use_bias=False)(inputs)  # 28 -> 24
    x = layers.MaxPooling2D()(x)  # 24 -> 12; normalise after pooling: a quarter of the work
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(64, 3, use_bias=False)(x)  # 12 -> 10
    x = layers.MaxPooling2D()(x)  # 10 -> 5
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(128, 3, use_bias=False)(x)  # 5 -> 3
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn")


def mnist_optimizer(steps_per_epoch: int, epochs: int = MNIST_EPOCHS) -> keras.optimizers.Optimizer:
    """Adam with chapter 2's schedule: warm up to the peak rate, then cosine-decay to zero."""
    total_steps = steps_per_epoch * epochs
    warmup_steps = int(MNIST_WARMUP_FRACTION * total_steps)
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=MNIST_PEAK_LEARNING_RATE / 10,
        decay_steps=total_steps - warmup_steps,
        warmup_target=MNIST_PEAK_LEARNING_RATE,
        warmup_steps=warmup_steps,
    )
    return keras.optimizers.Adam(learning_rate=schedule)


def copy_model(model: keras.Model) -> keras.Model:
    """A separate model with ``model``'s architecture and current weights (batch-norm running
    statistics included): training it, or calling it in training mode, leaves ``model`` as it
    is. Chapters use it to keep a model's state for later, or to experiment on a copy."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy
