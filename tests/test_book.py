"""The book builds strictly in quick mode, and every chapter's executed output is clean.

One build serves all the checks (the `quick_build` fixture in conftest.py, shared with the browser
tests): building executes every chapter, exactly as `make book` does but with COURSE_QUICK=1 and
into a temporary folder, so the real _build/ is never touched.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from autograder.masters import secret_lines
from autograder.release import contained
from conftest import REPO, toc_chapters

pytestmark = pytest.mark.slow

CHAPTERS = sorted(p.stem for p in (REPO / "chapters").glob("*.md"))
# The build checks cover what the book lists; the first test holds every chapter file to the list.
BUILT_CHAPTERS = toc_chapters()
ASSIGNMENTS = sorted(p.stem for p in (REPO / "assignments" / "masters").glob("*.md"))
# What TensorFlow prints on start-up when nothing silences it.
STARTUP_NOISE = re.compile(r"oneDNN custom operations|absl::InitializeLog|cpu_feature_guard|This TensorFlow binary")


def test_every_chapter_is_in_the_table_of_contents():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    listed = {entry["file"] for part in toc["parts"] for entry in part["chapters"]}
    assert {f"chapters/{name}" for name in CHAPTERS} <= listed


@pytest.mark.parametrize("chapter", BUILT_CHAPTERS)
def test_chapter_executes_cleanly(quick_build, chapter):
    executed = json.loads((quick_build / "jupyter_execute" / "chapters" / f"{chapter}.ipynb").read_text())
    outputs = [o for cell in executed["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    stderr = "".join("".join(o["text"]) for o in outputs if o.get("name") == "stderr")
    assert stderr == "", f"{chapter} wrote to stderr:\n{stderr[:2000]}"
    html = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    assert not STARTUP_NOISE.search(html)
    assert "Traceback" not in html


@pytest.mark.parametrize("chapter", BUILT_CHAPTERS)
def test_chapter_figures_are_in_the_page(quick_build, chapter):
    html = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    images = re.findall(r'<img[^>]+src="([^"]+\.(?:png|jpe?g))"', html)
    assert images, f"{chapter} shows no figures"
    for source in images:
        assert (quick_build / "html" / "chapters" / source).resolve().is_file(), source


COLUMN_PIXELS = 672  # the theme's text column, in CSS pixels


def _figure_images(quick_build: Path, chapter: str) -> list[tuple[str, Path]]:
    """Each figure image of a chapter's page: its <img> tag and its file."""
    page = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    article = page[page.index("<article"):page.rindex("</article>")]
    found = []
    for tag in re.findall(r"<img\b[^>]*>", article):
        source = re.search(r'src="([^"]+)"', tag).group(1)
        found.append((tag, (quick_build / "html" / "chapters" / source).resolve()))
    return found


@pytest.mark.parametrize("chapter", BUILT_CHAPTERS)
def test_figures_are_shown_at_most_column_wide_and_sharp(quick_build, chapter):
    """cnncourse.plots renders figures at 1.5 to 2 image pixels per page pixel and gives
    their page width in the output's metadata, which myst-nb writes into the <img>: no
    figure is wider than the column (so that none is scaled down, fonts and all, on a
    computer) and none is blurred up."""
    from PIL import Image

    images = _figure_images(quick_build, chapter)
    assert images, f"{chapter} shows no figures"
    for tag, file in images:
        width = re.search(r'style="[^"]*\bwidth:\s*([\d.]+)px', tag)
        assert width, f"{chapter}: no page width on {tag[:200]}"
        assert float(width.group(1)) <= COLUMN_PIXELS, f"{chapter}: {tag[:200]}"
        with Image.open(file) as image:
            soft = image.width < 1.4 * float(width.group(1))
        assert not soft, f"{chapter}: {file.name} is blurred up to its page width"


