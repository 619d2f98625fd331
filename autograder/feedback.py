"""``course-grade feedback``: one HTML page per student, from the grading records.

A page lists every test with its points, whether it passed and, if not, why (the exception
type and message), then the grader's notes and the student's own answers. It is written from
the grading records, the gradebook's manual scores and the student's submission only: the executed notebook, which holds the
instructor's tests and hidden tests, is never read here, so nothing of them can reach a page.
"""

from __future__ import annotations

import html
from pathlib import Path


from autograder.assemble import RejectedSubmission, read_submission
from autograder.grade import records
from autograder.platforms.common import load_records

STYLE = """body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left}
.pass{color:#17603a}.fail{color:#a1261a}pre{background:#f4f4f4;padding:.6rem;overflow-x:auto}
@media (prefers-color-scheme: dark){body{background:#181a1b;color:#ddd}pre{background:#26292b}}"""


def feedback(course: Path, assignment: str, gradebook=None) -> list[Path]:
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` for every graded notebook, with
    the points a person has given since (from ``gradebook``, where one is named)."""
    manual = gradebook.manual_scores(assignment) if gradebook is not None else {}
    platform = load_records(course, assignment)
    written = []
    for record in records(course, assignment):
        student, notebook = record["student"], record["notebook"]
        given = manual.get((student, Path(notebook).stem), {})
        for grade_id, points in given.items():
            if grade_id in record["cells"]:
                record["cells"][grade_id].update(points=points, passed=None, reason="graded by a person")
        record["score"] = sum(cell["points"] or 0 for cell in record["cells"].values())
        handed = platform.get(student, {})
        if handed.get("late"):
            record["notes"] = [f"{handed['platform'].title()} marked this hand-in late; any late policy "
                               f"is {handed['platform'].title()}'s own"] + record.get("notes", [])
        submitted = course / "submitted" / student / assignment / notebook
        page = course / "feedback" / student / assignment / f"{Path(notebook).stem}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(render(f"{assignment}: {Path(notebook).stem}", record, _answers(submitted)))
        written.append(page)
    return written


def _answers(submitted: Path) -> list[tuple[str, str]]:
    """(grade_id, source) of the student's own answer cells, as they handed them in."""
    try:
        notebook = read_submission(submitted.read_bytes())
    except (OSError, RejectedSubmission):
        return []
    answers = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if isinstance(meta, dict) and meta.get("solution") and isinstance(meta.get("grade_id"), str):
            answers.append((meta["grade_id"], cell.source if isinstance(cell.source, str) else "".join(cell.source)))
    return answers


def _points(cell: dict) -> str:
    return "to be graded" if cell["points"] is None else f"{cell['points']:g}"


def _verdict(cell: dict) -> tuple[str, str]:
    if cell["passed"] is None:
        return "manual", "to be graded by a person" if cell["points"] is None else "graded by a person"
    return ("pass", "passed") if cell["passed"] else ("fail", "failed")


def render(assignment: str, record: dict, answers: list[tuple[str, str]]) -> str:
    escape = html.escape
    rows = "".join(
        f"<tr><td>{escape(grade_id)}</td><td>{_points(cell)} / {cell['max_points']:g}</td>"
        f"<td class=\"{_verdict(cell)[0]}\">{_verdict(cell)[1]}</td>"
        f"<td>{escape(cell.get('reason') or '')}</td></tr>"
        for grade_id, cell in record["cells"].items()
    )
    notes = [record["rejected"]] if record.get("rejected") else []
    notes += record.get("notes", [])
    notes_html = "".join(f"<li>{escape(note)}</li>" for note in notes) or "<li>none</li>"
    answers_html = "".join(f"<h3>{escape(grade_id)}</h3><pre>{escape(source)}</pre>" for grade_id, source in answers)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(assignment)}: feedback for {escape(record['student'])}</title>
<style>{STYLE}</style></head><body>
<h1>{escape(assignment)}: {record['score']:g} / {record['max_score']:g}</h1>
<p>Student <b>{escape(record['student'])}</b>, submitted {escape(record.get('timestamp') or 'at an unknown time')},
graded {escape(record.get('graded_at', ''))} (submission SHA-256 <code>{escape(record['sha256'][:16])}…</code>).</p>
<h2>Tests</h2>
<table><tr><th>test</th><th>points</th><th>result</th><th>why</th></tr>{rows}</table>
<h2>Notes from the grader</h2><ul>{notes_html}</ul>
<h2>Your answers</h2>{answers_html or '<p>(none could be read)</p>'}
</body></html>
"""


def platform_zip(course: Path, assignment: str, platform: str, out: Path) -> int:
    """The feedback pages in the zip a platform takes back (``autograder.platforms``), named for
    each student collected from it; returns how many pages went in."""
    import zipfile

    from autograder.platforms import PLATFORMS

    module = PLATFORMS[platform]
    if not hasattr(module, "feedback_name"):
        raise ValueError(f"{platform} takes no feedback files back: give students their pages under feedback/")
    count = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        for student, handed in sorted(load_records(course, assignment).items()):
            if handed.get("platform") != platform:
                continue
            for page in sorted((course / "feedback" / student / assignment).glob("*.html")):
                zipped.write(page, module.feedback_name(handed, f"{page.stem}.ipynb"))
                count += 1
    return count
