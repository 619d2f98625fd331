"""reading_experiments states what every history of task 1 shows, and the judge holds the labels
of the hidden ones: both must be true, or a sound rule would lose points. The instructor's
solutions judge every student, so they are checked against independent computations: the
course library's t interval and an exact binomial sum in fractions."""

from __future__ import annotations

import re
from fractions import Fraction
from math import comb

import numpy as np
import pytest

from autograder.masters import is_judge_cell, master_path, read_master
from cnncourse.metrics import mean_interval
from conftest import REPO

CURVES = ("loss", "val_loss", "accuracy", "val_accuracy")


@pytest.fixture(scope="module")
def master() -> dict:
    """The imports, histories and solution cells run in one namespace; the judge cell in another;
    the hidden histories of task 1 as (label, history)."""
    cells = read_master(master_path(REPO / "assignments", "reading_experiments")).cells
    namespace: dict = {}
    for cell in cells:
        info = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (info.get("solution") or info.get("grade_id") in ("imports", "histories")):
            exec(compile(cell.source, info["grade_id"], "exec"), namespace)
    judge: dict = {"np": np}
    exec("\n".join(cell.source for cell in cells if is_judge_cell(cell)), judge)
    descriptions = []
    for cell in cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("test_diagnose_fit", "test_diagnose_faults"):
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1]
            descriptions += eval(re.search(r"_HISTORIES = (\[.*?\n\])", hidden, re.S).group(1))
    hidden_histories = [namespace["history_from_curves"](epochs, seed, dict(zip(CURVES, curves)))
                        for epochs, seed, *curves in descriptions]
    assert len(hidden_histories) == len(judge["TRUE_DIAGNOSES"])
    return {"namespace": namespace, "judge": judge, "hidden": list(zip(judge["TRUE_DIAGNOSES"], hidden_histories))}


def _shows(label: str, history: dict) -> bool:
    """The row of the master's table for ``label``, as its words say it."""
    loss, val_loss, accuracy, val_accuracy = (np.asarray(history[key]) for key in CURVES)
    falls = bool(np.all(np.diff(loss) < 0))
    if label == "learning rate too high":
        return np.mean(np.diff(loss) > 0) >= 1 / 3 and accuracy.max() < 0.5
    if label == "batch-norm statistics":
        jumps = np.diff(val_accuracy)
        return (falls and accuracy.min() > 0.8 and np.all(accuracy - val_accuracy >= 0.25)
                and np.mean(jumps > 0) >= 1 / 3 and np.mean(jumps < 0) >= 1 / 3)
    if label == "over-fitting":
        return (falls and accuracy[-1] > 0.99 and val_accuracy[0] >= accuracy[0]
                and accuracy[-1] - val_accuracy[-1] >= 0.1 and val_loss[-1] >= 1.5 * val_loss.min())
    if label == "under-fitting":
        return falls and loss[-1] > 0.75 and accuracy[-1] < 0.75 and abs(accuracy[-1] - val_accuracy[-1]) <= 0.03
    if label == "healthy":
        return (falls and loss[-1] < 0.15 and accuracy[-1] > 0.95 and abs(accuracy[-1] - val_accuracy[-1]) <= 0.03
                and val_loss[-1] <= 1.1 * val_loss.min())
    raise ValueError(label)


def test_every_simulated_history_shows_its_row_of_the_table_and_no_other(master):
    namespace = master["namespace"]
    for label in namespace["LABELS"]:
        for seed in range(300):
            history = namespace["simulated_history"](label, seed)
            shown = [row for row in namespace["LABELS"] if _shows(row, history)]
            assert shown == [label], (label, seed, shown)


def test_every_hidden_history_shows_the_row_of_its_label_and_no_other(master):
    labels = master["namespace"]["LABELS"]
    for index, (label, history) in enumerate(master["hidden"]):
        assert [row for row in labels if _shows(row, history)] == [label], index


def test_the_instructors_diagnosis_and_the_judge_agree_on_every_hidden_history(master):
    diagnose, true_diagnosis = master["namespace"]["diagnose"], master["judge"]["true_diagnosis"]
    for index, (label, history) in enumerate(master["hidden"]):
        said = diagnose(history)
        assert said == label and true_diagnosis(said, said, index) is None, index
        assert true_diagnosis(" " + label.upper().replace("-", " ") + " ", said, index) is None
        assert true_diagnosis("overfit", said, index) == "'overfit' is not one of the five labels"


@pytest.mark.parametrize("scores, confidence", [([0.91, 0.93], 0.95), ([0.912, 0.905, 0.921], 0.95),
                                                ([97.1, 96.4, 97.6, 96.9, 97.3], 0.99), (list(np.linspace(0.8, 0.9, 12)), 0.9)])
def test_the_interval_is_the_course_librarys(master, scores, confidence):
    _, low, high = mean_interval(scores, confidence)
    assert np.allclose(master["namespace"]["seed_interval"](scores, confidence), (low, high), rtol=1e-12)


@pytest.mark.parametrize("only_a, only_b", [(0, 0), (1, 0), (1, 7), (3, 3), (0, 9), (12, 2), (45, 25), (380, 300)])
def test_the_p_value_is_the_exact_binomial_sum(master, only_a, only_b):
    correct_a = [True] * only_a + [False] * only_b + [True, False] * 5
    correct_b = [False] * only_a + [True] * only_b + [True, False] * 5
    n = only_a + only_b
    exact = min(Fraction(1), Fraction(2 * sum(comb(n, k) for k in range(min(only_a, only_b) + 1)), 2**n))
    assert master["namespace"]["mcnemar_exact"](correct_a, correct_b) == pytest.approx(float(exact), rel=1e-9, abs=0)
