"""How fast a student's check answers: ``course-grade validate`` (what ``check()`` runs) against
nbgrader's own ``nbgrader validate``, on the same answered ``conv_arithmetic`` notebook, in the
same run, alternating so that both meet the same load. Target: at most half nbgrader's time, so
that checking is something a student does after every answer.
"""

from __future__ import annotations

import copy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.release import release

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "conv_arithmetic"


def _answered_notebook(scratch: Path) -> Path:
    course = scratch / "course"
    course.mkdir()
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(REPO / "assignments" / "masters", course / "masters")
    released = nbformat.read(release(course, ASSIGNMENT), as_version=4)
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    solutions = {cell.metadata["nbgrader"]["grade_id"]: "\n".join(
        line for line in cell.source.splitlines() if line.strip() not in markers)
        for cell in source.cells if cell.metadata.get("nbgrader", {}).get("solution")}
    notebook = nbformat.from_dict(copy.deepcopy(released))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
    target = scratch / "student" / f"{ASSIGNMENT}.ipynb"
    target.parent.mkdir()
    nbformat.write(notebook, target)
    return target


def _timed(command: list[str], folder: Path, passed: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    if passed not in done.stdout:
        raise RuntimeError(f"{command[0]} did not report a pass: {done.stdout[-800:]} {done.stderr[-800:]}")
    return seconds


def run(quick: bool = False) -> dict:
    runs = 1 if quick else 5
    bin_folder = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as scratch:
        notebook = _answered_notebook(Path(scratch))
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(_timed([str(bin_folder / "course-grade"), "validate", notebook.name], notebook.parent,
                               "visible tests 10 of 10 points pass"))
            theirs.append(_timed([str(bin_folder / "nbgrader"), "validate", notebook.name], notebook.parent,
                                 "Success!"))
    median_ours, median_theirs = statistics.median(ours), statistics.median(theirs)
    ratio = median_ours / median_theirs
    print(f"  course-grade validate {median_ours:.1f} s, nbgrader validate {median_theirs:.1f} s "
          f"(ratio {ratio:.2f})", flush=True)
    return {
        "target": "course-grade validate (check()) takes at most half the time of nbgrader validate",
        "runs": runs,
        "course_grade_validate_seconds": [round(s, 2) for s in ours],
        "nbgrader_validate_seconds": [round(s, 2) for s in theirs],
        "median_course_grade_seconds": round(median_ours, 2),
        "median_nbgrader_seconds": round(median_theirs, 2),
        "ratio": round(ratio, 3),
        "target_met": ratio <= 0.5,
    }
