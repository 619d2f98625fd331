"""What nbgrader makes of each cell, so that a course graded here scores as nbgrader scores it.

- an autograded test: ``grade`` without ``solution``, a code cell; its points are earned when it
  runs cleanly (and, for tests that hand answers to the judge, when they are right);
- a manually graded answer: ``grade`` and ``solution`` (code or Markdown), or a graded Markdown
  cell; left for a person, unless the student left it exactly as released (0 points, as nbgrader);
- a task: ``task``, a Markdown cell a person grades;
- an answer cell: ``solution`` without ``grade``, whose code the tests call.
"""

from __future__ import annotations

import logging

import nbformat

HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def meta(cell) -> dict:
    found = cell.get("metadata", {}).get("nbgrader", {})
    return found if isinstance(found, dict) else {}


def is_test(cell) -> bool:
    return bool(meta(cell).get("grade")) and not meta(cell).get("solution") and cell.get("cell_type") == "code"


def is_manual(cell) -> bool:
    """Graded by a person in nbgrader's formgrader: manually graded answers and tasks."""
    info = meta(cell)
    return bool(info.get("task")) or (bool(info.get("grade")) and not is_test(cell))


def is_scored(cell) -> bool:
    """A cell with points in nbgrader's gradebook."""
    return is_test(cell) or is_manual(cell)


def points(cell) -> float:
    return float(meta(cell).get("points", 0) or 0)


def test_points(cell, outputs: list) -> float:
    """nbgrader's score for an assert-style test cell with these outputs: 0 after an error or
    anything on stderr, a partial score from a numeric result, else full marks."""
    from nbgrader import utils as nbgrader_utils  # a second of imports, paid only where asserts are scored

    probe = nbformat.v4.new_code_cell(cell.source, metadata=dict(cell.metadata))
    try:  # the outputs come from the sandbox: anything nbgrader cannot read earns nothing
        probe.outputs = [nbformat.from_dict(output) for output in outputs if isinstance(output, dict)]
        score, _ = nbgrader_utils.determine_grade(probe, logging.getLogger("course-grade"))
        return min(float(score or 0.0), points(cell))
    except (Exception, RecursionError):
        return 0.0


def unanswered(cell, checksum: str | None) -> bool:
    """The student left a manually graded answer exactly as released (nbgrader's checksum)."""
    if not checksum:
        return False
    from nbgrader import utils as nbgrader_utils

    probe = nbformat.from_dict({**cell, "metadata": {**cell.metadata, "nbgrader": {**meta(cell), "checksum": checksum}}})
    return nbgrader_utils.compute_checksum(probe) == checksum


def visible_verdict(cell, report, *, judged: bool) -> tuple[bool, str]:
    """Whether a test cell's visible part passes, and if not why: for a test the judge decides,
    that it raised nothing; for an assert-style test, nbgrader's rule on what it printed."""
    if report is None:
        return False, "not run: the notebook stopped before this test"
    if report.visible_status != "ok":
        reason = report.visible_reason
        if reason.startswith("NotImplementedError"):
            reason = "not answered yet: the answer cell still raises NotImplementedError"
        return False, reason
    if not judged and test_points(cell, report.outputs[:report.visible_outputs]) < points(cell):
        return False, "it wrote to stderr or printed a partial score, which nbgrader scores as a failure"
    return True, ""


def split_hidden(source: str) -> tuple[str, str]:
    """A test cell's visible part and its hidden tests (nbgrader's markers): the runner runs them
    one after the other, so that the grader knows which part failed and ``validate`` can run the
    first alone; the students' check() carries the first."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if line.strip() in HIDDEN_MARKERS:
            inside = line.strip() == HIDDEN_MARKERS[0]
        else:
            (hidden if inside else visible).append(line)
    return "\n".join(visible), "\n".join(hidden)
