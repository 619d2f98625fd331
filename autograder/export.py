"""``course-grade export``: grades out of nbgrader's gradebook as CSV.

``nbgrader`` format: nbgrader's own export columns. ``canvas`` and ``moodle``: the platform's own
import file, written from the roster it exported (``autograder.platforms``): Canvas's gradebook
import with the roster's leading columns and one assignment column, Moodle's grading worksheet
with ``Grade`` scaled to its maximum and the points per test as the feedback comment.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.gradebook import open_gradebook

NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                    "raw_score", "late_submission_penalty", "score", "max_score"]


def rows(url: str, course_id: str, assignments: list[str] | None = None) -> list[dict]:
    """One row per (assignment, student); a student without a submission scores 0."""
    table = []
    with open_gradebook(url, course_id) as gradebook:
        for assignment in gradebook.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for student in gradebook.students:
                row = {"assignment": assignment.name, "duedate": assignment.duedate or "", "timestamp": "",
                       "student_id": student.id, "last_name": student.last_name or "",
                       "first_name": student.first_name or "", "email": student.email or "",
                       "raw_score": 0.0, "late_submission_penalty": 0.0, "score": 0.0, "max_score": assignment.max_score}
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except Exception:  # nbgrader's MissingEntry: no submission
                    table.append(row)
                    continue
                penalty = submission.late_submission_penalty or 0.0
                row.update(timestamp=submission.timestamp or "", raw_score=submission.score,
                           late_submission_penalty=penalty, score=max(0.0, submission.score - penalty))
                table.append(row)
    return table


def write(table: list[dict], out: Path) -> None:
    """nbgrader's own export columns."""
    with open(out, "w", newline="") as stream:
        writer = csv.DictWriter(stream, NBGRADER_COLUMNS)
        writer.writeheader()
        writer.writerows(table)


def write_for_platform(table: list[dict], out: Path, fmt: str, course: Path, assignment: str | None,
                       roster: Path | None, column: str | None = None) -> int:
    """The platform's import file for one assignment; returns how many students it scores."""
    from autograder.grade import records
    from autograder.platforms import PLATFORMS, PlatformError
    from autograder.platforms.common import IdMap

    module = PLATFORMS[fmt]
    if roster is None:
        raise PlatformError(f"--format {fmt} writes the platform's own file from its roster: give --roster, "
                            f"the file from {module.ROSTER_HELP}")
    if assignment is None:
        raise PlatformError(f"--format {fmt} fills one assignment's column: name the assignment")
    ids = IdMap(course)
    rows_here = {ids.platform_id(row["student_id"]): row for row in table if row["assignment"] == assignment}
    if fmt == "canvas":
        return module.write_grades(roster, assignment, column, {who: row["score"] for who, row in rows_here.items()}, out)
    comments = {}
    for record in records(course, assignment):
        parts = [f"{grade_id} {'to be graded' if cell['points'] is None else format(cell['points'], 'g')}"
                 f"/{cell['max_points']:g}" for grade_id, cell in record["cells"].items()]
        comments[ids.platform_id(record["student"])] = "; ".join(parts)
    scores = {who: (row["score"], row["max_score"]) for who, row in rows_here.items()}
    return module.write_grades(roster, scores, comments, out)
