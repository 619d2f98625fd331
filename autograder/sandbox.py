"""Running untrusted code: an allow-listed, unprivileged bubblewrap sandbox with one quota.

What a sandboxed command sees and may do:

- **Files**: an allow-list, nothing else. The system's programs and libraries (``/usr`` and its
  links), a few files of ``/etc`` the dynamic loader needs, the Python environment the grader runs
  on (read-only), ``/grading`` (read-only: what this run was given) and a private home folder with
  ``/tmp`` inside it, on one size-limited in-memory file system that vanishes with the sandbox.
  No course directory, no other home folder, no ``.git``, no ``/run`` (and so no server's socket).
- **Who**: an unprivileged user id that owns nothing on the machine, in a user namespace that maps
  that id alone and forbids creating further namespaces; no capabilities; ``no_new_privs``.
  Graded as root, bubblewrap builds the view and ``autograder.limits`` drops to that id inside;
  graded as an ordinary user, bubblewrap's own user namespace maps to that user.
- **Environment**: cleared, then an allow-list (locale, numeric-library threading knobs) and the
  variables the grader sets. The instructor's secrets (``PGPASSWORD``, tokens) never enter.
- **Network**: none (a private network namespace with only loopback), no shared IPC, own PIDs.
- **Quota for the whole submission**: memory (the in-memory disk included), number of processes
  and CPU seconds through a control group (``autograder.cgroups``), where the machine lets us
  create one; elsewhere the per-process fallbacks RLIMIT_AS, RLIMIT_NPROC (only where a dedicated
  user id exists, that is as root) and RLIMIT_CPU. The disk is capped by the in-memory file system's
  size either way. Wall time is capped by the caller.

The one way out is data: the command writes to file descriptor 3, which the caller reads into a
bounded buffer and may interpret only after ``run`` returns, when every process is dead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.cgroups import Cgroup

HOME = "/home/student"
INPUTS = "/grading"
USER_NAME = "student"
# Ids for student code: outside any range a distribution gives to accounts, so they own nothing.
USER_ID_RANGE = (1_900_000_000, 2_000_000_000)
# Variables that would send caches and settings outside the home folder. The sandbox never passes
# them (its environment is an allow-list); the home-cache warm-up (grade.py), which runs outside
# it, drops them, so that what it builds lands in the home folder where the sandbox looks.
HOME_REDIRECTS = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "MPLCONFIGDIR", "IPYTHONDIR",
                  "JUPYTER_CONFIG_DIR")
# The only variables of the grader's environment that reach student code: none carries a secret,
# and some are needed for correct numerics (OpenBLAS on some processors).
ENV_PASSED = ("LANG", "TZ", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND")
ENV_PASSED_PREFIXES = ("LC_", "OPENBLAS_", "OMP_", "MKL_")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "mime.types")
CHANNEL_FD = 3


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing: grading untrusted code would run it with the grader's rights."""


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


def bubblewrap() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so student code cannot be isolated. On Debian or "
            "Ubuntu: `apt-get install bubblewrap` (make setup does this when it runs as root). It does "
            "not exist on macOS or Windows: grade on Linux, or pass --no-sandbox to accept the risk "
            "of running every submission with your own rights."
        )
    return path


def allowed_environment(extra: dict[str, str]) -> dict[str, str]:
    passed = {name: value for name, value in os.environ.items()
              if name in ENV_PASSED or name.startswith(ENV_PASSED_PREFIXES)}
    return {**passed, "HOME": HOME, "USER": USER_NAME, "LOGNAME": USER_NAME, "TMPDIR": "/tmp",
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "LANG": passed.get("LANG", "C.UTF-8"), "PYTHONDONTWRITEBYTECODE": "1", **extra}


def _python_environment() -> list[Path]:
    """Folders the grader's own Python needs: the interpreter, the environment, and this package
    (an editable install keeps it outside the environment)."""
    folders = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(__file__).resolve().parent}
    return sorted(folders)


def bubblewrap_command(inside: list[str], inputs: Path, quota: Quota, env: dict[str, str], user: int) -> list[str]:
    as_root = os.getuid() == 0
    command = [bubblewrap(), "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if not as_root:  # bubblewrap's user namespace maps to the grader's own id; forbid nesting
        command += ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            command += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            command += ["--ro-bind", top, top]
    command += ["--ro-bind", "/usr", "/usr"]
    for name in ETC_FILES:
        command += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    command += ["--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]  # CPU count for BLAS threads
    folders = _python_environment()
    # bubblewrap copies the modes of the folders above a bind (/root is 0700): open them up, so the
    # sandbox user can reach the environment, which is all that is in them here.
    for parent in sorted({p for folder in folders for p in folder.parents if p != Path("/")}, key=lambda p: len(p.parts)):
        command += ["--perms", "0755", "--dir", str(parent)]
    for folder in folders:
        command += ["--ro-bind", str(folder), str(folder)]
    command += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(64 * 2**20), "--tmpfs", "/dev/shm"]
    command += ["--ro-bind", str(inputs / "passwd"), "/etc/passwd", "--ro-bind", str(inputs / "group"), "/etc/group"]
    # One in-memory file system for everything the submission may write: home and /tmp share its size.
    command += ["--perms", "0755", "--size", str(quota.disk_bytes), "--tmpfs", "/home",
                "--perms", "0777", "--dir", HOME, "--perms", "1777", "--dir", "/home/tmp", "--symlink", "/home/tmp", "/tmp",
                "--ro-bind", str(inputs), INPUTS, "--chdir", HOME, "--clearenv"]
    for name, value in env.items():
        command += ["--setenv", name, value]
    drop = [sys.executable, "-m", "autograder.limits"]
    if as_root:
        drop += ["--user", str(user), "--processes", str(quota.processes)]
    return [*command, *drop, "--", *inside]


def run(inside: list[str], inputs: Path, quota: Quota, *, env: dict[str, str] | None = None, sandbox: bool = True,
        channel_limit: int = 64 * 2**20) -> Finished:
    """Run ``inside`` (a command line, e.g. ``python -m autograder.runner``) confined, with the
    files of ``inputs`` readable at ``/grading``; return once every process it started is dead.

    Without ``sandbox`` (only where bubblewrap cannot exist) the command runs with the grader's
    rights (``run_unconfined``)."""
    if not sandbox:
        return run_unconfined(inside, inputs, quota, env=env, channel_limit=channel_limit)
    user = secrets.randbelow(USER_ID_RANGE[1] - USER_ID_RANGE[0]) + USER_ID_RANGE[0]
    inputs.chmod(0o755)
    for path in inputs.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (inputs / "passwd").write_text(f"{USER_NAME}:x:{user}:{user}::{HOME}:/bin/sh\n")
    (inputs / "group").write_text(f"{USER_NAME}:x:{user}:\n")
    environment = allowed_environment(env or {})
    group = Cgroup.create(quota.memory_bytes, quota.processes)
    outer = [sys.executable, "-m", "autograder.limits", "--memory", str(quota.memory_bytes),
             "--cpu", str(quota.cpu_seconds)]
    for procs in group.procs_files if group else []:
        outer += ["--join", str(procs)]
    read_end, write_end = os.pipe()
    outer += ["--channel", str(write_end)]  # the helper makes it descriptor 3
    command = [*outer, "--", *bubblewrap_command(inside, inputs, quota, environment, user)]
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
        command = [sys.executable, "-m", "autograder.limits", "--memory", str(quota.memory_bytes),
                   "--cpu", str(quota.cpu_seconds), "--", *command]
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
