"""Master -> nbgrader source -> student version, with a check that nothing secret leaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.masters import build_source, secret_lines
from autograder.nbgrader_run import nbgrader

# nbgrader's markers: if any survives into a release, solutions or hidden tests went with it.
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class LeakError(RuntimeError):
    """A student version contains instructor-only material; it has been withdrawn."""


def release(course: Path, assignment: str) -> Path:
    """Build the source from the master and generate ``release/<assignment>/<assignment>.ipynb``."""
    build_source(course, assignment)
    nbgrader(course, "generate_assignment", assignment, "--force")
    released = course / "release" / assignment
    problems = leaks(released, secret_lines(course, assignment))
    if problems:
        shutil.rmtree(released)
        raise LeakError(f"release of {assignment} withdrawn, it would leak: " + "; ".join(problems))
    return released / f"{assignment}.ipynb"


def leaks(folder: Path, secrets: list[str]) -> list[str]:
    """What in ``folder`` a student must not see: files other than notebooks, nbgrader markers,
    or any line of the instructor's solutions and hidden tests."""
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix != ".ipynb":
            problems.append(f"{path.name} is not a notebook")
            continue
        cells = json.loads(path.read_text()).get("cells", [])
        text = "\n".join("".join(c.get("source", "")) for c in cells)
        problems += [f"{path.name} contains '{m}'" for m in LEAK_MARKERS if m in text]
        lines = {line.strip() for line in text.splitlines()}  # whole lines: '_base.x' does not leak 'base.x'
        problems += [f"{path.name} contains the line {s!r}" for s in secrets if s in lines]
    return problems
