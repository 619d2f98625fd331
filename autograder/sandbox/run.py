"""Running one command in the sandbox, with its quota, and reading back what it reported.

The one way out is data: the command writes to file descriptor 3, which the caller reads into a
bounded buffer and may interpret only after ``run`` returns, when every process is dead.
"""

from __future__ import annotations

import os
import platform
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import seccomp
from autograder.sandbox.cgroups import Cgroup
from autograder.sandbox.view import HOME, USER_NAME, allowed_environment, bubblewrap_command, real_root

# Ids for student code graded as root: outside any range a distribution gives to accounts, so
# they own nothing.
USER_ID_RANGE = (1_900_000_000, 2_000_000_000)
CHANNEL_FD = 3


@dataclass(frozen=True)
class Quota:
    memory_bytes: int = 6 * 2**30
    processes: int = 256
    disk_bytes: int = 512 * 2**20
    cpu_seconds: int = 1800
    wall_seconds: int = 900


@dataclass
class Finished:
    returncode: int | None
    channel: bytes            # what came out on file descriptor 3, at most ``channel_limit`` bytes
    channel_cut: bool         # more was written than that
    stderr_tail: str
    stopped: str | None       # why the sandbox was stopped early, if it was
    confined_by: str          # "cgroup" or "rlimits": how the quota was enforced


def nproc_counted_per_namespace() -> bool:
    """Linux 5.14 and later count RLIMIT_NPROC per user namespace and user id (the "ucounts"
    rework); before, per user id across the machine."""
    release = platform.release().split("-")[0].split(".")
    try:
        return (int(release[0]), int(release[1])) >= (5, 14)
    except (IndexError, ValueError):
        return False


def user_tasks(uid: int | None = None) -> int:
    """Processes and threads of ``uid`` (default: this one) now: what RLIMIT_NPROC counts."""
    uid = os.getuid() if uid is None else uid
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields["Threads"])
        except (OSError, KeyError, ValueError):
            pass
    return count


def process_limit(quota: Quota) -> int:
    """RLIMIT_NPROC for a submission graded as this user: the quota itself where it counts per
    submission (as root, a fresh user id; as an ordinary user, a kernel that counts per user
    namespace), else the quota on top of what this user already runs (shared by the batch)."""
    if real_root() or nproc_counted_per_namespace():
        return quota.processes
    return user_tasks() + quota.processes


def run(inside: list[str], inputs: Path, quota: Quota, *, env: dict[str, str] | None = None, sandbox: bool = True,
        channel_limit: int = 64 * 2**20) -> Finished:
    """Run ``inside`` (a command line, e.g. ``python -m autograder.runner``) confined, with the
    files of ``inputs`` readable at ``/grading``; return once every process it started is dead.

    Without ``sandbox`` (only where bubblewrap cannot exist) the command runs with the grader's
    rights (``run_unconfined``)."""
    if not sandbox:
        return run_unconfined(inside, inputs, quota, env=env, channel_limit=channel_limit)
    user = secrets.randbelow(USER_ID_RANGE[1] - USER_ID_RANGE[0]) + USER_ID_RANGE[0] if real_root() else os.getuid()
    inputs.chmod(0o755)
    for path in inputs.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (inputs / "passwd").write_text(f"{USER_NAME}:x:{user}:{user}::{HOME}:/bin/sh\n")
    (inputs / "group").write_text(f"{USER_NAME}:x:{user}:\n")
    environment = allowed_environment(env or {})
    group = Cgroup.create(quota.memory_bytes, quota.processes)
    outer = [sys.executable, "-m", "autograder.sandbox.limits", "--memory", str(quota.memory_bytes),
             "--cpu", str(quota.cpu_seconds)]
    for procs in group.procs_files if group else []:
        outer += ["--join", str(procs)]
    read_end, write_end = os.pipe()
    outer += ["--channel", str(write_end)]  # the helper makes it descriptor 3
    inner = ["--processes", str(process_limit(quota))] + (["--user", str(user)] if real_root() else [])
    inner += ["--seccomp"] if seccomp.supported() else []
    command = [*outer, "--", *bubblewrap_command(inside, inputs, environment, disk_bytes=quota.disk_bytes,
                                                  limits=inner)]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, pass_fds=(write_end,), start_new_session=True,
                                   env=_grader_environment())
    finally:
        os.close(write_end)
    channel, stderr = _Drain(read_end, channel_limit), _Drain(process.stderr.fileno(), 1 << 20)
    stopped = _wait(process, group, quota)
    # Every process of the submission is dead before anything it wrote is read.
    if group is not None:
        if not group.kill_all():
            stopped = stopped or "some of its processes could not be stopped"
        if group.out_of_memory() and not stopped:
            stopped = f"it ran out of memory (the limit is {quota.memory_bytes / 2**30:g} GiB)"
        group.remove()
    else:
        _kill_session(process.pid)
    channel.join()
    stderr.join()
    os.close(read_end)
    process.stderr.close()
    return Finished(process.returncode, bytes(channel.data), channel.cut,
                    bytes(stderr.data[-4000:]).decode("utf-8", "replace"), stopped, "cgroup" if group else "rlimits")


