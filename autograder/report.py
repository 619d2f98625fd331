"""``course-grade report``: the grade distribution of an assignment, overall and per question."""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def report(course: Path, assignment: str, out: Path) -> Path:
    """Write ``out/<assignment>.png`` and ``out/<assignment>.html``; return the HTML path."""
    records = [json.loads(p.read_text()) for p in sorted(course.glob(f"autograded/*/{assignment}/grading.json"))]
    if not records:
        raise FileNotFoundError(f"no graded submissions of {assignment}: run `course-grade grade {assignment}` first")
    out.mkdir(parents=True, exist_ok=True)
    questions = list(records[0]["cells"])
    maxima = {q: records[0]["cells"][q]["max_points"] for q in questions}
    means = {q: sum(r["cells"][q]["points"] for r in records) / len(records) for q in questions}

    figure, (totals, per_question) = plt.subplots(1, 2, figsize=(11, 3.8))
    totals.hist([r["score"] for r in records], bins=min(20, max(5, len(records))), range=(0, records[0]["max_score"]))
    totals.set_xlabel("score")
    totals.set_ylabel("students")
    totals.set_title(f"{assignment}: {len(records)} submissions")
    per_question.barh(questions, [means[q] / maxima[q] for q in questions])
    per_question.set_xlim(0, 1)
    per_question.set_xlabel("mean fraction of points")
    figure.tight_layout()
    figure.savefig(out / f"{assignment}.png", dpi=100)
    plt.close(figure)

    rows = "".join(f"<tr><td>{html.escape(q)}</td><td>{means[q]:.2f} / {maxima[q]:g}</td></tr>" for q in questions)
    scores = sorted(r["score"] for r in records)
    page = out / f"{assignment}.html"
    page.write_text(
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(assignment)} report</title></head>"
        f"<body><h1>{html.escape(assignment)}</h1><p>{len(records)} submissions, median score "
        f"{scores[len(scores) // 2]:g} of {records[0]['max_score']:g}.</p>"
        f"<img src='{html.escape(assignment)}.png' alt='Histogram of total scores and mean points per question'>"
        f"<table><tr><th>question</th><th>mean points</th></tr>{rows}</table></body></html>\n"
    )
    return page
