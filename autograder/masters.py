"""Assignment masters: text notebooks (jupytext) carrying nbgrader metadata in their cell options.

A master lives in ``<course>/masters/<assignment>.md``, outside ``source/``: nbgrader copies every
file of ``source/<assignment>/`` into the release verbatim, so a text master there would hand the
solutions to students. ``build_source`` converts the master into the nbgrader source notebook.
"""

from __future__ import annotations

import ast
import pprint
import re
from pathlib import Path

import jupytext
import nbformat

from autograder import imports_rule
from autograder.cells import HIDDEN_MARKERS, split_hidden

REQUIRED_KEYS = {"grade", "grade_id", "locked", "schema_version", "solution", "task"}
JUDGE_TAG = "judge"  # a code cell of checks that only the judge runs (autograder.judge)
TOOLS_TAG = "student-tools"  # a code cell holding a dict of hints: it becomes the students' hint() and check()

STUDENT_TOOLS = '''# Your tools (run this cell once): hint("question") shows the next hint for a question,
# one more each time you ask; check() runs this notebook as the grader will and reports
# every visible test (save the notebook first).
_HINTS = {hints}
_HINTS_SHOWN = {{}}
# The visible tests (grade id, points, judged by the grader from answers, code), for check()
# where the notebook cannot be run afresh (Colab, a Jupyter without the course installed).
_VISIBLE_TESTS = {tests}


def hint(question):
    if question not in _HINTS:
        print("Hints exist for:", ", ".join(sorted(_HINTS)))
        return
    shown = _HINTS_SHOWN.get(question, 0)
    if shown == len(_HINTS[question]):
        print(f"No more hints for {{question}}; the {{shown}} you have seen are above.")
        return
    _HINTS_SHOWN[question] = shown + 1
    print(f"Hint {{shown + 1}} of {{len(_HINTS[question])}} for {{question}}:", _HINTS[question][shown])


def check(notebook={notebook!r}):
    import os, pathlib, shutil, subprocess, sys
    if os.environ.get("COURSE_GRADE_ANSWERS") or os.environ.get("NBGRADER_EXECUTION"):
        return  # a grader is running this notebook
    beside = pathlib.Path(sys.executable).with_name("course-grade")
    program = str(beside) if beside.exists() else shutil.which("course-grade")
    # In Colab the notebook lives in Drive: a file of that name on the runtime is not what you edit.
    on_disk = pathlib.Path(notebook).is_file() and "google.colab" not in sys.modules
    if program and on_disk:
        done = subprocess.run([program, "validate", notebook], capture_output=True, text=True)
        if done.stdout:
            print(done.stdout)
            return
    why = ("course-grade is not installed here" if program is None else
           f"{{notebook}} is not on this machine's disk" if not on_disk else "course-grade validate failed")
    print(f"{{why}}: so the visible tests run in this kernel as it is now, not in a fresh copy as the "
          "grader runs them. Run every cell from the top first (Run All).")
    _check_in_this_kernel(notebook)


def _check_in_this_kernel(notebook):
    import contextlib, io
    earned, total, lines = 0, 0, []
    for grade_id, points, judged, code in _VISIBLE_TESTS:
        total += points
        errors = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
                exec(compile(code, f"<visible test {{grade_id}}>", "exec"), globals())
            problem = "" if judged or not errors.getvalue() else "it wrote to stderr, which nbgrader scores as a failure"
        except NotImplementedError:
            problem = "not answered yet: the answer cell still raises NotImplementedError"
        except Exception as error:
            problem = f"{{type(error).__name__}}: {{error}}"[:300]
        earned += 0 if problem else points
        worth = f"{{points:g}} point{{'' if points == 1 else 's'}}"
        lines.append(f"  {{'FAIL' if problem else 'pass'}}  {{grade_id}} ({{worth}}){{': ' + problem if problem else ''}}")
    print(f"{{notebook}}: visible tests {{earned:g}} of {{total:g}} points pass in this kernel "
          "(hidden tests, graded later, check more cases)")
    print("\\n".join(lines))
'''

_MARKERS = {
    "solution": ("### BEGIN SOLUTION", "### END SOLUTION"),
    "hidden": HIDDEN_MARKERS,
}


class MasterError(ValueError):
    """The master is not a valid nbgrader assignment; the message names the cell."""


def master_path(course: Path, assignment: str) -> Path:
    return course / "masters" / f"{assignment}.md"


def read_master(path: Path) -> nbformat.NotebookNode:
    """The master as a notebook, after checking every nbgrader cell (raises MasterError)."""
    if not path.is_file():
        raise MasterError(f"no master at {path}")
    notebook = jupytext.read(path)
    seen: set[str] = set()
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        where = f"{path.name}, cell {index + 1}"
        missing = REQUIRED_KEYS - set(meta)
        if missing:
            raise MasterError(f"{where}: nbgrader metadata lacks {sorted(missing)}")
        if meta["grade_id"] in seen or not re.fullmatch(r"[A-Za-z0-9_-]+", meta["grade_id"]):
            raise MasterError(f"{where}: grade_id {meta['grade_id']!r} is repeated or not a plain name")
        seen.add(meta["grade_id"])
        if meta["grade"] and not (isinstance(meta.get("points"), (int, float)) and meta["points"] > 0):
            raise MasterError(f"{where}: a graded cell needs positive points")
        if meta["solution"] and cell.cell_type == "code":
            _require_markers(cell.source, "solution", where, required=True)
        _require_markers(cell.source, "hidden", where, required=False)
        if meta["grade"] and split_hidden(cell.source)[1] and "answer(" not in split_hidden(cell.source)[1]:
            raise MasterError(f"{where}: hidden tests must hand their results to the judge with answer() "
                              "(from autograder.answers); an assert there is decided inside the student's process")
    if not seen:
        raise MasterError(f"{path.name} has no nbgrader cells")
    _require_own_rule(notebook, path)
    return notebook


