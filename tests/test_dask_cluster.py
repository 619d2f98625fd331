"""Grading on a real Dask cluster whose workers cannot see the course directory.

A ``dask scheduler`` and two ``dask worker`` processes run on 127.0.0.1; each worker starts in a
mount namespace of its own where the folder holding the course is an empty file system, so it
must grade from the data it is sent. A batch graded through them scores exactly as graded
locally, and a worker killed mid-batch loses nothing: its submissions are graded elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import grade as grading
from autograder.gradebook import Gradebook
from autograder.release import release
from conftest import MASTER_HEADER, master_cell

pytestmark = pytest.mark.slow
DASK = str(Path(sys.executable).with_name("dask"))
PAIRS = "\n".join([
    MASTER_HEADER + "# Pairs\n",
    master_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", id="add", solution=True),
    master_cell("assert add(1, 2) == 3, 'add(1, 2) should be 3'\n### BEGIN HIDDEN TESTS\n"
                "from autograder.answers import answer\nanswer(add(40, 2), about='add(40, 2)')\n### END HIDDEN TESTS",
                id="test_add", grade=True, points=2),
    master_cell("with open('table.txt') as handle:\n    TABLE = handle.read().split()", id="data"),
    master_cell("assert TABLE == ['7', '11'], 'the supporting file is missing'", id="test_data", grade=True, points=1),
])
ANSWERS = ["return a + b", "return a - b", "return 3", "raise ValueError('no')", "return b + a"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def course(tmp_path):
    course = tmp_path / "courses" / "pairs"
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "pairs"\n')
    (course / "masters").mkdir()
    (course / "masters" / "pairs.md").write_text(PAIRS)
    (course / "source" / "pairs").mkdir(parents=True)
    (course / "source" / "pairs" / "table.txt").write_text("7 11\n")
    released = nbformat.read(release(course, "pairs"), as_version=4)
    for index in range(12):
        notebook = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "add":
                cell.source = f"def add(a, b):\n    {ANSWERS[index % len(ANSWERS)]}"
        target = course / "submitted" / f"s{index:02d}" / "pairs" / "pairs.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
    return course


@pytest.fixture
def cluster(tmp_path):
    """(scheduler address, worker processes), the workers blind to tmp_path/courses."""
    if not shutil.which("unshare"):
        pytest.skip("hiding the course from the workers takes unshare (util-linux): a mount namespace each")
    # As root a mount namespace alone; as an ordinary user, inside a user namespace of its own.
    private = ["unshare", "--mount", "--propagation", "private"]
    if os.getuid() != 0:
        private[1:1] = ["--user", "--map-root-user"]
    port = _free_port()
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = []
    for index in range(2):
        folder = tmp_path / f"worker-{index}"
        folder.mkdir()
        script = (f"mount -t tmpfs blind {tmp_path / 'courses'} && cd {folder} && exec {DASK} worker "
                  f"tcp://127.0.0.1:{port} --nworkers 1 --nthreads 1 --no-dashboard --local-directory {folder}")
        workers.append(subprocess.Popen([*private, "sh", "-c", script],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from dask.distributed import Client

    with Client(f"tcp://127.0.0.1:{port}", timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
    yield f"tcp://127.0.0.1:{port}", workers
    for process in [*workers, scheduler]:
        process.kill()
        process.wait()


def _scores(course: Path) -> dict[str, dict]:
    return {path.parent.parent.name: {gid: cell["points"] for gid, cell in json.loads(path.read_text())["cells"].items()}
            for path in course.glob("autograded/*/pairs/pairs.grading.json")}


def test_a_blind_cluster_grades_like_one_machine_and_survives_a_lost_worker(course, cluster, tmp_path):
    address, workers = cluster
    local = tmp_path / "local-copy"
    shutil.copytree(course, local)
    limits = grading.Limits(cell_seconds=20, notebook_seconds=120, memory_bytes=2 * 2**30)
    grading.grade(local, "pairs", Gradebook(local), workers=2, limits=limits)

    killed = []

    def progress(done, total, outcome):
        if not killed:  # the first result is in: take a worker away while the rest are pending
            workers[0].kill()
            killed.append(outcome.student)

    outcomes = grading.grade(course, "pairs", Gradebook(course), limits=limits, scheduler=address, progress=progress)
    assert killed and len(outcomes) == 12
    assert _scores(course) == _scores(local)
    assert {points["test_data"] for points in _scores(course).values()} == {1.0}  # the supporting file was sent
    assert sorted(set(map(lambda p: p["test_add"], _scores(course).values()))) == [0.0, 2.0]
