"""Learning platforms: hand-ins in from a platform's download, grades and feedback back out.

One module per platform, each with the same small interface:

- ``NAME``, and ``ROSTER_HELP``: which file the platform exports as its roster, and where;
- ``ROSTER_REQUIRED``: whether a download can be read without the roster;
- ``read_roster(path) -> Roster``;
- ``read_download(entries, names, roster, zone) -> (hand-ins, strays)``: every file of the
  download, each a hand-in of one notebook by one person or a stray with the reason;
- ``write_grades(...)`` and ``feedback_name(...)`` where grades and feedback go back.

Who a student is: one stable id per person, the same in every assignment (Canvas: the user id;
Moodle: the worksheet's email address, since its participant ids change per assignment;
Blackboard: the username). Ids nbgrader cannot take as they are are mapped reversibly
(``ids.IdMap``), and the map is kept with the course. Where several files are one person's
hand-in of one notebook, the newest wins (each module ranks its own files); the others are
reported, never silently dropped. Adding a platform is one new module here, listed in
``PLATFORMS``.
"""

from autograder.platforms import blackboard, canvas, moodle
from autograder.platforms.common import HandIn, PlatformError, Roster, Student

PLATFORMS = {module.NAME: module for module in (canvas, moodle, blackboard)}

__all__ = ["PLATFORMS", "HandIn", "PlatformError", "Roster", "Student"]
