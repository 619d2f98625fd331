"""Checks that run inside the canary's environment, one JSON line per item on stdout:
``{"name": ..., "passed": ..., "error": first error line or "", "seconds": ...}``.

    python -m canary.checks chapters       # every chapter of the book, executed in quick mode
    python -m canary.checks assignments    # every master's solution graded by course-grade
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def first_line(text: str) -> str:
    """The line of an error message that says what went wrong: the last non-empty line of a
    traceback (the exception), or the first line of anything else (course-grade's line on the
    confinement it found is information, not the error)."""
    lines = [line.strip() for line in text.strip().splitlines()
             if line.strip() and not line.strip().startswith("course-grade: confinement:")]
    if not lines:
        return ""
    if lines[0].startswith("Traceback") or any(line.startswith("Traceback") for line in lines):
        return lines[-1][:300]
    return lines[0][:300]


def chapter(name: str) -> dict:
    import nbclient
    from nbclient.exceptions import CellExecutionError

    from bench.chapters import execute

    start = time.perf_counter()
    try:
        execute(name, quick=True)
    except CellExecutionError as error:
        # nbclient's message is the failing cell's source, then the traceback: say which cell too.
        cell = str(error).split("------------------")[1].strip().splitlines()[0] if "------------------" in str(error) else ""
        return {"name": name, "passed": False, "seconds": round(time.perf_counter() - start, 1),
                "error": f"{error.ename}: {first_line(error.evalue) or error.ename}" + (f" (in the cell starting {cell[:80]!r})" if cell else "")}
    except (nbclient.exceptions.DeadKernelError, TimeoutError, RuntimeError) as error:
        return {"name": name, "passed": False, "seconds": round(time.perf_counter() - start, 1),
                "error": f"{type(error).__name__}: {first_line(str(error))}"}
    return {"name": name, "passed": True, "seconds": round(time.perf_counter() - start, 1), "error": ""}


def assignment(name: str, masters: Path = REPO / "assignments" / "masters") -> dict:
    """Release the master, hand in its own solution as a student would, grade it with the
    ``course-grade`` command and expect every autograded point."""
    start = time.perf_counter()
    course_grade = str(Path(sys.executable).with_name("course-grade"))
    with tempfile.TemporaryDirectory(prefix=f"canary-{name}-") as folder:
        course = Path(folder)
        shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
        shutil.copytree(masters, course / "masters")
        for command in (["release", name], ["grade", name, "--workers", "1"]):
            done = subprocess.run([course_grade, "--course", str(course), *command], capture_output=True, text=True)
            if done.returncode:
                return {"name": name, "passed": False, "seconds": round(time.perf_counter() - start, 1),
                        "error": f"course-grade {command[0]}: {first_line(done.stderr or done.stdout)}"}
            if command[0] == "release":
                handed_in = course / "submitted" / "reference" / name
                handed_in.mkdir(parents=True)
                for notebook in (course / "source" / name).glob("*.ipynb"):
                    shutil.copy(notebook, handed_in)
        records = [json.loads(path.read_text()) for path in course.glob(f"autograded/reference/{name}/*.grading.json")]
    lost = [f"{record['notebook']}: {'rejected: ' + record['rejected'] if record.get('rejected') else ''}"
            for record in records if record.get("rejected")]
    for record in records:
        for grade_id, cell in sorted(record.get("cells", {}).items()):
            if cell.get("points") is not None and cell["points"] < cell["max_points"]:
                lost.append(f"{grade_id}: {cell['points']:g} of {cell['max_points']:g} points: {first_line(cell.get('reason') or '')}")
    if not records:
        lost.append("course-grade graded nothing")
    return {"name": name, "passed": not lost, "seconds": round(time.perf_counter() - start, 1),
            "error": "; ".join(lost)[:600]}


def main(argv: list[str]) -> int:
    os.environ["COURSE_QUICK"] = "1"
    if argv[:1] == ["chapters"]:
        from bench.chapters import CHAPTERS

        items, run = sorted(path.stem for path in CHAPTERS.glob("*.md")), chapter
    elif argv[:1] == ["assignments"]:
        items, run = sorted(path.stem for path in (REPO / "assignments" / "masters").glob("*.md")), assignment
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for item in argv[1:] or items:
        print(json.dumps(run(item)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
