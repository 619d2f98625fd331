"""Moodle: "Download all submissions" in, the grading worksheet and feedback files out.

Formats (from samples and Moodle's assignment documentation, "Assignment settings" and "Using
Assignment": offline grading worksheet, feedback files; no Moodle could be reached from here):

- A download holds one folder per submission, ``<Full name>_<participant id>_assignsubmission_
  file_/<file>``, or the same names flat (``..._assignsubmission_file_<file>``) when "Download
  submissions in folders" is off. Participant ids differ per assignment, so the person is found
  through the grading worksheet, and the stable id is its email address.
- The grading worksheet (View all submissions > Grading action > Download grading worksheet,
  with "Offline grading worksheet" enabled) has the columns ``Identifier`` ("Participant N"),
  ``Full name``, ``Email address``, ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can be
  changed``, ``Last modified (submission)``, ``Last modified (grade)``, ``Feedback comments``.
  Upload it back unchanged but for ``Grade`` and ``Feedback comments``.
- Feedback files ("Feedback files" enabled; Grading action > Upload multiple feedback files in a
  zip) go in the download's folder names, one folder per student.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path, PurePosixPath

from autograder.platforms.common import HandIn, PlatformError, Roster, Student, columns, notebook_for, read_csv, write_csv

NAME = "moodle"
ROSTER_REQUIRED = True
ROSTER_HELP = ("Moodle: the assignment's View all submissions > Grading action > Download grading worksheet "
               "(turn on \"Offline grading worksheet\" in the assignment's feedback types)")
FOLDER = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<rest>.*)$")
READ = ("Identifier", "Full name", "Email address")
WRITE = ("Identifier", "Grade", "Maximum Grade", "Feedback comments")
TIMES = ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%d %B %Y, %I:%M %p", "%Y-%m-%d %H:%M:%S")


def read_roster(path: Path) -> Roster:
    rows = read_csv(path)
    if not rows:
        raise PlatformError(f"{path} is empty: download it again ({ROSTER_HELP})")
    where = columns(rows[0], READ, f"the Moodle grading worksheet {path}")
    modified = {c.strip().lower(): i for i, c in enumerate(rows[0])}.get("last modified (submission)")
    roster = Roster()
    for row in rows[1:]:
        row = row + [""] * (len(rows[0]) - len(row))
        participant = re.sub(r"\D", "", row[where["Identifier"]])
        email = row[where["Email address"]].strip().lower()
        if not participant or not email:
            continue
        full = row[where["Full name"]].strip()
        first, _, last = full.rpartition(" ") if " " in full else ("", "", full)
        roster.students[email] = Student(email, first, last, email, full)
        roster.participants[participant] = email
        if modified is not None:
            roster.submitted_at[participant] = row[modified].strip()
    return roster


def _when(text: str, zone) -> datetime.datetime | None:
    for pattern in TIMES:
        try:
            return datetime.datetime.strptime(text, pattern).replace(tzinfo=zone).astimezone(datetime.timezone.utc)
        except ValueError:
            continue
    return None


def read_download(entries, names: set[str], roster: Roster | None, zone) -> tuple[list[HandIn], list[tuple[str, str]]]:
    hand_ins, strays = [], []
    for entry in entries:
        where = "/".join(entry.parts)
        match = FOLDER.match(entry.parts[0])
        if not match or len(entry.parts) > 2 or (len(entry.parts) == 2 and match["rest"]):
            strays.append((where, "not where Moodle puts a submission (<Full name>_<participant>_assignsubmission_file_)"))
            continue
        filename = entry.parts[-1] if len(entry.parts) == 2 else match["rest"]
        if match["plugin"] != "file":
            strays.append((where, f"a {match['plugin']} submission, not a file"))
            continue
        notebook = notebook_for(filename, names)
        if notebook is None:
            strays.append((where, f"not a notebook of this assignment ({', '.join(sorted(names))})"))
            continue
        person = roster.participants.get(match["participant"])
        if person is None:
            strays.append((where, f"participant {match['participant']} is not in the grading worksheet"))
            continue
        when = _when(roster.submitted_at.get(match["participant"], ""), zone) or entry.when
        counter = re.search(r"(?:-| \()(\d+)\)?\.ipynb$", filename)
        hand_ins.append(HandIn(person, notebook, entry, when, (entry.when, int(counter[1]) if counter else 0),
                               details={"participant": match["participant"], "full_name": match["name"]}))
    return hand_ins, strays


def write_grades(worksheet: Path, scores: dict[str, tuple[float, float]], comments: dict[str, str], out: Path) -> int:
    """The worksheet back with ``Grade`` (scaled to its Maximum Grade) and ``Feedback comments``
    filled for every participant with a grade (``scores``: email -> (score, max score))."""
    rows = read_csv(worksheet)
    header = rows[0]
    where = columns(header, READ + WRITE[1:], f"the Moodle grading worksheet {worksheet}")
    written, table = 0, [header]
    for row in rows[1:]:
        row = row + [""] * (len(header) - len(row))
        email = row[where["Email address"]].strip().lower()
        if email in scores:
            score, maximum = scores[email]
            try:
                scale = float(row[where["Maximum Grade"]])
            except ValueError:
                raise PlatformError(f"{worksheet}: the Maximum Grade of {email} is not a number") from None
            row[where["Grade"]] = f"{score / maximum * scale if maximum else 0.0:.2f}"
            row[where["Feedback comments"]] = comments.get(email, "")
            written += 1
        table.append(row)
    write_csv(out, table)
    return written


def feedback_name(record: dict, notebook: str) -> str:
    """Where Moodle's feedback-zip upload looks for a student's files: the download's folder."""
    return f"{record['full_name']}_{record['participant']}_assignsubmission_file_/{PurePosixPath(notebook).stem}_feedback.html"
