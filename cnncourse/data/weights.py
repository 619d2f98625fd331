"""Pre-trained weights: MobileNetV2 (Sandler et al. 2018) trained on ImageNet, without its head."""

from __future__ import annotations


from cnncourse.data import store

# The offline copy: built from Google's TF-slim checkpoint mobilenet_v2_1.0_224 (Apache 2.0).
DATA_FILE = "mobilenet_v2/mobilenet_v2_1.0_no_top_imagenet.h5"
DATA_SHA256 = "71e4c4ec4aa24c9c951b9265d6de42e1336dcf614c2214fa6a989208615e232c"
# What weights="imagenet" downloads for include_top=False, alpha=1.0, under Keras' own name.
KERAS_NAME = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/" + KERAS_NAME


def mobilenet_v2_weights() -> str:
    """Path of MobileNetV2 ImageNet weights (alpha 1.0, no top), for
    ``keras.applications.MobileNetV2(alpha=1.0, include_top=False, weights=mobilenet_v2_weights())``.

    They load for any input size from 96 to 224 pixels.
    """
    data_dir = store.configured_data_dir()
    if data_dir is not None and (data_dir / DATA_FILE).is_file():
        return str(store.verify(data_dir / DATA_FILE, DATA_SHA256))
    cached = store.cache_root() / "models" / KERAS_NAME
    # Keras publishes no checksum for this file, so the course records the SHA-256 of the copy it
    # first downloads and checks the file against that record from then on.
    record = cached.with_name(cached.name + ".sha256")
    if not cached.exists():
        store.download(URL, cached, what="The MobileNetV2 ImageNet weights", layout=DATA_FILE)
    if not record.exists():
        record.write_text(store.sha256_of(cached) + "\n")
    hint = f"Delete {cached} and {record} to download it again."
    return str(store.verify(cached, record.read_text().strip(), hint=hint))
