"""The allowed-imports rule (``autograder.imports_rule``): what counts as an import, which cells
are read, which tests fail, and where the rule may and may not come from. The grader and
``validate`` applying it to whole submissions is in tests/test_fairness.py (conv_backward's
cases that import TensorFlow, Keras, PyTorch and SciPy)."""

from __future__ import annotations

import nbformat
import pytest

from autograder import imports_rule
from autograder.masters import MasterError, read_master
from autograder.validate import describe, skeleton_of
from conftest import master_cell

NUMPY_ONLY = frozenset({"numpy", "math", "itertools", "functools"})


def _modules(source: str) -> list[str]:
    return [violation.what for violation in imports_rule.breaks(source, NUMPY_ONLY)]


@pytest.mark.parametrize("source", [
    "import numpy as np",
    "from numpy.lib.stride_tricks import sliding_window_view",
    "import numpy.linalg as la\nimport math, itertools\nfrom functools import reduce",
    "from __future__ import annotations",
    "x = np.einsum('ij->j', a)  # 'import tensorflow' in a comment or string is no import\ns = 'import torch'",
    "%time y = np.ones(3)",
    "%matplotlib inline",
    "def broken(:\n",  # a syntax error fails when it runs; the rule has nothing to add
])
def test_numpy_only_code_passes(source):
    assert imports_rule.breaks(source, NUMPY_ONLY) == []


@pytest.mark.parametrize("source, named", [
    ("import tensorflow as tf", "tensorflow"),
    ("from keras import ops", "keras"),
    ("import torch.nn as nn", "torch.nn"),
    ("from scipy.signal import correlate2d", "scipy.signal"),
    ("def f():\n    import scipy\n    return scipy", "scipy"),          # inside a function too
    ("try:\n    import torch\nexcept ImportError:\n    pass", "torch"),  # whether or not it succeeds
    ("m = __import__('torch')", "torch"),
    ("import importlib\nm = importlib.import_module('scipy.signal')", "importlib"),
    ("exec('import tensorflow')", "tensorflow"),
    ("%time import torch", "torch"),
    ("%%capture\nimport keras\n", "keras"),
])
def test_every_way_of_importing_names_the_module(source, named):
    assert _modules(source)[0] == named


def test_a_dynamic_import_names_each_module_it_can_read():
    assert _modules("import importlib\nimportlib.import_module('scipy.signal')") == ["importlib", "scipy.signal"]


@pytest.mark.parametrize("source, words", [
    ("code = 'import torch'\nexec(code)", "exec() of code built at run time"),
    ("name = 'torch'\n__import__(name)", "__import__() of a module named at run time"),
    ("np.__builtins__['__import__']('torch')", "'__import__' as a string"),
    ("!pip install torch", "a shell command"),
    ("%run helper.py", "the magic %run"),
    ("shell = get_ipython()", "get_ipython()"),
    ("from . import helper", "a relative import"),
])
def test_code_the_rule_cannot_read_is_refused(source, words):
    found = imports_rule.breaks(source, NUMPY_ONLY)
    assert found and not found[0].is_module and words in found[0].what


def test_the_message_names_module_cell_line_and_rule():
    violation = imports_rule.breaks("import numpy as np\nimport tensorflow as tf", NUMPY_ONLY)[0]
    message = imports_rule.describe(violation, "the answer cell 'conv'", NUMPY_ONLY)
    assert message == ("the answer cell 'conv' imports tensorflow (line 2); this assignment allows only the modules "
                       "functools, itertools, math, numpy")


def _cell(source, grade_id=None, *, solution=False, grade=False):
    cell = nbformat.v4.new_code_cell(source)
    if grade_id:
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution,
                                     "points": 1 if grade else 0, "schema_version": 3, "task": False}
    return cell


