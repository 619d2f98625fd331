"""Fairness cases for conv_backward: see tests/fairness_cases/__init__.py.

The mistakes are the instructor's solution with one plausible slip each, made by replacing a
piece of its text (the replacement must exist, so that a change of the master shows here)."""

from pathlib import Path

from autograder.masters import read_master
from fairness_cases import Case, wrong

_MASTER = read_master(Path(__file__).resolve().parents[2] / "assignments" / "masters" / "conv_backward.md")
_SOLUTIONS = {cell.metadata["nbgrader"]["grade_id"]: "\n".join(
    line for line in cell.source.splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    for cell in _MASTER.cells if cell.metadata.get("nbgrader", {}).get("solution")}


def _slip(grade_id: str, old: str, new: str, *more: str) -> dict[str, str]:
    """The solution of one answer cell with ``old`` replaced by ``new`` (and so on, for further
    pairs of ``more``)."""
    source = _SOLUTIONS[grade_id]
    for old, new in zip((old, *more[::2]), (new, *more[1::2])):
        assert old in source, f"{old!r} is no longer in the solution of {grade_id}"
        source = source.replace(old, new)
    return {grade_id: source}


_SAME_PADS = '''
def _pads(size, kernel, stride, padding):
    if padding == "valid":
        return 0, 0, (size - kernel) // stride + 1
    if padding == "same":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2, out
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"bad padding {padding!r}")
    return padding, padding, (size + 2 * padding - kernel) // stride + 1


def _prepare(x, w, grad_out, stride, padding):
    if not isinstance(padding, (str, int)) or isinstance(padding, str) and padding not in ("valid", "same"):
        raise ValueError(f"bad padding {padding!r}")
    x, w, grad_out = np.asarray(x, float), np.asarray(w, float), np.asarray(grad_out, float)
    top, bottom, h_out = _pads(x.shape[1], w.shape[0], stride, padding)
    left, right, w_out = _pads(x.shape[2], w.shape[1], stride, padding)
    if grad_out.shape != (x.shape[0], h_out, w_out, w.shape[3]):
        raise ValueError("grad_out does not have the output's shape")
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    return x, w, grad_out, padded, (top, left), (h_out, w_out)
'''

CASES = {
    # --- correct, in other styles ---
    "im2col_matmul": Case(added={"conv2d_backward": "import math\n" + _SAME_PADS}, answers={"conv2d_backward": '''
from numpy.lib.stride_tricks import sliding_window_view

def conv2d_backward(x, w, grad_out, stride=1, padding="valid"):
    x, w, grad_out, padded, (top, left), (h_out, w_out) = _prepare(x, w, grad_out, stride, padding)
    k_h, k_w, c_in, c_out = w.shape
    n = x.shape[0]
    windows = sliding_window_view(padded, (k_h, k_w), axis=(1, 2))[:, ::stride, ::stride][:, :h_out, :w_out]
    columns = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, k_h * k_w * c_in)  # im2col
    g = grad_out.reshape(-1, c_out)
    grad_w = (columns.T @ g).reshape(k_h, k_w, c_in, c_out)
    grad_columns = (g @ w.reshape(-1, c_out).T).reshape(n, h_out, w_out, k_h, k_w, c_in)
    grad_padded = np.zeros_like(padded)
    for p in range(k_h):
        for q in range(k_w):
            grad_padded[:, p:p + stride * h_out:stride, q:q + stride * w_out:stride] += grad_columns[:, :, :, p, q]
    return grad_padded[:, top:top + x.shape[1], left:left + x.shape[2]], grad_w, g.sum(axis=0)
'''}),
    "add_at_scatter": Case(added={"conv2d_backward": "import math\n" + _SAME_PADS}, answers={"conv2d_backward": '''
def conv2d_backward(x, w, grad_out, stride=1, padding="valid"):
    x, w, grad_out, padded, (top, left), (h_out, w_out) = _prepare(x, w, grad_out, stride, padding)
    k_h, k_w = w.shape[:2]
    rows = (np.arange(h_out) * stride)[:, None, None, None] + np.arange(k_h)[None, None, :, None]
    cols = (np.arange(w_out) * stride)[None, :, None, None] + np.arange(k_w)[None, None, None, :]
    patches = padded[:, rows, cols, :]  # (N, H_out, W_out, K_h, K_w, C_in), a copy
    grad_w = np.tensordot(patches, grad_out, axes=([0, 1, 2], [0, 1, 2]))
    grad_patches = np.tensordot(grad_out, w, axes=([3], [3]))
    grad_padded = np.zeros_like(padded)
    np.add.at(grad_padded, (slice(None), rows, cols, slice(None)), grad_patches)
    return grad_padded[:, top:top + x.shape[1], left:left + x.shape[2]], grad_w, grad_out.sum(axis=(0, 1, 2))
'''}),
    "kernel_offset_loops_tensordot": Case(added={"conv2d_backward": "import math\n" + _SAME_PADS},
                                          answers={"conv2d_backward": '''
def conv2d_backward(x, w, grad_out, stride=1, padding="valid"):
    x, w, grad_out, padded, (top, left), (h_out, w_out) = _prepare(x, w, grad_out, stride, padding)
    grad_w = np.empty_like(w)
    grad_padded = np.zeros_like(padded)
    for p in range(w.shape[0]):
        for q in range(w.shape[1]):
            where = (slice(None), slice(p, p + stride * h_out, stride), slice(q, q + stride * w_out, stride))
            grad_w[p, q] = np.tensordot(padded[where], grad_out, axes=([0, 1, 2], [0, 1, 2]))
            grad_padded[where] += grad_out @ w[p, q].T
    grad_b = np.einsum("nijo->o", grad_out)
    return grad_padded[:, top:top + x.shape[1], left:left + x.shape[2]], grad_w, grad_b
'''}),
    "full_correlation_of_dilated_gradient": Case(added={"conv2d_backward": "import math\n" + _SAME_PADS},
                                                 answers={"conv2d_backward": '''
from numpy.lib.stride_tricks import sliding_window_view as windows_of

def conv2d_backward(x, w, grad_out, stride=1, padding="valid"):
    x, w, grad_out, padded, (top, left), (h_out, w_out) = _prepare(x, w, grad_out, stride, padding)
    k_h, k_w = w.shape[:2]
    n, c_out = grad_out.shape[0], grad_out.shape[3]
    # the gradient as stride 1 would see it: zeros between the entries of a strided output
    dilated = np.zeros((n, (h_out - 1) * stride + 1, (w_out - 1) * stride + 1, c_out))
    dilated[:, ::stride, ::stride] = grad_out
    reached = padded[:, :dilated.shape[1] + k_h - 1, :dilated.shape[2] + k_w - 1]
    grad_w = np.einsum("npqcij,nijo->pqco", windows_of(reached, dilated.shape[1:3], axis=(1, 2)), dilated)
    full = np.pad(dilated, ((0, 0), (k_h - 1, k_h - 1), (k_w - 1, k_w - 1), (0, 0)))
    rotated = w[::-1, ::-1]
    grad_reached = np.einsum("nuvopq,pqco->nuvc", windows_of(full, (k_h, k_w), axis=(1, 2)), rotated)
    grad_padded = np.zeros_like(padded)
    grad_padded[:, :grad_reached.shape[1], :grad_reached.shape[2]] = grad_reached
    return grad_padded[:, top:top + x.shape[1], left:left + x.shape[2]], grad_w, grad_out.sum(axis=(0, 1, 2))
'''}),
    "float32_arithmetic": Case(answers=_slip("conv2d_backward", "np.asarray(a, dtype=np.float64) for a in (x, w, grad_out)",
                                             "np.asarray(a, dtype=np.float32) for a in (x, w, grad_out)")
                               | _slip("batch_norm_backward", "np.asarray(a, dtype=np.float64) for a in (x, gamma, grad_out)",
                                       "np.asarray(a, dtype=np.float32) for a in (x, gamma, grad_out)")),
    "max_pool_last_tie_with_loops": Case(answers={"max_pool_backward": '''
def max_pool_backward(x, grad_out, size=2, stride=2):
    x, grad_out = np.asarray(x), np.asarray(grad_out)
    h_out, w_out = (x.shape[1] - size) // stride + 1, (x.shape[2] - size) // stride + 1
    if grad_out.shape != (x.shape[0], h_out, w_out, x.shape[3]):
        raise ValueError("grad_out has the wrong shape")
    grad_x = np.zeros(x.shape)
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, i * stride:i * stride + size, j * stride:j * stride + size, :]
            flat = window.reshape(x.shape[0], -1, x.shape[3])[:, ::-1]  # reversed: argmax finds the last maximum
            last = size * size - 1 - flat.argmax(axis=1)
            rows, cols = np.divmod(last, size)
            n, c = np.meshgrid(np.arange(x.shape[0]), np.arange(x.shape[3]), indexing="ij")
            grad_x[n, i * stride + rows, j * stride + cols, c] += grad_out[:, i, j, :]
    return grad_x
'''}),
    "max_pool_equal_shares": Case(answers={"max_pool_backward": '''
import itertools

def max_pool_backward(x, grad_out, size=2, stride=2):
    x, grad_out = np.asarray(x, float), np.asarray(grad_out, float)
    h_out, w_out = (x.shape[1] - size) // stride + 1, (x.shape[2] - size) // stride + 1
    if grad_out.shape != (x.shape[0], h_out, w_out, x.shape[3]):
        raise ValueError("grad_out has the wrong shape")
    def part(p, q):
        return (slice(None), slice(p, p + stride * h_out, stride), slice(q, q + stride * w_out, stride))
    offsets = list(itertools.product(range(size), repeat=2))
    best = np.max([x[part(p, q)] for p, q in offsets], axis=0)
    ties = sum((x[part(p, q)] == best).astype(float) for p, q in offsets)
    grad_x = np.zeros_like(x)
    for p, q in offsets:
        grad_x[part(p, q)] += (x[part(p, q)] == best) * grad_out / ties
    return grad_x
'''}),
    "batch_norm_step_by_step": Case(answers={"batch_norm_backward": '''
def batch_norm_backward(x, gamma, grad_out, eps=1e-3):
    axes = (0, 1, 2)
    count = x.shape[0] * x.shape[1] * x.shape[2]
    mean = x.sum(axis=axes) / count
    centred = x - mean
    variance = (centred ** 2).sum(axis=axes) / count
    std = np.sqrt(variance + eps)
    x_hat = centred / std
    # back through y = gamma * x_hat + beta, x_hat = centred / std, std, variance, centred, mean
    grad_beta = grad_out.sum(axis=axes)
    grad_gamma = (grad_out * x_hat).sum(axis=axes)
    grad_x_hat = grad_out * gamma
    grad_std = -(grad_x_hat * centred).sum(axis=axes) / std ** 2
    grad_variance = grad_std / (2 * std)
    grad_centred = grad_x_hat / std + grad_variance * 2 * centred / count
    grad_mean = -grad_centred.sum(axis=axes)
    return grad_centred + grad_mean / count, grad_gamma, grad_beta
'''}),
    "gradient_check_flat_and_divide": Case(
        added={"gradient_check": "import functools\nimport math\n\nproduct = functools.partial(math.prod)"},
        answers={"gradient_check": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    flat = np.zeros(product(x.shape))
    for i in range(flat.size):
        step = np.zeros(flat.size)
        step[i] = h
        step = step.reshape(x.shape)
        flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return flat.reshape(x.shape)


def relative_error(a, b):
    top = math.sqrt(np.sum((np.asarray(a) - np.asarray(b)) ** 2))
    bottom = math.sqrt(np.sum(np.square(a))) + math.sqrt(np.sum(np.square(b)))
    return np.divide(top, bottom) if bottom > 0 else 0
'''}),
    "time_magic_and_helper_cell": Case(
        added={"max_pool_backward": "%time _check = np.zeros(3)\nfrom numpy.lib.stride_tricks import sliding_window_view"}),

    # --- mistakes ---
    "same_extra_row_on_top": wrong("test_conv2d_backward", "the extra row goes to the bottom",
                                   answers=_slip("conv2d_backward", "before, after = total // 2, total - total // 2",
                                                 "before, after = total - total // 2, total // 2")),
    "kernel_flipped": wrong("test_conv2d_backward", "disagrees with finite differences",
                            answers=_slip("conv2d_backward", '"nijo,pqco->pqnijc", grad_out, w,',
                                          '"nijo,pqco->pqnijc", grad_out, w[::-1, ::-1],')),
    "grad_b_per_image": wrong("test_conv2d_backward", "grad_b has shape",
                              answers=_slip("conv2d_backward", "grad_b = np.sum(grad_out, axis=(0, 1, 2))",
                                            "grad_b = np.sum(grad_out, axis=(1, 2))")),
    "loops_over_every_number": wrong("test_conv2d_backward_speed", "times as long as matrix products", answers={
        "conv2d_backward": _SOLUTIONS["conv2d_backward"].split("    x_padded = np.pad")[0] + '''
    x_padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    grad_padded, grad_w = np.zeros(x_padded.shape), np.zeros(w.shape)
    for a in range(n):
        for i in range(h_out):
            for j in range(w_out):
                for p in range(k_h):
                    for q in range(k_w):
                        for c in range(w.shape[2]):
                            for o in range(c_out):
                                grad_w[p, q, c, o] += x_padded[a, i * stride + p, j * stride + q, c] * grad_out[a, i, j, o]
                                grad_padded[a, i * stride + p, j * stride + q, c] += w[p, q, c, o] * grad_out[a, i, j, o]
    return grad_padded[:, top:top + height, left:left + width], grad_w, grad_out.sum(axis=(0, 1, 2))
'''}),
    "pool_gradient_to_every_tie": wrong("test_max_pool_backward", "not given to each",
                                        answers=_slip("max_pool_backward", "(first == offset) * grad_out",
                                                      "(windows[..., offset] == windows.max(axis=-1)) * grad_out")),
    "unbiased_variance": wrong("test_batch_norm_backward", "disagrees with finite differences",
                               answers=_slip("batch_norm_backward", "x.var(axis=axes)", "x.var(axis=axes, ddof=1)")),
    "batch_norm_without_mean_terms": wrong("test_batch_norm_backward", "disagrees with finite differences",
                                           answers=_slip("batch_norm_backward",
                                                         "(grad_out - grad_out.mean(axis=axes) - x_hat * (grad_out * x_hat).mean(axis=axes))",
                                                         "grad_out")),
    "forward_difference": wrong("test_gradient_check", "a central difference", answers=_slip(
        "gradient_check", "x[entry] = original - h\n        down = f(x)", "x[entry] = original\n        down = f(x)",
        "(up - down) / (2 * h)", "(up - down) / h")),
    "relative_error_unguarded": wrong("test_gradient_check", "guard the division", answers=_slip(
        "gradient_check", "return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)",
        "return float(np.linalg.norm(a - b) / scale)")),
    "tensorflow_in_the_last_answer": wrong("test_batch_norm_backward", "imports tensorflow", answers={
        "batch_norm_backward": _SOLUTIONS["batch_norm_backward"] + "\n\n\ndef compare_with_tensorflow(x):\n"
                               "    import tensorflow as tf  # never called: the rule reads the code\n"
                               "    return tf.nn.moments(x, axes=[0, 1, 2])"}),
    "keras_in_an_answer": Case(fails=frozenset({"test_max_pool_backward", "test_batch_norm_backward"}),
                               words="the answer cell 'max_pool_backward' imports keras", answers={
        "max_pool_backward": "def pool_with_keras(x):\n    from keras import ops\n    return ops.max_pool(x, 2)\n\n\n"
                             + _SOLUTIONS["max_pool_backward"]}),
    "scipy_signal_in_an_added_cell": Case(
        fails=frozenset({"test_conv2d_backward", "test_conv2d_backward_speed", "test_max_pool_backward",
                         "test_batch_norm_backward"}),
        words="your own cell just before the cell 'conv2d_backward' imports scipy.signal",
        added={"conv2d_backward": "from scipy.signal import correlate  # to check my answers"}),
    "torch_by_dunder_import": Case(
        fails=frozenset({"test_max_pool_backward", "test_batch_norm_backward"}), words="imports torch",
        added={"max_pool_backward": "try:\n    torch = __import__('torch')\nexcept ImportError:\n    torch = None"}),
}
