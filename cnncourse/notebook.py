"""Start-up for chapter notebooks: a quiet TensorFlow, fixed seeds, one plot style."""

from __future__ import annotations

import contextlib
import os
import sys

from cnncourse import quick_mode


@contextlib.contextmanager
def _stderr_to_devnull():
    # TensorFlow's C++ start-up messages go straight to file descriptor 2, past Python's
    # sys.stderr and past TF_CPP_MIN_LOG_LEVEL, so the descriptor itself is redirected.
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def setup(seed: int = 0) -> bool:
    """Import TensorFlow and Keras without start-up noise, seed every generator, style plots.

    Returns ``quick_mode()``, so that a chapter can shrink its experiments under the test suite.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _stderr_to_devnull():
        import tensorflow
        import keras
    # TensorFlow's Python logger warns about graph "retracing" whenever a chapter predicts with
    # several models or batch sizes: a hint for production loops that is only noise in a lesson.
    tensorflow.get_logger().setLevel("ERROR")
    keras.utils.set_random_seed(seed)
    from cnncourse.plots import use_course_style

    use_course_style()
    return quick_mode()
