"""Running nbgrader's own command line on the course directory, with its errors surfaced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    """nbgrader exited with an error; the message carries the end of its log."""


def nbgrader(course: Path, *args: str, timeout: float | None = None) -> str:
    """Run ``nbgrader ARGS`` with the course directory as working folder (where it finds
    nbgrader_config.py); return its log, raise NbgraderError when it fails."""
    # nbgrader runs helpers such as `alembic` from PATH: put this environment's scripts first.
    scripts = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=scripts + os.pathsep + os.environ.get("PATH", ""))
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True,
        timeout=timeout,
    )
    log = result.stdout + result.stderr
    if result.returncode != 0 or "[ERROR]" in log:
        raise NbgraderError(f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}")
    return log
