"""course-grade collect: hand-ins from a folder or a zip into nbgrader's submitted/ layout."""

from __future__ import annotations

import os
import zipfile

import nbformat

from autograder.cli import main
from autograder.collect import collect


def _notebook_bytes(text: str) -> bytes:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    return nbformat.writes(notebook).encode()


def test_folder_of_hand_ins(tmp_path):
    course, hand_ins = tmp_path / "course", tmp_path / "hand-ins"
    hand_ins.mkdir()
    (hand_ins / "alice.ipynb").write_bytes(_notebook_bytes("x = 1"))
    (hand_ins / "bob-2.ipynb").write_bytes(_notebook_bytes("x = 2"))
    (hand_ins / "notes.txt").write_text("not a notebook")
    (hand_ins / "bad id!.ipynb").write_bytes(_notebook_bytes("x = 3"))
    os.utime(hand_ins / "alice.ipynb", (1_700_000_000, 1_700_000_000))

    report = collect(course, "hw1", hand_ins)
    assert sorted(report.imported) == ["alice", "bob-2"]
    assert {name for name, _ in report.rejected} == {"notes.txt", "bad id!.ipynb"}
    stored = course / "submitted" / "alice" / "hw1" / "hw1.ipynb"
    assert stored.read_bytes() == (hand_ins / "alice.ipynb").read_bytes()
    assert (stored.parent / "timestamp.txt").read_text().startswith("2023-11-14 22:13:20")

    again = collect(course, "hw1", hand_ins)  # collecting twice changes nothing
    assert again.imported == [] and sorted(again.unchanged) == ["alice", "bob-2"]
    (hand_ins / "alice.ipynb").write_bytes(_notebook_bytes("x = 10"))
    assert collect(course, "hw1", hand_ins).imported == ["alice"]


def test_zip_members_never_escape_the_course(tmp_path):
    course, archive = tmp_path / "course", tmp_path / "hand-ins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("carol.ipynb", _notebook_bytes("y = 1"))
        zipped.writestr("../../evil.ipynb", _notebook_bytes("import os"))
        zipped.writestr("sub/..ipynb", _notebook_bytes("z = 1"))
        zipped.writestr("dave.py", "print('hi')")
    report = collect(course, "hw1", archive)
    assert "carol" in report.imported and "evil" in report.imported  # stored under its base name only
    assert (course / "submitted" / "evil" / "hw1" / "hw1.ipynb").is_file()
    assert not (tmp_path / "evil.ipynb").exists() and not (tmp_path.parent / "evil.ipynb").exists()
    assert {name for name, _ in report.rejected} == {"..ipynb", "dave.py"}


def test_cli_reports_and_refuses_a_missing_source(tmp_path, capsys):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    assert main(["--course", str(course), "collect", "hw1", str(tmp_path / "nowhere")]) == 1
    assert "neither a folder nor a zip" in capsys.readouterr().err
    hand_ins = tmp_path / "hand-ins"
    hand_ins.mkdir()
    (hand_ins / "erin.ipynb").write_bytes(_notebook_bytes("x = 1"))
    (hand_ins / "readme.md").write_text("hi")
    assert main(["--course", str(course), "collect", "hw1", str(hand_ins)]) == 0
    printed = capsys.readouterr().out
    assert "imported 1, unchanged 0, rejected 1" in printed and "readme.md" in printed
