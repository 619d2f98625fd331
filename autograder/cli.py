"""``course-grade``: the instructor's command line.

    course-grade release ASSIGNMENT         master -> nbgrader source -> release/ASSIGNMENT/
    course-grade collect ASSIGNMENT PATH    PATH (a folder or zip of <student_id>.ipynb) -> submitted/
        [--from canvas|moodle|blackboard --roster FILE --timezone TZ]   a learning platform's download
    course-grade grade ASSIGNMENT           grade new or changed submissions, each in a sandbox
    course-grade feedback ASSIGNMENT        one HTML page per student, without hidden tests
        [--zip-for canvas|moodle]           and the zip the platform takes back
    course-grade export [ASSIGNMENT] --out FILE [--format nbgrader|canvas|moodle --roster FILE]
    course-grade report ASSIGNMENT --out DIR  one page: item analysis, failure reasons, similar submissions
    course-grade validate NOTEBOOK...      a student's check: the visible tests, run as the grader runs them
"""

from __future__ import annotations

import argparse
import json
import sys

# jsonschema (under nbformat) imports the optional IRI checker rfc3987_syntax when it is
# installed, which compiles a grammar for a second at every start; no notebook uses that format.
sys.modules.setdefault("rfc3987_syntax", None)
import zoneinfo
from pathlib import Path

from autograder import validate as validation
from autograder.execute import Limits
from autograder.platforms import PLATFORMS, PlatformError

DB_HELP = "gradebook SQLAlchemy URL (default: nbgrader_config.py's c.CourseDirectory.db_url, else SQLite in the course)"


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
    collect_parser.add_argument("--from", dest="platform", choices=sorted(PLATFORMS),
                                help="read a learning platform's download (its file names, its roster)")
    collect_parser.add_argument("--roster", type=Path, help="the platform's roster export (Moodle needs it)")
    collect_parser.add_argument("--timezone", help="the platform's time zone, e.g. Europe/Berlin (default: this machine's)")
    collect_parser.add_argument("--db", help=DB_HELP)
    grade_parser = commands.add_parser("grade", help="autograde new or changed submissions")
    grade_parser.add_argument("assignment")
    grade_parser.add_argument("--workers", type=int, default=2, help="submissions graded at once (default 2)")
    grade_parser.add_argument("--scheduler", help="grade on Dask: 'local' for an in-process cluster, or a scheduler address")
    grade_parser.add_argument("--db", help=DB_HELP)
    _limit_options(grade_parser)
    feedback_parser = commands.add_parser("feedback", help="write one HTML feedback page per student")
    feedback_parser.add_argument("assignment")
    feedback_parser.add_argument("--db", help=DB_HELP)
    feedback_parser.add_argument("--zip-for", choices=["canvas", "moodle"],
                                 help="also write the zip that platform's bulk feedback upload takes")
    feedback_parser.add_argument("--out", type=Path, help="that zip (default: feedback/<assignment>-<platform>.zip)")
    export_parser = commands.add_parser("export", help="grades as CSV")
    export_parser.add_argument("assignment", nargs="?", help="only this assignment (default: all)")
    export_parser.add_argument("--out", type=Path, required=True)
    export_parser.add_argument("--format", choices=["nbgrader", "canvas", "moodle"], default="nbgrader")
    export_parser.add_argument("--roster", type=Path, help="canvas, moodle: the roster exported from the platform")
    export_parser.add_argument("--column", help="canvas: the roster's column to fill (default: the one named after the assignment)")
    export_parser.add_argument("--db", help=DB_HELP)
    validate_parser = commands.add_parser("validate", help="check notebooks before submitting, as the grader runs them")
    validate_parser.add_argument("notebooks", nargs="+", type=Path)
    validate_parser.add_argument("--json", action="store_true", help="one JSON object (per notebook, for several)")
    validate_parser.add_argument("--release", type=Path, help="the released notebook (default: what the notebook records)")
    validate_parser.add_argument("--workers", type=int, default=2, help="notebooks checked at once (default 2)")
    _limit_options(validate_parser)
    report_parser = commands.add_parser("report", help="what the batch shows: tests, failures, problems, similar pairs")
    report_parser.add_argument("assignment")
    report_parser.add_argument("--out", type=Path, required=True)
    report_parser.add_argument("--db", help=DB_HELP)
    report_parser.add_argument("--similarity", type=float, default=0.7,
                               help="share of matching code from which a pair is listed (default 0.7)")
    args = parser.parse_args(argv)

    if args.command == "validate":  # a student's command: no course directory needed
        return _validate(args)
    # The instructor's commands need nbgrader and its database; a student's check (above) does not.
    from autograder import export
    from autograder.feedback import feedback, platform_zip
    from autograder.gradebook import Gradebook, GradebookError, course_id
    from autograder.masters import MasterError
    from autograder.nbgrader_run import NbgraderError
    from autograder.reference import ReferenceError
    from autograder.release import LeakError, release
    from autograder.sandbox import SandboxUnavailable

    course = args.course.resolve()
    if not (course / "nbgrader_config.py").is_file() and not (course / "source").is_dir():
        parser.error(f"{course} is not an nbgrader course directory (no nbgrader_config.py, no source/)")
    try:
        if args.command == "release":
            print(release(course, args.assignment))
        elif args.command == "collect":
            return _collect(course, args)
        elif args.command == "grade":
            return _grade(course, args)
        elif args.command == "feedback":
            pages = feedback(course, args.assignment, Gradebook(course, args.db))
            print(f"wrote {len(pages)} feedback page(s) under {course / 'feedback'}")
            if args.zip_for:
                out = args.out or course / "feedback" / f"{args.assignment}-{args.zip_for}.zip"
                print(f"wrote {platform_zip(course, args.assignment, args.zip_for, out)} page(s) into {out}")
        elif args.command == "export":
            url = Gradebook(course, args.db).url
            table = export.rows(url, course_id(course), [args.assignment] if args.assignment else None)
            if args.format == "nbgrader":
                export.write(table, args.out)
                print(f"wrote {len(table)} row(s) to {args.out}")
            else:
                scored = export.write_for_platform(table, args.out, args.format, course, args.assignment, args.roster,
                                                   args.column)
                print(f"wrote {args.out}: {scored} student(s) scored")
        elif args.command == "report":
            from autograder.report import report  # matplotlib and copydetect: only this command needs them

            print(report(course, args.assignment, args.out, Gradebook(course, args.db), args.similarity))
    except (MasterError, NbgraderError, LeakError, FileNotFoundError, SandboxUnavailable, GradebookError,
            ReferenceError, PlatformError) as error:
        print(f"course-grade: {error}", file=sys.stderr)
        return 1
    return 0


