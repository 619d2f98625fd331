"""``course-grade report``: what an instructor learns from a graded batch, on one static page.

For any nbgrader course graded here, from the grading records and the gradebook (SQLite or
PostgreSQL), with no network: the score distribution; per test, its pass rate, its
discrimination (the correlation between passing it and the rest of the score: near 0 or below,
the test does not separate strong work from weak) and its failure reasons, grouped; the
submissions that were rejected, stopped for time, ran out of memory or crashed; late ones;
grading time; and pairs of submissions whose own code is unusually alike, with the code the
students were given left out. Every table and plot also goes out as CSV.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import nbformat
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from autograder import cells  # noqa: E402
from autograder.assemble import RejectedSubmission, read_submission  # noqa: E402
from autograder.grade import records  # noqa: E402

SIMILARITY_K, SIMILARITY_WINDOW = 20, 5   # tokens per fingerprint, winnowing window (copydetect)
COMMON_SHARE, COMMON_MIN = 0.1, 5          # fingerprints more common than this are not evidence
PROBLEM_WORDS = {"time": ("stopped after", "took longer than", "CPU time"),
                 "memory": ("out of memory", "MemoryError"),
                 "crash": ("kernel died", "stopped responding", "ended early", "grader failed")}


@dataclass
class Batch:
    """One assignment's graded notebooks, by student."""
    scores: dict[str, float] = field(default_factory=dict)
    maxima: dict[str, float] = field(default_factory=dict)
    tests: dict[str, dict[str, bool]] = field(default_factory=lambda: defaultdict(dict))  # test -> student -> passed
    points: dict[str, float] = field(default_factory=dict)                                # test -> its points
    reasons: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))     # test -> reason -> count
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)               # student, notebook, kind, detail
    seconds: list[tuple[str, str, float]] = field(default_factory=list)


def gather(course: Path, assignment: str) -> Batch:
    batch = Batch()
    graded = records(course, assignment)
    several = len({record["notebook"] for record in graded}) > 1  # then tests are named notebook/test
    for record in graded:
        student, notebook = record["student"], record["notebook"]
        batch.scores[student] = batch.scores.get(student, 0.0) + record["score"]
        batch.maxima[student] = batch.maxima.get(student, 0.0) + record["max_score"]
        batch.seconds.append((student, notebook, float(record.get("seconds", 0.0))))
        prefix = Path(notebook).stem + "/" if several else ""
        for grade_id, cell in record["cells"].items():
            if cell["points"] is None:
                continue  # left for a person
            test = prefix + grade_id
            batch.tests[test][student] = bool(cell["passed"])
            batch.points[test] = cell["max_points"]
            if not cell["passed"]:
                batch.reasons[test][_grouped(cell.get("reason") or "no reason given")] += 1
        if record.get("rejected"):
            batch.problems.append((student, notebook, "rejected", record["rejected"]))
        for note in record.get("notes", []):
            for kind, words in PROBLEM_WORDS.items():
                if any(word in note for word in words):
                    batch.problems.append((student, notebook, kind, note))
                    break
    return batch


def _grouped(reason: str) -> str:
    """A failure reason with its particulars (numbers, quoted values) blanked, so that the same
    mistake on different cases counts once per student."""
    reason = re.sub(r"'[^']{0,80}'|\"[^\"]{0,80}\"", "'…'", reason)
    reason = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", reason)
    return reason[:160]


def discrimination(passed: dict[str, bool], scores: dict[str, float], points: float) -> float | None:
    """Point-biserial correlation between passing a test and the rest of the score."""
    students = [s for s in passed if s in scores]
    if len(students) < 3:
        return None
    hits = np.array([passed[s] for s in students], dtype=float)
    rest = np.array([scores[s] - points * passed[s] for s in students])
    if hits.std() == 0 or rest.std() == 0:
        return None
    return float(np.corrcoef(hits, rest)[0, 1])


@dataclass
class Pair:
    first: str
    second: str
    similarity: float
    lines: list[tuple[str, str]]   # matching lines, side by side


def own_code(notebook: nbformat.NotebookNode) -> str:
    """The code of a student's answer cells and of the cells they added."""
    parts = [cell.source for cell in notebook.cells if cell.cell_type == "code"
             and (cells.meta(cell).get("solution") or "grade_id" not in cells.meta(cell))]
    return "\n\n".join(parts)


