"""MNIST handwritten digits (LeCun et al. 1998; CC BY-SA 3.0, Y. LeCun and C. Cortes)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from cnncourse.data import store

# SHA-256 of the *decompressed* IDX files: the canonical values, whichever gzip wrapped them.
IDX_FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train_labels": ("train-labels-idx1-ubyte.gz", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "test_images": ("t10k-images-idx3-ubyte.gz", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
# Keras' own copy: what keras.datasets.mnist.load_data() downloads, with Keras' checksum.
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
LAYOUT = "mnist/" + ", mnist/".join(name for name, _ in IDX_FILES.values())

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def load_mnist() -> Arrays:
    """The full MNIST set as ``(train_images, train_labels), (test_images, test_labels)``.

    images: (60000, 28, 28) and (10000, 28, 28) uint8 in [0, 255];
    labels: (60000,) and (10000,) uint8 in [0, 9]. The same arrays as
    ``keras.datasets.mnist.load_data()``, found through the course's data resolution order.
    """
    data_dir = store.configured_data_dir()
    if data_dir is not None and (data_dir / "mnist").is_dir():
        return _from_idx_folder(data_dir / "mnist")
    cached = store.cache_root() / "datasets" / "mnist.npz"
    if not cached.exists():
        store.download(KERAS_URL, cached, what="MNIST", layout=LAYOUT, sha256=KERAS_SHA256)
    store.verify(cached, KERAS_SHA256, hint=f"Delete {cached} to download it again.")
    with np.load(cached, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _from_idx_folder(folder: Path) -> Arrays:
    arrays = {}
    for key, (name, sha256) in IDX_FILES.items():
        path = folder / name
        if not path.exists():
            raise store.DataUnavailableError(
                f"{path} is missing from {store.DATA_DIR_ENV}; expected {LAYOUT}."
            )
        store.verify(path, sha256, gunzip=True)
        arrays[key] = read_idx(path)
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])


def read_idx(path: Path) -> np.ndarray:
    """Parse a gzip-compressed IDX file (the MNIST format) into a uint8 array of its stated shape."""
    with gzip.open(path, "rb") as stream:
        raw = stream.read()
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file (header {raw[:4].hex()}).")
    ndim = raw[3]
    header_end = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header_end + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(f"{path} holds {len(raw)} bytes, but its header {shape} needs {expected}.")
    # A copy, so that students may modify the arrays in place.
    return np.frombuffer(raw, dtype=np.uint8, offset=header_end).reshape(shape).copy()
