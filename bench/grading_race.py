"""Grading throughput: plain ``nbgrader autograde`` against ``course-grade grade``, same machine, same run.

Forty submissions of ``conv_arithmetic`` (an assignment whose notebook imports TensorFlow): a
mix of complete, partial and untouched ones. Each grader works on its own copy of one course
directory; the scores must agree exactly, and the figure of merit is the ratio of wall times.
"""

from __future__ import annotations

import copy
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook as NbgraderGradebook

from autograder import grade as grading
from autograder import sandbox
from autograder.gradebook import Gradebook, course_id
from autograder.nbgrader_run import nbgrader
from autograder.release import release

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "conv_arithmetic"
SUBMISSIONS = 40
WORKERS = 2
# Which answer cells each kind of submission fills in with the instructor's solution.
KINDS = {
    "complete": None,  # all of them
    "partial": {"output_shape", "params", "receptive_field"},
    "models_only": {"models"},
    "untouched": set(),
}


def _prepare(course: Path, count: int) -> None:
    course.mkdir(parents=True)
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(REPO / "assignments" / "masters", course / "masters")
    release(course, ASSIGNMENT)
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    released = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for index in range(count):
        kind = list(KINDS)[index % len(KINDS)]
        notebook = nbformat.from_dict(copy.deepcopy(released))
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions and (KINDS[kind] is None or grade_id in KINDS[kind]):
                cell.source = solutions[grade_id]
        target = course / "submitted" / f"{kind}-{index:02d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
        (target.parent / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")


def _sandbox_overhead(runs: int = 10) -> dict:
    """Seconds a sandboxed start of Python costs beyond an unconfined one (its quota, user
    namespace, file-system view and control group), the mean of ``runs`` starts each."""
    seconds = {}
    for confined in (True, False):
        start = time.perf_counter()
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as inputs:
                finished = sandbox.run([sys.executable, "-c", "pass"], Path(inputs), sandbox.Quota(), sandbox=confined)
                assert finished.returncode == 0, finished.stderr_tail
        seconds[confined] = (time.perf_counter() - start) / runs
    return {"sandboxed_start_seconds": round(seconds[True], 3), "unconfined_start_seconds": round(seconds[False], 3),
            "sandbox_overhead_seconds_per_submission": round(seconds[True] - seconds[False], 3),
            "quota_enforced_by": sandbox.run([sys.executable, "-c", "pass"], Path(tempfile.mkdtemp()),
                                             sandbox.Quota()).confined_by}


def run(quick: bool = False) -> dict:
    count = len(KINDS) if quick else SUBMISSIONS
    with tempfile.TemporaryDirectory() as scratch:
        base, ours = Path(scratch) / "nbgrader-run", Path(scratch) / "course-grade-run"
        _prepare(base, count)
        shutil.copytree(base, ours)

        start = time.perf_counter()
        nbgrader(base, "autograde", ASSIGNMENT)
        nbgrader_seconds = time.perf_counter() - start
        with NbgraderGradebook(f"sqlite:///{base / 'gradebook.db'}", course_id=course_id(base)) as gradebook:
            nbgrader_scores = {s.student.id: s.score for s in gradebook.find_assignment(ASSIGNMENT).submissions}

        start = time.perf_counter()
        outcomes = grading.grade(ours, ASSIGNMENT, Gradebook(ours), workers=WORKERS)
        our_seconds = time.perf_counter() - start
        our_scores = {o.student: o.score for o in outcomes}

    overhead = _sandbox_overhead()
    speedup = nbgrader_seconds / our_seconds
    identical = nbgrader_scores == our_scores
    print(f"  nbgrader autograde {nbgrader_seconds:.0f} s, course-grade grade {our_seconds:.0f} s ({speedup:.2f}x), "
          f"scores identical: {identical}", flush=True)
    return {
        "target": "identical scores, and course-grade's throughput at least 2x nbgrader's on 2 cores",
        "submissions": count,
        "workers": WORKERS,
        "nbgrader_seconds": round(nbgrader_seconds, 1),
        "course_grade_seconds": round(our_seconds, 1),
        "speedup": round(speedup, 2),
        "identical_scores": identical,
        "mismatches": {s: [nbgrader_scores.get(s), our_scores.get(s)] for s in set(nbgrader_scores) | set(our_scores)
                       if nbgrader_scores.get(s) != our_scores.get(s)},
        "target_met": bool(identical and speedup >= 2),
        **overhead,
    }
