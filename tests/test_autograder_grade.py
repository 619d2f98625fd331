"""course-grade grade against hostile submissions, on a small assignment of the grader's own.

Every submission answers two cells of a toy assignment (``add`` then ``mul``). The instructor's
tests give 2 points for ``add``, 1 for ``mul`` and 1 for a numpy.testing check of ``add``.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder import grade as grading
from autograder.gradebook import Gradebook
from autograder.release import release
from conftest import MASTER_HEADER, master_cell

pytestmark = pytest.mark.slow

TOY = "\n".join([
    MASTER_HEADER + "# Toy\n",
    master_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", id="add", solution=True),
    master_cell("assert add(1, 2) == 3\n### BEGIN HIDDEN TESTS\nfrom autograder.answers import answer\n"
          "_secret_case = add(20, 22)\nanswer(_secret_case, about='add(20, 22)')\n### END HIDDEN TESTS",
          id="test_add", grade=True, points=2),
    master_cell("def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n    ### END SOLUTION", id="mul", solution=True),
    master_cell("assert mul(3, 4) == 12", id="test_mul", grade=True, points=1),
    master_cell("import numpy.testing\nnumpy.testing.assert_allclose(add(0.5, 0.25), 0.75)\n"
          "numpy.testing.assert_allclose(add(2.0, 2.0), 4.0)", id="test_numpy", grade=True, points=1),
])

CORRECT_ADD, CORRECT_MUL = "def add(a, b):\n    return a + b", "def mul(a, b):\n    return a * b"

# student -> (add cell, mul cell, expected score, words expected in a reason or note)
HOSTILE = {
    "honest": (CORRECT_ADD, CORRECT_MUL, 4, ""),
    "hangs": (CORRECT_ADD, "def mul(a, b):\n    while True:\n        pass", 3, "longer than"),
    "hangs_at_top": (CORRECT_ADD, "while True:\n    pass", 3, "longer than"),
    "eats_memory": (CORRECT_ADD, "def mul(a, b):\n    return len(bytearray(8 * 2**30))", 3, "MemoryError"),
    "exits": (CORRECT_ADD, "import sys\nsys.exit(3)", 3, ""),
    "kills_kernel": (CORRECT_ADD, "import os\nos._exit(1)", 2, "kernel died"),
    "segfaults": (CORRECT_ADD, "import ctypes\nctypes.string_at(0)", 2, "kernel died"),
    "swallows_errors": ("get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)\n"
                        "def add(a, b):\n    return 0", CORRECT_MUL, 1, ""),
    "patches_numpy_testing": ("import numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None\n"
                              "def add(a, b):\n    return 0", CORRECT_MUL, 1, ""),
    "patches_builtins": ("import builtins\nclass Yes(int):\n    def __eq__(self, other):\n        return True\n"
                         "    __hash__ = int.__hash__\nbuiltins.type = lambda value: int\n"
                         "def add(a, b):\n    return Yes(0)", CORRECT_MUL, 0, "stopped responding"),
    "reads_and_writes_the_course": (
        "import pathlib\nfor name in ('gradebook.db', 'masters/toy.md', 'source/toy/toy.ipynb'):\n"
        "    try:\n        print(pathlib.Path(COURSE, name).read_text()[:50])\n    except OSError as error:\n"
        "        print('cannot read', name)\n"
        "try:\n    pathlib.Path(COURSE, 'hacked.txt').write_text('x')\nexcept OSError:\n    print('cannot write')\n"
        + CORRECT_ADD, CORRECT_MUL, 4, ""),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("toy-course")
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "toy"\n')
    (course / "masters").mkdir()
    (course / "masters" / "toy.md").write_text(TOY)
    release(course, "toy")
    return course


def _submit(course: Path, student: str, notebook) -> Path:
    target = course / "submitted" / student / "toy" / "toy.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    (target.parent / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    return target


def _answered(course: Path, add: str, mul: str):
    notebook = nbformat.read(course / "release" / "toy" / "toy.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ("add", "mul"):
            cell.source = (add if grade_id == "add" else mul).replace("COURSE", repr(str(course)))
    return notebook


LIMITS = grading.Limits(cell_seconds=10, notebook_seconds=120, memory_bytes=2 * 2**30)


@pytest.fixture(scope="module")
def graded(course):
    for student, (add, mul, _, _) in HOSTILE.items():
        _submit(course, student, _answered(course, add, mul))
    gradebook_before = (course / "gradebook.db").read_bytes()
    outcomes = grading.grade(course, "toy", Gradebook(course), workers=2, limits=LIMITS)
    return {o.student: o for o in outcomes}, gradebook_before


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_submission_earns_exactly_its_honest_points(graded, student):
    outcomes, _ = graded
    _, _, expected, words = HOSTILE[student]
    outcome = outcomes[student]
    explanation = json.dumps(outcome.cells) + " ".join(outcome.notes)
    assert outcome.score == expected, explanation
    assert words in explanation


def test_student_code_cannot_touch_the_course(graded, course):
    outcomes, _ = graded
    assert not (course / "hacked.txt").exists()
    executed = nbformat.read(course / "autograded" / "reads_and_writes_the_course" / "toy" / "toy.ipynb", 4)
    printed = "".join(o.get("text", "") for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs)
    assert printed.count("cannot read") == 3


def test_scores_land_in_nbgrader_gradebook(graded, course):
    from nbgrader.api import Gradebook as NbgraderGradebook

    outcomes, _ = graded
    with NbgraderGradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="toy") as gradebook:
        for student, outcome in outcomes.items():
            assert gradebook.find_submission("toy", student).score == outcome.score


def test_record_carries_hash_and_timestamp(graded, course):
    record = json.loads((course / "autograded" / "honest" / "toy" / "toy.grading.json").read_text())
    submitted = course / "submitted" / "honest" / "toy" / "toy.ipynb"
    import hashlib

    assert record["sha256"] == hashlib.sha256(submitted.read_bytes()).hexdigest()
    assert record["timestamp"].startswith("2026-11-20 12:00:00")


def test_rerun_grades_only_new_or_changed_work(graded, course):
    assert grading.grade(course, "toy", Gradebook(course), limits=LIMITS) == []
    _submit(course, "honest", _answered(course, "def add(a, b):\n    return a - b", CORRECT_MUL))
    # A run killed after saving a grade but before its record: that submission is graded again.
    (course / "autograded" / "exits" / "toy" / "toy.grading.json").unlink()
    again = {o.student: o.score for o in grading.grade(course, "toy", Gradebook(course), limits=LIMITS)}
    assert again == {"honest": 1, "exits": 3}


def test_broken_and_tampered_notebooks_are_graded_or_rejected_with_a_reason(course):
    answered = _answered(course, CORRECT_ADD, CORRECT_MUL)
    cases = {}
    cases["not_json"] = b"{ this is not json"
    cases["not_a_notebook"] = b'{"hello": "world"}'
    cases["nbformat_3"] = nbformat.writes(nbformat.convert(copy.deepcopy(answered), 3), version=3).encode()
    without_mul = nbformat.from_dict(json.loads(nbformat.writes(answered)))
    without_mul.cells = [c for c in without_mul.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "mul"]
    cases["deleted_cell"] = nbformat.writes(without_mul).encode()
    shuffled = nbformat.from_dict(json.loads(nbformat.writes(answered)))
    shuffled.cells = list(reversed(shuffled.cells)) + [shuffled.cells[1]]
    cases["reordered_and_duplicated"] = nbformat.writes(shuffled).encode()
    tampered = nbformat.from_dict(json.loads(nbformat.writes(_answered(course, "def add(a, b):\n    return 0", CORRECT_MUL))))
    for cell in tampered.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "pass"  # edited locked tests
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "mul":
            cell.cell_type, cell.outputs = "markdown", None  # retyped
            del cell["outputs"], cell["execution_count"]
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 3_000_000)]
    cases["tampered"] = nbformat.writes(tampered).encode()

    for student, raw in cases.items():
        path = course / "submitted" / student / "toy" / "toy.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    outcomes = {o.student: o for o in grading.grade(course, "toy", Gradebook(course), limits=LIMITS)}
    assert outcomes["not_json"].rejected and "JSON" in outcomes["not_json"].rejected
    assert outcomes["not_a_notebook"].rejected
    assert outcomes["nbformat_3"].score == 4
    assert outcomes["deleted_cell"].score == 3 and any("missing" in n for n in outcomes["deleted_cell"].notes)
    assert outcomes["reordered_and_duplicated"].score == 4
    assert any("more than once" in n for n in outcomes["reordered_and_duplicated"].notes)
    assert outcomes["tampered"].score == 0  # the restored tests fail a wrong add; mul was retyped away
    executed = (course / "autograded" / "tampered" / "toy" / "toy.ipynb").read_text()
    assert len(executed) < 1_000_000


def test_missing_bubblewrap_is_refused_loudly(course, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(grading.sandbox.SandboxUnavailable, match="bubblewrap"):
        grading.grade(course, "toy", Gradebook(course), limits=LIMITS)


def test_feedback_explains_without_showing_tests_or_solutions(graded, course):
    from autograder.feedback import feedback

    pages = {page.parent.parent.name: page.read_text() for page in feedback(course, "toy")}
    assert set(HOSTILE) <= set(pages)
    full, hangs = pages["reads_and_writes_the_course"], pages["hangs"]
    assert "4 / 4" in full and "took longer than" in hangs
    for page in pages.values():
        for secret in ("_secret_case", "BEGIN HIDDEN", "assert type(", "return a + b\n    ### END", "numpy.testing.assert_allclose(add"):
            assert secret not in page


def test_export_in_nbgrader_and_canvas_formats(graded, course, tmp_path):
    import csv

    from autograder.cli import main

    outcomes, _ = graded
    assert main(["--course", str(course), "export", "toy", "--out", str(tmp_path / "grades.csv")]) == 0
    with open(tmp_path / "grades.csv") as table:
        nbgrader_rows = {row["student_id"]: row for row in csv.DictReader(table)}
    full = nbgrader_rows["reads_and_writes_the_course"]
    assert float(full["score"]) == 4 and float(full["max_score"]) == 4
    roster = tmp_path / "canvas-roster.csv"  # students collected without a platform keep their ids
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,toy (7)\n\"    Points Possible\",,,,,4\n"
                      + "".join(f"\"{s}, A\",{s},,,S1,\n" for s in nbgrader_rows))
    assert main(["--course", str(course), "export", "toy", "--format", "canvas", "--roster", str(roster),
                 "--out", str(tmp_path / "canvas.csv")]) == 0
    lines = list(csv.reader(open(tmp_path / "canvas.csv")))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "toy (7)"]
    assert lines[1][0].strip() == "Points Possible" and lines[1][5] == "4"
    canvas = {line[1]: line for line in lines[2:]}
    assert float(canvas["kills_kernel"][5]) == 2 and float(canvas["reads_and_writes_the_course"][5]) == 4


def test_report_draws_the_distribution(graded, course, tmp_path):
    from autograder.cli import main

    assert main(["--course", str(course), "report", "toy", "--out", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "toy.png").stat().st_size > 5000
    assert "test_numpy" in (tmp_path / "report" / "toy.html").read_text()


def test_dask_cluster_grades_like_local_workers(graded, course, tmp_path):
    """The same submissions graded on an in-process Dask cluster, into a second course copy."""
    copy_course = tmp_path / "course"
    shutil.copytree(course, copy_course, ignore=shutil.ignore_patterns("autograded", "feedback"))
    students = ["honest", "exits", "swallows_errors"]
    for folder in (copy_course / "submitted").iterdir():
        if folder.name not in students:
            shutil.rmtree(folder)
    local = {s: json.loads((course / "autograded" / s / "toy" / "toy.grading.json").read_text())["score"] for s in students}
    on_dask = grading.grade(copy_course, "toy", Gradebook(copy_course), workers=2, limits=LIMITS, scheduler="local")
    assert {o.student: o.score for o in on_dask} == local


def test_each_fresh_workspace_starts_with_warm_library_caches(course, tmp_path):
    """A fresh home would make matplotlib (which Keras imports) rebuild its font list in every
    submission; the grader builds it once per run instead, and plotting still works."""
    copy_course = tmp_path / "course"
    shutil.copytree(course, copy_course, ignore=shutil.ignore_patterns("autograded", "feedback", "submitted"))
    plotting_add = ("import os, pathlib\nfont_lists = pathlib.Path(os.environ['HOME'], '.cache', 'matplotlib').glob('fontlist-*.json')\n"
                    "print('font list ready:', any(font_lists))\n"
                    "import matplotlib.pyplot as plt\nplt.plot([1, 2])\n" + CORRECT_ADD)
    _submit(copy_course, "plots", _answered(copy_course, plotting_add, CORRECT_MUL))
    (outcome,) = grading.grade(copy_course, "toy", Gradebook(copy_course), limits=LIMITS)
    assert outcome.score == 4, outcome
    executed = nbformat.read(copy_course / "autograded" / "plots" / "toy" / "toy.ipynb", 4)
    printed = "".join(o.get("text", "") for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "font list ready: True" in printed
