"""Submissions as students write them, for the fairness suite (tests/test_fairness.py): one module
per assignment, each defining ``CASES``.

Each case starts from the instructor's solution and replaces some answer cells (``answers``,
by grade_id) or adds cells of the student's own before an answer cell (``added``). A correct
case must earn full marks; a wrong case must fail exactly the tests in ``fails``, each with a
message that contains ``words``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Case:
    answers: dict[str, str] = field(default_factory=dict)
    added: dict[str, str] = field(default_factory=dict)  # grade_id -> a cell inserted before it
    fails: frozenset[str] = frozenset()
    words: str = ""


def wrong(fails: str, words: str, **parts) -> Case:
    return Case(fails=frozenset({fails}), words=words, **parts)


def _gather() -> dict[str, dict[str, Case]]:
    import importlib
    import pkgutil

    return {module.name: importlib.import_module(f"{__name__}.{module.name}").CASES
            for module in pkgutil.iter_modules(__path__)}


CASES = _gather()
