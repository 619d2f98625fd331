"""The notebooks the book publishes for Colab and download (book/launch_notebooks.py)."""

from __future__ import annotations

import sys

import jupytext
import nbformat
import pytest
import yaml

from conftest import REPO

sys.path.insert(0, str(REPO / "book"))
import launch_notebooks  # noqa: E402  (a Sphinx extension, loaded by path as _config.yml does)

CHAPTERS = sorted((REPO / "chapters").glob("*.md"))
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
REPOSITORY_URL = CONFIG["repository"]["url"]
PIN = launch_notebooks.pinned("myst-nb", REPO / "pins.txt")


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_launch_notebook_is_the_chapter_with_a_setup_cell_first(source):
    notebook = launch_notebooks.launch_notebook(source, REPOSITORY_URL, PIN)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4 and "jupytext" not in notebook.metadata
    assert notebook.metadata["kernelspec"]["language"] == "python"
    setup, *rest = notebook.cells
    assert setup.cell_type == "code" and launch_notebooks.SETUP_CELL_TAG in setup.metadata["tags"]
    assert f"git+{REPOSITORY_URL}" in setup.source and PIN in setup.source
    chapter = jupytext.read(source)
    assert [(c.cell_type, c.source) for c in rest] == [(c.cell_type, c.source) for c in chapter.cells]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert len({cell.id for cell in notebook.cells}) == len(notebook.cells)


def test_setup_cell_installs_only_where_the_course_is_missing():
    source = launch_notebooks.launch_notebook(CHAPTERS[0], REPOSITORY_URL, PIN).cells[0].source
    namespace: dict = {}
    exec(compile(source, "setup-cell", "exec"), namespace)  # here cnncourse is installed: no pip
    assert "COURSE" not in namespace
    assert 'if importlib.util.find_spec("cnncourse") is None:' in source
    assert '"google.colab" in sys.modules' in source and "--no-deps" in source


def test_setup_cell_does_not_change_what_the_chapter_tags():
    notebook = launch_notebooks.launch_notebook(CHAPTERS[0], REPOSITORY_URL, PIN)
    chapter = jupytext.read(CHAPTERS[0])
    assert [c.metadata.get("tags") for c in notebook.cells[1:]] == [c.metadata.get("tags") for c in chapter.cells]


def test_colab_url_opens_the_published_notebook_on_the_pages_branch():
    url = launch_notebooks.colab_url("https://github.com/cnn-course/cnn-course", "01_convolution")
    assert url == ("https://colab.research.google.com/github/cnn-course/cnn-course/blob/gh-pages/"
                   "notebooks/01_convolution.ipynb")
    assert launch_notebooks.colab_url("https://github.com/a/b.git", "x").endswith("/github/a/b/blob/gh-pages/notebooks/x.ipynb")
    with pytest.raises(ValueError, match="github.com"):
        launch_notebooks.colab_url("https://gitlab.com/a/b", "x")


def test_only_chapter_pages_get_launch_notebooks():
    assert launch_notebooks.is_chapter("chapters/01_convolution")
    assert not launch_notebooks.is_chapter("appendices/data")
    assert not launch_notebooks.is_chapter("assignments/release/conv_arithmetic/conv_arithmetic")


def test_pinned_reads_the_exact_pin(tmp_path):
    pins = tmp_path / "pins.txt"
    pins.write_text("# exact versions\nmyst-nb==9.9.9  # glue\nnumpy==1.0; sys_platform == 'linux'\n")
    assert launch_notebooks.pinned("myst-nb", pins) == "myst-nb==9.9.9"
    assert launch_notebooks.pinned("numpy", pins) == "numpy==1.0"
    with pytest.raises(ValueError, match="pins no"):
        launch_notebooks.pinned("keras", pins)


def test_the_repository_url_is_one_setting():
    """Colab links, the install cell and the theme's buttons all come from repository.url."""
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    assert "launch_notebooks" in CONFIG["sphinx"]["local_extensions"]
    assert not CONFIG["launch_buttons"].get("colab_url"), "Jupyter Book's Colab button opens the .md source"
    other_files = [REPO / "book" / "launch_notebooks.py", *CHAPTERS, REPO / "intro.md"]
    assert not [path for path in other_files if REPOSITORY_URL in path.read_text()]
