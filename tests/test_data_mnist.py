"""MNIST through the data layer: the offline copy, the cache, downloads, and bad files."""

from __future__ import annotations

import gzip
import hashlib
import io

import numpy as np
import pytest

from cnncourse.data import ChecksumError, DataUnavailableError, load_mnist, mnist


def test_offline_copy_gives_the_canonical_arrays(data_dir):
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    assert train_images.shape == (60000, 28, 28) and test_images.shape == (10000, 28, 28)
    assert train_images.dtype == np.uint8 and train_labels.dtype == np.uint8
    assert train_images.max() == 255 and train_images.min() == 0
    # Class counts of the canonical MNIST files.
    assert np.bincount(test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(train_labels)[0] == 5923
    train_images[0, 0, 0] = 7  # writable, so students may modify arrays in place


def test_truncated_file_names_itself_and_the_expected_checksum(copy_of, monkeypatch):
    root = copy_of("mnist")
    victim = root / "mnist" / "t10k-labels-idx1-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:1000])
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    with pytest.raises(ChecksumError) as error:
        load_mnist()
    assert "t10k-labels-idx1-ubyte.gz" in str(error.value)


def test_altered_content_fails_the_checksum(copy_of, monkeypatch):
    root = copy_of("mnist")
    victim = root / "mnist" / "train-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(victim.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one relabelled digit: still a valid IDX file
    victim.write_bytes(gzip.compress(bytes(raw)))
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    with pytest.raises(ChecksumError) as error:
        load_mnist()
    assert mnist.IDX_FILES["train_labels"][1] in str(error.value)
    assert "train-labels-idx1-ubyte.gz" in str(error.value)


def test_missing_file_in_data_dir_is_named(copy_of, monkeypatch):
    root = copy_of("mnist")
    (root / "mnist" / "t10k-images-idx3-ubyte.gz").unlink()
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    with pytest.raises(DataUnavailableError, match="t10k-images-idx3-ubyte.gz"):
        load_mnist()


def test_data_dir_that_is_not_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DataUnavailableError, match="COURSE_DATA_DIR"):
        load_mnist()


def test_offline_without_data_dir_says_what_to_set(monkeypatch, closed_url, private_cache):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "KERAS_URL", closed_url)
    with pytest.raises(DataUnavailableError) as error:
        load_mnist()
    assert "COURSE_DATA_DIR" in str(error.value)
    assert not (private_cache / "datasets" / "mnist.npz").exists()


def _npz_of(arrays) -> bytes:
    (train_images, train_labels), (test_images, test_labels) = arrays
    buffer = io.BytesIO()
    np.savez(buffer, x_train=train_images, y_train=train_labels, x_test=test_images, y_test=test_labels)
    return buffer.getvalue()


def test_download_fills_the_cache_then_the_cache_is_used(
    data_dir, monkeypatch, web_server, private_cache
):
    real = load_mnist()
    www, base = web_server
    served = _npz_of(real)
    (www / "mnist.npz").write_bytes(served)
    monkeypatch.delenv("COURSE_DATA_DIR")
    monkeypatch.setattr(mnist, "KERAS_URL", base + "mnist.npz")
    monkeypatch.setattr(mnist, "KERAS_SHA256", hashlib.sha256(served).hexdigest())

    (train_images, _), (_, test_labels) = load_mnist()
    assert np.array_equal(train_images, real[0][0]) and np.array_equal(test_labels, real[1][1])
    assert (private_cache / "datasets" / "mnist.npz").read_bytes() == served

    (www / "mnist.npz").unlink()  # now only the cache can answer
    assert np.array_equal(load_mnist()[0][1], real[0][1])


def test_wrong_download_is_rejected_and_not_cached(monkeypatch, web_server, private_cache):
    www, base = web_server
    (www / "mnist.npz").write_bytes(b"<html>a captive portal page</html>")
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "KERAS_URL", base + "mnist.npz")
    with pytest.raises(ChecksumError, match=mnist.KERAS_SHA256):
        load_mnist()
    assert list((private_cache / "datasets").iterdir()) == []


def test_corrupt_cache_is_reported_with_what_to_delete(monkeypatch, private_cache, closed_url):
    cached = private_cache / "datasets" / "mnist.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"truncated")
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "KERAS_URL", closed_url)
    with pytest.raises(ChecksumError) as error:
        load_mnist()
    assert str(cached) in str(error.value) and "Delete" in str(error.value)
    assert cached.read_bytes() == b"truncated"  # reported, never silently removed
