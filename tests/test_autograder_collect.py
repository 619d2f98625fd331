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
    assert {name for name, _ in report.rejected} == {"sub/..ipynb", "dave.py"}


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


def _lying_zip(path, member: str, real: bytes, claimed: int) -> None:
    """A zip whose headers claim ``claimed`` bytes for a member that inflates to ``real``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(member, real)
    data = bytearray(path.read_bytes())
    size = len(real).to_bytes(4, "little")
    for offset in range(len(data) - 3):
        if data[offset:offset + 4] == size:
            data[offset:offset + 4] = claimed.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_untrusted_zips_are_bounded_and_the_rest_collected(tmp_path):
    from autograder import collect as collecting

    course = tmp_path / "course"
    bomb = tmp_path / "bomb.zip"
    _lying_zip(bomb, "mallory.ipynb", b"0" * (200 * 2**20), claimed=300)
    report = collect(course, "hw1", bomb)
    assert report.imported == [] and report.rejected[0][0] == "mallory.ipynb"
    assert "cannot be read" in report.rejected[0][1] or "larger than" in report.rejected[0][1]

    honest = tmp_path / "big.zip"
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("huge.ipynb", b" " * (collecting.MAX_NOTEBOOK_BYTES + 10))
        for index in range(5):
            zipped.writestr(f"s{index}.ipynb", _notebook_bytes(f"x = {index}"))
    saved = collecting.MAX_TOTAL_BYTES
    collecting.MAX_TOTAL_BYTES = 3 * len(_notebook_bytes("x = 0")) + 2
    try:
        report = collect(course, "hw1", honest)
    finally:
        collecting.MAX_TOTAL_BYTES = saved
    reasons = dict(report.rejected)
    assert "larger than" in reasons["huge.ipynb"]
    assert sorted(report.imported) == ["s0", "s1", "s2"]
    assert all("in all" in reasons[f"s{index}.ipynb"] for index in (3, 4))


def test_links_are_never_followed(tmp_path):
    course, hand_ins = tmp_path / "course", tmp_path / "hand-ins"
    secret = tmp_path / "source.ipynb"
    secret.write_bytes(_notebook_bytes("### BEGIN SOLUTION"))
    (hand_ins / "zoe").mkdir(parents=True)
    (hand_ins / "yann.ipynb").symlink_to(secret)
    (hand_ins / "zoe" / "hw1.ipynb").symlink_to(secret)
    (hand_ins / "wendy").symlink_to(tmp_path)
    (hand_ins / "xavier.ipynb").write_bytes(_notebook_bytes("x = 1"))
    report = collect(course, "hw1", hand_ins)
    assert report.imported == ["xavier"]
    reasons = dict(report.rejected)
    assert "link" in reasons["yann.ipynb"] and "link" in reasons["zoe/hw1.ipynb"] and "link" in reasons["wendy"]
    assert not any(b"SOLUTION" in p.read_bytes() for p in course.rglob("*.ipynb"))


def test_a_folder_per_student_with_several_notebooks(tmp_path):
    course, hand_ins = tmp_path / "course", tmp_path / "hand-ins"
    (course / "source" / "ps1").mkdir(parents=True)
    for name in ("problem1.ipynb", "problem2.ipynb"):
        (course / "source" / "ps1" / name).write_bytes(_notebook_bytes("pass"))
    (hand_ins / "bitdiddle" / "ps1").mkdir(parents=True)
    (hand_ins / "bitdiddle" / "ps1" / "problem1.ipynb").write_bytes(_notebook_bytes("a = 1"))
    (hand_ins / "bitdiddle" / "ps1" / "problem2.ipynb").write_bytes(_notebook_bytes("a = 2"))
    (hand_ins / "bitdiddle" / "ps1" / "timestamp.txt").write_text("2015-02-02 22:58:23.948203 UTC")
    (hand_ins / "hacker").mkdir()
    (hand_ins / "hacker" / "problem2.ipynb").write_bytes(_notebook_bytes("b = 2"))
    (hand_ins / "hacker" / "problem3.ipynb").write_bytes(_notebook_bytes("b = 3"))
    (hand_ins / "flat.ipynb").write_bytes(_notebook_bytes("c = 1"))
    report = collect(course, "ps1", hand_ins)
    assert sorted(report.imported) == ["bitdiddle/problem1.ipynb", "bitdiddle/problem2.ipynb", "hacker/problem2.ipynb"]
    reasons = dict(report.rejected)
    assert "not a notebook of ps1" in reasons["hacker/problem3.ipynb"] and "several notebooks" in reasons["flat.ipynb"]
    stamp = (course / "submitted" / "bitdiddle" / "ps1" / "timestamp.txt").read_text()
    assert stamp.startswith("2015-02-02 22:58:23")
