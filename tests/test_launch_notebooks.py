"""The notebooks the book publishes for Colab and download (book/launch_notebooks.py).

Fast: no book build. The conversion of MyST to plain Markdown is checked on small inputs, and on
every chapter against a stand-in for the built book; tests/test_book.py checks the notebooks a
real build publishes."""

from __future__ import annotations

import re
import sys

import jupytext
import nbformat
import pytest
import yaml
from pybtex.database import parse_file, parse_string

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


def test_binder_url_opens_the_plain_notebook_that_post_build_downloads():
    url = launch_notebooks.binder_url("https://github.com/cnn-course/cnn-course", "main", "01_convolution")
    assert url == "https://mybinder.org/v2/gh/cnn-course/cnn-course/main?urlpath=lab/tree/notebooks/01_convolution.ipynb"
    assert not CONFIG["launch_buttons"].get("binderhub_url"), "Jupyter Book's Binder button opens the MyST source"


def test_only_chapter_and_assignment_pages_get_launch_notebooks():
    assert launch_notebooks.is_chapter("chapters/01_convolution")
    assert not launch_notebooks.is_chapter("appendices/data")
    assert not launch_notebooks.is_chapter("assignments/release/conv_arithmetic/conv_arithmetic")
    assert launch_notebooks.is_assignment("assignments/release/conv_arithmetic/conv_arithmetic")
    assert not launch_notebooks.is_assignment("assignments/index")
    assert not launch_notebooks.is_assignment("assignments/release/conv_arithmetic/other")
    assert launch_notebooks.published_notebook("chapters/01_convolution") == "01_convolution"
    assert launch_notebooks.published_notebook("assignments/release/preprocessing/preprocessing") == \
        "assignments/preprocessing/preprocessing"
    with pytest.raises(ValueError, match="no notebook"):
        launch_notebooks.published_notebook("appendices/data")
    assert launch_notebooks.colab_url(REPOSITORY_URL, "assignments/preprocessing/preprocessing").endswith(
        "/blob/gh-pages/notebooks/assignments/preprocessing/preprocessing.ipynb")


def test_links_go_to_the_github_pages_site():
    assert launch_notebooks.pages_url("https://github.com/cnn-course/cnn-course") == "https://cnn-course.github.io/cnn-course/"
    assert launch_notebooks.pages_url("https://github.com/Some-One/some-one.github.io") == "https://some-one.github.io/"


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


def test_no_placeholder_hub_and_binder_has_the_assignments():
    assert "jupyterhub_url" not in CONFIG["launch_buttons"]
    post_build = (REPO / "binder" / "postBuild").read_text()
    assert re.search(r"for master in assignments/masters/\*\.md; do\n\s+course-grade --course assignments release ",
                     post_build)


# --- MyST to plain Jupyter Markdown -----------------------------------------------------------------

SITE = "https://cnn-course.github.io/cnn-course/"
BIB = r"""
@article{lecun1998gradient, author = {LeCun, Yann and Bottou, L{\'e}on and Bengio, Yoshua}, year = {1998}, title = {T}}
@inproceedings{ioffe2015batch, author = {Ioffe, Sergey and Szegedy, Christian}, year = {2015}, title = {T}}
@misc{chilamkurthy_transfer, author = {Chilamkurthy, Sasank}, year = {2017}, title = {T}}
"""
BOOK = launch_notebooks.PublishedBook(
    labels={"ch1-params": launch_notebooks.Target("Exercise 2", f"{SITE}chapters/01_convolution.html#ch1-params", "2"),
            "ch3-batchnorm-trap": launch_notebooks.Target("Training mode and inference mode",
                                                          f"{SITE}chapters/03_training_well.html#ch3-batchnorm-trap")},
    terms={"receptive field": f"{SITE}appendices/glossary.html#term-receptive-field",
           "mini-batch": f"{SITE}appendices/glossary.html#term-mini-batch"},
    pages={"appendices/data": launch_notebooks.Target("The data sets", f"{SITE}appendices/data.html")},
    references={key: launch_notebooks.reference(entry, f"{SITE}appendices/bibliography.html#{key}")
                for key, entry in parse_string(BIB, "bibtex").entries.items()},
)
GLUED = {"test_accuracy": "'99.41%'", "epochs": "6", "pixel_error": "0.061234"}


