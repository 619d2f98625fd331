"""What the README tells students to open in JupyterLab, opened there: the plain notebooks of
`make lab` (book/student_notebooks.py), taken from the quick build, served by a real JupyterLab
and read in headless Chromium. Every chapter's rendered Markdown shows no MyST (no role,
directive or glue placeholder) and keeps its solutions folded; chapter 1, run from the top in
quick mode, still does, and its quick test shuffles, scores and passes."""

from __future__ import annotations

import json
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
    """JupyterLab on the notebooks `make lab` would give from this build; yields (URL, token,
    the notebooks' folder)."""
    scratch = tmp_path_factory.mktemp("student-lab")
    notebooks = scratch / "notebooks"
    assert student_notebooks.main(["--build", str(quick_build / "html"), "--offline", "--into", str(notebooks)]) == 0
    environment = {"COURSE_QUICK": "1", "COURSE_DATA_DIR": str(shared_data)}
    with running_lab(notebooks, scratch, environment) as (url, token):
        yield url, token, notebooks


def _open(browser, student_lab, name: str):
    """The notebook ``name`` open in JupyterLab, every Markdown cell rendered; returns the page,
    the list its JavaScript errors go to, and the notebook's Markdown cells as served."""
    url, token, notebooks = student_lab
    served = [cell for cell in json.loads((notebooks / name).read_text(encoding="utf-8"))["cells"]
              if cell["cell_type"] == "markdown"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")  # reset: only this notebook open
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    # JupyterLab adds each cell's rendered Markdown, then fills it: wait until every one has text.
    page.wait_for_function("count => { const all = [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')];"
                           " return all.length >= count && all.every(e => e.textContent.trim()); }",
                           arg=len(served), timeout=120_000)
    return page, errors, ["".join(cell["source"]) for cell in served]


def _headings(markdown: str) -> list[str]:
    """The plain headings of a Markdown cell: outside code blocks, without maths or code."""
    outside_code = re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)
    return [line.lstrip("#").strip() for line in outside_code.splitlines()
            if re.match(r"#{1,3} ", line) and not re.search(r"[$`{]", line)]


def _solutions(page) -> dict[str, bool]:
    """Every folded block in the rendered Markdown: its summary, and whether it is open."""
    return dict(page.locator(".jp-RenderedMarkdown details").evaluate_all(
        "all => all.map(d => [d.querySelector('summary').textContent, d.open])"))


def _check_reads_like_the_book(page, chapter: str, served: list[str]) -> None:
    rendered = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_inner_texts()
    headings = [heading for markdown in served for heading in _headings(markdown)]
    missing = [heading for heading in headings if not any(heading in text for text in rendered)]
    assert headings and not missing, f"{chapter}: headings not rendered: {missing}"
    raw = sorted({match for text in rendered for match in LEFT_OVER_MYST.findall(text)})
    assert not raw, f"{chapter}: raw MyST in JupyterLab: {raw}"
    for text in rendered:
        assert not re.search(r"^\s*(```|:::)\s*\{", text, re.MULTILINE), text[:300]
        assert "{glue" not in text and "`{" not in text, text[:300]
    solutions = _solutions(page)
    source = (REPO / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    assert len(solutions) == source.count("{solution}") and not any(solutions.values()), solutions


@pytest.mark.parametrize("chapter", toc_chapters())
def test_each_chapter_reads_like_the_book_in_jupyterlab(browser, student_lab, chapter):
    page, errors, served = _open(browser, student_lab, f"{chapter}.ipynb")
    _check_reads_like_the_book(page, chapter, served)
    page.close()
    assert not errors, errors


def test_run_all_keeps_the_book_s_reading_and_the_quick_test_works(browser, student_lab):
    """Run All from the top, as a student would: every cell runs, nothing raw appears, the
    solutions stay folded, and the quiz in the last output shuffles, scores and passes."""
    from cnncourse import quiz
    from test_browser import _check_scoring, _shown_order

    chapter = toc_chapters()[0]
    page, errors, served = _open(browser, student_lab, f"{chapter}.ipynb")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    form = page.locator(".jp-OutputArea-output form.course-quiz")
    form.wait_for(timeout=600_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=600_000)
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    assert prompts and all(re.fullmatch(r"\[\d+\]:", prompt.strip()) for prompt in prompts), prompts
    assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0, "a cell raised"
    _check_reads_like_the_book(page, chapter, served)

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
