"""The notebooks students open in JupyterLab: ``notebooks/``, plain ``.ipynb`` files.

The chapters' sources are MyST Markdown for the book's authors. JupyterLab, even with
jupyterlab-myst, would show their glued numbers as raw ``{glue:text}`` roles (it does not render
glue: jupyter-book/jupyterlab-myst#165), and would show citations, glossary terms and solutions
unfolded. The book build already writes, for Colab, a plain notebook of every chapter
(``launch_notebooks.py``): glued numbers written in, citations and terms as links to the book,
solutions folded in ``<details>``. Students get those same notebooks here:

- from this checkout's built book (``_build/html/notebooks/``, made by ``make book``), else
- from the published book (its ``notebooks/`` folder, where Colab opens them from), else
- an error that says how to get either.

Released assignments come along under ``notebooks/assignments/``. A notebook already in
``notebooks/`` is a student's work and is never overwritten: delete it to get a fresh copy.

Usage: ``python book/student_notebooks.py [--build _build/html] [--site URL] [--into notebooks]``
(``make notebooks``; ``make lab`` then starts JupyterLab there; Binder's postBuild runs it too).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "book"))  # run as a script: launch_notebooks sits beside it

from launch_notebooks import NOTEBOOK_FOLDER  # noqa: E402  (the folder the book publishes them in)


class Unavailable(RuntimeError):
    """Neither a built book nor the published one holds the notebooks."""


def chapters(repo: Path = REPO) -> list[str]:
    """The chapters' names (``01_convolution``), as the book publishes a notebook for each."""
    return sorted(path.stem for path in (repo / "chapters").glob("*.md"))


def assignments(repo: Path = REPO) -> list[str]:
    return sorted(path.stem for path in (repo / "assignments" / "masters").glob("*.md"))


def wanted(repo: Path = REPO) -> list[str]:
    """Every notebook students get, as paths under ``notebooks/``."""
    return [f"{name}.ipynb" for name in chapters(repo)] + \
        [f"assignments/{name}/{name}.ipynb" for name in assignments(repo)]


def site_url(repo: Path = REPO) -> str:
    """The published book's address, ending in ``/``: the GitHub Pages address of
    ``repository.url`` in ``_config.yml``, where the Pages workflow publishes the site."""
    import yaml

    from launch_notebooks import pages_url

    config = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))
    return pages_url(config["repository"]["url"])


def _is_notebook(data: bytes) -> bool:
    try:
        notebook = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(notebook, dict) and notebook.get("nbformat") == 4 and isinstance(notebook.get("cells"), list)


def from_build(build: Path, names: list[str]) -> dict[str, bytes]:
    """The notebooks a built book holds (``<build>/notebooks/``), or Unavailable if any is missing."""
    folder = build / NOTEBOOK_FOLDER
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise Unavailable(f"{folder} lacks {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}")
    return {name: (folder / name).read_bytes() for name in names}


def from_site(site: str, names: list[str], timeout: float = 30) -> dict[str, bytes]:
    """The notebooks the published book holds at ``<site>notebooks/``, or Unavailable."""
    fetched = {}
    for name in names:
        url = f"{site}{NOTEBOOK_FOLDER}/{name}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                data = response.read()
        except (urllib.error.URLError, OSError) as error:
            raise Unavailable(f"{url}: {getattr(error, 'reason', error)}") from None
        if not _is_notebook(data):
            raise Unavailable(f"{url} is not a notebook")
        fetched[name] = data
    return fetched


def install(notebooks: dict[str, bytes], into: Path) -> tuple[list[str], list[str]]:
    """Write ``notebooks`` under ``into``, keeping every file already there. Returns the names
    written and the names kept."""
    written, kept = [], []
    for name, data in sorted(notebooks.items()):
        target = into / name
        if target.exists():
            kept.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(data)
        partial.replace(target)  # never a half-written notebook under the real name
        written.append(name)
    return written, kept


def gather(build: Path | None, site: str | None, names: list[str]) -> tuple[dict[str, bytes], str]:
    """The notebooks and where they came from: the built book first, then the published one."""
    reasons = []
    if build is not None:
        try:
            return from_build(build, names), f"the book built in {build}"
        except Unavailable as reason:
            reasons.append(f"no built book: {reason}")
    if site is not None:
        try:
            return from_site(site, names), f"the published book, {site}"
        except Unavailable as reason:
            reasons.append(f"the published book cannot be reached: {reason}")
    raise Unavailable(
        "The students' notebooks come from a built book, and there is none to take them from ("
        + "; ".join(reasons) + ").\nEither build the book here with `make book` (it executes every "
        "chapter: about half an hour on two cores the first time, bench/results.json has the times), "
        "or connect to the internet and run this again to download the published notebooks.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=REPO / "_build" / "html",
                        help="a built book's HTML folder (default: _build/html)")
    parser.add_argument("--site", help="the published book's address (default: from _config.yml)")
    parser.add_argument("--no-build", action="store_true", help="ignore any local build (Binder)")
    parser.add_argument("--offline", action="store_true", help="never download")
    parser.add_argument("--into", type=Path, default=REPO / NOTEBOOK_FOLDER, help="where to put them (default: notebooks/)")
    args = parser.parse_args(argv)
    site = None if args.offline else (args.site or site_url())
    if site and not site.endswith("/"):
        site += "/"
    try:
        notebooks, source = gather(None if args.no_build else args.build, site, wanted())
    except Unavailable as error:
        print(error, file=sys.stderr)
        return 1
    written, kept = install(notebooks, args.into)
    print(f"{len(written)} notebooks from {source} in {args.into}/")
    if kept:
        print(f"kept {len(kept)} already there (your work; delete one to get a fresh copy): {', '.join(kept)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
