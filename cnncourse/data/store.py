"""Where course data comes from, and how it is checked.

Every loader resolves its files in the same order:

1. the folder named by ``COURSE_DATA_DIR`` (an offline copy of the course data, as CI uses);
2. the reader's local cache (Keras' own cache, ``$KERAS_HOME`` or ``~/.keras``, so a file that
   Keras already downloaded is reused);
3. a download from the original public source into that cache.

Every file is checked against a known SHA-256 before it is used. A file that fails the check is
never used and never deleted by the course: the error names it and the checksum expected.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

DATA_DIR_ENV = "COURSE_DATA_DIR"
_DOWNLOAD_TIMEOUT_S = 60
_CHUNK = 1 << 20


class DataUnavailableError(RuntimeError):
    """The data could be found neither locally nor online."""


class ChecksumError(RuntimeError):
    """A data file exists but its content is not what the course expects (corrupt or truncated)."""


def configured_data_dir() -> Path | None:
    """The folder named by ``COURSE_DATA_DIR``, or None when the variable is unset or empty."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise DataUnavailableError(
            f"{DATA_DIR_ENV} is set to {value!r}, which is not a folder. Point it at a copy of the "
            f"course data (the folder that holds mnist/, hymenoptera/, isbi2012_membrane/ and "
            f"mobilenet_v2/), or unset it to download the data instead."
        )
    return folder


def cache_root() -> Path:
    """Keras' cache folder: ``$KERAS_HOME``, else ``~/.keras``, where Keras keeps its downloads."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")


def sha256_of(path: Path, *, gunzip: bool = False) -> str:
    """SHA-256 of a file's bytes, or of its decompressed bytes when ``gunzip`` is true."""
    digest = hashlib.sha256()
    opener = gzip.open if gunzip else open
    try:
        with opener(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    except (OSError, EOFError) as error:  # gzip raises these on truncated or non-gzip input
        raise ChecksumError(
            f"{path} cannot be read ({error}); the file is corrupt or truncated."
        ) from error
    return digest.hexdigest()


def verify(path: Path, expected_sha256: str, *, gunzip: bool = False, hint: str = "") -> Path:
    """Return ``path`` if its SHA-256 is ``expected_sha256``; raise ChecksumError otherwise."""
    actual = sha256_of(path, gunzip=gunzip)
    if actual != expected_sha256:
        what = "decompressed content" if gunzip else "content"
        raise ChecksumError(
            f"{path}: the SHA-256 of its {what} is {actual}, but the course expects "
            f"{expected_sha256}. The file is corrupt, truncated or a different version. {hint}".rstrip()
        )
    return path


def offline_error(what: str, url: str, reason: object, layout: str) -> DataUnavailableError:
    """The one error a reader sees when data is neither on disk nor downloadable."""
    return DataUnavailableError(
        f"{what} is not on this computer and could not be downloaded from {url} ({reason}). "
        f"If you are offline but have a copy of the course data, set the environment variable "
        f"{DATA_DIR_ENV} to its folder (expected layout: {layout})."
    )


def download(
    url: str, destination: Path, *, what: str, layout: str, sha256: str | None = None
) -> Path:
    """Fetch ``url`` into ``destination`` atomically, checking ``sha256`` first when given.

    A partial or wrong download never takes the destination's name, so the cache only ever
    holds complete, verified files.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    partial = Path(partial_name)
    try:
        try:
            with os.fdopen(handle, "wb") as out, urllib.request.urlopen(
                url, timeout=_DOWNLOAD_TIMEOUT_S
            ) as response:
                shutil.copyfileobj(response, out, _CHUNK)
        except (urllib.error.URLError, OSError) as error:
            raise offline_error(what, url, error, layout) from error
        if sha256 is not None:
            verify(partial, sha256, hint=f"It was downloaded from {url}; nothing was saved.")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination
