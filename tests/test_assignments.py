"""Each assignment through the real nbgrader: release, submit, autograde, export.

The instructor's solution must score full marks, the untouched release zero, and each
hand-written submission exactly the points it deserves; nothing secret may reach the release.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from assignment_submissions import SUBMISSIONS
from autograder.masters import read_master, master_path, secret_lines
from autograder.nbgrader_run import nbgrader
from autograder.release import leaks, release
from conftest import REPO

pytestmark = pytest.mark.slow
ASSIGNMENTS = sorted(SUBMISSIONS)


def _max_score(course: Path, assignment: str) -> float:
    cells = read_master(master_path(course, assignment)).cells
    return sum(c.metadata["nbgrader"].get("points", 0) for c in cells if c.metadata.get("nbgrader", {}).get("grade"))


def _submit(course: Path, assignment: str, student: str, notebook) -> None:
    target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    (target.parent / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")


def _with_answers(released, answers: dict[str, str]):
    notebook = nbformat.from_dict(json.loads(json.dumps(released)))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id].strip()
    return notebook


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    """A private course directory with one assignment released, submitted by every case, graded."""
    assignment = request.param
    course = tmp_path_factory.mktemp(assignment)
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(REPO / "assignments" / "masters", course / "masters")
    released_path = release(course, assignment)
    released = nbformat.read(released_path, as_version=4)

    _submit(course, assignment, "instructor", nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", 4))
    _submit(course, assignment, "untouched", released)
    for student, (answers, _) in SUBMISSIONS[assignment].items():
        _submit(course, assignment, student, _with_answers(released, answers))

    nbgrader(course, "autograde", assignment, "--force")
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv") as table:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(table) if row["assignment"] == assignment}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        per_cell = {
            student: {g.name: g.score for g in gradebook.find_submission_notebook(assignment, assignment, student).grades}
            for student in scores
        }
    return assignment, course, scores, per_cell


def test_instructor_solution_scores_full_marks(graded):
    assignment, course, scores, per_cell = graded
    assert scores["instructor"] == _max_score(course, assignment), per_cell["instructor"]


def test_untouched_release_scores_zero(graded):
    _, _, scores, per_cell = graded
    assert scores["untouched"] == 0, per_cell["untouched"]


def test_each_submission_scores_what_it_deserves(graded):
    assignment, _, scores, per_cell = graded
    for student, (_, expected) in SUBMISSIONS[assignment].items():
        assert scores[student] == expected, f"{student}: {scores[student]} instead of {expected}: {per_cell[student]}"


def test_release_holds_the_notebook_and_nothing_secret(graded):
    assignment, course, _, _ = graded
    released = course / "release" / assignment
    assert [p.name for p in released.rglob("*") if p.is_file()] == [f"{assignment}.ipynb"]
    secrets = secret_lines(course, assignment)
    assert secrets, "the master should have solution and hidden-test lines to look for"
    assert leaks(released, secrets) == []


def test_every_assignment_has_hidden_tests_and_partial_credit():
    for assignment in ASSIGNMENTS:
        cells = read_master(master_path(REPO / "assignments", assignment)).cells
        graded_cells = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert len(graded_cells) >= 3, assignment
        assert all("### BEGIN HIDDEN TESTS" in c.source for c in graded_cells), assignment
        assert len(SUBMISSIONS[assignment]) >= 3
