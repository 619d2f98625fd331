"""The allowed-imports rule: an assignment may say which modules its students' code may use.

A master declares the rule in its front matter (jupytext puts it in the notebook's metadata)::

    course_grade:
      allowed_imports: [numpy, math, itertools, functools]

Names are top-level modules: ``numpy`` allows ``from numpy.lib.stride_tricks import
sliding_window_view``. The rule is read from the instructor's notebook only (the source notebook
when grading, the release's record for ``course-grade validate``), never from a submission.

What is checked: the student's code, that is every answer cell and every cell the student added
(locked cells are the instructor's). Each is parsed with ``ast`` after IPython's own rewriting of
magics and shell lines, and these count as imports: ``import m``, ``from m import x``,
``__import__("m")`` and ``import_module("m")`` (``importlib``'s, however reached). Code the rule
cannot read is refused rather than trusted: a relative import, an import or ``exec``/``eval``/
``compile`` of a name computed at run time, a shell line, and a magic that runs other code (a
literal string given to ``exec``, or a ``%time``/``%%capture`` body, is checked like the cell).
This is a reading of the source, not a sandbox: it holds the rule an honest student might break
by habit, and makes breaking it on purpose visible in the code a person can read.

A test needs only the code that ran before it, so a test fails when a cell before it breaks the
rule; both ``course-grade grade`` and ``validate`` apply this through ``blocked_tests``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from autograder import cells

METADATA_KEY = "course_grade"
RULE_KEY = "allowed_imports"
ALWAYS_ALLOWED = frozenset({"__future__"})  # a compiler directive, not a library
CODE_MAGICS = frozenset({"time", "timeit", "prun", "capture"})  # their argument or body is Python: checked
QUIET_MAGICS = frozenset({"matplotlib", "precision", "who", "whos"})  # run no code of the student's
CODE_BUILTINS = frozenset({"exec", "eval", "compile"})


class RuleError(ValueError):
    """The instructor's rule is malformed (a fault of the assignment)."""


@dataclass(frozen=True)
class Violation:
    what: str       # the module as written ("scipy.signal"), or code the rule cannot read
    line: int
    is_module: bool = True

    @property
    def top_level(self) -> str:
        return self.what.split(".")[0]


def allowed_modules(notebook) -> frozenset[str] | None:
    """The modules an instructor's notebook allows, or None where it sets no rule."""
    record = notebook.get("metadata", {}).get(METADATA_KEY)
    if not isinstance(record, dict) or RULE_KEY not in record:
        return None
    names = record[RULE_KEY]
    if not (isinstance(names, list) and all(isinstance(name, str) and name.isidentifier() for name in names)):
        raise RuleError(f"{METADATA_KEY}.{RULE_KEY} must be a list of top-level module names, got {names!r}")
    return frozenset(names)


