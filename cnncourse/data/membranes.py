"""ISBI 2012 EM segmentation data (Cardona et al. 2010), as used by the U-Net paper.

Non-commercial use only: the challenge allows the data "for the purpose of generating or testing
non-commercial image segmentation software"; cite Cardona et al., PLoS Biol 8(10): e1000508.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnncourse.data import folders, store
from cnncourse.data.images import read_image

NAME = "isbi2012_membrane"
# The slices as pre-processed into PNGs in the zhixuhao/unet repository, at a fixed commit.
BASE_URL = "https://raw.githubusercontent.com/zhixuhao/unet/b45af4d458437d8281cc218a07fd4380818ece4a/data/membrane/"
SLICES = 30


@dataclass(frozen=True)
class Membranes:
    """train_images, test_images: (30, 512, 512) uint8 in [0, 255];
    train_masks: (30, 512, 512) uint8 in {0, 1}, 1 = cell interior, 0 = membrane."""

    train_images: np.ndarray
    train_masks: np.ndarray
    test_images: np.ndarray


def load_membranes() -> Membranes:
    """The 30 labelled training slices and the 30 unlabelled test slices, in slice order."""
    root = folders.resolve_folder(NAME, _download, what="The ISBI 2012 membrane slices")
    train_images = np.stack([read_image(root / f"train/image/{i}.png", mode="L") for i in range(SLICES)])
    label_images = np.stack([read_image(root / f"train/label/{i}.png", mode="L") for i in range(SLICES)])
    test_images = np.stack([read_image(root / f"test/{i}.png", mode="L") for i in range(SLICES)])
    values = set(np.unique(label_images).tolist())
    if not values <= {0, 255}:
        raise ValueError(f"{root / 'train/label'}: labels must be 0 or 255, found {sorted(values)}.")
    return Membranes(train_images, (label_images == 255).astype(np.uint8), test_images)


def _download(folder: Path) -> None:
    for relative, sha256 in folders.manifest(NAME).items():
        store.download(
            BASE_URL + relative, folder / relative, what="The ISBI 2012 membrane slices",
            layout="isbi2012_membrane/{train/image,train/label,test}/N.png", sha256=sha256,
        )
