"""The reference answers: what the instructor's solution answers in every hidden test.

They come from running the source notebook (solutions in place) through the same sandbox and
runner as a submission, so both see the same libraries and numerics, in a run that contains no
student code. They are kept in ``<course>/.course-grade/<assignment>/reference.json`` beside the
SHA-256 of the source notebook they came from, and computed again whenever it changes. The file
lies in the course directory, which no sandbox can see.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat

from autograder import judge
from autograder.execute import Limits, execute


class ReferenceError(RuntimeError):
    """The instructor's own solution fails a test: no submission can be judged against it."""


def source_path(course: Path, assignment: str) -> Path:
    return course / "source" / assignment / f"{assignment}.ipynb"


def reference(course: Path, assignment: str, limits: Limits, home_template: Path | None = None,
              checks: dict | None = None) -> dict[str, list[judge.Answer]]:
    """grade_id -> the reference answers of that test cell (an empty list: an assert-style test).
    Each check function the answers name must accept the solution's own answers."""
    source = source_path(course, assignment)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    cache = course / ".course-grade" / assignment / "reference.json"
    try:
        stored = json.loads(cache.read_text())
        if stored["source_sha256"] == digest:
            return {grade_id: judge.parse(text) for grade_id, text in stored["answers"].items()}
    except (OSError, ValueError, KeyError, judge.Malformed):
        pass  # none yet, or stale: compute it

    notebook = nbformat.read(source, as_version=4)
    evidence = execute(notebook, source.name, limits, home_template)
    answers, failures = {}, []
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade") or cell.cell_type != "code":
            continue
        report = evidence.cells.get(index)
        if report is None or report.status != "ok":
            failures.append(f"{meta['grade_id']}: {report.reason if report else 'not run'}")
            continue
        try:
            parsed = judge.parse(report.answers)
        except judge.Malformed as error:
            failures.append(f"{meta['grade_id']}: {error}")
            continue
        rejected = [f"{a.about}: {problem}" for a in parsed if (problem := judge.checked(a, a, checks or {}))]
        if rejected:
            failures.append(f"{meta['grade_id']}: the judge rejects the solution's own answer ({rejected[0]})")
        answers[meta["grade_id"]] = report.answers
    if failures:
        raise ReferenceError(f"the solution in {source} fails its own tests, so nothing can be graded against it: "
                             + "; ".join(failures) + (f" ({evidence.stopped})" if evidence.stopped else ""))
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".part")
    partial.write_text(json.dumps({"source_sha256": digest, "answers": answers}))
    partial.replace(cache)
    return {grade_id: judge.parse(text) for grade_id, text in answers.items()}
