"""The course's data layer: every data set and pre-trained weight file the chapters use.

Files are looked for in ``$COURSE_DATA_DIR``, then in the local cache, then downloaded from their
original public homes; each is checked against a known SHA-256 first (see ``store``).
"""

from cnncourse.data.hymenoptera import PhotoFiles, load_hymenoptera
from cnncourse.data.images import read_image
from cnncourse.data.membranes import Membranes, load_membranes
from cnncourse.data.mnist import load_mnist
from cnncourse.data.store import DATA_DIR_ENV, ChecksumError, DataUnavailableError
from cnncourse.data.weights import mobilenet_v2_weights

__all__ = [
    "DATA_DIR_ENV", "ChecksumError", "DataUnavailableError", "Membranes", "PhotoFiles",
    "load_hymenoptera", "load_membranes", "load_mnist", "mobilenet_v2_weights", "read_image",
]
