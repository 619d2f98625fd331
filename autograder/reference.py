"""The reference answers: what the instructor's solution answers in every hidden test.

They come from running the skeleton a notebook is graded against (the source notebook, solutions
in place) through the same sandbox and runner as a submission, so both see the same libraries
and numerics, in a run that contains no student code. They are kept in
``<course>/.course-grade/<assignment>/`` under the SHA-256 of the skeleton they came from, and
computed again whenever it changes. That folder lies in the course directory, which no sandbox
can see.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat

from autograder import cells, judge
from autograder.execute import Limits, execute, folder_bytes


class ReferenceError(RuntimeError):
    """The instructor's own solution fails a test: no submission can be judged against it."""


def uses_judge(notebook: nbformat.NotebookNode) -> bool:
    return any(cells.is_test(cell) and "answer(" in cell.source for cell in notebook.cells)


def reference(course: Path, assignment: str, notebook: str, skeleton: nbformat.NotebookNode, limits: Limits,
              home: dict[str, bytes] | None = None, checks: dict | None = None) -> dict[str, list[judge.Answer]]:
    """grade_id -> the reference answers of that test cell of ``skeleton`` (the notebook
    ``notebook`` of the source, as it is graded); none for assert-style tests, which need no run. Each check function the answers
    name must accept the solution's own answers."""
    if not uses_judge(skeleton):
        return {}
    text = nbformat.writes(skeleton)
    digest = hashlib.sha256(text.encode()).hexdigest()
    cache = course / ".course-grade" / assignment / f"{digest[:16]}.reference.json"
    try:
        stored = json.loads(cache.read_text())
        if stored["skeleton_sha256"] == digest:
            return {grade_id: judge.parse(answers) for grade_id, answers in stored["answers"].items()}
    except (OSError, ValueError, KeyError, judge.Malformed):
        pass  # none yet, or stale: compute it

    files = folder_bytes(course / "source" / assignment, skip=("*.ipynb", ".ipynb_checkpoints/*"))
    evidence = execute(skeleton, notebook, limits, home, files=files)
    answers, failures = {}, []
    for index, cell in enumerate(skeleton.cells):
        if not cells.is_test(cell):
            continue
        grade_id = cells.meta(cell)["grade_id"]
        report = evidence.cells.get(index)
        if report is None or report.status != "ok":
            failures.append(f"{grade_id}: {report.reason if report else 'not run'}")
            continue
        try:
            parsed = judge.parse(report.answers)
        except judge.Malformed as error:
            failures.append(f"{grade_id}: {error}")
            continue
        rejected = [f"{a.about}: {problem}" for a in parsed if (problem := judge.checked(a, a, checks or {}))]
        if rejected:
            failures.append(f"{grade_id}: the judge rejects the solution's own answer ({rejected[0]})")
        answers[grade_id] = report.answers
    if failures:
        raise ReferenceError(f"the solution of {assignment} fails its own tests, so nothing can be graded against it: "
                             + "; ".join(failures) + (f" ({evidence.stopped})" if evidence.stopped else ""))
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".part")
    partial.write_text(json.dumps({"skeleton_sha256": digest, "answers": answers}))
    partial.replace(cache)
    return {grade_id: judge.parse(text) for grade_id, text in answers.items()}