def _require_own_rule(notebook: nbformat.NotebookNode, path: Path) -> None:
    """A master's allowed-imports rule is well formed, and its solutions and plain code cells
    (which students get as they are) keep it."""
    try:
        allowed = imports_rule.allowed_modules(notebook)
    except imports_rule.RuleError as error:
        raise MasterError(f"{path.name}: {error}") from None
    if allowed is None:
        return
    for index, cell in enumerate(notebook.cells):
        locked = cell.metadata.get("nbgrader", {}).get("locked") and not cell.metadata.get("nbgrader", {}).get("solution")
        if cell.cell_type != "code" or locked or is_judge_cell(cell) or TOOLS_TAG in cell.metadata.get("tags", []):
            continue
        found = imports_rule.breaks(cell.source, allowed)
        if found:
            raise MasterError(f"{path.name}, cell {index + 1}: " + imports_rule.describe(found[0], "the solution", allowed))


def _require_markers(source: str, kind: str, where: str, *, required: bool) -> None:
    begin, end = _MARKERS[kind]
    lines = [line.strip() for line in source.splitlines()]
    begins, ends = lines.count(begin), lines.count(end)
    if begins != ends or (required and begins == 0):
        raise MasterError(f"{where}: needs matching '{begin}' / '{end}' lines")


def is_judge_cell(cell) -> bool:
    return cell.cell_type == "code" and JUDGE_TAG in cell.metadata.get("tags", [])


def judge_code(course: Path, assignment: str) -> str:
    """The source of the master's judge cells ('' where there is no master or none)."""
    path = master_path(course, assignment)
    if not path.is_file():
        return ""
    return "\n\n".join(cell.source for cell in read_master(path).cells if is_judge_cell(cell))


def _student_tools(cell, assignment: str, notebook: nbformat.NotebookNode):
    """The cell of hints a master declares, as the locked cell that defines hint() and check()."""
    try:
        hints = ast.literal_eval(cell.source)
    except (ValueError, SyntaxError) as error:
        raise MasterError(f"the {TOOLS_TAG} cell must hold a dict of hints: {error}") from None
    if not (isinstance(hints, dict) and all(isinstance(k, str) and isinstance(v, list) and all(isinstance(h, str) for h in v)
                                            for k, v in hints.items())):
        raise MasterError(f"the {TOOLS_TAG} cell must map each question to a list of hints (strings)")
    tests = []
    for test in notebook.cells:
        info = test.metadata.get("nbgrader", {})
        if test.cell_type == "code" and info.get("grade") and not info.get("solution"):
            visible, hidden = split_hidden(test.source)
            tests.append((info["grade_id"], info["points"], "answer(" in hidden, visible.strip()))
    source = STUDENT_TOOLS.format(hints=pprint.pformat(hints, width=96, sort_dicts=False), notebook=f"{assignment}.ipynb",
                                  tests=pprint.pformat(tests, width=96))
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "grade_id": "student_tools", "locked": True, "schema_version": 3, "solution": False,
        "task": False}})


def build_source(course: Path, assignment: str) -> Path:
    """Write ``source/<assignment>/<assignment>.ipynb`` from the master; return its path.
    Judge cells stay out: neither the sandbox nor a student ever sees them."""
    notebook = read_master(master_path(course, assignment))
    notebook.cells = [_student_tools(cell, assignment, notebook) if TOOLS_TAG in cell.metadata.get("tags", []) else cell
                      for cell in notebook.cells if not is_judge_cell(cell)]
    notebook.metadata.pop("jupytext", None)  # the source is a plain notebook, not a paired one
    target = course / "source" / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(notebook)
    nbformat.write(notebook, target)
    return target


def secret_lines(course: Path, assignment: str, kinds: tuple[str, ...] = ("solution", "hidden")) -> list[str]:
    """Lines that only the instructor's solutions and/or hidden tests contain (``kinds``), in the
    master or, where there is none, in the source notebooks: none may reach students.

    Short lines, comments and lines that also stand in the student-visible part (a visible test
    may repeat a line of a hidden one) are left out, as they identify nothing.
    """
    path = master_path(course, assignment)
    if path.is_file():
        notebooks = [read_master(path)]
    else:
        notebooks = [nbformat.read(p, as_version=4) for p in sorted((course / "source" / assignment).glob("*.ipynb"))]
    starts = {_MARKERS[kind][0]: kind for kind in _MARKERS}
    ends = {_MARKERS[kind][1] for kind in _MARKERS}
    secret = []
    # The students' tools cell is public by construction: a solution line that matches one of its
    # lines (``except Exception as error:``) identifies nothing.
    visible = {line.strip() for line in STUDENT_TOOLS.format(hints="{}", tests="[]", notebook="").splitlines()}
    for cell in (cell for notebook in notebooks for cell in notebook.cells):
        inside = None
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in starts:
                inside = starts[stripped]
            elif stripped in ends:
                inside = None
            elif inside is None:
                visible.add(stripped)
            elif inside in kinds:
                secret.append(stripped)
    return [line for line in dict.fromkeys(secret) if len(line) >= 12 and not line.startswith("#") and line not in visible]
