"""``course-grade grade``: isolated, parallel, resumable autograding into nbgrader's gradebook.

The unit of work is one notebook of one student's submission. It is rebuilt on the skeleton
nbgrader itself grades against (``skeleton``: the source notebook with its locked cells as the
gradebook recorded them at release, autotests expanded), executed in its own sandbox
(``execute``), and scored here as nbgrader scores it (``cells``): hidden tests by the judge, which
compares the answers the run handed out with those of the instructor's solution (``reference``),
never by anything the run itself claims; manually graded answers and tasks left for a person.
Workers run in parallel; only the main thread writes to the gradebook and to ``autograded/``.
A notebook's record, ``autograded/<student>/<assignment>/<notebook>.grading.json``, is written
last. It is current only while the submission, the skeleton (source notebook and gradebook) and
the gradebook's grades all still match it; anything else is graded again.
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
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder import cells, imports_rule, judge, sandbox
from autograder.assemble import RejectedSubmission, assemble, read_submission
from autograder.execute import Limits, execute, folder_bytes, with_outputs
from autograder.masters import judge_code
from autograder.reference import reference
from autograder.sandbox.confinement import assess

MAX_SUBMISSION_BYTES = 100 * 2**20


@dataclass
class Outcome:
    student: str
    notebook: str                # the notebook's file name, e.g. "problem1.ipynb"
    sha256: str                  # of the submitted notebook
    skeleton_sha256: str         # of what it was graded against (source notebook and gradebook)
    timestamp: str
    score: float = 0.0           # autograded points
    max_score: float = 0.0       # every point of the notebook, manually graded ones included
    cells: dict[str, dict] = field(default_factory=dict)  # grade_id -> points (None: for a person), max_points, passed, reason
    notes: list[str] = field(default_factory=list)
    rejected: str | None = None
    seconds: float = 0.0         # how long grading it took


def notebooks(course: Path, assignment: str) -> list[str]:
    return sorted(path.name for path in (course / "source" / assignment).glob("*.ipynb"))


def submissions(course: Path, assignment: str) -> list[tuple[str, str, Path]]:
    """(student, notebook name, path) for every notebook of every submission (the path may be
    missing: a notebook the student did not hand in)."""
    names = notebooks(course, assignment)
    folders = sorted(path for path in course.glob(f"submitted/*/{assignment}") if path.is_dir() and not path.is_symlink())
    return [(folder.parent.name, name, folder / name) for folder in folders for name in names]


def record_path(course: Path, assignment: str, student: str, notebook: str) -> Path:
    return course / "autograded" / student / assignment / f"{Path(notebook).stem}.grading.json"


def records(course: Path, assignment: str) -> list[dict]:
    """Every grading record of an assignment (unreadable ones left out)."""
    found = []
    for path in sorted(course.glob(f"autograded/*/{assignment}/*.grading.json")):
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            pass
    return found


def is_current(course: Path, assignment: str, student: str, notebook: str, sha256: str, skeleton_sha256: str,
               recorded: dict) -> bool:
    try:
        record = json.loads(record_path(course, assignment, student, notebook).read_text())
        autograded = {gid: cell["points"] for gid, cell in record["cells"].items() if cell["points"] is not None}
        return (record["sha256"] == sha256 and record["skeleton_sha256"] == skeleton_sha256
                and recorded.get((student, Path(notebook).stem)) == autograded)
    except (OSError, ValueError, KeyError, TypeError):
        return False


@dataclass
class Job:
    """Everything needed to grade one notebook, as data: a worker that grades it needs the
    course's Python environment and bubblewrap, not the course directory."""
    student: str
    notebook: str                 # the notebook's file name
    submitted: bytes              # the file as handed in (empty: not handed in)
    timestamp: str
    skeleton: nbformat.NotebookNode
    limits: Limits
    files: dict[str, bytes] = field(default_factory=dict)   # the assignment's supporting files
    home: dict[str, bytes] = field(default_factory=dict)    # warm caches for the home folder
    references: dict[str, list[judge.Answer]] = field(default_factory=dict)
    checks_code: str = ""


def job_for(course: Path, assignment: str, student: str, notebook: str, path: Path, limits: Limits,
            skeleton: nbformat.NotebookNode, **shared) -> Job:
    stamp = path.with_name("timestamp.txt")
    submitted = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
    return Job(student, notebook, submitted, stamp.read_text().strip()[:64] if stamp.is_file() else "",
               skeleton, limits, **shared)


