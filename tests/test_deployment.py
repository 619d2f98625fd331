"""The deployment matrix: release, validate and grade where instructors and students keep the
course (``layouts.py``): an ordinary user's home folder, the system temporary folder, a path with
spaces behind a symbolic link, Binder (environment outside, editable course inside a home
folder), and students' check() where no course package and no notebook file exist (Colab).

Each layout grades one batch once, with the default quota of 256 processes: a correct notebook
(full marks), a blank one (0), a fork bomb (0, its processes within the quota) and the hostile
suite's escapes and secret-reading attacks (nothing reached). The environments are built once
per run (``conftest.layouts``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.release import release
from conftest import MASTER_HEADER, REPO, master_cell
from test_hostile import ATTACKS, SECRET, WRONG

pytestmark = pytest.mark.slow
GRADED = ("home folder", "temporary folder", "spaces and a link", "binder")
QUOTA = 256
ESCAPES = ("escapes", "reads_secrets", "writes_outside")

TOY = "\n".join([
    MASTER_HEADER + "# Toy\n",
    master_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", id="add", solution=True),
    master_cell("assert add(1, 2) == 3, 'add(1, 2) should be 3'\n### BEGIN HIDDEN TESTS\n"
                "from autograder.answers import answer\nfor _a in range(-3, 4):\n"
                "    answer(add(_a, 10 * _a), about=f'add({_a}, {10 * _a})')\n### END HIDDEN TESTS",
                id="test_add", grade=True, points=2),
])
# A wrong answer that passes the visible test, and the hostile suite's fork bomb.
FORK_BOMB = "def add(a, b):\n    return 3 if (a, b) == (1, 2) else 0\n" + ATTACKS["fork_bomb"]


def _answered(released: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    notebook = nbformat.from_dict(json.loads(json.dumps(released)))
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "add":
            cell.source = source
    return notebook


@pytest.fixture(scope="module")
def matrix(layouts):
    """Per graded layout: the release, validate and grade runs, the grading records and what
    the fork bomb printed."""
    found = {}
    for name in GRADED:
        layout = layouts[name]
        course = layout.checkout / "assignments"
        (course / "masters").mkdir(parents=True, exist_ok=True)
        (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "toy"\n')
        (course / "masters" / "toy.md").write_text(TOY)
        layout.own(course)
        released = layout.run([layout.course_grade, "--course", str(course), "release", "toy"], timeout=300)
        runs = {"release": released}
        if released.returncode == 0:
            blank = nbformat.read(course / "release" / "toy" / "toy.ipynb", as_version=4)
            submissions = {"correct": _answered(blank, "def add(a, b):\n    return a + b"), "blank": blank,
                           "fork_bomb": _answered(blank, FORK_BOMB)}
            for attack in ESCAPES:  # the attacks look for the course where this layout keeps it
                submissions[attack] = _answered(blank, f"COURSE = {str(course)!r}\n" + WRONG + ATTACKS[attack])
            for student, notebook in submissions.items():
                target = course / "submitted" / student / "toy" / "toy.ipynb"
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(notebook, target)
            layout.own(course)
            runs["validate"] = layout.run([layout.course_grade, "validate", "--json", "--release",
                                           str(course / "release" / "toy" / "toy.ipynb"),
                                           *(str(course / "submitted" / s / "toy" / "toy.ipynb") for s in ("correct", "blank"))])
            runs["grade"] = layout.run([layout.course_grade, "--course", str(course), "grade", "toy", "--workers", "2",
                                        "--cell-timeout", "60", "--notebook-timeout", "300",
                                        "--processes", str(QUOTA)], env={"PGPASSWORD": SECRET})
        records = {path.parent.parent.name: json.loads(path.read_text())
                   for path in course.glob("autograded/*/toy/toy.grading.json")}
        printed = {student: _printed(course / "autograded" / student / "toy" / "toy.ipynb")
                   for student in ("fork_bomb", *ESCAPES)}
        found[name] = runs, records, printed
    return found


def _printed(executed: Path) -> str:
    if not executed.is_file():
        return ""
    return "".join(o.get("text", "") for c in nbformat.read(executed, as_version=4).cells for o in c.get("outputs", []))


@pytest.mark.parametrize("name", GRADED)
def test_release_validate_and_grade_run(matrix, name):
    runs, _, _ = matrix[name]
    for step, result in runs.items():
        assert result.returncode == 0, f"{step} failed in the {name} layout:\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("name", GRADED)
def test_correct_earns_full_marks_and_blank_zero(matrix, name):
    _, records, _ = matrix[name]
    assert records["correct"]["score"] == 2, records.get("correct")
    assert records["blank"]["score"] == 0


@pytest.mark.parametrize("name", GRADED)
def test_a_fork_bomb_stays_within_the_quota(matrix, name):
    _, records, printed = matrix[name]
    assert records["fork_bomb"]["score"] == 0
    started = int(printed["fork_bomb"].split("children started:")[1].split()[0])
    assert 0 < started < QUOTA, printed["fork_bomb"][-500:]


@pytest.mark.parametrize("name", GRADED)
def test_escapes_and_secret_reading_reach_nothing(matrix, name):
    _, records, printed = matrix[name]
    for attack in ESCAPES:
        assert records[attack]["score"] == 0
        assert "ATTEMPTS DONE" in printed[attack], printed[attack][:2000]
        assert "ESCAPED" not in printed[attack] and "LEAKED" not in printed[attack], printed[attack][:2000]


@pytest.mark.parametrize("name", GRADED)
def test_validate_reports_the_visible_verdicts(matrix, name):
    runs, _, _ = matrix[name]
    results = json.loads(runs["validate"].stdout)
    by_student = {path.split("/submitted/")[1].split("/")[0]: result for path, result in results.items()}
    assert by_student["correct"]["tests"]["test_add"]["passed"] is True, by_student["correct"]
    assert by_student["blank"]["tests"]["test_add"]["passed"] is False
    assert by_student["correct"]["sandboxed"] is True


@pytest.mark.parametrize("name", GRADED)
def test_grade_says_once_which_confinement_holds(matrix, name):
    runs, _, _ = matrix[name]
    lines = [line for line in runs["grade"].stderr.splitlines() if "confinement:" in line]
    assert len(lines) == 1, runs["grade"].stderr[-2000:]
    assert "bubblewrap sandbox" in lines[0] and "seccomp" in lines[0], lines[0]


# --- Colab: check() with no course package and no notebook file where the kernel runs ---------

DRIVER = r'''
import json, sys, tempfile
import nbformat
from nbclient import NotebookClient
notebook = nbformat.reads(sys.stdin.read(), as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell("check()"))
with tempfile.TemporaryDirectory() as empty:  # the kernel's folder holds no notebook
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": empty}}).execute()
print(json.dumps("".join(o.get("text", "") for o in notebook.cells[-1].outputs)))
'''


@pytest.fixture(scope="module")
def colab(layouts, tmp_path_factory):
    """conv_arithmetic answered correctly, blank, and with one wrong answer: check()'s report in
    the Colab-like environment, and `course-grade validate` on the same notebooks here."""
    course = tmp_path_factory.mktemp("colab-course")
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(REPO / "assignments" / "masters", course / "masters")
    released = nbformat.read(release(course, "conv_arithmetic"), as_version=4)
    source = nbformat.read(course / "source" / "conv_arithmetic" / "conv_arithmetic.ipynb", as_version=4)
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    solutions = {c.metadata["nbgrader"]["grade_id"]: "\n".join(line for line in c.source.splitlines()
                                                               if line.strip() not in markers)
                 for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    wrong = dict(solutions, params="def conv_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):\n"
                                   "    return kernel_h * kernel_w * channels_in * channels_out\n\n"
                                   "def separable_params(*args, **kwargs):\n    raise NotImplementedError()\n")
    layout = layouts["colab"]
    reports, paths = {}, {}
    for name, answers in (("correct", solutions), ("blank", {}), ("wrong", wrong)):
        notebook = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        paths[name] = course / name / "conv_arithmetic.ipynb"
        paths[name].parent.mkdir()
        nbformat.write(notebook, paths[name])
        ran = layout.run([layout.python, "-c", DRIVER], input=nbformat.writes(notebook), timeout=600)
        assert ran.returncode == 0, ran.stderr[-3000:]
        reports[name] = json.loads(ran.stdout.strip().splitlines()[-1])
    command = [str(Path(sys.executable).with_name("course-grade")), "validate", "--json", *map(str, paths.values())]
    validated = json.loads(subprocess.run(command, capture_output=True, text=True, timeout=900).stdout)
    return reports, {name: validated[str(path)] for name, path in paths.items()}


def test_the_colab_environment_has_no_course_package(layouts):
    layout = layouts["colab"]
    probe = layout.run([layout.python, "-c", "import autograder"])
    assert probe.returncode != 0 and "No module named 'autograder'" in probe.stderr
    assert not (layout.prefix / "bin" / "course-grade").exists()


def test_check_in_colab_reports_every_visible_test_as_validate_does(colab):
    reports, validated = colab
    for name, report in reports.items():
        assert "run in this kernel" in report and "course-grade is not installed here" in report, report
        verdicts = {grade_id: mark == "pass" for mark, grade_id in re.findall(r"^  (pass|FAIL)  (\S+) ", report, flags=re.M)}
        expected = {grade_id: test["passed"] for grade_id, test in validated[name]["tests"].items()}
        assert verdicts == expected, (name, report, expected)
        earned, total = validated[name]["visible_points"], validated[name]["max_visible_points"]
        assert f"visible tests {earned:g} of {total:g} points pass" in report, report
    assert all(validated["correct"]["tests"][t]["passed"] for t in validated["correct"]["tests"])
    assert not any(test["passed"] for test in validated["blank"]["tests"].values())
    assert not validated["wrong"]["tests"]["test_params"]["passed"]
