"""No chapter chooses anything on its test set (issue #19).

The rule, checked on each chapter's code: a cell that runs a model on test data (evaluate,
predict or fit with a test-data argument, directly or through a function the chapter defines)
comes after the last cell that trains anything (fit, directly or through such a function).
Loading and preparing test data earlier is fine; looking at test results and then training
again is what turns a test set into a second validation set. Test data are the names
``x_test``, ``y_test``, ``test_x``, ``test_y`` and any name starting with ``test_``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest

from conftest import REPO

CHAPTERS = sorted((REPO / "chapters").glob("*.md"))
TRAINING_METHODS = {"fit", "train_on_batch"}
EVALUATING_METHODS = {"evaluate", "predict", "predict_on_batch", "test_on_batch"} | TRAINING_METHODS


def is_test_name(name: str) -> bool:
    return name in {"x_test", "y_test", "test_x", "test_y"} or name.startswith("test_")


def code_cells(source: str) -> list[ast.Module]:
    """Each code cell of a MyST notebook's text, parsed; IPython magics and shell lines
    dropped."""
    notebook = jupytext.reads(source, fmt="md:myst")
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        cells.append(ast.parse("\n".join(lines)))
    return cells


def method_calls(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
               and call.func.attr in names for call in ast.walk(node))


def calls_any(node: ast.AST, functions: set[str]) -> bool:
    return any(isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
               and call.func.id in functions for call in ast.walk(node))


def closure(definitions: dict[str, ast.AST], methods: set[str]) -> set[str]:
    """The chapter's functions that call one of ``methods``, directly or through each other."""
    found: set[str] = set()
    while True:
        more = {name for name, body in definitions.items()
                if name not in found and (method_calls(body, methods) or calls_any(body, found))}
        if not more:
            return found
        found |= more


def reads_test_data(call: ast.Call) -> bool:
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(isinstance(node, ast.Name) and is_test_name(node.id)
               for argument in arguments for node in ast.walk(argument))


def audit(source: str) -> tuple[int, list[int]]:
    """(index of the last cell that trains, indices of cells that run a model on test data)."""
    cells = code_cells(source)
    definitions = {node.name: node for cell in cells for node in ast.walk(cell)
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    trainers = closure(definitions, TRAINING_METHODS)
    evaluators = closure(definitions, EVALUATING_METHODS)
    last_training, test_runs = -1, []
    for index, cell in enumerate(cells):
        # Defining a function trains nothing; running it does.
        statements = [node for node in cell.body
                      if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        if any(method_calls(node, TRAINING_METHODS) or calls_any(node, trainers) for node in statements):
            last_training = index
        for call in ast.walk(cell):
            if not (isinstance(call, ast.Call) and reads_test_data(call)):
                continue
            function = call.func
            if (isinstance(function, ast.Attribute) and function.attr in EVALUATING_METHODS) or (
                    isinstance(function, ast.Name) and function.id in evaluators):
                test_runs.append(index)
    return last_training, test_runs


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_no_model_meets_test_data_before_the_last_training(chapter: Path):
    last_training, test_runs = audit(chapter.read_text())
    early = [index for index in test_runs if index <= last_training]
    assert not early, (
        f"{chapter.name}: code cells {early} run a model on test data, but cell {last_training} "
        "trains afterwards; move test evaluation after all training (and choose on validation data)")


def test_chapters_that_load_test_data_do_evaluate_on_it():
    """The rule is not met by never looking: chapters with a test set report it."""
    evaluating = {chapter.stem for chapter in CHAPTERS if audit(chapter.read_text())[1]}
    assert {"02_first_cnn", "03_training_well", "05_transfer_learning"} <= evaluating


CHAPTER_PIECES = {
    "load": "```{code-cell} ipython3\n(x_train, y_train), (x_test, y_test) = load()\n```\n",
    "train": "```{code-cell} ipython3\nmodel.fit(x_train, y_train)\n```\n",
    "evaluate": "```{code-cell} ipython3\nprint(model.evaluate(x_test, y_test))\n```\n",
    "helper": ("```{code-cell} ipython3\ndef run(network):\n    network.fit(x_train, y_train)\n"
               "    return network.evaluate(test_x, test_y)\n```\n"),
    "call helper": "```{code-cell} ipython3\nscore = run(model)\n```\n",
    "score": "```{code-cell} ipython3\ndef score(m, x):\n    return m.predict(x)\n```\n",
    "score test": "```{code-cell} ipython3\nshown = score(model, test_images[:3])\n```\n",
}


def chapter_of(*pieces: str) -> str:
    return "\n".join(CHAPTER_PIECES[piece] for piece in pieces)


@pytest.mark.parametrize("pieces, early", [
    (("load", "train", "evaluate"), False),
    (("load", "evaluate", "train"), True),
    # a helper that evaluates on test data inside a training loop, defined before it runs
    (("load", "helper", "call helper", "train"), True),
    # a chapter function that predicts, called on test images before the last training
    (("load", "score", "score test", "train"), True),
    (("load", "score", "train", "score test"), False),
])
def test_the_audit_catches_early_test_evaluation(pieces, early):
    last_training, test_runs = audit(chapter_of(*pieces))
    assert any(index <= last_training for index in test_runs) is early
