"""Grading at MOOC scale: throughput on one machine with 1 and 2 workers and through a real
two-worker Dask cluster, per-notebook time, gradebook write time (SQLite and PostgreSQL) and the
client's peak memory, for 100 and 1,000 submissions of a light assignment and 100 of one that
imports TensorFlow (conv_arithmetic).

Each grading run is a process of its own (the client), which reports its own peak resident
memory; the cluster is a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.release import release
from bench.masters import HEADER

REPO = Path(__file__).resolve().parent.parent
DASK = str(Path(sys.executable).with_name("dask"))
LIGHT = HEADER + """# Light

```{code-cell} ipython3
---
nbgrader: {grade: false, grade_id: add, locked: false, schema_version: 3, solution: true, task: false}
---
def add(a, b):
    ### BEGIN SOLUTION
    return a + b
    ### END SOLUTION
```

```{code-cell} ipython3
---
nbgrader: {grade: true, grade_id: test_add, locked: true, points: 1, schema_version: 3, solution: false, task: false}
---
assert add(1, 2) == 3
### BEGIN HIDDEN TESTS
from autograder.answers import answer
for _a in range(10):
    answer(add(_a, 3), about=f"add({_a}, 3)")
### END HIDDEN TESTS
```
"""
CLIENT = """
import json, resource, sys, time
from pathlib import Path
from autograder import grade
from autograder.gradebook import Gradebook
course, assignment, workers, scheduler = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] or None
book = Gradebook(course)
writes = []
record = book.record
def timed(*args):
    start = time.perf_counter(); record(*args); writes.append(time.perf_counter() - start)
book.record = timed
start = time.perf_counter()
outcomes = grade.grade(course, assignment, book, workers=workers, scheduler=scheduler)
print(json.dumps({"seconds": time.perf_counter() - start, "graded": len(outcomes),
                  "notebook_seconds": sum(o.seconds for o in outcomes) / max(1, len(outcomes)),
                  "gradebook_write_ms": 1000 * sum(writes) / max(1, len(writes)),
                  "client_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "scores": {o.student: o.score for o in outcomes}}))
"""


def _course(folder: Path, assignment: str, submissions: int) -> Path:
    folder.mkdir(parents=True)
    if assignment == "light":
        (folder / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "scale"\n')
        (folder / "masters").mkdir()
        (folder / "masters" / "light.md").write_text(LIGHT)
    else:
        shutil.copy(REPO / "assignments" / "nbgrader_config.py", folder)
        shutil.copytree(REPO / "assignments" / "masters", folder / "masters")
    released = nbformat.read(release(folder, assignment), as_version=4)
    source = nbformat.read(folder / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for index in range(submissions):
        notebook = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions and index % 3:  # two in three answered
                cell.source = solutions[grade_id]
        target = folder / "submitted" / f"s{index:04d}" / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
    return folder


class _Cluster:
    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.processes = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        self.folder = Path(tempfile.mkdtemp(prefix="dask-workers-"))
        for index in range(2):
            self.processes.append(subprocess.Popen(
                [DASK, "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                 "--local-directory", str(self.folder / str(index))], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from dask.distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        return f"tcp://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.kill()
            process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _grade(course: Path, assignment: str, workers: int, scheduler: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", CLIENT, str(course), assignment, str(workers), scheduler],
                          check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["throughput_per_minute"] = round(60 * result["graded"] / result["seconds"], 1)
    return {key: round(value, 2) if isinstance(value, float) else value for key, value in result.items()}


def _gradebook_writes(count: int, url: str | None, folder: Path) -> dict:
    """Mean milliseconds per notebook record in the gradebook (nbgrader's Gradebook, as ``grade``
    writes it), for the first 100 records and for the last 100 of ``count``."""
    from autograder.grade import Outcome
    from autograder.gradebook import Gradebook

    course = folder
    course.mkdir(parents=True)
    config = 'c = get_config()\nc.CourseDirectory.course_id = "scale"\n' + (f"c.CourseDirectory.db_url = {url!r}\n" if url else "")
    (course / "nbgrader_config.py").write_text(config)
    (course / "masters").mkdir()
    (course / "masters" / "light.md").write_text(LIGHT)
    release(course, "light")
    book, times = Gradebook(course), []
    for index in range(count):
        outcome = Outcome(f"s{index:04d}", "light.ipynb", "0" * 64, "0" * 64, "", score=1.0, max_score=1.0,
                          cells={"test_add": {"points": 1.0, "max_points": 1.0, "passed": True, "reason": ""}})
        start = time.perf_counter()
        book.record("light", outcome)
        times.append(time.perf_counter() - start)
    return {"first_100_ms": round(1000 * sum(times[:100]) / 100, 1), f"last_100_of_{count}_ms": round(1000 * sum(times[-100:]) / 100, 1)}


def run(quick: bool = False) -> dict:
    plan = [("light", 20, [1, 2, "cluster"])] if quick else \
        [("light", 100, [1, 2, "cluster"]), ("light", 1000, [1, 2, "cluster"]), ("conv_arithmetic", 100, [1, 2, "cluster"])]
    results, scores = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for assignment, count, configurations in plan:
            for configuration in configurations:
                course = _course(Path(scratch) / f"{assignment}-{count}-{configuration}", assignment, count)
                if configuration == "cluster":
                    with _Cluster() as address:
                        result = _grade(course, assignment, 2, address)
                else:
                    result = _grade(course, assignment, configuration)
                key = f"{assignment} x{count}, {'Dask cluster of 2 workers' if configuration == 'cluster' else f'{configuration} local worker(s)'}"
                scores.setdefault((assignment, count), []).append(result.pop("scores"))
                results[key] = result
                print(f"  {key}: {result}", flush=True)
                shutil.rmtree(course)
        writes = {"sqlite": _gradebook_writes(200 if quick else 1000, None, Path(scratch) / "writes-sqlite")}
        try:
            from bench.postgres import Unavailable, postgres_server

            with postgres_server() as new_database:
                writes["postgresql"] = _gradebook_writes(200 if quick else 1000, new_database("scale"),
                                                         Path(scratch) / "writes-postgresql")
        except (Unavailable, ImportError) as reason:
            writes["postgresql"] = f"not measured: {reason}"
        print(f"  gradebook writes: {writes}", flush=True)
    identical = all(all(s == group[0] for s in group) for group in scores.values())
    return {"target": "1,000 submissions graded on one machine and on a two-worker Dask cluster, identical scores, "
                      "throughput and its growth from 100 to 1,000 recorded",
            "runs": results, "identical_scores_across_configurations": identical, "gradebook_writes": writes,
            "note": "gradebook_write_ms in a run is SQLite's, per notebook, as the client saw it while grading"}
