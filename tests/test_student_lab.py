"""What the README tells students to open in JupyterLab, opened there: the plain notebooks of
`make lab` (book/student_notebooks.py), taken from the quick build, served by a real JupyterLab
and read in headless Chromium. Every chapter's rendered Markdown shows no MyST (no role,
directive or glue placeholder) and keeps its solutions folded; chapter 1, run from the top in
quick mode, still does, and its quick test shuffles, scores and passes."""

from __future__ import annotations

import re
import sys

import pytest

from conftest import REPO, toc_chapters
from lab import running_lab
from test_book import LEFT_OVER_MYST
from test_browser import SCREENSHOTS

sys.path.insert(0, str(REPO / "book"))
import student_notebooks  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def student_lab(quick_build, shared_data, tmp_path_factory):
    """JupyterLab on the notebooks `make lab` would give from this build; yields (URL, token)."""
    scratch = tmp_path_factory.mktemp("student-lab")
    notebooks = scratch / "notebooks"
    assert student_notebooks.main(["--build", str(quick_build / "html"), "--offline", "--into", str(notebooks)]) == 0
    environment = {"COURSE_QUICK": "1", "COURSE_DATA_DIR": str(shared_data)}
    with running_lab(notebooks, scratch, environment) as (url, token):
        yield url, token


def _open(browser, student_lab, name: str):
    url, token = student_lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/lab/tree/{name}?token={token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    return page, errors


def _markdown(page) -> list[str]:
    return page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_inner_texts()


def _solutions(page) -> list[bool]:
    """For every solution in the rendered Markdown: whether it is open."""
    return page.locator(".jp-RenderedMarkdown details").evaluate_all("all => all.map(d => d.open)")


def _check_reads_like_the_book(page, chapter: str) -> None:
    markdown = _markdown(page)
    source = (REPO / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    assert len(markdown) >= source.count("\n# ") + source.count("\n## "), "the Markdown cells did not render"
    raw = sorted({match for text in markdown for match in LEFT_OVER_MYST.findall(text)})
    assert not raw, f"{chapter}: raw MyST in JupyterLab: {raw}"
    for text in markdown:
        assert not re.search(r"^\s*(```|:::)\s*\{", text, re.MULTILINE), text[:300]
        assert "{glue" not in text and "`{" not in text, text[:300]
    assert _solutions(page) == [False] * source.count("{solution}"), f"{chapter}: a solution is open or missing"


@pytest.mark.parametrize("chapter", toc_chapters())
def test_each_chapter_reads_like_the_book_in_jupyterlab(browser, student_lab, chapter):
    page, errors = _open(browser, student_lab, f"{chapter}.ipynb")
    _check_reads_like_the_book(page, chapter)
    page.close()
    assert not errors, errors


def test_run_all_keeps_the_book_s_reading_and_the_quick_test_works(browser, student_lab):
    """Run All from the top, as a student would: every cell runs, nothing raw appears, the
    solutions stay folded, and the quiz in the last output shuffles, scores and passes."""
    from cnncourse import quiz
    from test_browser import _check_scoring, _shown_order

    chapter = toc_chapters()[0]
    page, errors = _open(browser, student_lab, f"{chapter}.ipynb")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").click()
    form = page.locator(".jp-OutputArea-output form.course-quiz")
    form.wait_for(timeout=600_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=600_000)
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    assert prompts and all(re.fullmatch(r"\[\d+\]:", prompt.strip()) for prompt in prompts), prompts
    assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0, "a cell raised"
    _check_reads_like_the_book(page, chapter)

    questions = quiz.load(chapter)
    seed = int(form.get_attribute("data-seed"))  # the script ran: JupyterLab trusts what it just ran
    assert [_shown_order(page, n) for n in range(len(questions))] == \
        [quiz.option_order(seed, chapter, n, len(q.options)) for n, q in enumerate(questions)]
    _check_scoring(page, questions)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab-chapter-quiz.png"))
    page.close()
    assert not errors, errors
