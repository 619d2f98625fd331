"""What every platform module shares: hand-ins, rosters, student ids nbgrader can take, CSV."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

NBGRADER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # what collect accepts as a student id


class PlatformError(ValueError):
    """A roster or download that cannot be used; the message says what to do."""


@dataclass
class Student:
    id: str                    # the platform's stable id for the person
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    full_name: str = ""


@dataclass
class Roster:
    students: dict[str, Student] = field(default_factory=dict)   # by platform id
    participants: dict[str, str] = field(default_factory=dict)   # Moodle: participant id -> platform id
    submitted_at: dict[str, str] = field(default_factory=dict)   # Moodle: participant id -> its time, as written


@dataclass
class HandIn:
    """One file of a download: a notebook handed in by one person."""
    student: str               # the platform's id for the person
    notebook: str              # which of the assignment's notebooks it is
    entry: object              # the download entry (collect._Entry): path, time, reader
    when: datetime.datetime    # when it was handed in (UTC)
    rank: tuple                # larger is newer, within one person's notebook
    late: bool = False
    details: dict = field(default_factory=dict)   # what feedback and export need (prefix, participant, name)

    @property
    def where(self) -> str:
        return "/".join(self.entry.parts)


def notebook_for(filename: str, names: set[str]) -> str | None:
    """The assignment notebook a handed-in file is: its own name, or with a copy counter such as
    Canvas's ``-1`` or a browser's `` (1)`` removed; with one notebook, any ``.ipynb``."""
    if not filename.endswith(".ipynb"):
        return None
    stem = re.sub(r"(-\d+| \(\d+\))$", "", filename[:-len(".ipynb")])
    if f"{stem}.ipynb" in names:
        return f"{stem}.ipynb"
    return next(iter(names)) if len(names) == 1 else None


def read_csv(path: Path) -> list[list[str]]:
    """The rows of a CSV export (UTF-8, with or without a byte-order mark)."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise PlatformError(f"cannot read the roster {path}: {error}") from None
    return [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(rows)


def columns(header: list[str], wanted: tuple[str, ...], what: str) -> dict[str, int]:
    """Where each wanted column is (matched in English, case and spaces aside)."""
    found = {cell.strip().lower(): index for index, cell in enumerate(header)}
    missing = [name for name in wanted if name.lower() not in found]
    if missing:
        raise PlatformError(f"{what}: no column {', '.join(repr(m) for m in missing)}; its columns are "
                            f"{', '.join(repr(c) for c in header)}. Export it with English column names.")
    return {name: found[name.lower()] for name in wanted}


class IdMap:
    """Platform ids <-> nbgrader student ids, kept in ``.course-grade/students.json``. An id
    nbgrader takes as it is stays itself; any other (``j.doe@uni.edu``, ``Jörg``) becomes a
    readable id (``j.doe-at-uni.edu``), made unique if two would meet."""

    def __init__(self, course: Path):
        self.path = course / ".course-grade" / "students.json"
        try:
            self.by_nbgrader: dict[str, dict] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.by_nbgrader = {}

    def nbgrader_id(self, platform: str, platform_id: str) -> str:
        for nbgrader, known in self.by_nbgrader.items():
            if known == {"platform": platform, "id": platform_id}:
                return nbgrader
        candidate = platform_id if NBGRADER_ID.fullmatch(platform_id) else _readable(platform_id)
        unique, number = candidate, 1
        while unique in self.by_nbgrader:
            number += 1
            unique = f"{candidate}-{number}"
        self.by_nbgrader[unique] = {"platform": platform, "id": platform_id}
        return unique

    def platform_id(self, nbgrader_id: str) -> str:
        return self.by_nbgrader.get(nbgrader_id, {}).get("id", nbgrader_id)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.by_nbgrader, indent=1, ensure_ascii=False))


def _readable(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9_.-]+", "-", plain.replace("@", "-at-")).strip("-._") or "student"
    return plain[:60]


def records_path(course: Path, assignment: str) -> Path:
    return course / ".course-grade" / "platforms" / f"{assignment}.json"


def save_records(course: Path, assignment: str, platform: str, chosen: dict[str, HandIn]) -> None:
    """What feedback and export need later, by nbgrader id: the platform, the id, lateness, the
    winning file and the platform's details."""
    path = records_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        saved = {}
    for nbgrader_id, hand_in in chosen.items():
        saved[nbgrader_id] = {"platform": platform, "id": hand_in.student, "late": hand_in.late,
                              "file": hand_in.where, "when": hand_in.when.isoformat(), **hand_in.details}
    path.write_text(json.dumps(saved, indent=1, ensure_ascii=False))


def load_records(course: Path, assignment: str) -> dict[str, dict]:
    try:
        return json.loads(records_path(course, assignment).read_text())
    except (OSError, ValueError):
        return {}