def similar_pairs(codes: dict[str, str], template: str, threshold: float) -> list[Pair]:
    """Pairs whose code, template left out, overlaps by ``threshold`` or more of both sides'
    fingerprinted tokens (copydetect's winnowing)."""
    from copydetect import CodeFingerprint, compare_files

    def fingerprints(boilerplate: set[int]) -> dict:
        found = {}
        for student, code in codes.items():
            try:
                found[student] = CodeFingerprint(f"{student}.py", SIMILARITY_K, SIMILARITY_WINDOW,
                                                 boilerplate=list(boilerplate), fp=io.StringIO(code))
            except Exception:  # code the tokenizer cannot read: nothing to compare
                continue
        return found

    given = set(CodeFingerprint("template.py", SIMILARITY_K, SIMILARITY_WINDOW, fp=io.StringIO(template)).hashes)
    prints = fingerprints(given)
    # Code that much of the class writes alike is no sign of copying: left out like the template.
    frequency = Counter(value for fingerprint in prints.values() for value in fingerprint.hashes)
    common = {value for value, count in frequency.items() if count > max(COMMON_MIN, COMMON_SHARE * len(prints))}
    if common:
        prints = fingerprints(given | common)
    holders: dict[int, list[str]] = defaultdict(list)  # compare only pairs sharing a fingerprint
    for student, fingerprint in prints.items():
        for value in fingerprint.hashes:
            holders[value].append(student)
    candidates = {tuple(sorted((a, b))) for group in holders.values() for i, a in enumerate(group) for b in group[i + 1:]}
    pairs = []
    for first, second in sorted(candidates):
        _, (left, right), (slices_first, slices_second) = compare_files(prints[first], prints[second])
        similarity = float(min(left, right))
        if similarity >= threshold:
            pairs.append(Pair(first, second, similarity, _side_by_side(codes[first], slices_first,
                                                                       codes[second], slices_second)))
    return sorted(pairs, key=lambda pair: -pair.similarity)


def _side_by_side(first: str, first_slices, second: str, second_slices) -> list[tuple[str, str]]:
    def lines(code: str, slices) -> list[str]:
        found = []
        for start, end in zip(*slices) if len(slices) and len(slices[0]) else []:
            found += [line for line in code[int(start):int(end)].splitlines() if line.strip()]
        return found

    left, right = lines(first, first_slices), lines(second, second_slices)
    width = max(len(left), len(right))
    return list(zip(left + [""] * (width - len(left)), right + [""] * (width - len(right))))[:40]


def submitted_code(course: Path, assignment: str) -> tuple[dict[str, str], str]:
    """Each student's own code (all notebooks), and the code of the release (the template)."""
    codes: dict[str, str] = defaultdict(str)
    for path in sorted(course.glob(f"submitted/*/{assignment}/*.ipynb")):
        try:
            codes[path.parent.parent.name] += own_code(read_submission(path.read_bytes())) + "\n\n"
        except (OSError, RejectedSubmission):
            continue
    template = ""
    for path in sorted((course / "release" / assignment).glob("*.ipynb")):
        template += "\n\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    return dict(codes), template


def report(course: Path, assignment: str, out: Path, gradebook=None, similarity: float = 0.7) -> Path:
    """Write ``out/<assignment>.html`` with its CSV files and plots; return the page's path."""
    batch = gather(course, assignment)
    if not batch.scores:
        raise FileNotFoundError(f"no graded submissions of {assignment}: run `course-grade grade {assignment}` first")
    out.mkdir(parents=True, exist_ok=True)
    late = gradebook.lateness(assignment) if gradebook is not None else {}
    manual = gradebook.manual_scores(assignment) if gradebook is not None else {}
    for (student, _), given in manual.items():
        batch.scores[student] = batch.scores.get(student, 0.0) + sum(given.values())
    codes, template = submitted_code(course, assignment)
    pairs = similar_pairs(codes, template, similarity)
    tables = _tables(batch, late, pairs)
    for name, (header, rows, _) in tables.items():
        with open(out / f"{assignment}-{name}.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    _plots(batch, assignment, out)
    page = out / f"{assignment}.html"
    page.write_text(_page(assignment, batch, tables, pairs, late, similarity))
    return page


def _tables(batch: Batch, late: dict[str, float], pairs: list[Pair]) -> dict[str, tuple[list, list, str]]:
    tests = []
    for test, passed in batch.tests.items():
        rate = sum(passed.values()) / len(passed)
        index = discrimination(passed, batch.scores, batch.points[test])
        tests.append([test, batch.points[test], round(rate, 3), "" if index is None else round(index, 2),
                      sum(batch.reasons[test].values())])
    tests.sort(key=lambda row: row[2])
    failures = [[test, reason, count] for test, counter in batch.reasons.items() for reason, count in counter.most_common()]
    scores = [[student, round(score, 2), batch.maxima.get(student, 0.0), round(late.get(student, 0.0))]
              for student, score in sorted(batch.scores.items())]
    return {
        "tests": (["test", "points", "pass rate", "discrimination", "failures"], tests,
                  "Tests, hardest first: pass rate, and how well passing predicts the rest of the score"),
        "failures": (["test", "reason (particulars blanked)", "submissions"], failures,
                     "Why tests failed, grouped across submissions"),
        "problems": (["student", "notebook", "kind", "detail"], [list(p) for p in batch.problems],
                     "Submissions that need a person: rejected, stopped for time, out of memory, crashed"),
        "late": (["student", "seconds late"], [[s, round(v)] for s, v in sorted(late.items()) if v > 0],
                 "Late submissions (by the gradebook's due date)"),
        "scores": (["student", "score", "max score", "seconds late"], scores, "Every student's score"),
        "timing": (["student", "notebook", "seconds"], [list(t) for t in sorted(batch.seconds)],
                   "Grading time per notebook"),
        "similar": (["first student", "second student", "similarity"], [[p.first, p.second, round(p.similarity, 2)] for p in pairs],
                    "Pairs of submissions whose own code is unusually alike"),
    }


def _plots(batch: Batch, assignment: str, out: Path) -> None:
    figure, (totals, rates) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=110)
    best = max(batch.maxima.values()) or 1
    totals.hist(list(batch.scores.values()), bins=min(20, max(5, len(batch.scores))), range=(0, best), color="#2a6f97")
    totals.set_xlabel("score (points)")
    totals.set_ylabel("students")
    tests = sorted(batch.tests, key=lambda t: sum(batch.tests[t].values()) / len(batch.tests[t]))
    rates.barh(tests, [sum(batch.tests[t].values()) / len(batch.tests[t]) for t in tests], color="#2a6f97")
    rates.set_xlim(0, 1)
    rates.set_xlabel("share of submissions that pass")
    figure.tight_layout()
    figure.savefig(out / f"{assignment}.png")
    plt.close(figure)


