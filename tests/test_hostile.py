"""Grades that student code cannot forge: attacks from inside a notebook, graded as root (as CI
and `make` run the grader) by ``course-grade grade`` itself, once, in parallel.

The assignment is a small one of the grader's own, written as this course writes its masters:
every test hands its answers to the judge. Every attack below comes with wrong answers, so it
must score 0 whatever it does to the process; an honest submission in the same batch keeps its
full marks. Attacks that try to break out print a line starting with ESCAPED or LEAKED when they
succeed; none may.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.release import release
from conftest import MASTER_HEADER, master_cell, disagreements, validate_batch

pytestmark = pytest.mark.slow

VAULT = "\n".join([
    MASTER_HEADER + "# Vault\n",
    master_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", id="add", solution=True),
    master_cell("assert add(1, 2) == 3, 'add(1, 2) should be 3'\n### BEGIN HIDDEN TESTS\n"
          "import random\nfrom autograder.answers import answer\n_cases = random.Random(1234)\nfor _ in range(20):\n"
          "    _a, _b = _cases.randint(-10**6, 10**6), _cases.randint(-10**6, 10**6)\n"
          "    answer(add(_a, _b), about=f'add({_a}, {_b})')\n### END HIDDEN TESTS",
          id="test_add", grade=True, points=2),
    master_cell("def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n    ### END SOLUTION", id="mul", solution=True),
    master_cell("assert mul(3, 4) == 12, 'mul(3, 4) should be 12'\n### BEGIN HIDDEN TESTS\n"
          "import random\nfrom autograder.answers import answer\n_cases = random.Random(99)\nfor _ in range(20):\n"
          "    _a, _b = _cases.randint(-1000, 1000), _cases.randint(-1000, 1000)\n"
          "    answer(mul(_a, _b), about=f'mul({_a}, {_b})')\n### END HIDDEN TESTS",
          id="test_mul", grade=True, points=1),
])

# Wrong answers that pass the visible tests: only the judge can tell.
WRONG = ("def add(a, b):\n    return 3 if (a, b) == (1, 2) else 0\n\n"
         "def mul(a, b):\n    return 12 if (a, b) == (3, 4) else 0\n")
SECRET = "pg-secret-7f3a9"  # an instructor's variable, set for the grader

ATTACKS = {
    # Processes that outlive the last cell and rewrite whatever reports the grader reads.
    "daemon_forges_reports": '''
import os, json, time
forged = json.dumps({"index": 2, "status": "ok", "reason": "", "outputs": [],
                     "answers": json.dumps({"about": "", "rule": {}, "value": 0})})
runner = os.getppid()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(200):
            for target in (f"/proc/{runner}/fd/3", os.environ.get("COURSE_GRADE_ANSWERS", "x")):
                try:
                    with open(target, "a") as handle:
                        handle.write(forged + "\\n" + '{"stopped": null}\\n')
                except OSError:
                    pass
            time.sleep(0.05)
        os._exit(0)
    os._exit(0)
''',
    "kills_the_runner_after_forging": '''
import os, json
line = json.dumps({"index": 2, "status": "ok", "reason": "", "outputs": [], "answers": ""})
with open(f"/proc/{os.getppid()}/fd/3", "w") as channel:
    channel.write(line + "\\n" + json.dumps({"index": 4, "status": "ok", "reason": "", "outputs": [], "answers": ""})
                  + "\\n" + '{"stopped": null}\\n')
os.kill(os.getppid(), 9)
''',
    "trace_hook_rewrites_answers": '''
import sys
def tracer(frame, event, arg):
    if frame.f_code.co_name == "answer" and "value" in frame.f_locals:
        frame.f_locals["value"] = 7
    return tracer
sys.settrace(tracer)
import threading
threading.settrace(tracer)
''',
    "thread_swaps_the_judge_helpers": '''
import threading, time, builtins
import autograder.answers as answers
def swap():
    for _ in range(400):
        answers.answer = lambda value, **kwargs: value
        answers.encode = lambda value, depth=0: 1
        builtins.AssertionError = type("Never", (Exception,), {})
        time.sleep(0.005)
threading.Thread(target=swap, daemon=True).start()
''',
    "lying_objects": '''
import numpy as np
class Liar(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = int.__hash__
    def __int__(self): return 0
    def __index__(self): return 0
class ArrayLiar:
    def __array__(self, dtype=None, copy=None): raise RuntimeError("no")
    def __eq__(self, other): return True
_wrong_add = add
def add(a, b):
    return Liar(3) if (a, b) == (1, 2) else Liar(0)
''',
    "patches_numpy_and_builtins": '''
import numpy, numpy.testing, builtins
numpy.allclose = numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
builtins.isinstance = lambda *a: True
''',
    "escapes": '''
import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
def attempt(what, ok):
    if ok:
        print("ESCAPED", what)
attempt("uid 0", os.getuid() == 0 or os.geteuid() == 0)
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
attempt("capabilities", int(status["CapEff"], 16) != 0 or int(status["CapPrm"], 16) != 0)
attempt("no no_new_privs", status["NoNewPrivs"].strip() != "1")
attempt("mount tmpfs", libc.mount(b"none", b"/home", b"tmpfs", 0, None) == 0)
attempt("umount /usr", libc.umount2(b"/usr", 2) == 0)
attempt("remount / rw", libc.mount(None, b"/", None, 32 | 4096, None) == 0)  # MS_REMOUNT | MS_BIND
attempt("mknod", libc.mknod(b"/home/tmp/disk", 0o60600, os.makedev(8, 0)) == 0)
attempt("chroot", libc.chroot(b"/tmp") == 0)
attempt("setuid 0", libc.setuid(0) == 0)
attempt("ptrace pid 1", libc.ptrace(16, 1, None, None) == 0)  # PTRACE_ATTACH
attempt("unshare user namespace", libc.unshare(0x10000000) == 0)
for program in (["su", "-c", "id -u"], ["mount", "-t", "tmpfs", "x", "/home"], ["sudo", "id"]):
    try:
        done = subprocess.run(program, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
        attempt(" ".join(program), done.returncode == 0 and done.stdout.strip() == "0")
    except (OSError, subprocess.SubprocessError):
        pass
import socket
for address in (("127.0.0.1", 22), ("10.0.0.1", 80), ("1.1.1.1", 53)):
    try:
        socket.create_connection(address, timeout=2).close()
        attempt(f"connect {address}", True)
    except OSError:
        pass
print("ATTEMPTS DONE")
''',
    "reads_secrets": '''
import os, glob
for name, value in os.environ.items():
    if "pg-secret" in value or name.startswith("PG"):
        print("LEAKED environment", name)
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            if b"pg-secret" in open(f"/proc/{pid}/environ", "rb").read():
                print("LEAKED environment of process", pid)
        except OSError:
            pass
for pattern in (COURSE + "/*", COURSE + "/**/*.ipynb", COURSE + "/gradebook.db", "/root/*", "/work/*/.git/*",
                "/etc/shadow", "/home/*/.*", "/run/*", "/var/*", "/srv/*", "/mnt/*"):
    for path in glob.glob(pattern, recursive=True):
        if path.startswith(os.environ["HOME"]):
            continue  # the submission's own workspace
        try:
            open(path, "rb").read(1)
            print("LEAKED", path)
        except (OSError, IsADirectoryError):
            pass
print("ATTEMPTS DONE")
''',
    "writes_outside": '''
import os
for folder in (COURSE, os.path.dirname(COURSE), "/usr/lib", "/etc", "/work", "/root"):
    try:
        with open(os.path.join(folder, "planted.txt"), "w") as handle:
            handle.write("x")
        print("ESCAPED wrote into", folder)
    except OSError:
        pass
print("ATTEMPTS DONE")
''',
    "fork_bomb": '''
import os, time
children = 0
try:
    for _ in range(3000):
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
except OSError:
    pass
print("children started:", children)
''',
    "disk_bomb": '''
import os
written = 0
try:
    with open(os.path.join(os.environ["HOME"], "filler"), "wb") as handle:
        block = b"x" * 2**20
        while written < 4 * 2**30:
            handle.write(block)
            handle.flush()
            written += len(block)
except OSError:
    pass
print("MiB written:", written // 2**20)
''',
    "floods_every_channel": '''
import os, sys
chunk = "y" * 2**20
for _ in range(150):
    sys.stdout.write(chunk)
try:
    with open(f"/proc/{os.getppid()}/fd/3", "w") as channel:
        for _ in range(150):
            channel.write(chunk)
except OSError:
    pass
''',
    "burns_cpu_in_children": '''
import subprocess, sys
for _ in range(2):
    subprocess.Popen([sys.executable, "-c", "while True: pass"])
while True:
    pass
''',
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The vault assignment released, every attack and an honest submission graded in one run."""
    course = tmp_path_factory.mktemp("vault-course")
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "vault"\n')
    (course / "masters").mkdir()
    (course / "masters" / "vault.md").write_text(VAULT)
    released = nbformat.read(release(course, "vault"), as_version=4)

    def submit(student: str, raw: bytes) -> None:
        target = course / "submitted" / student / "vault" / "vault.ipynb"
        target.parent.mkdir(parents=True)
        target.write_bytes(raw)

    def answered(add_cell: str, mul_cell: str) -> bytes:
        notebook = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in ("add", "mul"):
                cell.source = add_cell if grade_id == "add" else mul_cell
        return nbformat.writes(notebook).encode()

    submit("honest", answered("def add(a, b):\n    return a + b", "def mul(a, b):\n    return a * b"))
    for name, attack in ATTACKS.items():
        submit(name, answered(f"COURSE = {str(course)!r}\n" + WRONG + attack, "pass"))
    deep = b'{"cells": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    submit("deeply_nested_json", deep)
    submit("binary_junk", os.urandom(4096))
    submit("thousands_of_cells", nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("pass") for _ in range(5000)])).encode())
    submit("not_utf8", b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "x": "\xff\xfe"}')

    before = _snapshot(course)
    limits = ["--cell-timeout", "20", "--notebook-timeout", "150", "--memory", "2", "--processes", "64",
              "--disk", "0.0625", "--cpu-time", "12"]
    command = [str(Path(sys.executable).with_name("course-grade")), "--course", str(course), "grade", "vault",
               "--workers", "2", *limits]
    env = dict(os.environ, PGPASSWORD=SECRET, COURSE_GRADE_TOKEN=SECRET)
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500, env=env)
    records = {path.parent.parent.name: json.loads(path.read_text())
               for path in course.glob("autograded/*/vault/vault.grading.json")}
    validations = validate_batch(sorted(course.glob("submitted/*/vault/vault.ipynb")),
                                 course / "release" / "vault" / "vault.ipynb", limits)
    return course, result, records, before, validations