def found_in(source: str) -> list[Violation]:
    """Every import in ``source`` (as modules) and every piece of code the rule cannot read."""
    python = _as_python(source)
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return []  # the cell fails when it runs, and so does every test after it
    found = []
    # get_ipython() calls that IPython's rewriting makes: a magic or shell line, judged by _from_magic
    rewritten = {id(node.func.value) for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_get_ipython(node.func.value)}
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if _is_get_ipython(node) and id(node) not in rewritten:
            found.append(Violation("get_ipython()", line, is_module=False))
        elif isinstance(node, ast.Constant) and node.value in ("__import__", "import_module"):
            found.append(Violation(f"the name {node.value!r} as a string", line, is_module=False))
        elif isinstance(node, ast.Import):
            found += [Violation(alias.name, line) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(Violation(node.module, line) if node.level == 0 and node.module
                         else Violation("a relative import", line, is_module=False))
        elif isinstance(node, ast.Call):
            found += _from_call(node, line)
    return sorted(found, key=lambda violation: violation.line)


def _from_call(node: ast.Call, line: int) -> list[Violation]:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    first = node.args[0] if node.args else None
    literal = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    if name in ("__import__", "import_module"):
        return [Violation(literal, line)] if literal and not literal.startswith(".") else \
            [Violation(f"{name}() of a module named at run time", line, is_module=False)]
    if isinstance(node.func, ast.Name) and name in CODE_BUILTINS:
        if literal is None:
            return [Violation(f"{name}() of code built at run time", line, is_module=False)]
        return [Violation(v.what, line, v.is_module) for v in found_in(literal)]
    if isinstance(node.func, ast.Attribute) and _is_get_ipython(node.func.value):
        return _from_magic(node, line)
    return []


def _is_get_ipython(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "get_ipython"


def _from_magic(node: ast.Call, line: int) -> list[Violation]:
    """IPython's rewriting of ``%magic args``, ``%%magic`` cells and ``!shell`` lines."""
    method = node.func.attr
    texts = [arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None for arg in node.args]
    if method in ("system", "getoutput"):
        return [Violation("a shell command (!)", line, is_module=False)]
    if method in ("run_line_magic", "run_cell_magic") and texts and texts[0] is not None:
        magic = texts[0]
        if magic in QUIET_MAGICS:
            return []
        if magic in CODE_MAGICS and all(text is not None for text in texts[1:]):
            body = texts[-1] if method == "run_cell_magic" else texts[1]
            return [Violation(v.what, line, v.is_module) for v in found_in(body)]
        return [Violation(f"the magic %{magic}", line, is_module=False)]
    return [Violation(f"get_ipython().{method}()", line, is_module=False)]


def _as_python(source: str) -> str:
    """The cell as the kernel runs it: IPython rewrites magics and shell lines into calls."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # no IPython, no kernel either: the cell is what it says
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython's rewriting is best-effort on broken cells; parse what was written
        return source


def breaks(source: str, allowed: frozenset[str]) -> list[Violation]:
    """The violations of the rule in one cell's source."""
    return [v for v in found_in(source) if not (v.is_module and (v.top_level in allowed or v.top_level in ALWAYS_ALLOWED))]


def describe(violation: Violation, where: str, allowed: frozenset[str]) -> str:
    what = f"imports {violation.what}" if violation.is_module else f"uses {violation.what}, which the rule cannot check"
    return (f"{where} {what} (line {violation.line}); this assignment allows only the modules "
            f"{', '.join(sorted(allowed))}")


def student_cells(notebook) -> list[tuple[int, str]]:
    """(index, where) of the cells holding the student's code in an assembled notebook: answer
    cells, and cells without nbgrader metadata (the student's own)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        info = cells.meta(cell)
        if info.get("solution"):
            found.append((index, f"the answer cell {info.get('grade_id')!r}"))
        elif "grade_id" not in info:
            following = next((cells.meta(c)["grade_id"] for c in notebook.cells[index + 1:] if "grade_id" in cells.meta(c)),
                             None)
            place = f"just before the cell {following!r}" if following else "at the end of the notebook"
            found.append((index, f"your own cell {place}"))
    return found


def first_violation(notebook, allowed: frozenset[str] | None) -> tuple[int, str] | None:
    """(cell index, message) of the first cell of student code that breaks the rule, if any."""
    if allowed is None:
        return None
    for index, where in student_cells(notebook):
        source = notebook.cells[index].get("source", "")
        found = breaks("".join(source) if isinstance(source, list) else str(source), allowed)
        if found:
            return index, describe(found[0], where, allowed)
    return None


def blocked_tests(notebook, allowed: frozenset[str] | None) -> dict[int, str]:
    """Test cell index -> why it fails, for every autograded test that runs after a cell of
    student code breaking the rule (earlier tests could not have used that code)."""
    first = first_violation(notebook, allowed)
    if first is None:
        return {}
    start, message = first
    return {index: message for index, cell in enumerate(notebook.cells) if index > start and cells.is_test(cell)}
