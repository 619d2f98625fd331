"""An existing nbgrader course graded as it is: nbgrader's own example course
(``../shared/nbgrader-example-course``), untouched, through ``course-grade`` and through plain
nbgrader, with the same results: per-cell autograded points, the cells left for a person, the
export's columns and totals, and autotests expanded as nbgrader expands them.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.gradebook import open_gradebook
from autograder.nbgrader_run import nbgrader
from conftest import REPO

pytestmark = pytest.mark.slow
EXAMPLE = REPO.parent / "shared" / "nbgrader-example-course"
COURSE_GRADE = str(Path(sys.executable).with_name("course-grade"))


def _course_copy(tmp_path: Path, name: str) -> Path:
    if not EXAMPLE.is_dir():
        pytest.skip(f"nbgrader's example course is not at {EXAMPLE}")
    course = tmp_path / name
    shutil.copytree(EXAMPLE, course)
    for path in [course, *course.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # the shared copy is read-only
    return course


def _course_grade(course: Path, *args: str) -> str:
    result = subprocess.run([COURSE_GRADE, "--course", str(course), *args], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _grades(course: Path, assignment: str) -> dict:
    """(student, notebook, cell) -> (autograded points, needs a person) from the course's gradebook."""
    found = {}
    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", "default_course") as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    found[(submission.student.id, notebook.name, grade.name)] = (grade.auto_score, grade.needs_manual_grade)
    return found


def _submit_as(course: Path, source_assignment: str, assignment: str, student: str, folder: Path) -> None:
    target = course / "submitted" / student / assignment
    shutil.copytree(folder, target)
    (target / "timestamp.txt").write_text("2015-02-02 12:00:00.000000 UTC")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """ps1 graded by nbgrader in one copy of the course and by course-grade in another; for
    ps1_autotest, the untouched release and the instructor's solution submitted to both."""
    root = tmp_path_factory.mktemp("example")
    ours, theirs = _course_copy(root, "course-grade"), _course_copy(root, "nbgrader")
    nbgrader(theirs, "generate_assignment", "ps1_autotest", "--force")
    _course_grade(ours, "release", "ps1_autotest")
    for course in (ours, theirs):
        _submit_as(course, "ps1_autotest", "ps1_autotest", "blank", course / "release" / "ps1_autotest")
        _submit_as(course, "ps1_autotest", "ps1_autotest", "instructor", course / "source" / "ps1_autotest")
    nbgrader(theirs, "generate_assignment", "ps1", "--force")
    for assignment in ("ps1", "ps1_autotest"):
        nbgrader(theirs, "autograde", assignment, "--force")
    _course_grade(ours, "release", "ps1")
    for assignment in ("ps1", "ps1_autotest"):
        _course_grade(ours, "grade", assignment, "--workers", "2")
    return ours, theirs


@pytest.mark.parametrize("assignment", ["ps1", "ps1_autotest"])
def test_same_autograded_points_and_manual_cells_as_nbgrader(both, assignment):
    ours, theirs = both
    assert _grades(ours, assignment) == _grades(theirs, assignment)


def test_autotests_are_expanded_so_a_blank_notebook_scores_zero(both):
    ours, _ = both
    grades = _grades(ours, "ps1_autotest")
    blank = [points for (student, _, _), (points, _) in grades.items() if student == "blank" and points is not None]
    solved = [points for (student, _, _), (points, _) in grades.items() if student == "instructor" and points]
    assert blank and sum(blank) == 0 and sum(solved) > 0


def test_totals_and_export_match_nbgrader(both, tmp_path):
    ours, theirs = both
    _course_grade(ours, "export", "ps1", "--out", str(tmp_path / "ours.csv"))
    nbgrader(theirs, "export", "--to", str(tmp_path / "theirs.csv"))
    with open(tmp_path / "ours.csv") as table:
        our_rows = list(csv.DictReader(table))
    with open(tmp_path / "theirs.csv") as table:
        their_rows = [row for row in csv.DictReader(table) if row["assignment"] == "ps1"]
    with open(EXAMPLE / "grades.csv") as table:
        documented = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(table)}
    assert list(our_rows[0]) == list(their_rows[0])  # nbgrader's columns, in its order
    key = lambda row: row["student_id"]  # noqa: E731
    for mine, nbgraders in zip(sorted(our_rows, key=key), sorted(their_rows, key=key)):
        assert mine == nbgraders
    assert {row["student_id"]: float(row["raw_score"]) for row in our_rows if row["student_id"] in documented} == documented
    for row in our_rows:  # the maxima agree: grading records, gradebook and export
        recorded = [json.loads(p.read_text()) for p in ours.glob(f"autograded/{row['student_id']}/ps1/*.grading.json")]
        if recorded:  # students of the other assignment have an export row for ps1 but no records
            assert sum(record["max_score"] for record in recorded) == float(row["max_score"])


def test_supporting_files_are_released_and_present_when_graded(both):
    ours, _ = both
    assert (ours / "release" / "ps1" / "jupyter.png").read_bytes() == (ours / "source" / "ps1" / "jupyter.png").read_bytes()
    notes = json.loads((ours / "autograded" / "hacker" / "ps1" / "problem2.grading.json").read_text())["notes"]
    assert not any("jupyter.png" in note for note in notes)


def test_manual_points_reach_export_and_feedback_and_survive_a_regrade(both, tmp_path):
    ours, _ = both
    course = tmp_path / "manual"
    shutil.copytree(ours, course)
    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", "default_course") as gradebook:
        grade = gradebook.find_grade("part-a", "problem2", "ps1", "hacker")  # as the formgrader saves it
        grade.manual_score = 1.0
        gradebook.db.commit()
    _course_grade(course, "grade", "ps1")
    _course_grade(course, "export", "ps1", "--out", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv") as table:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(table)}
    assert scores["hacker"] == 4.0
    _course_grade(course, "feedback", "ps1")
    page = (course / "feedback" / "hacker" / "ps1" / "problem2.html").read_text()
    assert "graded by a person" in page and "<td>1 / 1</td>" in page


def test_a_changed_source_or_gradebook_is_graded_again(both, tmp_path):
    ours, _ = both
    course = tmp_path / "changed"
    shutil.copytree(ours, course)
    assert "graded 0 new or changed" in _course_grade(course, "grade", "ps1")
    (course / "gradebook.db").unlink()
    _course_grade(course, "release", "ps1")
    assert "graded 4 new or changed" in _course_grade(course, "grade", "ps1")
    problem1 = course / "source" / "ps1" / "problem1.ipynb"
    problem1.write_text(problem1.read_text().replace("squares(10)", "squares(11)"))
    _course_grade(course, "release", "ps1")
    assert "graded 2 new or changed" in _course_grade(course, "grade", "ps1")


def test_late_submissions_get_the_configured_penalty(both, tmp_path):
    ours, _ = both
    course = tmp_path / "late"
    shutil.copytree(ours, course)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", "default_course") as gradebook:
        gradebook.update_or_create_assignment("ps1", duedate="2015-02-02 00:00:00")
    for record in course.glob("autograded/*/ps1/*.grading.json"):
        record.unlink()  # graded again, now against a due date
    _course_grade(course, "grade", "ps1")
    _course_grade(course, "export", "ps1", "--out", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv") as table:
        rows = {row["student_id"]: row for row in csv.DictReader(table)}
    assert float(rows["bitdiddle"]["late_submission_penalty"]) == 1.5 and float(rows["bitdiddle"]["score"]) == 0
    assert float(rows["hacker"]["late_submission_penalty"]) == 0 and float(rows["hacker"]["score"]) == 3.0
