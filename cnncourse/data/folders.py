"""Data sets that are folders of files, each file pinned by a SHA-256 manifest."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from cnncourse.data import store


def manifest(name: str) -> dict[str, str]:
    """``{relative path: sha256}`` for data set ``name``, from ``manifests/<name>.sha256``."""
    text = resources.files("cnncourse.data").joinpath(f"manifests/{name}.sha256").read_text()
    entries = {}
    for line in text.splitlines():
        if line.strip():
            sha256, relative = line.split("  ", 1)  # names may contain single spaces
            entries[relative] = sha256
    return entries


def resolve_folder(name: str, fetch: Callable[[Path], None], *, what: str) -> Path:
    """The verified folder of data set ``name``, fetching it into the cache when needed.

    ``fetch(folder)`` must fill the empty ``folder`` with the manifest's files; it runs only when
    neither ``COURSE_DATA_DIR/<name>`` nor the cache holds the data set.
    """
    files = manifest(name)
    layout = f"{name}/ with {len(files)} files such as {name}/{next(iter(files))}"
    data_dir = store.configured_data_dir()
    if data_dir is not None and (data_dir / name).is_dir():
        return _verified(data_dir / name, files, layout, cached=False)
    cached = store.cache_root() / "datasets" / name
    if not cached.is_dir():
        _fetch_into_cache(cached, fetch, files, layout)
    return _verified(cached, files, layout, cached=True)


def _verified(folder: Path, files: dict[str, str], layout: str, *, cached: bool) -> Path:
    hint = f"Delete the folder {folder} to download it again." if cached else ""
    for relative, sha256 in files.items():
        path = folder / relative
        if not path.is_file():
            raise store.DataUnavailableError(f"{path} is missing; expected {layout}. {hint}".rstrip())
        store.verify(path, sha256, hint=hint)
    return folder


def _fetch_into_cache(
    cached: Path, fetch: Callable[[Path], None], files: dict[str, str], layout: str
) -> None:
    cached.parent.mkdir(parents=True, exist_ok=True)
    # Fetch into a sibling temporary folder and rename it into place only once complete and
    # verified, so that an interrupted download never looks like a cached data set.
    staging = Path(tempfile.mkdtemp(dir=cached.parent, prefix=f".{cached.name}-"))
    try:
        fetch(staging)
        _verified(staging, files, layout, cached=False)
        staging.rename(cached)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
