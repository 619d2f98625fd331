"""Canvas: "Download Submissions" in, gradebook import and "Re-Upload Submissions" out.

Formats (from samples; no Canvas could be reached from here):

- A download is a flat zip of ``<name>[_LATE]_<user id>_<attachment id>_<file>``; Canvas adds
  ``-1``, ``-2`` to a file name handed in again. The newest is the highest attachment id, then
  the highest counter. ``LATE`` is Canvas's own late mark.
- The roster is the gradebook export (Grades > Export > CSV): ``Student, ID, SIS User ID, SIS
  Login ID, Section`` (some instances add ``Integration ID`` before ``Section``), then one column
  per assignment titled ``<name> (<assignment id>)``, and a "Points Possible" row. ``ID`` is the
  Canvas user id. Import expects the same leading columns and the assignment column's title
  as exported (Canvas Instructor Guide, "How do I import grades in the Gradebook?").
- Re-upload: Canvas's ``Assignment#infer_comment_context_from_filename`` (canvas-lms,
  app/models/assignment.rb) splits a re-uploaded file's name on ``_`` and takes its first two
  all-digit parts as the user id and the id of a file of that user's submission. So a feedback
  file named with the student's download prefix (``doejane_12345_67890_``) is attached as a
  comment to that submission. Verified in that source; not verified against a live Canvas.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from autograder.platforms.common import HandIn, PlatformError, Roster, Student, columns, notebook_for, read_csv, write_csv

NAME = "canvas"
ROSTER_REQUIRED = False
ROSTER_HELP = "Canvas: Grades > Export > Export Entire Gradebook (CSV)"
FILE = re.compile(r"^(?P<name>[^_]*)(?P<late>_LATE)?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
LEADING = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def read_roster(path: Path) -> Roster:
    rows = read_csv(path)
    if not rows:
        raise PlatformError(f"{path} is empty: export it again ({ROSTER_HELP})")
    where = columns(rows[0], ("Student", "ID"), f"the Canvas gradebook export {path}")
    roster = Roster()
    for row in rows[1:]:
        user = row[where["ID"]].strip() if len(row) > where["ID"] else ""
        if not user:
            continue  # "Points Possible" and other rows that are not students
        name = row[where["Student"]].strip()
        last, _, first = name.partition(",")
        roster.students[user] = Student(user, first.strip(), last.strip(), "", f"{first.strip()} {last.strip()}".strip())
    return roster


def read_download(entries, names: set[str], roster: Roster | None, zone) -> tuple[list[HandIn], list[tuple[str, str]]]:
    hand_ins, strays = [], []
    for entry in entries:
        filename = entry.parts[-1]
        match = FILE.match(filename)
        where = "/".join(entry.parts)
        if not match:
            strays.append((where, "not named as Canvas names downloaded files (<name>_<user id>_<file id>_<file>)"))
            continue
        notebook = notebook_for(match["file"], names)
        if notebook is None:
            strays.append((where, f"not a notebook of this assignment ({', '.join(sorted(names))})"))
            continue
        counter = re.search(r"-(\d+)\.ipynb$", match["file"])
        prefix = filename[:match.start("file")]
        hand_ins.append(HandIn(match["user"], notebook, entry, entry.when,
                               (int(match["attachment"]), int(counter[1]) if counter else 0),
                               late=bool(match["late"]), details={"prefix": prefix}))
    return hand_ins, strays


def assignment_column(header: list[str], assignment: str, title: str | None) -> int:
    if title is not None:
        if title not in header:
            raise PlatformError(f"the roster has no column {title!r}; its columns are {', '.join(header)}")
        return header.index(title)
    found = [index for index, cell in enumerate(header) if cell.strip().startswith(assignment)]
    if len(found) != 1:
        raise PlatformError(f"{'no' if not found else 'several'} roster columns start with {assignment!r}: "
                            f"name the one to fill with --column (columns: {', '.join(header)})")
    return found[0]


def write_grades(roster_path: Path, assignment: str, title: str | None, scores: dict[str, float], out: Path) -> int:
    """Canvas's gradebook import: the roster's leading columns, its Points Possible row and one
    assignment column, scored by Canvas user id (``scores``); students the course has no grade
    for are left blank, which Canvas reads as no change. Returns the students written."""
    rows = read_csv(roster_path)
    header = rows[0]
    columns(header, LEADING[:2], f"the Canvas gradebook export {roster_path}")
    lowered = [cell.strip().lower() for cell in header]
    lead = lowered.index("section") + 1 if "section" in lowered else len(LEADING)
    column = assignment_column(header, assignment, title)
    user_at = lowered.index("id")
    written, table = 0, [header[:lead] + [header[column]]]
    for row in rows[1:]:
        row = row + [""] * (len(header) - len(row))
        user = row[user_at].strip()
        if not user:  # "Points Possible" and Canvas's other non-student rows, copied as they are
            table.append(row[:lead] + [row[column]])
            continue
        score = scores.get(user)
        table.append(row[:lead] + ["" if score is None else f"{score:g}"])
        written += score is not None
    write_csv(out, table)
    return written


def feedback_name(record: dict, notebook: str) -> str:
    """The name Canvas's re-upload matches to the student's submission: its download prefix."""
    return f"{record['prefix']}{PurePosixPath(notebook).stem}_feedback.html"
