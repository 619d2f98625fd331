"""Collecting submissions from a folder or a zip into nbgrader's ``submitted/`` layout.

Three layouts are understood, in a folder or a zip alike:

- ``<student_id>.ipynb``: the notebook of a one-notebook assignment;
- ``<student_id>/<notebook>.ipynb``: a folder per student, with any of the assignment's notebooks;
- ``<student_id>/<assignment>/<notebook>.ipynb``: nbgrader's own ``submitted/`` layout, whose
  ``timestamp.txt`` is kept.

A learning platform's download (Canvas, Moodle, Blackboard) is read by ``collect_from``, with the
platform's module in ``autograder.platforms``.

Each notebook lands in ``submitted/<student_id>/<assignment>/<notebook>.ipynb`` with nbgrader's
``timestamp.txt``. Everything is read as untrusted input: links are never followed, a zip's
stated sizes are never believed (members are decompressed with a limit), and the number of
entries and the bytes taken in are bounded. What cannot be taken is reported with the reason and
left out; the rest is collected. A resubmission replaces the previous one only if it differs.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_NOTEBOOK_BYTES = 20 * 2**20   # a hand-in notebook is far smaller; larger ones are refused
MAX_TOTAL_BYTES = 2 * 2**30       # what one collect may take in, all notebooks together
MAX_ENTRIES = 20_000              # files and folders looked at in one folder or zip
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's


@dataclass
class CollectReport:
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (entry name, reason)
    superseded: list[tuple[str, str]] = field(default_factory=list)  # (entry name, the newer file it lost to)
    late: list[str] = field(default_factory=list)                 # students the platform marked late
    students: list[dict] = field(default_factory=list)            # for the gradebook: id, names, email, lms id


@dataclass
class _Entry:
    parts: tuple[str, ...]        # the path inside the folder or zip
    when: datetime.datetime
    read: callable                # -> bytes, at most MAX_NOTEBOOK_BYTES + 1 of them
    link: bool = False


def notebook_names(course: Path, assignment: str) -> set[str]:
    """The notebooks of an assignment: those of its source folder, else ``<assignment>.ipynb``."""
    names = {path.name for path in (course / "source" / assignment).glob("*.ipynb")}
    return names or {f"{assignment}.ipynb"}


def collect(course: Path, assignment: str, source: Path) -> CollectReport:
    """Copy every valid notebook of ``source`` (a folder or a zip) into ``submitted/``."""
    report = CollectReport()
    names = notebook_names(course, assignment)
    entries = list(_entries(source, report))
    stamps = {entry.parts[0]: entry for entry in entries if entry.parts[-1] == "timestamp.txt" and len(entry.parts) > 1}
    seen: set[tuple[str, str]] = set()
    taken = 0
    for entry in entries:
        where = "/".join(entry.parts)
        student, notebook, problem = _place(entry.parts, assignment, names)
        if entry.parts[-1] == "timestamp.txt":
            continue
        if entry.link:
            problem = "a link, not a file (links are never followed)"
        if problem is None and (student, notebook) in seen:
            problem = f"a second {notebook} for student {student}"
        if problem:
            report.rejected.append((where, problem))
            continue
        seen.add((student, notebook))
        content = _take(entry, taken, report)
        if content is None:
            continue
        taken += len(content)
        when = _stamp(stamps.get(student)) or entry.when
        _store(course, assignment, student, notebook, content, when, report)
    return report


def collect_from(course: Path, assignment: str, source: Path, platform: str, roster: Path | None = None,
                 zone: datetime.tzinfo | None = None) -> CollectReport:
    """Copy a learning platform's download (``autograder.platforms``) into ``submitted/``: one
    notebook per person and notebook, the newest of their files, under a stable student id."""
    from autograder.platforms import PLATFORMS, PlatformError, Roster
    from autograder.platforms.common import IdMap, save_records

    module = PLATFORMS[platform]
    if roster is None and module.ROSTER_REQUIRED:
        raise PlatformError(f"a {platform} download names no lasting student id, so collect needs the roster: "
                            f"--roster FILE, the file from {module.ROSTER_HELP}")
    people = module.read_roster(roster) if roster is not None else Roster()
    report = CollectReport()
    entries = []
    for entry in _entries(source, report):
        if entry.link:
            report.rejected.append(("/".join(entry.parts), "a link, not a file (links are never followed)"))
        else:
            entries.append(entry)
    hand_ins, strays = module.read_download(entries, notebook_names(course, assignment), people,
                                            zone or datetime.datetime.now().astimezone().tzinfo)
    report.rejected += strays
    newest: dict[tuple[str, str], list] = {}
    for hand_in in hand_ins:
        newest.setdefault((hand_in.student, hand_in.notebook), []).append(hand_in)
    ids, chosen, taken = IdMap(course), {}, 0
    for (person, notebook), files in sorted(newest.items()):
        files.sort(key=lambda hand_in: hand_in.rank, reverse=True)
        winner = files[0]
        report.superseded += [(older.where, f"an older hand-in than {winner.where}") for older in files[1:]]
        content = _take(winner.entry, taken, report)
        if content is None:
            continue
        taken += len(content)
        student = ids.nbgrader_id(platform, person)
        _store(course, assignment, student, notebook, content, winner.when, report)
        chosen[student] = winner
        if winner.late:
            report.late.append(student)
        known = people.students.get(person)
        report.students.append({"id": student, "first_name": known.first_name if known else "",
                                "last_name": known.last_name if known else "", "email": known.email if known else "",
                                "lms_user_id": person})
    ids.save()
    save_records(course, assignment, platform, chosen)
    return report


def _take(entry: "_Entry", taken: int, report: CollectReport) -> bytes | None:
    """The entry's bytes, within the limits; None (and the reason reported) where it cannot be taken."""
    where = "/".join(entry.parts)
    try:
        content = entry.read()
    except (OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as error:
        report.rejected.append((where, f"cannot be read ({type(error).__name__})"))
        return None
    if len(content) > MAX_NOTEBOOK_BYTES:
        report.rejected.append((where, f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"))
        return None
    if taken + len(content) > MAX_TOTAL_BYTES:
        report.rejected.append((where, f"the collection is over {MAX_TOTAL_BYTES // 2**30} GiB in all"))
        return None
    return content


def _place(parts: tuple[str, ...], assignment: str, names: set[str]) -> tuple[str, str, str | None]:
    """(student, notebook name, why it cannot be taken or None) for an entry's path."""
    if len(parts) == 1:
        student, notebook = PurePosixPath(parts[0]).stem, None
        if len(names) == 1 and parts[0].endswith(".ipynb"):
            notebook = next(iter(names))
        elif parts[0].endswith(".ipynb"):
            return student, "", "this assignment has several notebooks: hand in a folder per student"
    elif len(parts) == 2 or (len(parts) == 3 and parts[1] == assignment):
        student, notebook = parts[0], parts[-1]
    else:
        return "", "", "not where a hand-in belongs (<student>.ipynb or <student>/<notebook>.ipynb)"
    if notebook is None or not notebook.endswith(".ipynb"):
        return student, "", "not a notebook (.ipynb)"
    if not STUDENT_ID.fullmatch(student) or student.startswith(".."):
        return student, notebook, "the name is not a valid student id"
    if notebook not in names:
        return student, notebook, f"not a notebook of {assignment} ({', '.join(sorted(names))})"
    return student, notebook, None


def _store(course: Path, assignment: str, student: str, notebook: str, content: bytes,
           when: datetime.datetime, report: CollectReport) -> None:
    target = course / "submitted" / student / assignment / notebook
    label = student if notebook == f"{assignment}.ipynb" else f"{student}/{notebook}"
    if target.is_file() and not target.is_symlink() and target.read_bytes() == content:
        report.unchanged.append(label)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    target.write_bytes(content)
    (target.parent / "timestamp.txt").write_text(when.strftime(TIMESTAMP_FORMAT))
    report.imported.append(label)


def _stamp(entry: _Entry | None) -> datetime.datetime | None:
    """The time in an nbgrader ``timestamp.txt``, if it holds one."""
    if entry is None or entry.link:
        return None
    try:
        text = entry.read()[:100].decode("ascii").strip()
        for pattern in (TIMESTAMP_FORMAT, "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
            try:
                parsed = datetime.datetime.strptime(text.replace(" UTC", "").strip(), pattern.replace(" %Z", ""))
                return parsed.replace(tzinfo=datetime.timezone.utc)
            except ValueError:
                continue
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error):
        pass
    return None


def _entries(source: Path, report: CollectReport) -> Iterator[_Entry]:
    if source.is_dir():
        yield from _folder_entries(source, report)
    elif zipfile.is_zipfile(source):
        yield from _zip_entries(source, report)
    else:
        raise FileNotFoundError(f"{source} is neither a folder nor a zip file")


def _folder_entries(root: Path, report: CollectReport) -> Iterator[_Entry]:
    count = 0
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders.sort()
        for name in sorted(files) + sorted(s for s in subfolders if os.path.islink(os.path.join(folder, s))):
            count += 1
            path = Path(folder, name)
            parts = path.relative_to(root).parts
            if count > MAX_ENTRIES:
                report.rejected.append(("/".join(parts), f"more than {MAX_ENTRIES:,} entries: the rest is left out"))
                return
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
                yield _Entry(parts, _utc(info.st_mtime), lambda: b"", link=True)
                continue
            yield _Entry(parts, _utc(info.st_mtime), lambda path=path: _read_file(path))


def _read_file(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))  # a link swapped in since: refused
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(MAX_NOTEBOOK_BYTES + 1)


def _zip_entries(source: Path, report: CollectReport) -> Iterator[_Entry]:
    archive = zipfile.ZipFile(source)
    members = archive.infolist()
    if len(members) > MAX_ENTRIES:
        report.rejected.append((source.name, f"more than {MAX_ENTRIES:,} entries: the rest is left out"))
        members = members[:MAX_ENTRIES]
    for info in sorted(members, key=lambda i: i.filename):
        if info.is_dir():
            continue
        # Only names count: a member "../../x.ipynb" is read, never extracted anywhere.
        parts = tuple(part for part in PurePosixPath(info.filename.replace("\\", "/")).parts if part not in ("/", "..", "."))
        if not parts:
            continue
        when = datetime.datetime(*info.date_time, tzinfo=datetime.timezone.utc)
        is_link = stat.S_ISLNK(info.external_attr >> 16)
        yield _Entry(parts, when, lambda info=info: _read_member(archive, info), link=is_link)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """At most MAX_NOTEBOOK_BYTES + 1 bytes, whatever the member's header claims."""
    with archive.open(info) as member:
        return member.read(MAX_NOTEBOOK_BYTES + 1)


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