def grade_job(job: Job) -> tuple[Outcome, nbformat.NotebookNode | None]:
    """Grade one notebook in a fresh sandbox; never raises for bad submissions.

    A test earns its points as nbgrader awards them (no error, nothing on stderr, or a partial
    score it prints) and, if the instructor's solution handed answers to the judge in that cell,
    only when the judge finds every answer right. The first is evidence from inside the sandbox;
    the second is decided here, on data, and student code cannot reach it."""
    started = time.perf_counter()
    outcome, executed = _graded(job)
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome, executed


def _graded(job: Job) -> tuple[Outcome, nbformat.NotebookNode | None]:
    raw, skeleton = job.submitted, job.skeleton
    outcome = Outcome(job.student, job.notebook, hashlib.sha256(raw).hexdigest(), digest(skeleton), job.timestamp)
    scored = [cell for cell in skeleton.cells if cells.is_scored(cell)]
    outcome.max_score = sum(cells.points(cell) for cell in scored)
    try:
        if not raw:
            raise RejectedSubmission(f"{job.notebook} was not handed in")
        if len(raw) > MAX_SUBMISSION_BYTES:
            raise RejectedSubmission(f"the file is {len(raw) / 2**20:.0f} MiB, over the {MAX_SUBMISSION_BYTES // 2**20} MiB limit")
        assembled = assemble(skeleton, read_submission(raw))
    except RejectedSubmission as error:
        outcome.rejected = str(error)
        outcome.cells = {cells.meta(c)["grade_id"]: {"points": 0.0, "max_points": cells.points(c), "passed": False,
                                                      "reason": "submission rejected"} for c in scored}
        return outcome, None
    outcome.notes += assembled.notes

    evidence = execute(assembled.notebook, job.notebook, job.limits, job.home, files=job.files)
    outcome.notes += evidence.notes + ([evidence.stopped] if evidence.stopped else [])
    checks = judge.load_checks(job.checks_code) if job.checks_code else {}
    # the rule comes from the skeleton, the instructor's notebook: a submission cannot change it
    blocked = imports_rule.blocked_tests(assembled.notebook, imports_rule.allowed_modules(skeleton))
    for index, cell in enumerate(assembled.notebook.cells):
        report = evidence.cells.get(index)
        info = cells.meta(cell)
        if index in blocked:
            outcome.cells[info["grade_id"]] = {"points": 0.0, "max_points": cells.points(cell), "passed": False,
                                               "reason": blocked[index], "visible_passed": False,
                                               "visible_reason": blocked[index]}
        elif cells.is_scored(cell):
            outcome.cells[info["grade_id"]] = _scored(cell, report, job.references.get(info["grade_id"], []), checks)
        elif report is not None and report.status != "ok" and cell.cell_type == "code":
            outcome.notes.append(f"cell {info.get('grade_id', index + 1)!r}: {report.reason}")
    outcome.score = sum(cell["points"] or 0.0 for cell in outcome.cells.values())
    return outcome, with_outputs(assembled.notebook, evidence)


def _scored(cell, report, reference: list[judge.Answer], checks: dict) -> dict:
    scored = _points(cell, report, reference, checks)
    if cells.is_test(cell):  # what `course-grade validate` can tell a student before submitting
        scored["visible_passed"], scored["visible_reason"] = cells.visible_verdict(cell, report, judged=bool(reference))
    return scored


def _points(cell, report, reference: list[judge.Answer], checks: dict) -> dict:
    maximum = cells.points(cell)
    if cells.is_manual(cell):
        info = cells.meta(cell)
        if info.get("grade") and info.get("solution") and cells.unanswered(cell, info.get("checksum")):
            return {"points": 0.0, "max_points": maximum, "passed": False, "reason": "no response"}
        return {"points": None, "max_points": maximum, "passed": None, "reason": "graded by a person"}
    if report is None:
        return {"points": 0.0, "max_points": maximum, "passed": False,
                "reason": "not run: the notebook stopped before this test"}
    if report.status != "ok":
        return {"points": 0.0, "max_points": maximum, "passed": False, "reason": _explained(report, reference)}
    if reference:
        problem = _judged(report.answers, reference, checks)
        earned = 0.0 if problem else maximum
    else:  # an assert-style test: scored from its outputs, exactly as nbgrader does
        earned = cells.test_points(cell, report.outputs)
        problem = None if earned == maximum else (
            "it wrote to stderr, which nbgrader scores as a failure" if earned == 0 else "partial credit")
    return {"points": earned, "max_points": maximum, "passed": earned == maximum, "reason": problem or ""}


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
    try:
        answers = judge.parse(answers_text)
    except judge.Malformed as error:
        return f"the hidden tests' answers could not be read ({error})"
    return judge.verdict(answers, reference, checks)


