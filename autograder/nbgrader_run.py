"""Running nbgrader's own command line on the course directory, with its errors surfaced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    """nbgrader exited with an error; the message carries the end of its log."""


def path_with_scripts() -> str:
    """PATH with this environment's scripts first: nbgrader runs helpers such as `alembic` from PATH,
    and an environment used without being activated does not have them there."""
    scripts, path = str(Path(sys.executable).parent), os.environ.get("PATH", "")
    return path if path.split(os.pathsep)[0] == scripts else scripts + os.pathsep + path


def nbgrader(course: Path, *args: str, timeout: float | None = None) -> str:
    """Run ``nbgrader ARGS`` with the course directory as working folder (where it finds
    nbgrader_config.py); return its log, raise NbgraderError when it fails."""
    env = dict(os.environ, PATH=path_with_scripts())
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True,
        timeout=timeout,
    )
    log = result.stdout + result.stderr
    if result.returncode != 0 or "[ERROR]" in log:
        raise NbgraderError(f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}")
    return log