def _collect(course: Path, args: argparse.Namespace) -> int:
    from autograder.collect import collect, collect_from
    from autograder.gradebook import Gradebook

    if args.platform is None:
        collected = collect(course, args.assignment, args.path)
    else:
        try:
            zone = zoneinfo.ZoneInfo(args.timezone) if args.timezone else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise PlatformError(f"unknown time zone {args.timezone!r}: use a name such as Europe/Berlin") from None
        collected = collect_from(course, args.assignment, args.path, args.platform, args.roster, zone)
        Gradebook(course, args.db).add_students(collected.students)
    print(f"imported {len(collected.imported)}, unchanged {len(collected.unchanged)}, "
          f"rejected {len(collected.rejected)}" + (f", superseded {len(collected.superseded)}"
                                                     if collected.superseded else ""))
    for name, reason in collected.rejected:
        print(f"  rejected {name}: {reason}")
    for name, reason in collected.superseded:
        print(f"  superseded {name}: {reason}")
    for student in collected.late:
        print(f"  late {student}: marked late by {args.platform}")
    return 0


def _limit_options(parser: argparse.ArgumentParser) -> None:
    """The sandbox's limits: the same options for grading and for a student's check."""
    parser.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    parser.add_argument("--notebook-timeout", type=int, default=900, help="seconds per notebook (default 900)")
    parser.add_argument("--memory", type=float, default=6.0, help="GiB of memory per submission (default 6)")
    parser.add_argument("--processes", type=int, default=256, help="processes per submission (default 256)")
    parser.add_argument("--disk", type=float, default=0.5, help="GiB a submission may write (default 0.5)")
    parser.add_argument("--cpu-time", type=int, default=1800, help="CPU seconds per submission (default 1800)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code unconfined (only where bubblewrap cannot run)")


def _limits(args: argparse.Namespace, sandbox: bool) -> Limits:
    return Limits(args.cell_timeout, args.notebook_timeout, int(args.memory * 2**30), sandbox,
                          args.processes, int(args.disk * 2**30), args.cpu_time)


def _validate(args: argparse.Namespace) -> int:
    why = "--no-sandbox" if args.no_sandbox else validation.sandbox_problem()
    limits = _limits(args, why is None)
    results = validation.validate_all(args.notebooks, limits, args.release, args.workers)
    for result in results:
        result.unconfined_because = why
    if args.json:
        data = [validation.as_json(result) for result in results]
        print(json.dumps(data[0] if len(data) == 1 else dict(zip(map(str, args.notebooks), data)), indent=1))
    else:
        print("".join(validation.render(result) for result in results), end="")
    return 1 if any(result.rejected for result in results) else 0


def _grade(course: Path, args: argparse.Namespace) -> int:
    from autograder import grade as grading
    from autograder.gradebook import Gradebook

    if args.no_sandbox:
        print("course-grade: WARNING: --no-sandbox runs every submission with your own rights", file=sys.stderr)
    limits = _limits(args, not args.no_sandbox)

    def progress(done: int, total: int, outcome) -> None:
        width = 30
        bar = "#" * (width * done // total) + "-" * (width - width * done // total)
        what = f"rejected: {outcome.rejected}" if outcome.rejected else f"{outcome.score:g}/{outcome.max_score:g}"
        print(f"\r[{bar}] {done}/{total}  {outcome.student} {outcome.notebook}: {what}", file=sys.stderr, flush=True)

    outcomes = grading.grade(course, args.assignment, Gradebook(course, args.db), workers=args.workers,
                             limits=limits, progress=progress, scheduler=args.scheduler,
                             announce=lambda line: print(f"course-grade: {line}", file=sys.stderr, flush=True))
    print(f"graded {len(outcomes)} new or changed notebook(s) of {args.assignment}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
