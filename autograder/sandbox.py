"""Running untrusted code: bubblewrap with a read-only system, no network, one writable folder.

Inside the sandbox the whole file system is read-only, /tmp is private and empty, the network
does not exist, and every folder named in ``hidden`` (the course directory with its masters,
source, gradebook and other students' work; the home folder) is replaced by an empty one. The
only writable place is the submission's own workspace. Memory is capped with RLIMIT_AS.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# Variables that would send caches and settings outside the home folder; the sandbox drops them
# so that everything lands in the workspace, which is the home folder there.
HOME_REDIRECTS = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "MPLCONFIGDIR", "IPYTHONDIR",
                  "JUPYTER_CONFIG_DIR")

class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing: grading untrusted code would run it with the grader's rights."""


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


def command(argv: list[str], workspace: Path, hidden: list[Path], memory_bytes: int, *, sandbox: bool = True) -> list[str]:
    """The command line that runs ``argv`` confined to ``workspace`` (its working folder)."""
    limited = [sys.executable, "-m", "autograder.limits", str(memory_bytes), "--", *argv]
    if not sandbox:
        return limited
    wrapped = [
        bubblewrap(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
    ]
    for folder in hidden:
        if folder.exists():
            wrapped += ["--tmpfs", str(folder.resolve())]
    # What the grader itself runs on must stay visible even where /tmp or a hidden folder covers
    # it (pyenv keeps Python in the home folder; a checkout may live in /tmp): bring it back,
    # read-only.
    for needed in sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(__file__).resolve().parent}):
        wrapped += ["--ro-bind", str(needed), str(needed)]
    # The workspace is bound last, so it stays visible even inside a hidden folder.
    wrapped += ["--bind", str(workspace.resolve()), str(workspace.resolve()), "--chdir", str(workspace.resolve())]
    wrapped += ["--setenv", "HOME", str(workspace.resolve())]
    for variable in HOME_REDIRECTS:
        wrapped += ["--unsetenv", variable]
    return [*wrapped, *limited]
