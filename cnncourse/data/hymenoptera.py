"""Ants vs bees photos: the small ImageNet subset of PyTorch's transfer-learning tutorial.

The photos are a subset of ImageNet: educational use, attribute the PyTorch tutorial and
ImageNet (Deng et al. 2009); no open licence applies to the images themselves.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cnncourse.data import folders, store

NAME = "hymenoptera"
URL = "https://download.pytorch.org/tutorial/hymenoptera_data.zip"
CLASS_NAMES = ("ants", "bees")
# Files that are in the data set but are not photos of their class.
NOT_PHOTOS = {"train/ants/imageNotFound.gif": "a GIF placeholder that reads 'image not found'"}


@dataclass(frozen=True)
class PhotoFiles:
    """Paths and integer labels of one split; ``class_names[label]`` names a label."""

    paths: tuple[Path, ...]
    labels: tuple[int, ...]
    class_names: tuple[str, ...] = CLASS_NAMES


def load_hymenoptera(split: str) -> PhotoFiles:
    """The photos of ``split`` ("train": 244 photos, "val": 153), sorted by class then name.

    Files listed in ``NOT_PHOTOS`` are left out. Decode with ``read_image``.
    """
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', not {split!r}.")
    root = folders.resolve_folder(NAME, _download, what="The ants/bees photos")
    paths, labels = [], []
    for relative in sorted(folders.manifest(NAME)):
        split_name, class_name, _ = relative.split("/", 2)
        if split_name == split and relative not in NOT_PHOTOS:
            paths.append(root / relative)
            labels.append(CLASS_NAMES.index(class_name))
    return PhotoFiles(tuple(paths), tuple(labels))


def _download(folder: Path) -> None:
    wanted = folders.manifest(NAME)
    with tempfile.TemporaryDirectory() as scratch:
        archive = store.download(
            URL, Path(scratch) / "hymenoptera_data.zip", what="The ants/bees photos", layout="hymenoptera/{train,val}/{ants,bees}/"
        )
        with zipfile.ZipFile(archive) as zipped:
            # Extract only the files the manifest names: nothing else in the archive is trusted.
            for member in zipped.namelist():
                relative = member.removeprefix("hymenoptera_data/")
                if relative in wanted:
                    target = folder / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zipped.read(member))
