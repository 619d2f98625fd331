"""How fast and how big a model is: inference latency on this machine, and weight storage.

Latency is measured, not estimated: the same input is pushed through ``model.predict_on_batch``
many times and each call is timed with ``time.perf_counter``. ``predict_on_batch`` runs Keras'
compiled inference function (a traced graph, as a deployed model runs), not layer-by-layer eager
calls, whose Python overhead can exceed the arithmetic of a small network several times over.
The first calls are discarded as warm-up, because they trace the graph, allocate buffers and
fill caches.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Sequence

import keras
import numpy as np


def inference_latency_ms(
    model: keras.Model,
    input_shape: Sequence[int],
    batch_size: int = 1,
    repeats: int = 30,
    warmup: int = 5,
    seed: int = 0,
) -> dict[str, float]:
    """Measured inference time of ``model`` on this machine, in milliseconds per image.

    model: a built Keras model whose input takes (batch_size, *input_shape) float32.
    input_shape: one image's shape without the batch axis, e.g. (224, 224, 3); positive ints.
    batch_size: images per call (>= 1); each call's time is divided by it, so larger batches
        report the amortised cost of one image.
    repeats: timed calls (>= 3); warmup: untimed calls made first (>= 0).

    The input is uniform noise in [0, 1) (the values do not change the work a CNN does). Each
    call is ``model.predict_on_batch(x)``: inference mode (dropout off, batch normalisation with
    its running statistics) in Keras' compiled predict function, returning NumPy, so the time
    includes all computation of the call and the copy of its result.

    Returns a dict with ``median_ms``, ``p10_ms`` and ``p90_ms`` (10th and 90th percentiles,
    the spread), ``min_ms``, ``mean_ms`` (all per image), ``batch_size`` and ``repeats``.
    """
    shape = tuple(input_shape)
    if len(shape) == 0 or not all(isinstance(size, (int, np.integer)) and size > 0 for size in shape):
        raise ValueError(f"input_shape must be positive integers without the batch axis, got {input_shape!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if repeats < 3:
        raise ValueError(f"repeats must be at least 3 to give a median and a spread, got {repeats}")
    if warmup < 0:
        raise ValueError(f"warmup must be 0 or more, got {warmup}")
    expected = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    if expected is not None and (len(expected) != len(shape) or any(
            want is not None and want != got for want, got in zip(expected, shape))):
        raise ValueError(f"model {model.name!r} takes inputs of shape {expected} per image, got {shape}")

    images = np.random.default_rng(seed).random((batch_size, *shape), dtype=np.float32)
    for _ in range(warmup):
        model.predict_on_batch(images)
    seconds = np.empty(repeats)
    for index in range(repeats):
        start = time.perf_counter()
        model.predict_on_batch(images)
        seconds[index] = time.perf_counter() - start
    per_image_ms = seconds * 1000.0 / batch_size
    return {
        "median_ms": float(np.median(per_image_ms)),
        "p10_ms": float(np.percentile(per_image_ms, 10)),
        "p90_ms": float(np.percentile(per_image_ms, 90)),
        "min_ms": float(per_image_ms.min()),
        "mean_ms": float(per_image_ms.mean()),
        "batch_size": batch_size,
        "repeats": repeats,
    }


def model_size(model: keras.Model) -> dict[str, int]:
    """Parameters of a built model and the bytes they take as stored weights.

    Returns ``parameters`` (all weights, trainable or not, as ``count_params``),
    ``trainable_parameters``, and ``bytes``: each weight's element count times its dtype's
    size (4 per float32 value), i.e. the size of the weights alone, without file format overhead.
    """
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built: call it on an input or give it an Input first")
    stored_bytes = sum(int(np.prod(weight.shape)) * np.dtype(weight.dtype).itemsize for weight in model.weights)
    trainable = sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)
    return {"parameters": int(model.count_params()), "trainable_parameters": trainable, "bytes": int(stored_bytes)}


def _cpuinfo_value(key: str, cpuinfo: str = "/proc/cpuinfo") -> str | None:
    """The value of the first ``key : value`` line in Linux's CPU description; None elsewhere."""
    try:
        with open(cpuinfo, encoding="utf-8") as lines:
            for line in lines:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass  # not Linux
    return None


def cpu_description() -> str:
    """This machine's processor name and the number of cores this process may use."""
    name = _cpuinfo_value("model name") or platform.processor() or platform.machine()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} core{'s' if cores != 1 else ''}"


def has_bfloat16_units(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """True when the processor multiplies bfloat16 matrices in hardware (Intel AMX, flag amx_bf16).

    There, Keras' "mixed_bfloat16" policy trains convolutions faster than float32; elsewhere it
    gains little or is slower, so the answer is False unless the Linux CPU flags say otherwise
    (other systems: False, float32 being the safe choice).
    """
    return "amx_bf16" in (_cpuinfo_value("flags", cpuinfo) or "").split()
