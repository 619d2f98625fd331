"""nbgrader's gradebook, written by one process: the course's own (``c.CourseDirectory.db_url`` in
nbgrader_config.py, else SQLite in the course directory), or any SQLAlchemy URL by option."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

from nbgrader.api import Gradebook as NbgraderGradebook
from nbgrader.api import MissingEntry
from sqlalchemy.engine import make_url
from traitlets.config.loader import PyFileConfigLoader

from autograder.nbgrader_run import path_with_scripts


def _course_directory_config(course: Path):
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config().CourseDirectory


def course_id(course: Path) -> str:
    """The course id in the course's nbgrader_config.py (nbgrader's default when unset)."""
    return _course_directory_config(course).get("course_id", "default_course")


def default_url(course: Path) -> str:
    """The gradebook nbgrader itself uses for this course, so that both tools write the same one."""
    return _course_directory_config(course).get("db_url") or f"sqlite:///{(course / 'gradebook.db').resolve()}"


@contextlib.contextmanager
def open_gradebook(url: str, course_id: str):
    """nbgrader's Gradebook at ``url``, quietly: its own add_submission trips SQLAlchemy's harmless
    autoflush warnings, and it sets up a new database by running `alembic`, found on PATH."""
    os.environ["PATH"] = path_with_scripts()
    with warnings.catch_warnings(), NbgraderGradebook(url, course_id=course_id) as gradebook:
        warnings.simplefilter("ignore")
        yield gradebook


class GradebookError(RuntimeError):
    """The gradebook cannot take these grades (for example, it has never seen the assignment)."""


class Gradebook:
    """Writes autograding outcomes as nbgrader's own autograde would: one Grade per test cell."""

    def __init__(self, course: Path, url: str | None = None):
        self.url = url or default_url(course)
        self.course_id = course_id(course)

    def __str__(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def require(self, assignment: str) -> None:
        """Fail before any grading when the gradebook does not know the assignment's test cells."""
        with open_gradebook(self.url, self.course_id) as gradebook:
            try:
                gradebook.find_assignment(assignment)
            except MissingEntry:
                raise GradebookError(
                    f"the gradebook {self} has no assignment {assignment!r}. Release it into this gradebook "
                    f"first: set c.CourseDirectory.db_url to it in nbgrader_config.py and run "
                    f"`course-grade release {assignment}`."
                ) from None

    def record(self, assignment: str, outcome) -> None:
        with open_gradebook(self.url, self.course_id) as gradebook:
            gradebook.update_or_create_student(outcome.student)
            extra = {"timestamp": outcome.timestamp} if outcome.timestamp else {}
            gradebook.update_or_create_submission(assignment, outcome.student, **extra)
            for grade_id, cell in outcome.cells.items():
                grade = gradebook.find_grade(grade_id, assignment, assignment, outcome.student)
                grade.auto_score = cell["points"]
            gradebook.db.commit()
