"""Hand-ins from Canvas, Moodle and Blackboard downloads in, grades and feedback back out.

The samples are the platforms' formats as written down in ``autograder.platforms`` (no platform
can be reached from here): each download and roster is built as the platform writes it, with
the hard cases: a late mark, a superseded attempt, accented names, a stray file, a participant
missing from the roster, a missing roster, a header in another language. The round trip grades
the collected notebooks with ``course-grade grade`` and checks every line exported.
"""

from __future__ import annotations

import csv
import datetime
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.release import release
from conftest import MASTER_HEADER, master_cell

ASSIGNMENT = "conv_arithmetic"
MASTER = "\n".join([
    MASTER_HEADER + "# A small assignment under the course's name\n",
    master_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", id="add", solution=True),
    master_cell("assert add(1, 2) == 3\n### BEGIN HIDDEN TESTS\nfrom autograder.answers import answer\n"
                "for _a in range(3):\n    answer(add(_a, 5), about=f'add({_a}, 5)')\n### END HIDDEN TESTS",
                id="test_add", grade=True, points=2),
])
CANVAS_ROSTER = ('Student,ID,SIS User ID,SIS Login ID,Section,conv_arithmetic (4242),other (4243)\n'
                 '"    Points Possible",,,,,10.00,5.00\n'
                 '"Doe, Jane",12345,s001,jdoe,Section 1,,\n'
                 '"Smith, Bob",23456,s002,bsmith,Section 1,,\n'
                 '"Müller, Jörg",34567,s003,jmueller,Section 2,,\n'
                 '"O\'Brien-Ní Dhuibhir, Siobhán",45678,s004,sobrien,Section 2,,\n')
MOODLE_HEADER = ("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
                 "Last modified (submission),Last modified (grade),Feedback comments\n")
MOODLE_ROSTER = MOODLE_HEADER + (
    'Participant 12345,Jane Doe,jane@example.edu,Submitted for grading,,10.00,Yes,"Monday, 30 November 2026, 10:00 AM",-,\n'
    'Participant 34567,Jörg Müller,j.mueller@example.edu,Submitted for grading,,10.00,Yes,"Monday, 30 November 2026, 11:30 PM",-,\n'
    'Participant 55555,Ann Lee,ann@example.edu,No submission,,10.00,Yes,-,-,\n')


def _notebook(released: nbformat.NotebookNode, answer: str | None) -> bytes:
    notebook = nbformat.from_dict(json.loads(json.dumps(released)))
    for cell in notebook.cells:
        if answer is not None and cell.metadata.get("nbgrader", {}).get("grade_id") == "add":
            cell.source = answer
    return nbformat.writes(notebook).encode()


class _Course(type(Path())):
    """The course folder, carrying the notebooks its students hand in (correct, blank)."""


def _make_course(folder: Path) -> _Course:
    folder = _Course(folder)
    (folder / "masters").mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "lms"\n')
    (folder / "masters" / f"{ASSIGNMENT}.md").write_text(MASTER)
    released = nbformat.read(release(folder, ASSIGNMENT), as_version=4)
    folder.correct = _notebook(released, "def add(a, b):\n    return a + b")
    folder.blank = _notebook(released, None)
    return folder


@pytest.fixture
def course(tmp_path):
    return _make_course(tmp_path / "course")