def _assembled(own_cell: str, answer_b: str = "def b():\n    return 2", rule=("numpy",)):
    """imports (locked), answer a, test a, a cell of the student's own, answer b, test b."""
    notebook = nbformat.v4.new_notebook(cells=[
        _cell("import scipy  # the instructor's locked cell: not the student's code", "imports"),
        _cell("def a():\n    return 1", "a", solution=True),
        _cell("from autograder.answers import answer\nassert a() == 1", "test_a", grade=True),
        _cell(own_cell),
        _cell(answer_b, "b", solution=True),
        _cell("assert b() == 2", "test_b", grade=True),
    ])
    if rule is not None:
        notebook.metadata["course_grade"] = {"allowed_imports": list(rule)}
    return notebook


def test_only_tests_after_the_offending_cell_fail():
    notebook = _assembled("import torch")
    blocked = imports_rule.blocked_tests(notebook, imports_rule.allowed_modules(notebook))
    assert list(blocked) == [5]  # test_b; test_a ran before torch was imported
    assert blocked[5].startswith("your own cell just before the cell 'b' imports torch (line 1)")


def test_an_answer_cell_is_named_by_its_grade_id():
    notebook = _assembled("x = 1", answer_b="from keras import ops\ndef b():\n    return 2")
    assert imports_rule.blocked_tests(notebook, frozenset({"numpy"})) == {
        5: "the answer cell 'b' imports keras (line 1); this assignment allows only the modules numpy"}


def test_locked_cells_and_notebooks_without_a_rule_are_not_read():
    assert imports_rule.blocked_tests(_assembled("x = 1"), frozenset({"numpy"})) == {}  # scipy, autograder: locked
    notebook = _assembled("import torch", rule=None)
    assert imports_rule.allowed_modules(notebook) is None
    assert imports_rule.blocked_tests(notebook, None) == {}


@pytest.mark.parametrize("rule", ["numpy", [1, 2], ["numpy", "not a name"]])
def test_a_malformed_rule_is_an_error(rule):
    notebook = nbformat.v4.new_notebook(metadata={"course_grade": {"allowed_imports": rule}})
    with pytest.raises(imports_rule.RuleError, match="allowed_imports"):
        imports_rule.allowed_modules(notebook)


def test_validate_takes_the_rule_from_the_release_not_from_the_submission():
    source = _assembled("x = 1", rule=("numpy",))
    record = describe(source, source)  # the released notebook, here the same cells
    assert record["allowed_imports"] == ["numpy"]
    release = nbformat.v4.new_notebook(metadata={"course_grade": record})
    submission = _assembled("import torch", rule=("numpy", "torch"))  # a student widened their own copy
    submission.metadata["course_grade"] = dict(record, allowed_imports=["numpy", "torch"])
    submission.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    skeleton, _ = skeleton_of(submission, release)
    assert imports_rule.allowed_modules(skeleton) == frozenset({"numpy"})


def _master(tmp_path, rule: str, solution: str):
    path = tmp_path / "toy.md"
    path.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        f"kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\ncourse_grade:\n  {rule}\n---\n\n"
        "# Toy\n\n"
        + master_cell("import scipy", id="imports")
        + master_cell(f"def f():\n    ### BEGIN SOLUTION\n    {solution}\n    ### END SOLUTION", id="f", solution=True)
        + master_cell("assert f() == 1\n### BEGIN HIDDEN TESTS\nfrom autograder.answers import answer\nanswer(f())\n"
                      "### END HIDDEN TESTS", id="test_f", grade=True, points=1))
    return path


def test_a_master_keeps_its_own_rule(tmp_path):
    """The solutions must keep the rule (the reference run is graded like a student's); the
    locked imports cell is the instructor's and may import anything."""
    assert read_master(_master(tmp_path, "allowed_imports: [numpy, math]", "import math\n    return 1"))
    with pytest.raises(MasterError, match="the solution imports math"):
        read_master(_master(tmp_path, "allowed_imports: [numpy]", "import math\n    return 1"))
    with pytest.raises(MasterError, match="allowed_imports must be a list"):
        read_master(_master(tmp_path, "allowed_imports: numpy", "return 1"))
