"""``course-grade report``: the grade distribution of an assignment, overall and per question."""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from autograder.grade import records  # noqa: E402


def report(course: Path, assignment: str, out: Path) -> Path:
    """Write ``out/<assignment>.png`` and ``out/<assignment>.html``; return the HTML path."""
    by_student: dict[str, dict] = {}
    for record in records(course, assignment):  # one per notebook: a student's are added up
        student = by_student.setdefault(record["student"], {"score": 0.0, "max_score": 0.0, "cells": {}})
        student["score"] += record["score"]
        student["max_score"] += record["max_score"]
        prefix = "" if record["notebook"] == f"{assignment}.ipynb" else Path(record["notebook"]).stem + "/"
        student["cells"].update({prefix + gid: cell for gid, cell in record["cells"].items()})
    graded = list(by_student.values())
    if not graded:
        raise FileNotFoundError(f"no graded submissions of {assignment}: run `course-grade grade {assignment}` first")
    out.mkdir(parents=True, exist_ok=True)
    # Autograded questions only: manually graded ones have no points until a person gives them.
    questions = [q for q in graded[0]["cells"] if graded[0]["cells"][q]["points"] is not None]
    maxima = {q: graded[0]["cells"][q]["max_points"] for q in questions}
    means = {q: sum(r["cells"].get(q, {}).get("points") or 0 for r in graded) / len(graded) for q in questions}
    best = max(r["max_score"] for r in graded)

    figure, (totals, per_question) = plt.subplots(1, 2, figsize=(11, 3.8))
    totals.hist([r["score"] for r in graded], bins=min(20, max(5, len(graded))), range=(0, best))
    totals.set_xlabel("score")
    totals.set_ylabel("students")
    totals.set_title(f"{assignment}: {len(graded)} submissions")
    per_question.barh(questions, [means[q] / maxima[q] for q in questions])
    per_question.set_xlim(0, 1)
    per_question.set_xlabel("mean fraction of points")
    figure.tight_layout()
    figure.savefig(out / f"{assignment}.png", dpi=100)
    plt.close(figure)

    rows = "".join(f"<tr><td>{html.escape(q)}</td><td>{means[q]:.2f} / {maxima[q]:g}</td></tr>" for q in questions)
    scores = sorted(r["score"] for r in graded)
    page = out / f"{assignment}.html"
    page.write_text(
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(assignment)} report</title></head>"
        f"<body><h1>{html.escape(assignment)}</h1><p>{len(graded)} submissions, median autograded score "
        f"{scores[len(scores) // 2]:g} of {best:g} points in all.</p>"
        f"<img src='{html.escape(assignment)}.png' alt='Histogram of total scores and mean points per question'>"
        f"<table><tr><th>question</th><th>mean points</th></tr>{rows}</table></body></html>\n"
    )
    return page
