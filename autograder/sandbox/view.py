"""What a sandboxed command sees: the bubblewrap command line that builds its file view and its
environment.

The view is assembled in an order that works wherever the course lives. The private, in-memory
home and temporary folder are mounted first (``/home``, with ``/tmp`` a relative link into it);
only then are the grader's Python environment and its editable packages bound, read-only, at
the very paths they have outside (literal and resolved, so that paths behind symbolic links
work). Bound after the home, a checkout in ``/home/alice`` or under ``/tmp`` shows through the
private folders instead of being hidden by them, and only the package folders are bound: never
the project root, which holds the course's gradebook, sources and reference answers.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

HOME = "/home/student"
INPUTS = "/grading"
USER_NAME = "student"
# Variables that would send caches and settings outside the home folder. The sandbox never passes
# them (its environment is an allow-list); the home-cache warm-up (grade.py), which runs outside
# it, drops them, so that what it builds lands in the home folder where the sandbox looks.
HOME_REDIRECTS = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "MPLCONFIGDIR", "IPYTHONDIR",
                  "JUPYTER_CONFIG_DIR")
# The only variables of the grader's environment that reach student code: none carries a secret,
# and some are needed for correct numerics (OpenBLAS on some processors).
ENV_PASSED = ("LANG", "TZ", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND")
ENV_PASSED_PREFIXES = ("LC_", "OPENBLAS_", "OMP_", "MKL_")
# Thread pools that numeric libraries size by the machine's cores. Threads count against the
# process quota (RLIMIT_NPROC and the pids controller both count tasks), so on a server with many
# cores each submission gets a bounded share unless the grader's environment sets its own.
THREAD_POOLS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
                "TF_NUM_INTEROP_THREADS")
MAX_POOL_THREADS = 8
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "mime.types")


class SandboxUnavailable(RuntimeError):
    """Student code cannot be isolated here (bubblewrap is missing, or cannot create namespaces):
    grading it would run it with the grader's rights."""


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


def real_root() -> bool:
    """Root of the whole machine, not the root of a user namespace (a rootless container's root
    can neither create control groups nor become another user id)."""
    if os.getuid() != 0:
        return False
    try:
        return Path("/proc/self/uid_map").read_text().split() == ["0", "0", "4294967295"]
    except OSError:
        return False


def allowed_environment(extra: dict[str, str]) -> dict[str, str]:
    passed = {name: value for name, value in os.environ.items()
              if name in ENV_PASSED or name.startswith(ENV_PASSED_PREFIXES)}
    pools = str(max(1, min(MAX_POOL_THREADS, os.cpu_count() or 1)))
    threads = {name: os.environ.get(name, pools) for name in THREAD_POOLS}
    return {**passed, **threads, "HOME": HOME, "USER": USER_NAME, "LOGNAME": USER_NAME, "TMPDIR": "/tmp",
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "LANG": passed.get("LANG", "C.UTF-8"), "PYTHONDONTWRITEBYTECODE": "1", **extra}


@functools.cache
def python_folders() -> tuple[Path, ...]:
    """Folders the grader's Python needs, each as written and as resolved: the interpreter's
    installation, the environment (venv, conda or the system's), the ``autograder`` package,
    and the package folders of every editable install (which live outside the environment, in a
    checkout). Never the checkout itself."""
    folders = [Path(sys.base_prefix), Path(sys.prefix), Path(sys.base_exec_prefix), Path(sys.exec_prefix),
               Path(__file__).parent.parent, Path(sys.executable).parent]
    folders += _editable_packages()
    found = set()
    for folder in folders:
        for form in (Path(os.path.abspath(folder)), folder.resolve()):
            if form.exists() and form != Path("/"):
                found.add(form)
    # A folder inside another bound folder comes with it.
    return tuple(sorted(f for f in found if not any(o != f and f.is_relative_to(o) for o in found)))


def _editable_packages() -> list[Path]:
    """Where each editable install's top-level packages are (pip's direct_url.json says which
    installs are editable; top_level.txt names their packages)."""
    places = []
    for distribution in importlib.metadata.distributions():
        try:
            direct = json.loads(distribution.read_text("direct_url.json") or "{}")
        except ValueError:
            continue
        if not direct.get("dir_info", {}).get("editable"):
            continue
        for name in (distribution.read_text("top_level.txt") or "").split():
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                continue
            if spec is None:
                continue
            if spec.submodule_search_locations:
                places += [Path(location) for location in spec.submodule_search_locations]
            elif spec.origin and spec.origin not in ("built-in", "frozen"):
                places.append(Path(spec.origin))
    return places


def bubblewrap_command(inside: list[str], inputs: Path, env: dict[str, str], *, disk_bytes: int,
                       limits: list[str]) -> list[str]:
    """bubblewrap around ``python -m autograder.sandbox.limits LIMITS -- INSIDE``."""
    command = [bubblewrap(), "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if not real_root():  # bubblewrap's user namespace maps to the grader's own id; forbid nesting
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
    command += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(64 * 2**20), "--tmpfs", "/dev/shm"]
    command += ["--ro-bind", str(inputs / "passwd"), "/etc/passwd", "--ro-bind", str(inputs / "group"), "/etc/group"]
    # One in-memory file system for everything the submission may write: home and /tmp share its
    # size. /tmp is a relative link, so that folders bound below /tmp land inside it.
    command += ["--perms", "0755", "--size", str(disk_bytes), "--tmpfs", "/home",
                "--perms", "0777", "--dir", HOME, "--perms", "1777", "--dir", "/home/tmp", "--symlink", "home/tmp", "/tmp"]
    command += _python_binds()
    command += ["--ro-bind", str(inputs), INPUTS, "--remount-ro", "/", "--chdir", HOME, "--clearenv"]
    for name, value in env.items():
        command += ["--setenv", name, value]
    return [*command, sys.executable, "-m", "autograder.sandbox.limits", *limits, "--"] + inside


def _python_binds() -> list[str]:
    """Read-only binds of the Python folders, after the private home. bubblewrap copies the modes
    of the folders above a bind (/root is 0700): those it creates are opened up, so the sandbox
    user can reach the environment, which is all that is in them here. Folders that would fall
    inside the writable home or /tmp get a small file system of their own instead, made
    read-only once the binds are in: graded as an ordinary user, the sandbox user owns what
    bubblewrap creates, and could otherwise write beside the environment."""
    folders = [folder for folder in python_folders() if not folder.is_relative_to("/usr")]
    tops = sorted({_writable_top(folder) for folder in folders} - {None})
    command = []
    for top in tops:
        command += ["--perms", "0755", "--size", str(2**20), "--tmpfs", str(top)]
    made = {Path("/"), Path("/home"), Path("/tmp"), Path("/home/tmp"), *tops}
    for folder in folders:
        for parent in reversed(folder.parents):
            if parent not in made:
                command += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
    for folder in folders:
        command += ["--ro-bind", str(folder), str(folder)]
    for top in tops:
        command += ["--remount-ro", str(top)]
    return command


def _writable_top(folder: Path) -> Path | None:
    """The folder right below /home or /tmp that holds ``folder``, where it lies in either."""
    for area in (Path("/tmp"), Path("/home")):
        if folder.is_relative_to(area) and folder != area:
            top = area / folder.relative_to(area).parts[0]
            return None if top in (Path(HOME), Path("/home/tmp")) else top
    return None
