"""The confinement's parts on their own: the seccomp filter (run by a small BPF interpreter for
every architecture it knows, and installed for real here), cgroup v2 delegation on a fake
tree (this machine has cgroup v1 and no systemd), and the refusal where namespaces are
forbidden (a user namespace of the test's own, with max_user_namespaces set to 0 inside)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.release import release
from autograder.sandbox import cgroups, seccomp
from conftest import MASTER_HEADER, master_cell

ALLOW, REFUSE = seccomp.SECCOMP_RET_ALLOW, seccomp.SECCOMP_RET_ERRNO | errno.EPERM
I386 = 0x40000003


def _filter(program, arch: int, number: int) -> int:
    """Classic BPF, as the kernel runs a seccomp filter on struct seccomp_data."""
    data = {seccomp.NR_OFFSET: number, seccomp.ARCH_OFFSET: arch}
    accumulator, pc = 0, 0
    while True:
        code, jump_true, jump_false, constant = program[pc]
        if code == seccomp.LOAD_WORD:
            accumulator = data[constant]
        elif code == seccomp.RETURN:
            return constant
        elif code in (seccomp.JUMP_IF_EQUAL, seccomp.JUMP_IF_AT_LEAST):
            taken = accumulator == constant if code == seccomp.JUMP_IF_EQUAL else accumulator >= constant
            pc += jump_true if taken else jump_false
        else:
            raise AssertionError(f"unknown instruction {code:#x}")
        pc += 1


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHITECTURES))
def test_the_filter_refuses_cross_process_calls_and_foreign_conventions(machine):
    program = seccomp.program(machine)
    arch, numbers = seccomp.ARCHITECTURES[machine]
    for name in seccomp.REFUSED:
        assert _filter(program, arch, numbers[name]) == REFUSE, name
    for ordinary in (0, 1, 39, 57, 59, 172, 220, 435):  # read, write, getpid, fork, execve, clone...
        if ordinary not in numbers.values():
            assert _filter(program, arch, ordinary) == ALLOW, ordinary
    assert _filter(program, I386, 26) == REFUSE  # i386's ptrace through int 0x80
    if machine == "x86_64":
        assert _filter(program, arch, seccomp.X32_SYSCALL_BIT | 39) == REFUSE  # x32


@pytest.mark.skipif(not seccomp.supported(), reason="no filter for this architecture")
def test_the_installed_filter_refuses_ptrace_and_lets_python_work():
    code = textwrap.dedent("""
        import ctypes, os, subprocess, sys
        from autograder.sandbox import limits, seccomp
        limits.no_new_privileges()
        seccomp.install()
        libc = ctypes.CDLL(None, use_errno=True)
        traced = libc.ptrace(0, 0, None, None)  # PTRACE_TRACEME
        print(traced, ctypes.get_errno(), subprocess.run([sys.executable, "-c", "print(6 * 7)"],
                                                         capture_output=True, text=True).stdout.strip())
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["-1", str(errno.EPERM), "42"], done.stderr[-2000:]


@pytest.fixture
def fake_tree(tmp_path, monkeypatch):
    """A cgroup v2 tree whose group user.slice/app.scope is delegated to this process."""
    root = tmp_path / "cgroup"
    own = root / "user.slice" / "app.scope"
    own.mkdir(parents=True)
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (own / "cgroup.controllers").write_text("cpu memory pids\n")
    (own / "cgroup.subtree_control").write_text("")
    (own / "cgroup.procs").write_text(f"{os.getpid()}\n")
    (tmp_path / "self").write_text("0::/user.slice/app.scope\n")
    monkeypatch.setattr(cgroups, "ROOT", root)
    monkeypatch.setattr(cgroups, "SELF", tmp_path / "self")
    monkeypatch.setattr(cgroups, "real_root", lambda: False)
    monkeypatch.setattr(cgroups, "_delegated", {})
    return own


def test_a_delegated_subtree_gets_a_leaf_for_the_grader_and_a_group_per_submission(fake_tree):
    group = cgroups.Cgroup.create(2**30, 256)
    assert group is not None and group.version == 2
    folder = group.folders["unified"]
    assert folder.parent == fake_tree and folder.name.startswith("submission-")
    assert (fake_tree / "grader" / "cgroup.procs").read_text() == str(os.getpid())  # out of the parent first
    assert set((fake_tree / "cgroup.subtree_control").read_text().split()) >= {"+memory", "+pids"}
    assert (folder / "memory.max").read_text() == str(2**30)
    assert (folder / "pids.max").read_text() == "256"


def test_a_group_shared_with_other_processes_is_left_alone(fake_tree):
    (fake_tree / "cgroup.procs").write_text(f"{os.getpid()}\n1\n")
    assert cgroups.Cgroup.create(2**30, 256) is None
    assert not (fake_tree / "grader").exists()
    assert (fake_tree / "cgroup.subtree_control").read_text() == ""


# --- namespaces forbidden ------------------------------------------------------------------------

def _forbidden(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``argv`` in a user namespace of its own in which no further namespace may be created."""
    shell = 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"'
    return subprocess.run(["unshare", "--user", "--map-root-user", "sh", "-c", shell, "sh", *argv],
                          capture_output=True, text=True, timeout=600, cwd=cwd)


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("forbidden")
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "toy"\n')
    (course / "masters").mkdir()
    (course / "masters" / "toy.md").write_text("\n".join([
        MASTER_HEADER + "# Toy\n",
        master_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", id="add",
                    solution=True),
        master_cell("assert add(1, 2) == 3", id="test_add", grade=True, points=1)]))
    released = release(course, "toy")
    for student in ("ann", "bob", "cat"):
        target = course / "submitted" / student / "toy" / "toy.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(released, target)
    return course


def test_forbidden_namespaces_stop_grading_with_one_clear_message(small_course):
    course_grade = str(Path(sys.executable).with_name("course-grade"))
    done = _forbidden([course_grade, "--course", str(small_course), "grade", "toy"], small_course)
    assert done.returncode == 1, done.stderr[-2000:]
    messages = [line for line in done.stderr.splitlines() if line.startswith("course-grade:")]
    assert len(messages) == 1, done.stderr[-3000:]
    for words in ("may not create the namespaces", "max_user_namespaces", "--no-sandbox"):
        assert words in messages[0], messages[0]
    assert not list(small_course.glob("autograded/*/toy/*.grading.json"))  # nothing graded


def test_validate_runs_unconfined_there_and_says_so(small_course):
    course_grade = str(Path(sys.executable).with_name("course-grade"))
    notebook = small_course / "submitted" / "ann" / "toy" / "toy.ipynb"
    done = _forbidden([course_grade, "validate", "--json", str(notebook)], small_course)
    result = json.loads(done.stdout)
    assert result["sandboxed"] is False and "may not create the namespaces" in result["unconfined_because"]
    assert set(result["tests"]) == {"test_add"}
    plain = _forbidden([course_grade, "validate", str(notebook)], small_course)
    assert "run without the grader's sandbox" in plain.stdout, plain.stdout