@pytest.mark.parametrize("chapter", BUILT_CHAPTERS)
def test_chapter_pages_stay_light(quick_build, chapter):
    """A chapter page and its figures weigh at most 1.5 MB (chapter 6 weighed 4.4 MB when
    its photographs were PNG); photographs go to the page as JPEG."""
    html = quick_build / "html" / "chapters" / f"{chapter}.html"
    files = {file for _, file in _figure_images(quick_build, chapter)}
    weight = html.stat().st_size + sum(file.stat().st_size for file in files)
    assert weight < 1.5e6, f"{chapter}: {weight / 1e6:.2f} MB"
    if chapter in ("05_transfer_learning", "06_unet_segmentation"):
        jpegs = [file for file in files if file.suffix in (".jpg", ".jpeg")]
        assert jpegs, f"{chapter} shows its photographs as PNG"


@pytest.mark.parametrize("chapter", BUILT_CHAPTERS)
def test_every_glued_number_is_filled_in(quick_build, chapter):
    source = (REPO / "chapters" / f"{chapter}.md").read_text()
    keys = set(re.findall(r"\{glue:text\}`([^`:]+)", source))
    assert keys, f"{chapter} quotes no executed numbers"
    html = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    assert "glue:text" not in html and "{glue" not in html


@pytest.mark.parametrize("chapter", BUILT_CHAPTERS)
def test_every_figure_has_alt_text_and_a_caption(quick_build, chapter):
    """Each image sits in a <figure> with a non-empty <figcaption> and has its own alt text (not
    the file name Sphinx puts there by default), set through myst-nb's figure and image options."""
    page = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    # The chapter's own content; the theme's header (launch-button logos) is not a figure.
    html = page[page.index("<article"):page.rindex("</article>")]
    images = list(re.finditer(r"<img\b[^>]*>", html))
    assert images, f"{chapter} shows no figures"
    for image in images:
        tag = image.group()
        alt = re.search(r'alt="([^"]*)"', tag)
        source = re.search(r'src="([^"]*)"', tag)
        assert alt and alt.group(1).strip() and alt.group(1) != source.group(1), f"{chapter}: no alt text on {tag[:200]}"
        opened = html.rfind("<figure", 0, image.start())
        closed = html.rfind("</figure>", 0, image.start())
        assert opened > closed, f"{chapter}: image outside a figure: {tag[:200]}"
        figure = html[opened:html.index("</figure>", image.end())]
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, re.DOTALL)
        assert caption and re.sub(r"<[^>]+>|Fig\. \d+", "", caption.group(1)).strip(), f"{chapter}: figure without caption"


def test_quick_mode_announces_itself(quick_build):
    """A quick-mode page says so, so that a quick build can never pass for the real book."""
    html = (quick_build / "html" / "chapters" / "02_first_cnn.html").read_text()
    assert "QUICK MODE" in html


