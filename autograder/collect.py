"""Collecting submissions: a folder or zip of ``<student_id>.ipynb`` files into nbgrader's layout.

Each accepted file lands in ``submitted/<student_id>/<assignment>/<assignment>.ipynb`` with
nbgrader's ``timestamp.txt``. Files that are not notebooks, or whose name is not a valid student
id, are reported and left out. A resubmission replaces the previous one only if its content
differs, so collecting the same folder twice changes nothing.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_NOTEBOOK_BYTES = 50 * 2**20  # larger files are almost certainly not hand-in notebooks
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's


@dataclass
class CollectReport:
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


def collect(course: Path, assignment: str, source: Path) -> CollectReport:
    """Copy every valid ``<student_id>.ipynb`` of ``source`` (a folder or a zip) into ``submitted/``."""
    report = CollectReport()
    seen: set[str] = set()
    for name, when, read in _entries(source):
        student, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
        if suffix != ".ipynb":
            report.rejected.append((name, "not a notebook (.ipynb)"))
        elif not STUDENT_ID.fullmatch(student) or student.startswith(".."):
            report.rejected.append((name, "the file name is not a valid student id"))
        elif student in seen:
            report.rejected.append((name, f"a second notebook for student {student}"))
        else:
            seen.add(student)
            content = read()
            if content is None:
                report.rejected.append((name, f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"))
                continue
            target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
            if target.is_file() and target.read_bytes() == content:
                report.unchanged.append(student)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            (target.parent / "timestamp.txt").write_text(when.strftime(TIMESTAMP_FORMAT))
            report.imported.append(student)
    return report


def _entries(source: Path) -> Iterator[tuple[str, datetime.datetime, callable]]:
    """(file name, time it was handed in, reader) for each file directly in ``source``."""
    if source.is_dir():
        for path in sorted(p for p in source.iterdir() if p.is_file()):
            when = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc)
            yield path.name, when, lambda path=path: _limited(path.stat().st_size, path.read_bytes)
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir():
                    continue
                when = datetime.datetime(*info.date_time, tzinfo=datetime.timezone.utc)
                # Only the base name counts: a member "../../x.ipynb" is read, never extracted.
                yield PurePosixPath(info.filename).name, when, lambda info=info: _limited(
                    info.file_size, lambda: archive.read(info)
                )
    else:
        raise FileNotFoundError(f"{source} is neither a folder nor a zip file")


def _limited(size: int, read) -> bytes | None:
    return None if size > MAX_NOTEBOOK_BYTES else read()
