"""``course-grade grade``: isolated, parallel, resumable autograding into nbgrader's gradebook.

Each new or changed submission is rebuilt on the source notebook (``assemble``), executed in its
own sandbox (``execute``), and scored here: hidden tests by the judge, which compares the answers
the run handed out with those of the instructor's solution (``reference``), never by anything the
run itself claims.
Workers run in parallel; only the main thread writes to the gradebook and to ``autograded/``.
A submission's record, ``autograded/<student>/<assignment>/grading.json``, is written last and
carries the submission's SHA-256 and timestamp: a rerun skips every submission whose record
matches, and a run killed midway simply grades the rest next time.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder import judge, sandbox
from autograder.assemble import RejectedSubmission, assemble, read_submission
from autograder.execute import Limits, execute, with_outputs
from autograder.masters import judge_code
from autograder.reference import reference


MAX_SUBMISSION_BYTES = 100 * 2**20


@dataclass
class Outcome:
    student: str
    sha256: str
    timestamp: str
    score: float = 0.0
    max_score: float = 0.0
    cells: dict[str, dict] = field(default_factory=dict)  # grade_id -> points, max_points, passed, reason
    notes: list[str] = field(default_factory=list)
    rejected: str | None = None


def submissions(course: Path, assignment: str) -> list[tuple[str, Path]]:
    found = sorted(course.glob(f"submitted/*/{assignment}/{assignment}.ipynb"))
    return [(path.parent.parent.name, path) for path in found]


def record_path(course: Path, assignment: str, student: str) -> Path:
    return course / "autograded" / student / assignment / "grading.json"


def is_current(course: Path, assignment: str, student: str, sha256: str) -> bool:
    try:
        return json.loads(record_path(course, assignment, student).read_text())["sha256"] == sha256
    except (OSError, ValueError, KeyError):
        return False


def grade_one(course: Path, assignment: str, student: str, path: Path, limits: Limits,
              home_template: Path | None = None, references: dict[str, list[judge.Answer]] | None = None,
              checks_code: str = "") -> tuple[Outcome, nbformat.NotebookNode | None]:
    """Grade one submission in a fresh sandbox (its home folder started from a copy of
    ``home_template`` where that exists); never raises for bad submissions.

    A test cell earns its points when the run reports that it raised nothing and, if the
    instructor's solution handed answers to the judge in that cell (``references``), when the
    judge finds every answer right. The first is evidence from inside the sandbox; the second is
    decided here, on data, and student code cannot reach it."""
    raw = path.read_bytes()
    stamp_file = path.with_name("timestamp.txt")
    outcome = Outcome(student, hashlib.sha256(raw).hexdigest(),
                      stamp_file.read_text().strip() if stamp_file.is_file() else "")
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    graded_cells = {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
                    for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    outcome.max_score = sum(graded_cells.values())
    try:
        if len(raw) > MAX_SUBMISSION_BYTES:
            raise RejectedSubmission(f"the file is {len(raw) / 2**20:.0f} MiB, over the {MAX_SUBMISSION_BYTES // 2**20} MiB limit")
        assembled = assemble(source, read_submission(raw))
    except RejectedSubmission as error:
        outcome.rejected = str(error)
        outcome.cells = {gid: {"points": 0.0, "max_points": pts, "passed": False, "reason": "submission rejected"}
                         for gid, pts in graded_cells.items()}
        return outcome, None
    outcome.notes += assembled.notes

    evidence = execute(assembled.notebook, f"{assignment}.ipynb", limits, home_template)
    outcome.notes += evidence.notes + ([evidence.stopped] if evidence.stopped else [])
    references = references or {}
    checks = judge.load_checks(checks_code) if checks_code else {}
    reports = {}
    for index, cell in enumerate(assembled.notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        report = evidence.cells.get(index)
        if meta.get("grade"):
            reports[meta["grade_id"]] = report
        elif report is not None and report.status != "ok" and cell.cell_type == "code":
            outcome.notes.append(f"cell {meta.get('grade_id', index + 1)!r}: {report.reason}")

    for grade_id, points in graded_cells.items():
        report = reports.get(grade_id)
        if report is None:
            passed, reason = False, "not run: the notebook stopped before this test"
        elif report.status != "ok":
            passed, reason = False, _explained(report, references.get(grade_id, []))
        else:
            reason = _judged(report.answers, references.get(grade_id, []), checks)
            passed = reason is None
        outcome.cells[grade_id] = {"points": points if passed else 0.0, "max_points": points,
                                   "passed": passed, "reason": reason or ""}
    outcome.score = sum(cell["points"] for cell in outcome.cells.values())
    return outcome, with_outputs(assembled.notebook, evidence)


def _explained(report, reference: list[judge.Answer]) -> str:
    """The error that stopped a test, with where in the hidden cases it happened."""
    reason = report.reason
    if reason.startswith("NotImplementedError"):
        reason = "not answered yet: the answer cell still raises NotImplementedError"
    try:
        answered = len(judge.parse(report.answers))
    except judge.Malformed:
        answered = 0
    if 0 < answered < len(reference):
        case = reference[answered].about
        reason += f" (in hidden case {answered + 1} of {len(reference)}{': ' + case if case else ''})"
    return reason


def _judged(answers_text: str, reference: list[judge.Answer], checks: dict) -> str | None:
    if not reference:
        return None  # an assert-style test: the kernel's reply is all there is
    try:
        answers = judge.parse(answers_text)
    except judge.Malformed as error:
        return f"the hidden tests' answers could not be read ({error})"
    return judge.verdict(answers, reference, checks)


def save(course: Path, assignment: str, outcome: Outcome, executed: nbformat.NotebookNode | None, gradebook) -> None:
    """Write the results of one submission; the record comes last, as the commit marker."""
    folder = course / "autograded" / outcome.student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    if executed is not None:
        nbformat.write(executed, folder / f"{assignment}.ipynb")
    stamp = course / "submitted" / outcome.student / assignment / "timestamp.txt"
    if stamp.is_file():
        shutil.copy(stamp, folder / "timestamp.txt")
    gradebook.record(assignment, outcome)
    record = dict(asdict(outcome), graded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
    partial = record_path(course, assignment, outcome.student).with_suffix(".part")
    partial.write_text(json.dumps(record, indent=1))
    partial.replace(record_path(course, assignment, outcome.student))


def grade(course: Path, assignment: str, gradebook, *, workers: int = 2, limits: Limits | None = None,
          progress=None, scheduler: str | None = None) -> list[Outcome]:
    """Grade every new or changed submission of ``assignment``; return their outcomes."""
    limits = limits or Limits()
    if limits.sandbox:
        sandbox.bubblewrap()  # fail before any work when isolation is impossible
    if not (course / "source" / assignment / f"{assignment}.ipynb").is_file():
        raise FileNotFoundError(f"no source notebook for {assignment}: run `course-grade release {assignment}` first")
    gradebook.require(assignment)
    pending = [(student, path) for student, path in submissions(course, assignment)
               if not is_current(course, assignment, student, hashlib.sha256(path.read_bytes()).hexdigest())]
    outcomes = []
    # In the course directory, which Dask workers on other machines must see anyway.
    with tempfile.TemporaryDirectory(prefix=".course-grade-home-", dir=course) as home_template, \
            _executor(workers, scheduler) as (submit, as_completed):
        references, checks_code = {}, judge_code(course, assignment)
        if pending:
            _warm_caches(Path(home_template))
            references = reference(course, assignment, limits, Path(home_template), judge.load_checks(checks_code))
        futures = [submit(grade_one, course, assignment, student, path, limits, Path(home_template), references,
                          checks_code) for student, path in pending]
        for done, future in enumerate(as_completed(futures), start=1):
            outcome, executed = future.result()
            save(course, assignment, outcome, executed, gradebook)  # the one writer
            outcomes.append(outcome)
            if progress:
                progress(done, len(futures), outcome)
    return outcomes


def _warm_caches(home: Path) -> None:
    """Fill ``home`` with the caches a notebook's libraries would otherwise rebuild in every fresh
    workspace: matplotlib's font list takes most of a second to build, and libraries such as Keras
    import matplotlib. Built once per run, by a process that runs no student code."""
    # As in the sandbox, so that the caches land in ``home`` where the graded notebooks look.
    environment = {name: value for name, value in os.environ.items() if name not in sandbox.HOME_REDIRECTS}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=dict(environment, HOME=str(home)),
                   capture_output=True, timeout=300)  # where matplotlib is not installed, this fails harmlessly


@contextlib.contextmanager
def _executor(workers: int, scheduler: str | None):
    """Local threads (each submission runs in its own sandboxed process anyway), or a Dask cluster:
    ``scheduler="local"`` starts an in-process LocalCluster, an address joins a real one (whose
    workers must see the course directory at the same path)."""
    if scheduler is None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            yield pool.submit, concurrent.futures.as_completed
        return
    from dask.distributed import Client, LocalCluster, as_completed

    if scheduler == "local":
        with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=False,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client.submit, as_completed
    else:
        with Client(scheduler) as client:
            yield client.submit, as_completed
