"""The instructor's report at MOOC scale: ``course-grade report`` on 1,000 synthetic graded
submissions (and on 100, to see how it grows), timed, with the peak memory of the process.

The submissions are notebooks of a two-question assignment whose answers are drawn from a pool
of correct and wrong variants, with names renamed at random and one in twenty copied from
another student with new names; their grading records and gradebook rows are written directly
(grading itself is measured by grading_race). The figure of merit is the report's own cost.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.gradebook import open_gradebook
from autograder.release import release
from bench.masters import HEADER

REPO = Path(__file__).resolve().parent.parent
MASTER = HEADER + """# Stats

```{code-cell} ipython3
---
nbgrader: {grade: false, grade_id: mean, locked: false, schema_version: 3, solution: true, task: false}
---
def mean(values):
    ### BEGIN SOLUTION
    return sum(values) / len(values)
    ### END SOLUTION
```

```{code-cell} ipython3
---
nbgrader: {grade: true, grade_id: test_mean, locked: true, points: 2, schema_version: 3, solution: false, task: false}
---
assert mean([1, 2, 3]) == 2
### BEGIN HIDDEN TESTS
from autograder.answers import answer
answer(mean([4, 5]), about="mean([4, 5])")
### END HIDDEN TESTS
```

```{code-cell} ipython3
---
nbgrader: {grade: false, grade_id: spread, locked: false, schema_version: 3, solution: true, task: false}
---
def spread(values):
    ### BEGIN SOLUTION
    return max(values) - min(values)
    ### END SOLUTION
```

```{code-cell} ipython3
---
nbgrader: {grade: true, grade_id: test_spread, locked: true, points: 1, schema_version: 3, solution: false, task: false}
---
assert spread([1, 5]) == 4
### BEGIN HIDDEN TESTS
from autograder.answers import answer
answer(spread([7, 2, 9]), about="spread([7, 2, 9])")
### END HIDDEN TESTS
```
"""
VARIANTS = {
    "mean": ["def mean(values):\n    total = 0\n    for item in values:\n        total += item\n    return total / len(values)",
             "def mean(values):\n    return sum(values) / len(values)",
             "import statistics\n\ndef mean(values):\n    return statistics.fmean(list(values))",
             "def mean(values):\n    count, total = 0, 0.0\n    for item in values:\n        count += 1\n        total = total + item\n"
             "    if count == 0:\n        raise ValueError('empty')\n    return total / count"],
    "spread": ["def spread(values):\n    return max(values) - min(values)",
               "def spread(values):\n    ordered = sorted(values)\n    low, high = ordered[0], ordered[-1]\n    return high - low",
               "def spread(values):\n    largest = smallest = values[0]\n    for item in values:\n        largest = max(largest, item)\n"
               "        smallest = min(smallest, item)\n    return largest - smallest"],
}
REASONS = ["AssertionError: mean([1, 2, 3]) should be 2", "wrong in 1 of 1 hidden case(s); for example, spread([7, 2, 9]): wrong value (5)",
           "not answered yet: the answer cell still raises NotImplementedError", "NameError: name 'mean' is not defined"]


HELPER_LINES = ["    checked = [v for v in values if v == v]", "    if not values:\n        raise ValueError('empty')",
                "    values = list(values)", "    count = len(values)", "    ordered = sorted(values)",
                "    first = values[0] if values else None", "    seen = set()", "    total = 0.0",
                "    for v in values:\n        seen.add(v)", "    flag = any(v < 0 for v in values)",
                "    limit = max(values, default=0)", "    pairs = list(zip(values, values[1:]))"]


def _own_helper(rng: random.Random) -> str:
    """A helper of the student's own: a random few statements, so that two students' code is
    rarely alike unless one copied the other."""
    lines = rng.sample(HELPER_LINES, rng.randint(4, 7))
    return "\n\ndef inspect(values):\n" + "\n".join(lines) + "\n    return values"


def _renamed(code: str, rng: random.Random) -> str:
    for name in ("total", "item", "ordered", "largest", "smallest", "count"):
        code = code.replace(name, f"{name[:3]}_{rng.randint(0, 99)}")
    return code


def _course(folder: Path, students: int, rng: random.Random) -> Path:
    folder.mkdir()
    (folder / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "stats"\n')
    (folder / "masters").mkdir()
    (folder / "masters" / "stats.md").write_text(MASTER)
    released = nbformat.read(release(folder, "stats"), as_version=4)
    answers, copies = {}, []
    with open_gradebook(f"sqlite:///{folder / 'gradebook.db'}", "stats") as gradebook:
        for index in range(students):
            student = f"s{index:04d}"
            copied = index > 0 and rng.random() < 0.05
            original = f"s{rng.randrange(index):04d}" if copied else None
            if copied:
                copies.append([original, student])
            answers[student] = (dict(answers[original]) if copied else
                                {qid: rng.choice(pool) + _own_helper(rng) for qid, pool in VARIANTS.items()})
            notebook = nbformat.from_dict(json.loads(json.dumps(released)))
            for cell in notebook.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in answers[student]:
                    cell.source = _renamed(answers[student][grade_id], rng)
            target = folder / "submitted" / student / "stats" / "stats.ipynb"
            target.parent.mkdir(parents=True)
            nbformat.write(notebook, target)
            cells = {}
            for test, points in (("test_mean", 2.0), ("test_spread", 1.0)):
                passed = rng.random() < 0.7
                cells[test] = {"points": points if passed else 0.0, "max_points": points, "passed": passed,
                               "reason": "" if passed else rng.choice(REASONS)}
            record = {"student": student, "notebook": "stats.ipynb", "score": sum(c["points"] for c in cells.values()),
                      "max_score": 3.0, "cells": cells, "notes": [], "rejected": None, "seconds": rng.uniform(1, 4)}
            graded = folder / "autograded" / student / "stats" / "stats.grading.json"
            graded.parent.mkdir(parents=True)
            graded.write_text(json.dumps(record))
            gradebook.update_or_create_student(student)
            gradebook.update_or_create_submission("stats", student)
    (folder / "copied.json").write_text(json.dumps(copies))
    return folder


def _measure(course: Path) -> dict:
    """The report, in a process of its own that prints its own peak resident memory."""
    program = ("import resource, sys\nfrom autograder.cli import main\n"
               f"main(['--course', {str(course)!r}, 'report', 'stats', '--out', {str(course / 'report')!r}])\n"
               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak_kib = int(done.stdout.strip().splitlines()[-1])
    with open(course / "report" / "stats-similar.csv") as table:
        pairs = {frozenset((row["first student"], row["second student"])) for row in csv.DictReader(table)}
    copied = json.loads((course / "copied.json").read_text())
    found = sum(frozenset(pair) in pairs for pair in copied)
    return {"seconds": round(seconds, 1), "peak_memory_mib": round(peak_kib / 1024, 1), "similar_pairs": len(pairs),
            "copied_pairs": len(copied), "copied_pairs_listed": found}


def run(quick: bool = False) -> dict:
    rng = random.Random(7)
    sizes = (20, 100) if quick else (100, 1000)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            results[str(size)] = _measure(_course(Path(scratch) / f"course-{size}", size, rng))
            print(f"  {size} submissions: {results[str(size)]}", flush=True)
    return {"target": "time and peak memory of course-grade report for 1,000 graded submissions",
            "copied": "one in twenty submissions copies another's answers with new names",
            "submissions": results,
            "note": "peak memory is the largest resident size of the report's process (ru_maxrss)"}
