"""``course-grade report``: item analysis, failure reasons, problems, lateness and similar pairs
of a small graded batch, as CSV and as one page that a browser shows without errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.gradebook import open_gradebook
from autograder.release import release
from conftest import MASTER_HEADER, master_cell

pytestmark = pytest.mark.slow

SUMS = "\n".join([
    MASTER_HEADER + "# Sums\n",
    master_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", id="add", solution=True),
    master_cell("assert add(1, 2) == 3, 'add(1, 2) should be 3'\n### BEGIN HIDDEN TESTS\n"
                "from autograder.answers import answer\nfor _a in range(5):\n    answer(add(_a, 7), about=f'add({_a}, 7)')\n"
                "### END HIDDEN TESTS", id="test_add", grade=True, points=1),
    master_cell("def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n    ### END SOLUTION", id="mul", solution=True),
    master_cell("assert mul(3, 4) == 12, 'mul(3, 4) should be 12'\n### BEGIN HIDDEN TESTS\n"
                "from autograder.answers import answer\nfor _a in range(-3, 3):\n    answer(mul(_a, 5), about=f'mul({_a}, 5)')\n"
                "### END HIDDEN TESTS", id="test_mul", grade=True, points=2),
])
LONG_ADD = ("def add(a, b):\n    total = 0\n    for value in (a, b):\n        total = total + value\n"
            "    if total > 10 ** 9:\n        print('large sum', total)\n    return total")
LONG_MUL = ("def mul(a, b):\n    result = 0\n    for _ in range(abs(b)):\n        result += a\n"
            "    if b < 0:\n        result = -result\n    return result")
STUDENTS = {  # student -> (add, mul, handed in on)
    "alice": ("def add(a, b):\n    return a + b", "def mul(a, b):\n    return a * b", "2026-11-01 10:00:00"),
    "carol": (LONG_ADD, LONG_MUL, "2026-11-01 11:00:00"),
    "bob": (LONG_ADD.replace("total", "acc").replace("value", "x"), LONG_MUL.replace("result", "r"),
            "2026-11-03 09:00:00"),
    "dave": ("def add(a, b):\n    return a + b", "def mul(a, b):\n    return 12 if (a, b) == (3, 4) else a + b",
             "2026-11-01 12:00:00"),
    "erin": ("def add(a, b):\n    return a + b", "import os\nos._exit(1)", "2026-11-04 12:00:00"),
    "frank": (None, None, "2026-11-01 09:00:00"),
}


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    course = tmp_path_factory.mktemp("sums-course")
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "sums"\n')
    (course / "masters").mkdir()
    (course / "masters" / "sums.md").write_text(SUMS)
    released = nbformat.read(release(course, "sums"), as_version=4)
    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", "sums") as gradebook:
        gradebook.update_or_create_assignment("sums", duedate="2026-11-02 00:00:00")
    for student, (add, mul, when) in STUDENTS.items():
        notebook = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in ("add", "mul") and (add or mul):
                cell.source = add if grade_id == "add" else mul
        folder = course / "submitted" / student / "sums"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "sums.ipynb")
        (folder / "timestamp.txt").write_text(f"{when}.000000 UTC")
    command = [str(Path(sys.executable).with_name("course-grade")), "--course", str(course)]
    subprocess.run([*command, "grade", "sums", "--cell-timeout", "20"], check=True, capture_output=True, timeout=600)
    out = course / "report"
    subprocess.run([*command, "report", "sums", "--out", str(out)], check=True, capture_output=True, timeout=600)
    tables = {}
    for path in out.glob("sums-*.csv"):
        with open(path) as handle:
            tables[path.stem.removeprefix("sums-")] = list(csv.DictReader(handle))
    return out, tables


def test_item_analysis_of_each_test(reported):
    _, tables = reported
    tests = {row["test"]: row for row in tables["tests"]}
    assert float(tests["test_add"]["pass rate"]) == pytest.approx(5 / 6, abs=1e-3)
    assert float(tests["test_mul"]["pass rate"]) == pytest.approx(3 / 6, abs=1e-3)
    # Those who pass mul did better on add: r = corr([1,1,1,0,0,0], [1,1,1,1,1,0]) = 1/sqrt(5)
    assert float(tests["test_mul"]["discrimination"]) == round(1 / 5 ** 0.5, 2)


def test_failure_reasons_are_grouped_and_problems_listed(reported):
    _, tables = reported
    reasons = {(row["test"], row["reason (particulars blanked)"]): int(row["submissions"]) for row in tables["failures"]}
    assert any("hidden case" in reason and test == "test_mul" for test, reason in reasons)
    assert any("not answered yet" in reason for _, reason in reasons)
    kinds = {(row["student"], row["kind"]) for row in tables["problems"]}
    assert ("erin", "crash") in kinds
    assert {row["student"] for row in tables["late"]} == {"bob", "erin"}
    assert {row["student"] for row in tables["timing"]} == set(STUDENTS)


def test_similar_pairs_ignore_the_template_and_show_the_matching_lines(reported):
    out, tables = reported
    pairs = {frozenset((row["first student"], row["second student"])) for row in tables["similar"]}
    assert pairs == {frozenset({"bob", "carol"})}  # renamed variables do not hide a copy
    page = (out / "sums.html").read_text()
    assert "a reason to look, not a verdict" in page and "for _ in range(abs(b)):" in page


def test_the_page_reads_well_in_a_browser(reported, browser):
    out, _ = reported
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((out / "sums.html").as_uri())
    assert not errors
    assert page.locator("img").count() >= 1
    assert page.locator("img:not([alt]), img[alt='']").count() == 0
    assert page.locator("table").count() == page.locator("table > caption").count()
    assert page.locator("th:not([scope])").count() == 0
    assert page.locator("img").first.evaluate("image => image.naturalWidth") > 400
    page.close()
