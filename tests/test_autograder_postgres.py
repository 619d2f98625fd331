"""course-grade on a gradebook in a real PostgreSQL server, which this module starts and stops.

The server runs from a throw-away data folder, listens on a Unix socket only, and is skipped
(with the reason) where PostgreSQL's server programs are not installed.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook as NbgraderGradebook

from bench.postgres import Unavailable, postgres_server
from test_autograder_grade import CORRECT_ADD, CORRECT_MUL, TOY, _answered, _submit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres():
    """A running server; yields a function giving the URL of a new, empty database."""
    pytest.importorskip("psycopg")
    try:
        with postgres_server() as new_database:
            yield new_database
    except Unavailable as reason:
        pytest.skip(str(reason))


def _course_grade(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", "--course", str(course), *args],
                          capture_output=True, text=True, timeout=600)


def test_release_grade_and_export_through_postgresql(postgres, tmp_path):
    url = postgres("gradebook")
    course = tmp_path / "course"
    (course / "masters").mkdir(parents=True)
    (course / "masters" / "toy.md").write_text(TOY)
    # The course's own setting: nbgrader (release) and course-grade then share this gradebook.
    (course / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "toy"\nc.CourseDirectory.db_url = {url!r}\n')
    assert _course_grade(course, "release", "toy").returncode == 0
    _submit(course, "full_marks", _answered(course, CORRECT_ADD, CORRECT_MUL))
    _submit(course, "no_mul", _answered(course, CORRECT_ADD, "def mul(a, b):\n    return 0"))

    graded = _course_grade(course, "grade", "toy", "--cell-timeout", "20")
    assert graded.returncode == 0, graded.stderr
    assert not (course / "gradebook.db").exists()  # nothing went to the SQLite default
    with NbgraderGradebook(url, course_id="toy") as gradebook:
        scores = {s.student.id: s.score for s in gradebook.find_assignment("toy").submissions}
    assert scores == {"full_marks": 4.0, "no_mul": 3.0}

    exported = _course_grade(course, "export", "toy", "--out", str(tmp_path / "grades.csv"))
    assert exported.returncode == 0, exported.stderr
    with open(tmp_path / "grades.csv", newline="") as table:
        assert {row["student_id"]: float(row["score"]) for row in csv.DictReader(table)} == scores


def test_a_gradebook_without_the_assignment_is_refused_before_grading(postgres, tmp_path):
    course = tmp_path / "course"
    (course / "masters").mkdir(parents=True)
    (course / "masters" / "toy.md").write_text(TOY)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "toy"\n')
    assert _course_grade(course, "release", "toy").returncode == 0  # into the SQLite gradebook
    _submit(course, "someone", _answered(course, CORRECT_ADD, CORRECT_MUL))

    empty = postgres("empty")
    refused = _course_grade(course, "grade", "toy", "--db", empty)
    assert refused.returncode == 1
    assert "has no assignment 'toy'" in refused.stderr and "db_url" in refused.stderr
    assert not (course / "autograded").exists()
