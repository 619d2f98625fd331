"""The instructor's solution of conv_backward against TensorFlow's automatic differentiation: the
hidden tests judge every student against that solution, so it must be right. float64 throughout,
so that any disagreement beyond round-off is a real one."""

from __future__ import annotations

import os

import numpy as np
import pytest

from autograder.masters import master_path, read_master
from conftest import REPO

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

TOLERANCE = {"rtol": 1e-9, "atol": 1e-10}


@pytest.fixture(scope="module")
def solution() -> dict:
    """The master's imports cell and solution cells, run in one namespace (markers are comments)."""
    namespace: dict = {}
    for cell in read_master(master_path(REPO / "assignments", "conv_backward")).cells:
        info = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (info.get("solution") or info.get("grade_id") == "imports"):
            exec(compile(cell.source, info["grade_id"], "exec"), namespace)
    return namespace


def _tf_padding(padding):
    if isinstance(padding, int):
        return [[0, 0], [padding, padding], [padding, padding], [0, 0]]
    return padding.upper()  # TensorFlow's own "VALID" and "SAME", the rule the master states


@pytest.mark.parametrize("shape, kernel, stride, padding", [
    ((2, 7, 7, 3), (3, 3, 3, 4), 1, "valid"),
    ((1, 8, 9, 2), (3, 3, 2, 5), 2, "valid"),
    ((2, 6, 7, 3), (3, 3, 3, 2), 1, "same"),
    ((1, 6, 6, 2), (4, 4, 2, 3), 1, "same"),     # even kernel: one row more at the bottom
    ((2, 8, 8, 3), (3, 3, 3, 4), 2, "same"),     # even size, stride 2: all the padding at the bottom
    ((1, 9, 10, 2), (3, 3, 2, 3), 2, "same"),    # odd rows, even columns
    ((1, 11, 7, 1), (5, 3, 1, 2), 2, "same"),
    ((2, 7, 8, 3), (3, 3, 3, 2), 2, 1),          # the last padded column lies in no window
    ((1, 5, 5, 2), (5, 5, 2, 3), 1, 2),
    ((3, 5, 6, 4), (1, 1, 4, 2), 1, "valid"),
])
def test_conv2d_backward_matches_gradient_tape(solution, shape, kernel, stride, padding):
    rng = np.random.default_rng(sum(shape) + 7 * stride)
    x, w, b = rng.normal(size=shape), rng.normal(size=kernel), rng.normal(size=kernel[3])
    xt, wt, bt = (tf.constant(a) for a in (x, w, b))
    with tf.GradientTape() as tape:
        tape.watch([xt, wt, bt])
        y = tf.nn.conv2d(xt, wt, strides=stride, padding=_tf_padding(padding)) + bt
        grad_out = tf.constant(rng.normal(size=y.shape))
        loss = tf.reduce_sum(grad_out * y)
    expected = [g.numpy() for g in tape.gradient(loss, [xt, wt, bt])]
    got = solution["conv2d_backward"](x, w, grad_out.numpy(), stride, padding)
    for name, mine, theirs in zip(("grad_x", "grad_w", "grad_b"), got, expected):
        np.testing.assert_allclose(mine, theirs, **TOLERANCE, err_msg=name)


@pytest.mark.parametrize("shape, size, stride", [
    ((2, 6, 6, 3), 2, 2), ((1, 7, 9, 2), 3, 2), ((2, 8, 8, 1), 3, 1), ((1, 7, 7, 2), 2, 3), ((3, 9, 6, 2), 3, 3),
])
def test_max_pool_backward_matches_gradient_tape_without_ties(solution, shape, size, stride):
    x = np.random.default_rng(sum(shape) + size).normal(size=shape)  # continuous values: no ties
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, size, stride, "VALID")
        grad_out = tf.constant(np.random.default_rng(1).normal(size=y.shape))
        loss = tf.reduce_sum(grad_out * y)
    expected = tape.gradient(loss, xt).numpy()
    np.testing.assert_allclose(solution["max_pool_backward"](x, grad_out.numpy(), size, stride), expected, **TOLERANCE)


@pytest.mark.parametrize("shape, location, spread, eps", [
    ((4, 5, 5, 3), 0.0, 1.0, 1e-3), ((2, 3, 7, 6), 5.0, 0.1, 1e-3), ((8, 2, 2, 2), -1.0, 4.0, 1e-5),
    ((1, 6, 6, 5), 10.0, 0.5, 1e-3), ((3, 4, 4, 1), 0.0, 1e-3, 1e-3),
])
def test_batch_norm_backward_matches_keras_in_training(solution, shape, location, spread, eps):
    rng = np.random.default_rng(int(sum(shape) + 100 * eps))
    x, gamma, grad_out = rng.normal(location, spread, size=shape), rng.normal(size=shape[-1]), rng.normal(size=shape)
    layer = keras.layers.BatchNormalization(epsilon=eps, dtype="float64")
    layer.build(shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(rng.normal(size=shape[-1]))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(grad_out * layer(xt, training=True))  # training: the batch's own statistics
    expected = [g.numpy() for g in tape.gradient(loss, [xt, layer.gamma.value, layer.beta.value])]
    got = solution["batch_norm_backward"](x, gamma, grad_out, eps)
    for name, mine, theirs in zip(("grad_x", "grad_gamma", "grad_beta"), got, expected):
        np.testing.assert_allclose(mine, theirs, rtol=1e-8, atol=1e-9, err_msg=name)
