"""Blackboard Learn: "Download Assignment" in; grades go back through nbgrader's CSV export.

Format (from samples and Blackboard's help, "Download assignments"; no Blackboard could be
reached from here): a flat zip of ``<assignment title>_<username>_attempt_<YYYY-MM-DD-HH-MM-
SS>_<file>``, with a receipt ``<assignment title>_<username>_attempt_<time>.txt`` per attempt.
The attempt time is the server's local time (``--timezone``). The newest attempt wins. A
username is taken to hold no underscore (the title may).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from autograder.platforms.common import HandIn, PlatformError, Roster, Student, columns, notebook_for, read_csv

NAME = "blackboard"
ROSTER_REQUIRED = False
ROSTER_HELP = "Blackboard: Grade Center > Work Offline > Download (comma-delimited), for names"
FILE = re.compile(r"^(?P<title>.+)_(?P<user>[^_]+)_attempt_(?P<time>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})"
                  r"(?:_(?P<file>.+)|(?P<receipt>\.txt))$")


def read_roster(path: Path) -> Roster:
    rows = read_csv(path)
    if not rows:
        raise PlatformError(f"{path} is empty: download it again ({ROSTER_HELP})")
    where = columns(rows[0], ("Last Name", "First Name", "Username"), f"the Blackboard grade center {path}")
    roster = Roster()
    for row in rows[1:]:
        row = row + [""] * (len(rows[0]) - len(row))
        user = row[where["Username"]].strip()
        if user:
            first, last = row[where["First Name"]].strip(), row[where["Last Name"]].strip()
            roster.students[user] = Student(user, first, last, "", f"{first} {last}".strip())
    return roster


def read_download(entries, names: set[str], roster: Roster | None, zone) -> tuple[list[HandIn], list[tuple[str, str]]]:
    hand_ins, strays = [], []
    for entry in entries:
        where = "/".join(entry.parts)
        match = FILE.match(entry.parts[-1])
        if not match:
            strays.append((where, "not named as Blackboard names downloaded files (<title>_<user>_attempt_<time>_<file>)"))
            continue
        if match["receipt"]:
            continue  # the attempt's receipt: its facts are in the names already
        notebook = notebook_for(match["file"], names)
        if notebook is None:
            strays.append((where, f"not a notebook of this assignment ({', '.join(sorted(names))})"))
            continue
        local = datetime.datetime.strptime(match["time"], "%Y-%m-%d-%H-%M-%S").replace(tzinfo=zone)
        when = local.astimezone(datetime.timezone.utc)
        hand_ins.append(HandIn(match["user"], notebook, entry, when, (when,), details={"attempt": match["time"]}))
    return hand_ins, strays
