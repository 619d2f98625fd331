"""A student checks their work in JupyterLab before submitting: the released conv_arithmetic
notebook opened in a real JupyterLab in headless Chromium, one question answered, the notebook
saved, and the last cell's check() run; its report must show that answer's visible test passing
and the others still waiting. A screenshot lands beside the book's (``$BOOK_SCREENSHOTS``).
"""

from __future__ import annotations

import shutil
import urllib.request

import pytest

from autograder.release import release
from conftest import REPO
from lab import running_lab
from test_browser import SCREENSHOTS

pytestmark = pytest.mark.slow

# Task 1 on one line (the editor would indent a second one): one layer along one axis, then the stack.
ANSWER = ('step = lambda l: l.get("stride", l["kernel"] if l["type"] == "pool" else 1); '
          'one = lambda n, l: -(-n // step(l)) if l.get("padding") == "same" else '
          '(n + 2 * (0 if l.get("padding", "valid") == "valid" else l["padding"]) - l.get("dilation", 1) * (l["kernel"] - 1) - 1) '
          '// step(l) + 1; '
          'output_shape = lambda shape, layers: tuple(shape) if not layers else output_shape('
          '(one(shape[0], layers[0]), one(shape[1], layers[0]), layers[0].get("filters", shape[2])), layers[1:])')


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab serving a folder with the released notebook, on 127.0.0.1; yields its URL."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(REPO / "assignments" / "masters", course / "masters")
    student = tmp_path / "student"
    student.mkdir()
    shutil.copy(release(course, "conv_arithmetic"), student)
    with running_lab(student, tmp_path) as (url, token):
        yield f"{url}/lab/tree/conv_arithmetic.ipynb?token={token}", student


def _cell(page, text: str):
    return page.locator(".jp-Cell", has_text=text).first


def _run(page, cell) -> None:
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def test_a_student_validates_in_jupyterlab(browser, jupyterlab):
    url, student = jupyterlab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=60_000)

    answer = _cell(page, "def spatial_size(size, kernel")
    answer.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(ANSWER)
    _run(page, _cell(page, "Your tools (run this cell once)"))
    page.keyboard.press("Control+S")
    page.wait_for_timeout(1500)
    assert "output_shape = lambda" in (student / "conv_arithmetic.ipynb").read_text()

    check = page.locator(".jp-Cell", has=page.locator(".jp-InputArea-editor", has_text="check()")).last
    _run(page, check)
    report = check.locator(".jp-OutputArea-output", has_text="visible tests")
    report.wait_for(timeout=180_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    check.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab-validate.png"))
    text = report.inner_text()
    assert "pass  test_output_shape" in text, text
    assert "FAIL  test_params" in text and "not answered yet" in text, text
    assert "3 of 10 points" in text, text
    page.close()


def test_students_lab_opens_chapters_as_notebooks_without_instructor_menus(browser, jupyterlab):
    """jupyterlab/, which `make setup` (lab-settings) and Binder install, gives JupyterLab the
    students' view: a MyST .md chapter opens in jupytext's notebook viewer, and nbgrader's
    instructor menus and formgrader are gone (its validate button stays)."""
    import json
    import re

    url, _ = jupyterlab
    base, token = url.split("/lab/")[0], url.split("token=")[1]
    settings = json.load(urllib.request.urlopen(
        f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin?token={token}", timeout=30))
    # overrides.json changes the defaults, which the server folds into the setting's schema.
    viewers = settings["schema"]["properties"]["defaultViewers"].get("default", {})
    assert viewers.get("markdown") == "Jupytext Notebook", viewers
    page_html = urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30).read().decode()
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page_html, re.S).group(1))
    disabled = config.get("disabledExtensions", [])
    if isinstance(disabled, dict):  # {"plugin": true}: only the true ones are off
        disabled = [plugin for plugin, off in disabled.items() if off]
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:menu"):
        assert plugin in disabled, f"{plugin} is enabled"
    try:
        status = urllib.request.urlopen(f"{base}/formgrader?token={token}", timeout=30).status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 404, "the formgrader answers in the students' JupyterLab"

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    page.close()
    assert "File" in menus and not [m for m in menus if "nbgrader" in m.lower()], menus
