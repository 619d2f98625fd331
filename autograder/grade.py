"""``course-grade grade``: isolated, parallel, resumable autograding into nbgrader's gradebook.

Each new or changed submission is rebuilt on the source notebook (``assemble``), executed in its
own sandboxed workspace (``sandbox`` and ``runner``), and scored from the runner's verdicts.
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

from autograder import sandbox
from autograder.assemble import RejectedSubmission, assemble, read_submission


MAX_SUBMISSION_BYTES = 100 * 2**20


@dataclass
class Limits:
    cell_seconds: int = 120
    notebook_seconds: int = 900
    memory_bytes: int = 6 * 2**30
    sandbox: bool = True


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
              home_template: Path | None = None) -> tuple[Outcome, nbformat.NotebookNode | None]:
    """Grade one submission in a fresh sandboxed workspace (the home folder inside the sandbox,
    started from a copy of ``home_template`` where that exists); never raises for bad submissions."""
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

    with tempfile.TemporaryDirectory(prefix=f"grade-{student}-") as scratch:
        workspace = Path(scratch)
        if home_template is not None and home_template.is_dir():  # else caches are simply built cold
            shutil.copytree(home_template, workspace, dirs_exist_ok=True)
        notebook_path = workspace / f"{assignment}.ipynb"
        nbformat.write(assembled.notebook, notebook_path)
        argv = [sys.executable, "-m", "autograder.runner", str(notebook_path), "--cell-timeout", str(limits.cell_seconds)]
        hidden = [course, Path.home()]
        command = sandbox.command(argv, workspace, hidden, limits.memory_bytes, sandbox=limits.sandbox)
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=limits.notebook_seconds)
            if finished.returncode != 0:
                tail = finished.stderr.strip().splitlines()[-1:] or [""]
                outcome.notes.append(f"the grading process ended with status {finished.returncode} {tail[0][:300]}".rstrip())
        except subprocess.TimeoutExpired:
            outcome.notes.append(f"stopped after {limits.notebook_seconds} s, the time limit for a notebook")
        verdicts, notes, stopped = _read_verdicts(workspace / "verdicts.json")
        outcome.notes += notes + ([stopped] if stopped else [])
        executed = _read_notebook(notebook_path) or assembled.notebook

    for grade_id, points in graded_cells.items():
        verdict = verdicts.get(grade_id)
        if verdict is None:
            outcome.cells[grade_id] = {"points": 0.0, "max_points": points, "passed": False,
                                       "reason": "not run: the notebook stopped before this test"}
        else:
            passed = verdict["status"] == "ok"
            outcome.cells[grade_id] = {"points": points if passed else 0.0, "max_points": points,
                                       "passed": passed, "reason": verdict.get("reason", "")}
    outcome.score = sum(cell["points"] for cell in outcome.cells.values())
    return outcome, executed


def _read_verdicts(path: Path) -> tuple[dict, list[str], str | None]:
    try:
        data = json.loads(path.read_text())
        return data.get("cells", {}), data.get("notes", []), data.get("stopped")
    except (OSError, ValueError):
        return {}, [], "the notebook produced no results (it was stopped before its first cell finished)"


def _read_notebook(path: Path) -> nbformat.NotebookNode | None:
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # a notebook cut off mid-write by a kill
        return None


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
        if pending:
            _warm_caches(Path(home_template))
        futures = [submit(grade_one, course, assignment, student, path, limits, Path(home_template))
                   for student, path in pending]
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
