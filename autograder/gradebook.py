"""nbgrader's gradebook, written by one process: SQLite by default, any SQLAlchemy URL by option."""

from __future__ import annotations

import warnings
from pathlib import Path

from nbgrader.api import Gradebook as NbgraderGradebook
from traitlets.config.loader import PyFileConfigLoader


def course_id(course: Path) -> str:
    """The course id in the course's nbgrader_config.py (nbgrader's default when unset)."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return config.CourseDirectory.get("course_id", "default_course")


class Gradebook:
    """Writes autograding outcomes as nbgrader's own autograde would: one Grade per test cell."""

    def __init__(self, course: Path, url: str | None = None):
        self.url = url or f"sqlite:///{(course / 'gradebook.db').resolve()}"
        self.course_id = course_id(course)

    def record(self, assignment: str, outcome) -> None:
        with warnings.catch_warnings(), NbgraderGradebook(self.url, course_id=self.course_id) as gradebook:
            # nbgrader's own add_submission trips SQLAlchemy's autoflush warnings; they are harmless.
            warnings.simplefilter("ignore")
            gradebook.update_or_create_student(outcome.student)
            extra = {"timestamp": outcome.timestamp} if outcome.timestamp else {}
            gradebook.update_or_create_submission(assignment, outcome.student, **extra)
            for grade_id, cell in outcome.cells.items():
                grade = gradebook.find_grade(grade_id, assignment, assignment, outcome.student)
                grade.auto_score = cell["points"]
            gradebook.db.commit()
