"""Fair grading of the course's assignments: correct work in other styles earns full marks, and
each plausible mistake loses the points of the test it breaks, with a message that says why.

Every assignment is released into a private course directory, submitted by every case of
``fairness_cases`` (one module per assignment; plus the instructor's solution and the untouched release), and graded
once, in parallel, by ``course-grade grade`` itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.masters import master_path, read_master, secret_lines
from autograder.release import leaks, release
from conftest import REPO, disagreements, validate_batch
from fairness_cases import CASES, Case

pytestmark = pytest.mark.slow
ASSIGNMENTS = sorted(CASES)


def _submission(released, solutions: dict[str, str], case: Case):
    notebook = nbformat.from_dict(json.loads(json.dumps(released)))
    cells = []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in case.added:
            cells.append(nbformat.v4.new_code_cell(case.added[grade_id].strip()))
        if grade_id in solutions:
            cell.source = case.answers.get(grade_id, solutions[grade_id]).strip()
        cells.append(cell)
    notebook.cells = cells
    return notebook


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    """assignment, course directory, {student: grading record}."""
    assignment = request.param
    course = tmp_path_factory.mktemp(assignment)
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(REPO / "assignments" / "masters", course / "masters")
    released = nbformat.read(release(course, assignment), as_version=4)
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    submissions = {"instructor": source, "untouched": released}
    submissions.update({name: _submission(released, solutions, case) for name, case in CASES[assignment].items()})
    for student, notebook in submissions.items():
        target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
        (target.parent / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    command = [str(Path(sys.executable).with_name("course-grade")), "--course", str(course), "grade", assignment,
               "--workers", "2", "--cell-timeout", "300"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3000, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    records = {student: json.loads((course / "autograded" / student / assignment / f"{assignment}.grading.json").read_text())
               for student in submissions}
    validations = validate_batch(sorted(course.glob(f"submitted/*/{assignment}/{assignment}.ipynb")),
                                 course / "release" / assignment / f"{assignment}.ipynb", ["--cell-timeout", "300"])
    return assignment, course, records, validations


def _failed(record: dict) -> dict[str, str]:
    return {grade_id: cell["reason"] for grade_id, cell in record["cells"].items() if not cell["passed"]}


def test_instructor_full_marks_and_untouched_zero(graded):
    _, _, records, _ = graded
    assert records["instructor"]["score"] == records["instructor"]["max_score"], _failed(records["instructor"])
    assert records["untouched"]["score"] == 0
    assert all("not answered yet" in reason for reason in _failed(records["untouched"]).values())


def test_correct_work_in_other_styles_earns_full_marks(graded):
    assignment, _, records, _ = graded
    unfair = {name: _failed(records[name]) for name, case in CASES[assignment].items()
              if not case.fails and _failed(records[name])}
    assert not unfair


def test_each_mistake_loses_the_points_of_the_test_it_breaks(graded):
    assignment, _, records, _ = graded
    problems = {}
    for name, case in CASES[assignment].items():
        if not case.fails:
            continue
        failed = _failed(records[name])
        if set(failed) != case.fails:
            problems[name] = f"failed {sorted(failed)}, expected {sorted(case.fails)}: {failed}"
        elif not all(case.words in reason for reason in failed.values()):
            problems[name] = f"no {case.words!r} in {failed}"
    assert not problems


def test_every_failure_says_why(graded):
    _, _, records, _ = graded
    silent = {(student, grade_id): reason for student, record in records.items()
              for grade_id, reason in _failed(record).items()
              if len(reason.split(":", 1)[-1].strip()) < 10}
    assert not silent


def test_suite_has_enough_cases_of_each_kind():
    for assignment, cases in CASES.items():
        assert sum(not c.fails for c in cases.values()) >= 8, assignment
        assert sum(bool(c.fails) for c in cases.values()) >= 8, assignment


def test_release_holds_the_notebook_and_nothing_secret(graded):
    assignment, course, _, _ = graded
    released = course / "release" / assignment
    assert [p.name for p in released.rglob("*") if p.is_file()] == [f"{assignment}.ipynb"]
    secrets = secret_lines(course, assignment)
    assert secrets, "the master should have solution and hidden-test lines to look for"
    assert leaks(released, secrets) == []
    # The judge's checks reach neither the sandbox (the source notebook) nor the students.
    judge_lines = [line for cell in read_master(master_path(course, assignment)).cells
                   if "judge" in cell.metadata.get("tags", []) for line in cell.source.splitlines()
                   if line.startswith("def ")]
    assert judge_lines, "each assignment has judge checks"
    for notebook in (released / f"{assignment}.ipynb", course / "source" / assignment / f"{assignment}.ipynb"):
        text = notebook.read_text()
        assert not [line for line in judge_lines if json.dumps(line)[1:-1] in text], notebook


def test_every_graded_cell_has_hidden_tests_for_the_judge():
    for assignment in ASSIGNMENTS:
        cells = read_master(master_path(REPO / "assignments", assignment)).cells
        graded_cells = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert len(graded_cells) >= 3, assignment
        for cell in graded_cells:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[-1]
            assert "### BEGIN HIDDEN TESTS" in cell.source and "_answer(" in hidden, (assignment, cell.metadata)


def test_validate_agrees_with_the_grader_on_every_visible_test(graded):
    _, _, records, validations = graded
    assert not disagreements(records, validations)