def digest(notebook: nbformat.NotebookNode) -> str:
    return hashlib.sha256(nbformat.writes(notebook).encode()).hexdigest()


def save(course: Path, assignment: str, outcome: Outcome, executed: nbformat.NotebookNode | None, gradebook) -> None:
    """Write the results of one notebook; the record comes last, as the commit marker."""
    folder = course / "autograded" / outcome.student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    if executed is not None:
        nbformat.write(executed, folder / outcome.notebook)
    stamp = course / "submitted" / outcome.student / assignment / "timestamp.txt"
    if stamp.is_file():
        shutil.copy(stamp, folder / "timestamp.txt")
    gradebook.record(assignment, outcome)
    record = dict(asdict(outcome), graded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
    target = record_path(course, assignment, outcome.student, outcome.notebook)
    partial = target.with_suffix(".part")
    partial.write_text(json.dumps(record, indent=1))
    partial.replace(target)


def grade(course: Path, assignment: str, gradebook, *, workers: int = 2, limits: Limits | None = None,
          progress=None, scheduler: str | None = None, announce=None) -> list[Outcome]:
    """Grade every new or changed notebook of ``assignment``'s submissions; return their outcomes.
    ``announce`` is given one line: which confinement holds here, and what it does not cover."""
    limits = limits or Limits()
    confinement = assess(limits.quota(), limits.sandbox)  # refuses before any work where isolation is impossible
    if announce:
        announce(confinement.describe())
    names = notebooks(course, assignment)
    if not names:
        raise FileNotFoundError(f"no source notebook for {assignment} in {course / 'source' / assignment}: "
                                f"run `course-grade release {assignment}` first")
    gradebook.require(assignment)
    skeletons = {name: gradebook.skeleton(course, assignment, name) for name in names}
    for skeleton in skeletons.values():
        imports_rule.allowed_modules(skeleton)  # a malformed rule stops the run before any grading
    recorded = gradebook.recorded(assignment)
    pending = [(student, name, path) for student, name, path in submissions(course, assignment)
               if not is_current(course, assignment, student, name, _sha256(path), digest(skeletons[name]), recorded)]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="course-grade-home-") as home_template, \
            _executor(workers, scheduler) as (submit, as_completed):
        checks_code, references, home = judge_code(course, assignment), {}, {}
        if pending:
            _warm_caches(Path(home_template))
            home = folder_bytes(Path(home_template))
            for name in {name for _, name, _ in pending}:
                references[name] = reference(course, assignment, name, skeletons[name], limits, home,
                                             judge.load_checks(checks_code))
        files = folder_bytes(course / "source" / assignment, skip=("*.ipynb", ".ipynb_checkpoints/*"))
        jobs = [job_for(course, assignment, student, name, path, limits, skeletons[name], files=files, home=home,
                        references=references[name], checks_code=checks_code) for student, name, path in pending]
        futures = [submit(grade_job, job) for job in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            outcome, executed = _result(future, futures, jobs)
            save(course, assignment, outcome, executed, gradebook)  # the one writer
            outcomes.append(outcome)
            if progress:
                progress(done, len(futures), outcome)
    return outcomes


def _result(future, futures: list, jobs: list[Job]) -> tuple[Outcome, nbformat.NotebookNode | None]:
    """A notebook's outcome; a fault of the grader itself on one notebook becomes that notebook's
    reason, so that the batch always finishes."""
    try:
        return future.result()
    except Exception as error:
        job = jobs[futures.index(future)]
        outcome = Outcome(job.student, job.notebook, hashlib.sha256(job.submitted).hexdigest(), "", job.timestamp,
                          rejected=f"the grader failed on this notebook ({type(error).__name__}: "
                                   f"{str(error)[:200]}); please report it")
        return outcome, None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes() if path.is_file() else b"").hexdigest()


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
    ``scheduler="local"`` starts an in-process LocalCluster, an address joins a real one. Work
    travels as data (``Job``), so workers need not see the course directory; a task lost with its
    worker is run again on another."""
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