def _zip(path: Path, members: dict[str, bytes], when=(2026, 11, 30, 9, 0, 0)) -> Path:
    with zipfile.ZipFile(path, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


def _submitted(course: Path, student: str) -> Path:
    return course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _canvas(course: Path, tmp_path: Path) -> tuple[Path, Path]:
    download = _zip(tmp_path / "submissions.zip", {
        "doejane_12345_67890_conv_arithmetic.ipynb": course.correct,
        "smithbob_LATE_23456_78901_conv_arithmetic.ipynb": course.blank,
        "smithbob_LATE_23456_78999_conv_arithmetic-1.ipynb": course.correct,
        "muellerjoerg_34567_79001_conv_arithmetic.ipynb": course.blank,
        "obrienni_45678_79100_my answers (2).ipynb": course.correct,  # one notebook: any name
        "doejane_12345_67891_notes.txt": b"a stray",
    })
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8")
    return download, roster


def test_canvas_download_lands_on_one_student_per_person_with_the_newest_file(course, tmp_path, capsys):
    download, roster = _canvas(course, tmp_path)
    assert main(["--course", str(course), "collect", ASSIGNMENT, str(download), "--from", "canvas",
                 "--roster", str(roster)]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["12345", "23456", "34567", "45678"]
    assert _submitted(course, "23456").read_bytes() == course.correct  # attachment 78999 beats 78901
    assert "superseded smithbob_LATE_23456_78901_conv_arithmetic.ipynb" in printed
    assert "rejected doejane_12345_67891_notes.txt" in printed
    assert "late 23456" in printed and "late 12345" not in printed
    assert (_submitted(course, "12345").parent / "timestamp.txt").read_text().startswith("2026-11-30 09:00:00")
    records = json.loads((course / ".course-grade" / "platforms" / f"{ASSIGNMENT}.json").read_text())
    assert records["23456"]["late"] is True and records["23456"]["prefix"] == "smithbob_LATE_23456_78999_"
    from autograder.gradebook import course_id, open_gradebook
    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id(course)) as gradebook:
        students = {s.id: s for s in gradebook.students}
    assert (students["34567"].first_name, students["34567"].last_name) == ("Jörg", "Müller")
    assert students["45678"].last_name == "O'Brien-Ní Dhuibhir" and students["12345"].lms_user_id == "12345"


def _moodle(course: Path, tmp_path: Path) -> tuple[Path, Path]:
    download = _zip(tmp_path / "moodle.zip", {
        "Jane Doe_12345_assignsubmission_file_/conv_arithmetic.ipynb": course.correct,
        "Jörg Müller_34567_assignsubmission_file_conv_arithmetic.ipynb": course.blank,  # the flat layout
        "Jörg Müller_34567_assignsubmission_file_/notes.txt": b"stray",
        "Zed Who_99999_assignsubmission_file_/conv_arithmetic.ipynb": course.correct,
        "Jane Doe_12345_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
    })
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text(MOODLE_ROSTER, encoding="utf-8")
    return download, worksheet


def test_moodle_download_is_read_through_its_worksheet(course, tmp_path, capsys):
    download, worksheet = _moodle(course, tmp_path)
    assert main(["--course", str(course), "collect", ASSIGNMENT, str(download), "--from", "moodle",
                 "--roster", str(worksheet), "--timezone", "Europe/Berlin"]) == 0
    printed = capsys.readouterr().out
    ids = json.loads((course / ".course-grade" / "students.json").read_text())
    assert ids == {"jane-at-example.edu": {"platform": "moodle", "id": "jane@example.edu"},
                   "j.mueller-at-example.edu": {"platform": "moodle", "id": "j.mueller@example.edu"}}
    assert _submitted(course, "jane-at-example.edu").read_bytes() == course.correct
    assert _submitted(course, "j.mueller-at-example.edu").read_bytes() == course.blank
    assert "participant 99999 is not in the grading worksheet" in printed
    assert "notes.txt: not a notebook" in printed and "onlinetext submission" in printed
    stamp = (_submitted(course, "j.mueller-at-example.edu").parent / "timestamp.txt").read_text()
    assert stamp.startswith("2026-11-30 22:30:00")  # 11:30 PM in Berlin (UTC+1) is 22:30 UTC


def test_moodle_without_its_worksheet_is_refused_naming_the_file(course, tmp_path, capsys):
    download, _ = _moodle(course, tmp_path)
    assert main(["--course", str(course), "collect", ASSIGNMENT, str(download), "--from", "moodle"]) == 1
    error = capsys.readouterr().err
    assert "--roster" in error and "Download grading worksheet" in error
    assert not (course / "submitted").exists()


def test_a_worksheet_in_another_language_is_refused_listing_its_columns(course, tmp_path, capsys):
    download, worksheet = _moodle(course, tmp_path)
    worksheet.write_text("Kennung,Vollständiger Name,E-Mail-Adresse,Bewertung\nTeilnehmer/in 12345,Jane Doe,j@x.de,\n",
                         encoding="utf-8")
    assert main(["--course", str(course), "collect", ASSIGNMENT, str(download), "--from", "moodle",
                 "--roster", str(worksheet)]) == 1
    error = capsys.readouterr().err
    assert "'Identifier'" in error and "'Kennung'" in error and "'E-Mail-Adresse'" in error


def test_blackboard_attempts_keep_their_times_and_the_latest_wins(course, tmp_path, capsys):
    download = _zip(tmp_path / "bb.zip", {
        "conv_arithmetic_jdoe_attempt_2026-11-30-10-00-00_conv_arithmetic.ipynb": course.correct,
        "conv_arithmetic_jdoe_attempt_2026-11-30-10-00-00.txt": b"Name: Jane Doe (jdoe)",
        "conv_arithmetic_bsmith_attempt_2026-11-29-09-00-00_conv_arithmetic.ipynb": course.correct,
        "conv_arithmetic_bsmith_attempt_2026-11-30-23-59-00_conv_arithmetic.ipynb": course.blank,
        "readme.md": b"stray",
    })
    assert main(["--course", str(course), "collect", ASSIGNMENT, str(download), "--from", "blackboard",
                 "--timezone", "America/New_York"]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["bsmith", "jdoe"]
    assert _submitted(course, "bsmith").read_bytes() == course.blank  # the later attempt
    assert "superseded conv_arithmetic_bsmith_attempt_2026-11-29-09-00-00" in printed
    assert "rejected readme.md" in printed and ".txt" not in printed.split("rejected readme.md")[0]
    stamps = {s: (_submitted(course, s).parent / "timestamp.txt").read_text() for s in ("jdoe", "bsmith")}
    assert stamps["jdoe"].startswith("2026-11-30 15:00:00")  # 10:00 in New York is 15:00 UTC
    assert stamps["bsmith"].startswith("2026-12-01 04:59:00")


# --- the round trip: collect, grade, export and feedback -------------------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Canvas and Moodle hand-ins of one assignment, collected and graded in one run."""
    tmp_path = tmp_path_factory.mktemp("round-trip")
    course = _make_course(tmp_path / "course")
    canvas_zip, canvas_roster = _canvas(course, tmp_path)
    moodle_zip, worksheet = _moodle(course, tmp_path)
    for download, platform, roster in ((canvas_zip, "canvas", canvas_roster), (moodle_zip, "moodle", worksheet)):
        assert main(["--course", str(course), "collect", ASSIGNMENT, str(download), "--from", platform,
                     "--roster", str(roster)]) == 0
    assert main(["--course", str(course), "grade", ASSIGNMENT, "--workers", "2"]) == 0
    return course, canvas_roster, worksheet


def test_the_round_trip_back_to_canvas_and_moodle(graded, tmp_path):
    course, canvas_roster, worksheet = graded
    out = tmp_path / "canvas-import.csv"
    assert main(["--course", str(course), "export", ASSIGNMENT, "--format", "canvas", "--roster", str(canvas_roster),
                 "--out", str(out)]) == 0
    lines = list(csv.reader(out.open(encoding="utf-8")))
    assert lines == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "conv_arithmetic (4242)"],
        ["    Points Possible", "", "", "", "", "10.00"],
        ["Doe, Jane", "12345", "s001", "jdoe", "Section 1", "2"],
        ["Smith, Bob", "23456", "s002", "bsmith", "Section 1", "2"],
        ["Müller, Jörg", "34567", "s003", "jmueller", "Section 2", "0"],
        ["O'Brien-Ní Dhuibhir, Siobhán", "45678", "s004", "sobrien", "Section 2", "2"],
    ]
    out = tmp_path / "worksheet-back.csv"
    assert main(["--course", str(course), "export", ASSIGNMENT, "--format", "moodle", "--roster", str(worksheet),
                 "--out", str(out)]) == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    original = list(csv.reader(worksheet.open(encoding="utf-8")))
    assert rows[0] == original[0]
    grade, comments = rows[0].index("Grade"), rows[0].index("Feedback comments")
    assert (rows[1][grade], rows[1][comments]) == ("10.00", "test_add 2/2")  # scaled to the maximum, 10
    assert (rows[2][grade], rows[2][comments]) == ("0.00", "test_add 0/2")
    assert rows[3] == original[3]  # no hand-in: the row as it was
    for row, before in zip(rows[1:], original[1:]):
        assert [c for i, c in enumerate(row) if i not in (grade, comments)] == \
            [c for i, c in enumerate(before) if i not in (grade, comments)]


