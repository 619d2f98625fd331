"""nbgrader's gradebook, written by one process: the course's own (``c.CourseDirectory.db_url`` in
nbgrader_config.py, else SQLite in the course directory), or any SQLAlchemy URL by option."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook as NbgraderGradebook
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.engine import make_url
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.nbgrader_run import path_with_scripts


def course_config(course: Path):
    """The course's nbgrader configuration (empty where it has no nbgrader_config.py)."""
    if not (course / "nbgrader_config.py").is_file():
        return Config()
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def _course_directory_config(course: Path):
    return course_config(course).CourseDirectory


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
        self.config = course_config(course)

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

    def skeleton(self, course: Path, assignment: str, notebook: str) -> nbformat.NotebookNode:
        """What nbgrader grades a notebook against: the source notebook, with every cell the
        gradebook recorded at release (locked cells, tests with autotests expanded) as recorded
        there, and each answer cell's release checksum (which tells an untouched answer)."""
        source = nbformat.read(course / "source" / assignment / notebook, as_version=4)
        stem = Path(notebook).stem
        with open_gradebook(self.url, self.course_id) as gradebook:
            try:
                gradebook.find_notebook(stem, assignment)
            except MissingEntry:
                raise GradebookError(f"the gradebook {self} has no notebook {stem!r} in {assignment!r}: "
                                     f"run `course-grade release {assignment}` again") from None
            for cell in source.cells:
                info = cell.metadata.get("nbgrader", {})
                if "grade_id" not in info:
                    continue
                try:
                    recorded = gradebook.find_source_cell(info["grade_id"], stem, assignment)
                except MissingEntry:
                    continue
                if recorded.locked and not info.get("solution"):
                    cell.source = recorded.source
                if recorded.checksum:
                    info["checksum"] = recorded.checksum
        return source

    def recorded(self, assignment: str) -> dict[tuple[str, str], dict[str, float]]:
        """(student, notebook) -> {grade_id: auto_score} as the gradebook holds them now."""
        return self._scores(assignment, "auto_score")

    def manual_scores(self, assignment: str) -> dict[tuple[str, str], dict[str, float]]:
        """(student, notebook) -> {grade_id: points a person gave}."""
        return self._scores(assignment, "manual_score")

    def lateness(self, assignment: str) -> dict[str, float]:
        """student -> seconds late, by the due date in the gradebook."""
        with open_gradebook(self.url, self.course_id) as gradebook:
            return {submission.student.id: float(submission.total_seconds_late or 0)
                    for submission in gradebook.find_assignment(assignment).submissions}

    def _scores(self, assignment: str, kind: str) -> dict[tuple[str, str], dict[str, float]]:
        found: dict[tuple[str, str], dict[str, float]] = {}
        with open_gradebook(self.url, self.course_id) as gradebook:
            for submission in gradebook.find_assignment(assignment).submissions:
                for notebook in submission.notebooks:
                    found[(submission.student.id, notebook.name)] = {
                        grade.name: getattr(grade, kind) for grade in notebook.grades if getattr(grade, kind) is not None}
        return found

    def add_students(self, students: list[dict]) -> None:
        """Students as a roster gives them (id, first_name, last_name, email, lms_user_id); names
        already in the gradebook are kept where the roster has none."""
        with open_gradebook(self.url, self.course_id) as gradebook:
            for student in students:
                fields = {key: value for key, value in student.items() if key != "id" and value}
                gradebook.update_or_create_student(student["id"], **fields)

    def record(self, assignment: str, outcome) -> None:
        """One notebook's autograded scores, as nbgrader's autograde saves them: a manual score
        already given stays, and such a cell is marked for review again; then the configured late
        penalty, by nbgrader's own plugin."""
        stem = Path(outcome.notebook).stem
        with open_gradebook(self.url, self.course_id) as gradebook:
            gradebook.update_or_create_student(outcome.student)
            extra = {"timestamp": outcome.timestamp} if outcome.timestamp else {}
            gradebook.update_or_create_submission(assignment, outcome.student, **extra)
            for grade_id, cell in outcome.cells.items():
                try:
                    grade = gradebook.find_grade(grade_id, stem, assignment, outcome.student)
                except MissingEntry:
                    continue  # a task cell the gradebook keeps elsewhere, or a cell it never saw
                grade.auto_score = cell["points"]
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            gradebook.db.commit()
        self._late_penalty(assignment, outcome.student, stem)

    def _late_penalty(self, assignment: str, student: str, notebook: str) -> None:
        penalties = AssignLatePenalties(config=self.config)
        resources = {"nbgrader": {"notebook": notebook, "assignment": assignment, "student": student,
                                  "db_url": self.url}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            penalties.preprocess(nbformat.v4.new_notebook(), resources)