def _snapshot(course: Path) -> dict[str, str]:
    """Every file the grader does not write, with its SHA-256."""
    written = ("autograded", "feedback", ".course-grade", "gradebook.db")
    return {str(path.relative_to(course)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in course.rglob("*") if path.is_file() and not str(path.relative_to(course)).startswith(written)}


def _printed(course: Path, student: str) -> str:
    executed = course / "autograded" / student / "vault" / "vault.ipynb"
    if not executed.is_file():
        return ""
    notebook = nbformat.read(executed, as_version=4)
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_the_batch_finishes_with_a_grade_for_everyone(batch):
    course, result, records, _, _ = batch
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {"honest", *ATTACKS, "deeply_nested_json", "binary_junk", "thousands_of_cells", "not_utf8"}
    assert set(records) == expected


def test_honest_work_keeps_its_points(batch):
    _, _, records, _, _ = batch
    assert records["honest"]["score"] == 3, records["honest"]


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_no_attack_earns_a_point(batch, attack):
    _, _, records, _, _ = batch
    record = records[attack]
    assert record["score"] == 0, json.dumps(record["cells"])


@pytest.mark.parametrize("attack", ["escapes", "reads_secrets", "writes_outside"])
def test_nothing_outside_the_sandbox_is_reached(batch, attack):
    course, _, _, _, _ = batch
    printed = _printed(course, attack)
    assert "ATTEMPTS DONE" in printed, printed[:3000]
    assert "ESCAPED" not in printed and "LEAKED" not in printed, printed[:3000]


def test_course_files_are_unchanged_and_secrets_reach_no_file(batch):
    course, _, _, before, _ = batch
    assert _snapshot(course) == before
    for path in course.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_one_quota_bounds_processes_disk_and_output(batch):
    course, _, records, _, _ = batch
    forks = int(_printed(course, "fork_bomb").split("children started:")[1].split()[0])
    assert 0 < forks < 64
    written = int(_printed(course, "disk_bomb").split("MiB written:")[1].split()[0])
    assert written <= 64
    executed = course / "autograded" / "floods_every_channel" / "vault" / "vault.ipynb"
    assert executed.stat().st_size < 2 * 2**20
    notes = " ".join(records["burns_cpu_in_children"]["notes"])
    if "by a control group" in _confinement(batch):  # CPU seconds of all its processes together
        assert "CPU time" in notes, notes
    else:  # per process only (README: "Where to grade"): stopped by the CPU or the time limit
        assert "CPU time" in notes or "took longer" in notes or "kernel died" in notes, notes
    assert records["burns_cpu_in_children"]["score"] == 0


def _confinement(batch) -> str:
    """The line grade printed about the confinement that held."""
    result = batch[1]
    return next(line for line in result.stderr.splitlines() if "confinement:" in line)


def test_malformed_files_are_rejected_with_a_reason(batch):
    _, _, records, _, _ = batch
    assert "nested too deeply" in records["deeply_nested_json"]["rejected"]
    assert "not valid notebook JSON" in records["binary_junk"]["rejected"]
    assert "more than 2,000 cells" in records["thousands_of_cells"]["rejected"]
    assert records["not_utf8"]["rejected"]


def test_validate_agrees_with_the_grader_on_every_visible_test(batch):
    _, _, records, _, validations = batch
    assert not disagreements(records, validations)


def test_an_ordinary_user_grades_in_the_same_sandbox(batch, layouts):
    """The same escapes, graded by an ordinary user from a home folder, with an environment made
    by the system Python (bubblewrap's own user namespace, no cgroup): still nothing reached, and
    ptrace refused. Run as root, the test creates that user; run as an ordinary user, it is you."""
    course, _, _, _, _ = batch
    layout = layouts["home folder"]
    copy = layout.home / "vault"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("autograded", "feedback", ".course-grade"))
    for folder in (copy / "submitted").iterdir():
        if folder.name not in ("escapes", "reads_secrets", "writes_outside", "honest"):
            shutil.rmtree(folder)
    for notebook in copy.glob("submitted/*/vault/vault.ipynb"):  # the attacks look for the copy
        notebook.write_text(notebook.read_text().replace(repr(str(course))[1:-1], str(copy)))
    layout.own(copy)
    result = layout.run([layout.course_grade, "--course", str(copy), "grade", "vault", "--cell-timeout", "20",
                         "--notebook-timeout", "150", "--memory", "2"], env={"PGPASSWORD": SECRET})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sandbox (as an ordinary user)" in result.stderr, result.stderr[-2000:]
    records = {path.parent.parent.name: json.loads(path.read_text()) for path in copy.glob("autograded/*/vault/*.json")}
    assert records["honest"]["score"] == 3 and records["escapes"]["score"] == 0, records
    _check_escapes(copy)


def _check_escapes(copy: Path) -> None:
    for attack in ("escapes", "reads_secrets", "writes_outside"):
        printed = _printed(copy, attack)
        assert "ATTEMPTS DONE" in printed and "ESCAPED" not in printed and "LEAKED" not in printed, printed[:2000]
