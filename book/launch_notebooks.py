"""Sphinx extension: a runnable notebook for every chapter, and links to open or download it.

Jupyter Book 1's own Colab button points Colab at the chapter's ``.md`` source, which Colab cannot
open (jupyter-book#752). This extension instead, at build time,

- converts each chapter (``chapters/*.md``, a MyST notebook) with jupytext into an ``.ipynb``
  without outputs, written to ``<html output>/notebooks/<chapter>.ipynb`` so that it is published
  with the site (the ``gh-pages`` branch holds it, which is where Colab opens it from);
- puts a set-up cell first that, only where the course library is missing (Colab, a bare
  Jupyter), pip-installs the course from its repository (``repository.url`` in ``_config.yml``,
  the one place that names it);
- adds an "Open in Colab" and a "Download notebook" link to the top of each chapter page.

Binder and JupyterHub need nothing from here: they launch from the repository itself, where
jupytext opens the ``.md`` chapters as notebooks.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from docutils import nodes
from sphinx.application import Sphinx

CHAPTER_FOLDER = "chapters"
NOTEBOOK_FOLDER = "notebooks"
# Colab opens notebooks from GitHub by branch; the Pages workflow publishes the site, generated
# notebooks included, to this branch.
PAGES_BRANCH = "gh-pages"
SETUP_CELL_TAG = "course-setup"

SETUP_SOURCE = '''\
# Set-up: only where the course library is missing (Colab, a fresh Jupyter), install it from
# the course repository. With `make setup` or on Binder this cell does nothing.
import importlib
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("cnncourse") is None:
    COURSE = "cnn-course @ git+{repository_url}"
    if "google.colab" in sys.modules:
        # Colab already has TensorFlow, Keras 3, NumPy and Matplotlib: reinstalling the course's
        # pinned versions would force a runtime restart, so add only the course and myst-nb (glue).
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", COURSE], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "{myst_nb}"], check=True)
    else:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", COURSE], check=True)
    importlib.invalidate_caches()
'''


def is_chapter(docname: str) -> bool:
    """True for the book's chapters (``chapters/<name>``), the pages that get launch notebooks."""
    return docname.startswith(f"{CHAPTER_FOLDER}/") and docname.count("/") == 1


def colab_url(repository_url: str, chapter: str) -> str:
    """Colab's address for the published notebook of ``chapter`` (e.g. ``01_convolution``)."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repository_url)
    if match is None:
        raise ValueError(f"repository.url must be https://github.com/<owner>/<repo>, got {repository_url!r}")
    owner, repo = match.groups()
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{PAGES_BRANCH}/{NOTEBOOK_FOLDER}/{chapter}.ipynb"


def pinned(requirement_name: str, pins: Path) -> str:
    """The exact pin of ``requirement_name`` in pins.txt, e.g. ``myst-nb==1.4.0``."""
    for line in pins.read_text().splitlines():
        if re.match(rf"{re.escape(requirement_name)}\s*==", line):
            return line.split(";")[0].split("#")[0].strip()
    raise ValueError(f"{pins} pins no {requirement_name}")


def launch_notebook(source: Path, repository_url: str, myst_nb_pin: str) -> nbformat.NotebookNode:
    """The chapter at ``source`` (a MyST ``.md`` notebook) as an nbformat 4 notebook to run
    anywhere: no outputs, no jupytext metadata, and the set-up cell first."""
    notebook = jupytext.read(source)
    notebook.metadata.pop("jupytext", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    setup_cell = nbformat.v4.new_code_cell(
        SETUP_SOURCE.format(repository_url=repository_url, myst_nb=myst_nb_pin),
        metadata={"tags": [SETUP_CELL_TAG]},
    )
    notebook.cells.insert(0, setup_cell)
    # Cell ids as jupytext makes them may repeat across notebooks; fresh ones keep nbformat happy.
    notebook = nbformat.from_dict(copy.deepcopy(dict(notebook)))
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    nbformat.validate(notebook)
    return notebook


def _repository_url(app: Sphinx) -> str:
    url = (app.config.html_theme_options or {}).get("repository_url", "")
    if not url:
        raise ValueError("launch_notebooks needs repository.url in _config.yml")
    return url


def _launch_links(app: Sphinx, docname: str) -> str:
    chapter = docname.split("/", 1)[1]
    to_root = "../" * docname.count("/")
    return (
        '<div class="admonition launch-notebook">\n'
        '<p class="admonition-title">Run this chapter</p>\n'
        f'<p><a class="reference external launch-colab" href="{colab_url(_repository_url(app), chapter)}">'
        "Open in Colab</a> · "
        f'<a class="reference internal launch-download" href="{to_root}{NOTEBOOK_FOLDER}/{chapter}.ipynb" download>'
        "Download notebook</a> · or launch it on Binder or JupyterHub with the rocket button at the top "
        "of the page. Its first cell installs the course where it is missing; the data are downloaded "
        "on first use.</p>\n</div>\n"
    )


def add_launch_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put the chapter's Colab and download links just under its title."""
    if app.builder.format != "html" or not is_chapter(docname):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    title_index = next((i for i, child in enumerate(section.children) if isinstance(child, nodes.title)), -1)
    section.insert(title_index + 1, nodes.raw("", _launch_links(app, docname), format="html"))


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Write ``notebooks/<chapter>.ipynb`` into the HTML output for every chapter built."""
    if exception is not None or app.builder.format != "html":
        return
    repository_url = _repository_url(app)
    myst_nb_pin = pinned("myst-nb", Path(app.srcdir) / "pins.txt")
    folder = Path(app.outdir) / NOTEBOOK_FOLDER
    folder.mkdir(exist_ok=True)
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if is_chapter(docname) and source.suffix == ".md":
            notebook = launch_notebook(source, repository_url, myst_nb_pin)
            nbformat.write(notebook, folder / f"{source.stem}.ipynb")


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep one copy of each inline script. sphinx-thebe (behind the launch buttons) adds its
    inline configuration, ``const THEBE_JS_URL = ...``, twice under Sphinx 7.4, and the second
    ``const`` is a JavaScript error on every page."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        body = getattr(script, "attributes", {}).get("body")
        if body:
            if body in seen:
                continue
            seen.add(body)
        unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_duplicate_scripts)
    app.connect("doctree-resolved", add_launch_links)
    app.connect("build-finished", write_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