def plain(source: str, glued=GLUED, docname="chapters/01_convolution") -> str:
    return launch_notebooks.PlainMarkdown(BOOK, glued, docname)(source)


def test_glued_numbers_become_the_values_the_build_glued():
    assert plain("It reaches {glue:text}`test_accuracy` after {glue:text}`epochs` epochs.") == \
        "It reaches 99.41% after 6 epochs."
    assert plain("An error of {glue:text}`pixel_error:.3f` ({glue}`epochs`).") == "An error of 0.061 (6)."


def test_an_unknown_glue_key_is_a_clear_error():
    with pytest.raises(ValueError, match=r"chapters/01_convolution: \{glue:text\}`test_acuracy`: the executed page "
                                         r"glued no 'test_acuracy' \(it glued 3 values: epochs, pixel_error, test_accuracy\)"):
        plain("It reaches {glue:text}`test_acuracy`.")
    with pytest.raises(ValueError, match="glued 0 values"):
        plain("{glue:text}`epochs`", glued={})


def test_citations_become_author_year_text_linked_to_the_bibliography():
    bibliography = f"{SITE}appendices/bibliography.html"
    assert plain("LeNet {cite}`lecun1998gradient`.") == f"LeNet ([LeCun et al., 1998]({bibliography}#lecun1998gradient))."
    assert plain("{cite:p}`ioffe2015batch, chilamkurthy_transfer`") == (
        f"([Ioffe and Szegedy, 2015]({bibliography}#ioffe2015batch); "
        f"[Chilamkurthy, 2017]({bibliography}#chilamkurthy_transfer))")
    assert plain("{cite:t}`ioffe2015batch` found") == f"[Ioffe and Szegedy (2015)]({bibliography}#ioffe2015batch) found"
    with pytest.raises(ValueError, match="the bibliography has no 'nobody2020'"):
        plain("{cite}`nobody2020`")


def test_authors_are_named_as_an_author_year_citation_names_them():
    entries = parse_string(BIB + r"@misc{x, author = {Doll{\'a}r, Piotr and von Neumann, John}, year = {1950}}",
                           "bibtex").entries
    assert launch_notebooks.author_label(entries["x"]) == "Dollár and von Neumann"
    assert launch_notebooks.author_label(entries["lecun1998gradient"]) == "LeCun et al."


def test_glossary_terms_pages_and_cross_references_become_links():
    glossary = f"{SITE}appendices/glossary.html"
    assert plain("The *{term}`receptive field`* of a {term}`batch <Mini-batch>`") == (
        f"The *[receptive field]({glossary}#term-receptive-field)* of a [batch]({glossary}#term-mini-batch)")
    assert plain("See {doc}`../appendices/data` or {doc}`the data <../appendices/data.md>`.") == (
        f"See [The data sets]({SITE}appendices/data.html) or [the data]({SITE}appendices/data.html).")
    assert plain("(see {ref}`ch1-params`, and {ref}`the trap <ch3-batchnorm-trap>`)") == (
        f"(see [Exercise 2]({SITE}chapters/01_convolution.html#ch1-params), "
        f"and [the trap]({SITE}chapters/03_training_well.html#ch3-batchnorm-trap))")
    assert plain("{numref}`ch1-params` and {numref}`Task %s <ch1-params>`") == (
        f"[Exercise 2]({SITE}chapters/01_convolution.html#ch1-params) and "
        f"[Task 2]({SITE}chapters/01_convolution.html#ch1-params)")
    assert plain("where {math}`K \\times K` fits") == "where $K \\times K$ fits"
    for unknown in ("{term}`nonsense`", "{ref}`nowhere`", "{doc}`missing`"):
        with pytest.raises(ValueError, match="has no"):
            plain(unknown)


def test_admonitions_become_blockquotes_with_a_bold_title():
    source = (":::{admonition} What you will learn\n:class: tip\nBy the end you will be able to:\n\n"
              "- compute a {term}`receptive field`.\n:::\nNext paragraph.")
    assert plain(source) == (
        "> **What you will learn**\n>\n> By the end you will be able to:\n>\n"
        f"> - compute a [receptive field]({SITE}appendices/glossary.html#term-receptive-field).\n\nNext paragraph.")
    assert plain("```{note} Read this first.\nAnd this.\n```") == "> **Note**\n>\n> Read this first.\n> And this."


