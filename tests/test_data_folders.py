"""Photos, membrane slices and MobileNetV2 weights through the data layer."""

from __future__ import annotations

import hashlib
import shutil
import zipfile

import numpy as np
import pytest

from cnncourse.data import (
    ChecksumError,
    DataUnavailableError,
    hymenoptera,
    load_hymenoptera,
    load_membranes,
    membranes,
    mobilenet_v2_weights,
    read_image,
    weights,
)


def test_photos_from_the_offline_copy(data_dir):
    train, val = load_hymenoptera("train"), load_hymenoptera("val")
    assert np.bincount(train.labels).tolist() == [123, 121]  # the GIF placeholder is left out
    assert np.bincount(val.labels).tolist() == [70, 83]
    assert not any(path.suffix == ".gif" for path in train.paths)
    assert all(path.is_file() for path in train.paths + val.paths)
    photo = read_image(train.paths[0], size=(96, 128))
    assert photo.shape == (96, 128, 3) and photo.dtype == np.uint8


def test_unknown_split_is_refused(data_dir):
    with pytest.raises(ValueError, match="'test'"):
        load_hymenoptera("test")


def test_tampered_photo_fails_its_checksum(copy_of, monkeypatch):
    root = copy_of("hymenoptera")
    victim = root / "hymenoptera" / "val" / "bees" / sorted((root / "hymenoptera/val/bees").iterdir())[0].name
    victim.write_bytes(victim.read_bytes()[:-10])
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    with pytest.raises(ChecksumError, match=victim.name):
        load_hymenoptera("val")


def test_photos_download_extracts_only_known_files(shared_data, web_server, monkeypatch, private_cache):
    www, base = web_server
    with zipfile.ZipFile(www / "hymenoptera_data.zip", "w") as archive:
        for path in sorted((shared_data / "hymenoptera").rglob("*")):
            if path.is_file() and path.name != "SOURCE.txt":
                archive.write(path, "hymenoptera_data/" + str(path.relative_to(shared_data / "hymenoptera")))
        archive.writestr("../../escaped.txt", "a hostile archive member")
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(hymenoptera, "URL", base + "hymenoptera_data.zip")
    assert len(load_hymenoptera("val").paths) == 153
    cached = private_cache / "datasets" / "hymenoptera"
    assert (cached / "train" / "ants" / "ant photos.jpg").is_file()
    assert not list(private_cache.rglob("escaped.txt")) and not (private_cache.parent / "escaped.txt").exists()


def test_photos_offline_error_names_the_variable(monkeypatch, closed_url, private_cache):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(hymenoptera, "URL", closed_url)
    with pytest.raises(DataUnavailableError, match="COURSE_DATA_DIR"):
        load_hymenoptera("train")
    # An interrupted fetch leaves nothing that could pass for a cached data set.
    assert not (private_cache / "datasets" / "hymenoptera").exists()


def test_membranes_from_the_offline_copy(data_dir):
    slices = load_membranes()
    assert slices.train_images.shape == slices.train_masks.shape == slices.test_images.shape == (30, 512, 512)
    assert set(np.unique(slices.train_masks).tolist()) == {0, 1}
    interior = slices.train_masks.mean()
    assert 0.7 < interior < 0.85  # about 78 % of pixels are cell interior


def test_membranes_download_file_by_file(shared_data, web_server, monkeypatch, private_cache):
    www, base = web_server
    shutil.copytree(shared_data / "isbi2012_membrane", www / "membrane")
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(membranes, "BASE_URL", base + "membrane/")
    assert load_membranes().test_images.shape == (30, 512, 512)
    assert (private_cache / "datasets" / "isbi2012_membrane" / "train" / "label" / "29.png").is_file()


def test_membrane_download_with_a_wrong_file_saves_nothing(shared_data, web_server, monkeypatch, private_cache):
    www, base = web_server
    shutil.copytree(shared_data / "isbi2012_membrane", www / "membrane")
    (www / "membrane" / "train" / "label" / "3.png").chmod(0o644)
    shutil.copy(www / "membrane" / "train" / "label" / "4.png", www / "membrane" / "train" / "label" / "3.png")
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(membranes, "BASE_URL", base + "membrane/")
    with pytest.raises(ChecksumError, match="3.png"):
        load_membranes()
    assert not (private_cache / "datasets" / "isbi2012_membrane").exists()


def test_weights_from_the_offline_copy_load_into_keras(data_dir):
    import keras

    path = mobilenet_v2_weights()
    base = keras.applications.MobileNetV2(alpha=1.0, include_top=False, weights=path, input_shape=(96, 96, 3))
    assert base.output.shape[1:] == (3, 3, 1280)
    first_kernel = base.get_layer(index=1).get_weights()[0]
    random = keras.applications.MobileNetV2(alpha=1.0, include_top=False, weights=None, input_shape=(96, 96, 3))
    assert not np.allclose(first_kernel, random.get_layer(index=1).get_weights()[0])


def test_corrupt_weights_are_refused(copy_of, monkeypatch):
    root = copy_of("mobilenet_v2")
    victim = root / weights.DATA_FILE
    victim.write_bytes(victim.read_bytes()[: 1 << 20])
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    with pytest.raises(ChecksumError, match=weights.DATA_SHA256):
        mobilenet_v2_weights()


def test_downloaded_weights_are_recorded_and_then_checked(shared_data, web_server, monkeypatch, private_cache):
    www, base = web_server
    shutil.copy(shared_data / weights.DATA_FILE, www / weights.KERAS_NAME)
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(weights, "URL", base + weights.KERAS_NAME)
    path = mobilenet_v2_weights()
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == weights.DATA_SHA256
    with open(path, "r+b") as cached:
        cached.truncate(1000)
    with pytest.raises(ChecksumError, match="Delete"):
        mobilenet_v2_weights()


def test_unreadable_image_names_the_file(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ValueError, match="broken.jpg"):
        read_image(broken)


def test_palette_gif_comes_back_as_rgb(data_dir):
    gif = data_dir / "hymenoptera" / "train" / "ants" / "imageNotFound.gif"
    assert read_image(gif).shape[2] == 3