def test_feedback_goes_back_in_each_platforms_layout(graded, tmp_path):
    course, _, _ = graded
    for platform in ("canvas", "moodle"):
        out = tmp_path / f"{platform}.zip"
        assert main(["--course", str(course), "feedback", ASSIGNMENT, "--zip-for", platform, "--out", str(out)]) == 0
        names = sorted(zipfile.ZipFile(out).namelist())
        if platform == "canvas":
            assert names == ["doejane_12345_67890_conv_arithmetic_feedback.html",
                             "muellerjoerg_34567_79001_conv_arithmetic_feedback.html",
                             "obrienni_45678_79100_conv_arithmetic_feedback.html",
                             "smithbob_LATE_23456_78999_conv_arithmetic_feedback.html"]
            late_page = zipfile.ZipFile(out).read(names[-1]).decode()
            assert "Canvas marked this hand-in late" in late_page
        else:
            assert names == ["Jane Doe_12345_assignsubmission_file_/conv_arithmetic_feedback.html",
                             "Jörg Müller_34567_assignsubmission_file_/conv_arithmetic_feedback.html"]


def test_export_for_a_platform_needs_its_roster(graded, tmp_path, capsys):
    course, _, _ = graded
    assert main(["--course", str(course), "export", ASSIGNMENT, "--format", "canvas", "--out",
                 str(tmp_path / "x.csv")]) == 1
    assert "Export Entire Gradebook" in capsys.readouterr().err


def test_timestamps_are_utc_in_nbgrader_format(course, tmp_path):
    download, roster = _canvas(course, tmp_path)
    main(["--course", str(course), "collect", ASSIGNMENT, str(download), "--from", "canvas", "--roster", str(roster)])
    text = (_submitted(course, "12345").parent / "timestamp.txt").read_text()
    parsed = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f %Z")
    assert parsed == datetime.datetime(2026, 11, 30, 9, 0)