EXERCISE = """## Exercises

```{exercise}
:label: ch1-params
How many parameters after {glue:text}`epochs` epochs?
```

````{solution} ch1-params
:class: dropdown
Count them, then let Keras confirm it:

```python
x = keras.Input((16, 16, 64))

print({"params": 1})  # {glue:text}`not_a_role_in_code`
```
````
"""


def test_exercises_are_numbered_blockquotes_and_solutions_stay_closed():
    assert plain(EXERCISE) == """## Exercises

> **Exercise 2**
>
> How many parameters after 6 epochs?

<details>
<summary>Solution to Exercise 2 (open when you have tried)</summary>

Count them, then let Keras confirm it:

```python
x = keras.Input((16, 16, 64))

print({"params": 1})  # {glue:text}`not_a_role_in_code`
```

</details>"""


def test_code_targets_and_comments():
    assert plain("Write `` {term}`x` `` or `{glue:text}` in code.") == "Write `` {term}`x` `` or `{glue:text}` in code."
    assert plain("(ch3-batchnorm-trap)=\n## Training mode\n% a note to authors\nText.") == "## Training mode\nText."
    assert plain("```{math}\na^2\n```") == "$$\na^2\n$$"


def test_myst_without_a_plain_form_is_an_error_not_a_leak():
    with pytest.raises(ValueError, match=r"no plain-Markdown form for the \{eq\} role"):
        plain("see {eq}`loss`")
    with pytest.raises(ValueError, match=r"no plain-Markdown form for the \{figure\} directive"):
        plain("```{figure} a.png\nA caption.\n```")
    with pytest.raises(ValueError, match="never closed"):
        plain("````{solution} ch1-params\nText.\n```")


def stand_in_book() -> launch_notebooks.PublishedBook:
    """Every label, glossary term and bibliography entry the sources define, at made-up addresses:
    enough to convert the chapters without building the book."""
    labels, terms = {}, {}
    for chapter in CHAPTERS:
        source = chapter.read_text()
        for number, label in enumerate(re.findall(r"^:label: (\S+)", source, re.MULTILINE), start=1):
            labels[label] = launch_notebooks.Target(f"Exercise {number}", f"{SITE}{chapter.stem}#{label}", str(number))
        for number, label in enumerate(re.findall(r"^  figure:\n(?:    .*\n)*?    name: (\S+)$", source, re.MULTILINE), start=1):
            labels[label] = launch_notebooks.Target(f"Fig. {number}", f"{SITE}{chapter.stem}#{label}", str(number))
        for label in re.findall(r"^\(([\w-]+)\)=$", source, re.MULTILINE):
            labels[label] = launch_notebooks.Target("a section", f"{SITE}{chapter.stem}#{label}")
    glossary = (REPO / "appendices" / "glossary.md").read_text().split("```{glossary}", 1)[1]
    for term in re.findall(r"^(\S.*)$", glossary.split("\n```", 1)[0], re.MULTILINE):
        terms[term.lower()] = f"{SITE}glossary#{term.replace(' ', '-')}"
    references = {key: launch_notebooks.reference(entry, f"{SITE}bibliography#{key}")
                  for key, entry in parse_file(REPO / "references.bib").entries.items()}
    return launch_notebooks.PublishedBook(labels, terms, {}, references)


LEFT_OVER_MYST = re.compile(r"\{(glue|cite|term|ref|numref|doc|index)[:}]|```\{|:::\{|^\([\w-]+\)=$", re.MULTILINE)


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda path: path.stem)
def test_every_chapter_becomes_plain_markdown(source):
    book = stand_in_book()
    myst = source.read_text()
    glued = {key: "'1.0'" for key in re.findall(r"\{glue:text\}`([^`:]+)", myst)}
    notebook = launch_notebooks.launch_notebook(source, REPOSITORY_URL, PIN)
    code_before = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    notebook = launch_notebooks.plain_markdown_cells(notebook, launch_notebooks.PlainMarkdown(book, glued, f"chapters/{source.stem}"))
    markdown = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert not LEFT_OVER_MYST.findall(markdown)
    assert markdown.count("<details>") == myst.count("{solution}") > 0
    assert [cell.source for cell in notebook.cells if cell.cell_type == "code"] == code_before
    assert any("quiz.show(" in source for source in code_before), "the quiz stays a code cell"
