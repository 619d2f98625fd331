"""Reading image files into arrays, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError


def read_image(path: Path, *, mode: str = "RGB", size: tuple[int, int] | None = None) -> np.ndarray:
    """One image file as a uint8 array in [0, 255].

    mode "RGB" gives (H, W, 3), mode "L" gives (H, W). ``size`` = (height, width) resizes with
    bilinear filtering (use ``resize_mask`` for label images). Palette and grey images are
    converted, so a GIF or a greyscale JPEG comes back in the requested mode.
    """
    try:
        with Image.open(path) as image:
            image.load()  # decode now, so truncated files fail here and not later
            converted = image.convert(mode)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValueError(f"{path} is not a readable image ({error}).") from error
    if size is not None:
        converted = converted.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    return np.asarray(converted, dtype=np.uint8)