def run_unconfined(inside: list[str], inputs: Path, quota: Quota, *, env: dict[str, str] | None = None,
                   channel_limit: int = 64 * 2**20) -> Finished:
    """``inside`` with the grader's own rights, for machines without bubblewrap (macOS, Windows):
    a fresh home folder, the allowed environment, the per-process limits where the system has
    them, the wall-clock limit; its report goes to a file (``--channel-file``) instead of a pipe."""
    home, report = inputs / "workspace", inputs / "report.jsonl"
    home.mkdir(exist_ok=True)
    environment = allowed_environment(env or {})
    environment.update(HOME=str(home), USERPROFILE=str(home), TMPDIR=str(home), TEMP=str(home), TMP=str(home),
                       PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if os.name == "nt":
        environment["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")  # Python on Windows needs it
    command = [*inside, "--channel-file", str(report)]
    posix = os.name == "posix"
    if posix:  # the resource module exists only there
        command = [sys.executable, "-m", "autograder.sandbox.limits", "--memory", str(quota.memory_bytes),
                   "--cpu", str(quota.cpu_seconds), *(["--seccomp"] if seccomp.supported() else []), "--", *command]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environment, cwd=home, start_new_session=posix)
    stderr = _Drain(process.stderr.fileno(), 1 << 20)
    stopped = _wait(process, None, quota)
    if posix:
        _kill_session(process.pid)
    stderr.join()
    process.stderr.close()
    channel = report.read_bytes()[:channel_limit + 1] if report.is_file() else b""
    return Finished(process.returncode, channel[:channel_limit], len(channel) > channel_limit,
                    bytes(stderr.data[-4000:]).decode("utf-8", "replace"), stopped, "none (no sandbox)")


def _grader_environment() -> dict[str, str]:
    """What bubblewrap itself runs with (the sandbox clears it for what runs inside)."""
    return {name: value for name, value in os.environ.items() if name in ("PATH", "LANG")}


def _wait(process: subprocess.Popen, group: Cgroup | None, quota: Quota) -> str | None:
    deadline = time.monotonic() + quota.wall_seconds
    while True:
        try:
            process.wait(timeout=0.25)
            return None
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() > deadline:
            reason = f"stopped after {quota.wall_seconds} s, the time limit for a notebook"
        elif group is not None and group.cpu_seconds() > quota.cpu_seconds:
            reason = f"stopped after {quota.cpu_seconds} s of CPU time, the limit for a submission"
        else:
            continue
        _kill_session(process.pid)
        process.kill()
        if group is not None:
            group.kill_all()
        process.wait()
        return reason


def _kill_session(pid: int) -> None:
    try:
        os.killpg(pid, 9)
    except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: no killpg on Windows
        pass


class _Drain(threading.Thread):
    """Reads a pipe to its end, keeping at most ``limit`` bytes, so writers never block on it."""

    def __init__(self, fd: int, limit: int):
        super().__init__(daemon=True)
        self.fd, self.limit, self.data, self.cut = fd, limit, bytearray(), False
        self.start()

    def run(self) -> None:
        while True:
            block = os.read(self.fd, 1 << 16)
            if not block:
                break
            room = self.limit - len(self.data)
            if len(block) > room:
                self.cut = True
            self.data += block[:max(room, 0)]
