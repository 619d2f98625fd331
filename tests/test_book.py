"""The book builds strictly in quick mode, and every chapter's executed output is clean.

One build serves all the checks: building executes every chapter, exactly as `make book` does
but with COURSE_QUICK=1 and into a temporary folder, so the real _build/ is never touched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.masters import secret_lines
from autograder.release import release
from conftest import REPO

pytestmark = pytest.mark.slow

CHAPTERS = sorted(p.stem for p in (REPO / "chapters").glob("*.md"))
ASSIGNMENTS = sorted(p.stem for p in (REPO / "assignments" / "masters").glob("*.md"))
# What TensorFlow prints on start-up when nothing silences it.
STARTUP_NOISE = re.compile(r"oneDNN custom operations|absl::InitializeLog|cpu_feature_guard|This TensorFlow binary")


@pytest.fixture(scope="session")
def quick_build(tmp_path_factory, shared_data) -> Path:
    out = tmp_path_factory.mktemp("book")
    for assignment in ASSIGNMENTS:  # as `make book` does: the book publishes the student versions
        release(REPO / "assignments", assignment)
    env = dict(os.environ, COURSE_QUICK="1", COURSE_DATA_DIR=str(shared_data))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(REPO), "--path-output", str(out), "-W", "-n", "--keep-going"],
        env=env, capture_output=True, text=True, timeout=1800,
    )
    (out / "build.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return out / "_build"


def test_every_chapter_is_in_the_table_of_contents():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    listed = {entry["file"] for part in toc["parts"] for entry in part["chapters"]}
    assert {f"chapters/{name}" for name in CHAPTERS} <= listed


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_executes_cleanly(quick_build, chapter):
    executed = json.loads((quick_build / "jupyter_execute" / "chapters" / f"{chapter}.ipynb").read_text())
    outputs = [o for cell in executed["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    stderr = "".join("".join(o["text"]) for o in outputs if o.get("name") == "stderr")
    assert stderr == "", f"{chapter} wrote to stderr:\n{stderr[:2000]}"
    html = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    assert not STARTUP_NOISE.search(html)
    assert "Traceback" not in html


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_figures_are_in_the_page(quick_build, chapter):
    html = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
    assert images, f"{chapter} shows no figures"
    for source in images:
        assert (quick_build / "html" / "chapters" / source).resolve().is_file(), source


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_glued_number_is_filled_in(quick_build, chapter):
    source = (REPO / "chapters" / f"{chapter}.md").read_text()
    keys = set(re.findall(r"\{glue:text\}`([^`:]+)", source))
    assert keys, f"{chapter} quotes no executed numbers"
    html = (quick_build / "html" / "chapters" / f"{chapter}.html").read_text()
    assert "glue:text" not in html and "{glue" not in html


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
        found = [line for line in secrets if line in text]
        assert not found, f"{page.name} shows instructor-only lines: {found[:3]}"
    for notebook in (quick_build / "html").rglob(f"{assignment}.ipynb"):
        found = [line for line in everything if line in notebook.read_text()]
        assert not found, f"{notebook} carries instructor-only lines: {found[:3]}"


def html_text(page: Path) -> str:
    """The page's text as a reader sees it: tags removed, entities decoded."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
