"""Source -> student version, with a check that nothing secret leaks.

A course written with text masters gets its source notebook built from the master first; an
nbgrader course's source folder is released as it is, supporting files included.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat

from autograder.masters import build_source, master_path, secret_lines
from autograder.nbgrader_run import nbgrader
from autograder.validate import METADATA_KEY, describe

# nbgrader's markers: if any survives into a release, solutions or hidden tests went with it.
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class LeakError(RuntimeError):
    """A student version contains instructor-only material; it has been withdrawn."""


def release(course: Path, assignment: str) -> Path:
    """Generate ``release/<assignment>/`` (building the source from its master, if it has one);
    return the released notebook of a one-notebook assignment, else the folder."""
    source = course / "source" / assignment
    if master_path(course, assignment).is_file():
        build_source(course, assignment)
    elif not any(source.glob("*.ipynb")):
        raise FileNotFoundError(f"{assignment} has neither a master ({master_path(course, assignment)}) "
                                f"nor source notebooks ({source})")
    nbgrader(course, "generate_assignment", assignment, "--force")
    released = course / "release" / assignment
    for path in released.glob("*.ipynb"):  # what `course-grade validate` needs, nothing hidden
        notebook = nbformat.read(path, as_version=4)
        notebook.metadata[METADATA_KEY] = describe(notebook, nbformat.read(source / path.name, as_version=4))
        nbformat.write(notebook, path)
    problems = leaks(released, secret_lines(course, assignment), source)
    if problems:
        shutil.rmtree(released)
        raise LeakError(f"release of {assignment} withdrawn, it would leak: " + "; ".join(problems))
    notebooks = sorted(released.glob("*.ipynb"))
    return notebooks[0] if len(notebooks) == 1 else released


def leaks(folder: Path, secrets: list[str], source: Path | None = None) -> list[str]:
    """What in ``folder`` a student must not see: nbgrader markers, any line of the instructor's
    solutions and hidden tests, and files other than notebooks unless the source folder has the
    very same file (a supporting image or data set)."""
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if path.suffix != ".ipynb":
            original = source / relative if source is not None else None
            if original is None or not original.is_file() or original.read_bytes() != path.read_bytes():
                problems.append(f"{relative} is not a notebook, nor a supporting file of the source")
            elif any(marker.encode() in path.read_bytes() for marker in LEAK_MARKERS):
                problems.append(f"{relative} contains nbgrader's solution or hidden-test markers")
            continue
        notebook = json.loads(path.read_text())
        recorded = notebook.get("metadata", {}).get(METADATA_KEY, {}).get("skeleton", [])
        text = "\n".join("".join(c.get("source", "")) for c in notebook.get("cells", []) + recorded)
        problems += [f"{relative} contains '{m}'" for m in LEAK_MARKERS if m in text]
        problems += [f"{relative} contains the line {s!r}" for s in contained(text, secrets)]
    return problems


def contained(text: str, secrets: list[str]) -> list[str]:
    """The lines of ``secrets`` that ``text`` holds: anywhere, even inside a longer line or a
    hint, but not as the tail of another name ('_base.trainable = True' does not hold
    'base.trainable = True')."""
    return [line for line in secrets if re.search(r"(?<![\w.])" + re.escape(line), text)]
