"""``course-grade export``: grades out of nbgrader's gradebook as CSV.

``nbgrader`` format: nbgrader's own export columns. ``canvas`` format: Canvas' gradebook-import
layout (students matched by SIS user id, here the nbgrader student id; a "Points Possible" row).
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


def write(table: list[dict], out: Path, fmt: str) -> None:
    with open(out, "w", newline="") as stream:
        if fmt == "nbgrader":
            writer = csv.DictWriter(stream, NBGRADER_COLUMNS)
            writer.writeheader()
            writer.writerows(table)
            return
        if fmt != "canvas":
            raise ValueError(f"unknown export format {fmt!r}: use nbgrader or canvas")
        assignments = sorted({row["assignment"] for row in table})
        maxima = {row["assignment"]: row["max_score"] for row in table}
        writer = csv.writer(stream)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignments])
        writer.writerow(["Points Possible", "", "", "", "", *(maxima[a] for a in assignments)])
        by_student: dict[str, dict] = {}
        for row in table:
            by_student.setdefault(row["student_id"], {"name": f"{row['last_name']}, {row['first_name']}".strip(", ")})[row["assignment"]] = row["score"]
        for student, scores in sorted(by_student.items()):
            writer.writerow([scores["name"] or student, "", student, student, "", *(scores.get(a, 0.0) for a in assignments)])