def _table_html(name: str, header: list, rows: list, caption: str, limit: int = 200) -> str:
    escape = html.escape
    head = "".join(f'<th scope="col">{escape(str(h))}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows[:limit])
    more = f"<p>{len(rows) - limit} more rows in the CSV file.</p>" if len(rows) > limit else ""
    if not rows:
        body = f'<tr><td colspan="{len(header)}">none</td></tr>'
    return (f'<table id="{name}"><caption>{escape(caption)} (<a href="{{csv}}-{name}.csv">CSV</a>)</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}")


STYLE = """body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}
td,th{border-bottom:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}img{max-width:100%}
pre{background:#f4f4f4;padding:.4rem;margin:0;white-space:pre-wrap;font-size:.85rem}.note{background:#fff4d6;padding:.6rem}"""


def _page(assignment: str, batch: Batch, tables: dict, pairs: list[Pair], late: dict, similarity: float) -> str:
    escape = html.escape
    scores = sorted(batch.scores.values())
    sections = [_table_html(name, *tables[name]).replace("{csv}", escape(assignment))
                for name in ("tests", "failures", "problems", "late", "timing", "scores")]
    pair_html = "".join(
        f"<h3>{escape(p.first)} and {escape(p.second)}: {p.similarity:.0%} of their own code matches</h3>"
        '<table><caption>Matching lines, side by side</caption><thead><tr>'
        f'<th scope="col">{escape(p.first)}</th><th scope="col">{escape(p.second)}</th></tr></thead><tbody>'
        + "".join(f"<tr><td><pre>{escape(a)}</pre></td><td><pre>{escape(b)}</pre></td></tr>" for a, b in p.lines)
        + "</tbody></table>" for p in pairs[:30])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(assignment)}: report</title><style>{STYLE}</style></head><body><main>
<h1>{escape(assignment)}: what the batch shows</h1>
<p>{len(scores)} submissions; median score {scores[len(scores) // 2]:g} of {max(batch.maxima.values()):g}
(manually graded points as far as a person has given them); {len(batch.problems)} need a person;
{sum(1 for v in late.values() if v > 0)} late.</p>
<img src="{escape(assignment)}.png" alt="Left: histogram of total scores, students per score. Right: for each test, the share of submissions that pass it, hardest first.">
<h2>Tests</h2><p>Discrimination near 0 or below means that passing the test says little about the rest
of the work: a test to reread. A low pass rate with one dominant failure reason points at what
to reteach.</p>
{sections[0]}{sections[1]}
<h2>Submissions that need a person</h2>{sections[2]}{sections[3]}
<h2>Similar submissions</h2>
<p class="note">Similarity is a reason to look, not a verdict: students who follow the same chapter
write alike, and short answers leave little room to differ. Only the students' own code counts
(answer cells and cells they added); the code the release gave them is left out, and so is code
that more than a tenth of the class writes alike. Pairs listed share at least {similarity:.0%}
of what remains of their fingerprinted code (winnowing, by copydetect).</p>
{_table_html("similar", *tables["similar"]).replace("{csv}", escape(assignment))}{pair_html}
<h2>Grading</h2>{sections[4]}{sections[5]}
</main></body></html>
"""