def test_make_book_never_builds_in_quick_mode():
    recipe = re.search(r"^book:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert recipe and re.search(r"\bCOURSE_QUICK=\s", recipe.group(1))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_page_and_download_are_published(quick_build, assignment):
    page = quick_build / "html" / "assignments" / "release" / assignment / f"{assignment}.html"
    assert page.is_file()
    index = (quick_build / "html" / "assignments" / "index.html").read_text()
    link = re.search(rf'href="([^"]*_downloads/[^"]*/{assignment}\.ipynb)"', index)
    assert link, f"no download link for {assignment}"
    downloaded = (quick_build / "html" / "assignments" / link.group(1)).resolve()
    assert json.loads(downloaded.read_text())["cells"], downloaded


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_page_shows_solutions_or_hidden_tests(quick_build, assignment):
    hidden = secret_lines(REPO / "assignments", assignment, kinds=("hidden",))
    everything = secret_lines(REPO / "assignments", assignment)
    assert hidden and everything
    for page in (quick_build / "html").rglob("*.html"):
        text = html_text(page)
        # Chapters may teach what a solution uses; assignment pages and downloads show no solution.
        secrets = everything if "assignments" in page.parts else hidden
        found = contained(text, secrets)  # the release check's own rule
        assert not found, f"{page.name} shows instructor-only lines: {found[:3]}"
    for notebook in (quick_build / "html").rglob(f"{assignment}.ipynb"):
        found = contained(notebook.read_text(), everything)
        assert not found, f"{notebook} carries instructor-only lines: {found[:3]}"


# MyST that JupyterLab and Colab would show raw (book/launch_notebooks.py converts it all).
LEFT_OVER_MYST = re.compile(r"\{(glue|cite|term|ref|numref|doc|index)[:}]|```\{|:::\{")


@pytest.mark.parametrize("chapter", BUILT_CHAPTERS)
def test_launch_notebook_is_plain_markdown_with_the_glued_numbers(quick_build, chapter):
    """The notebook Colab and the download link open: the Markdown is plain Jupyter Markdown with
    the values this build glued, and the solutions are closed."""
    notebook = json.loads((quick_build / "html" / "notebooks" / f"{chapter}.ipynb").read_text())
    markdown = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert not LEFT_OVER_MYST.findall(markdown), sorted(set(LEFT_OVER_MYST.findall(markdown)))
    source = (REPO / "chapters" / f"{chapter}.md").read_text()
    assert markdown.count("<details>") == source.count("{solution}")
    glued = json.loads((quick_build / "jupyter_execute" / "chapters" / f"{chapter}.glue.json").read_text())
    quoted = {key: glued[key]["data"]["text/plain"].strip("'\"") for key in re.findall(r"\{glue:text\}`([^`:]+)`", source)}
    assert quoted and all(value in markdown for value in quoted.values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_launch_links_open_the_released_notebook(quick_build, assignment):
    page_file = quick_build / "html" / "assignments" / "release" / assignment / f"{assignment}.html"
    page = page_file.read_text()
    colab = re.findall(r'class="reference external launch-colab" href="([^"]+)"', page)
    download = re.findall(r'class="reference internal launch-download" href="([^"]+)"', page)
    assert len(colab) == len(download) == 1, "the assignment page has no launch links"
    # Colab opens <path> from the gh-pages branch, which holds this very HTML folder.
    published = re.fullmatch(r"https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/gh-pages/(.+)", colab[0])
    assert published, colab[0]
    notebook = quick_build / "html" / published.group(1)
    assert notebook.is_file() and (page_file.parent / download[0]).resolve() == notebook.resolve()
    released = REPO / "assignments" / "release" / assignment / f"{assignment}.ipynb"
    cells = [(cell["cell_type"], cell["source"]) for cell in json.loads(notebook.read_text())["cells"]]
    assert cells == [(cell["cell_type"], cell["source"]) for cell in json.loads(released.read_text())["cells"]]
    # Binder opens the same notebook, which its postBuild puts at notebooks/<the same path>.
    binder = re.findall(r'class="reference external launch-binder" href="([^"]+)"', page)
    assert len(binder) == 1 and binder[0].endswith(f"?urlpath=lab/tree/{published.group(1)}"), binder


def html_text(page: Path) -> str:
    """The page's text as a reader sees it: tags removed, entities decoded."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def test_tables_from_code_render_as_tables(quick_build):
    """Chapters print result tables as Markdown; the page shows them as tables with their maths
    typeset, not as raw pipes and dollars."""
    for chapter in ("03_training_well", "05_transfer_learning"):
        html = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
        article = html[html.index("<article"):html.rindex("</article>")]
        # What the cells displayed, without their code (which builds the tables from text).
        outputs = [cell.split("cell_output", 1)[1] for cell in article.split('<div class="cell ')
                   if "cell_output" in cell]
        assert any("<table" in output for output in outputs), f"{chapter} shows no table"
        for output in outputs:
            assert "|---" not in output and "| run |" not in output and "| training |" not in output


def test_the_introduction_quotes_the_benchmark(quick_build):
    import html as html_module

    sys.path.insert(0, str(REPO / "book"))
    import bench_facts

    page = (quick_build / "html" / "intro.html").read_text()
    article = page[page.index("<article"):page.rindex("</article>")]
    text = " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", article)).split())
    assert "{{" not in text
    for value in bench_facts.facts(json.loads((REPO / "bench" / "results.json").read_text())).values():
        assert value in text, value
