"""``course-grade``: the instructor's command line.

    course-grade release ASSIGNMENT         master -> nbgrader source -> release/ASSIGNMENT/
    course-grade collect ASSIGNMENT PATH    PATH (a folder or zip of <student_id>.ipynb) -> submitted/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.collect import collect
from autograder.masters import MasterError
from autograder.nbgrader_run import NbgraderError
from autograder.release import LeakError, release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course-grade", description="Grade an nbgrader course.")
    parser.add_argument("--course", type=Path, default=Path("assignments"),
                        help="the nbgrader course directory (default: ./assignments)")
    commands = parser.add_subparsers(dest="command", required=True)
    release_parser = commands.add_parser("release", help="build the student version of an assignment")
    release_parser.add_argument("assignment")
    collect_parser = commands.add_parser("collect", help="import hand-ins into submitted/")
    collect_parser.add_argument("assignment")
    collect_parser.add_argument("path", type=Path, help="a folder or a zip of <student_id>.ipynb files")
    args = parser.parse_args(argv)

    course = args.course.resolve()
    if not (course / "nbgrader_config.py").is_file():
        parser.error(f"{course} is not an nbgrader course directory (no nbgrader_config.py)")
    try:
        if args.command == "release":
            print(release(course, args.assignment))
        elif args.command == "collect":
            report = collect(course, args.assignment, args.path)
            print(f"imported {len(report.imported)}, unchanged {len(report.unchanged)}, rejected {len(report.rejected)}")
            for name, reason in report.rejected:
                print(f"  rejected {name}: {reason}")
    except (MasterError, NbgraderError, LeakError, FileNotFoundError) as error:
        print(f"course-grade: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
