"""The judge's comparisons, on data as a sandboxed run hands it out (``autograder.answers``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograder import judge
from autograder.answers import answer, to_data


def _roundtrip(value):
    return judge.decode(json.loads(json.dumps(to_data(value))))


@pytest.mark.parametrize("got, want, rule, ok", [
    (64, 64, {}, True),
    (np.int64(64), 64, {}, True),                 # NumPy integers stand in for ints
    (np.int64(64), 64, {"exact_types": True}, False),
    (64.0, 64, {}, False),                        # a float is not a whole number
    (True, 1, {}, False),                         # nor is a bool
    (np.float32(0.1), 0.1, {}, True),             # float32 within the default tolerance
    (0.1001, 0.1, {}, False),
    (np.array([3.0]), 3.0, {}, True),             # a number held in an array
    ([2, 1], [1, 2], {"unordered": True}, True),
    ([2, 1], [1, 2], {}, False),
    ({"b", "a"}, {"a", "b"}, {}, True),
    (["a", "b"], {"a", "b"}, {}, True),
    (np.array([1, 2]), [1, 2], {}, True),
    (5e-5, 0.0, {"within": (1e-5, 1e-4)}, True),
    (2e-4, 0.0, {"within": (1e-5, 1e-4)}, False),
    (np.ones((2, 2), np.float32), np.ones((2, 2)), {}, True),
    (np.ones((2, 2), np.float32), np.ones((2, 2)), {"same_dtype": True}, False),
    (np.ones((2, 3)), np.ones((2, 2)), {}, False),
    (np.array([1.0, 2.0]), np.array([1, 2]), {}, False),  # whole numbers asked
    ({"k": 1}, {"k": 1, "j": 2}, {}, False),
    (None, None, {}, True),
    (float("nan"), float("nan"), {}, True),
])
def test_compare(got, want, rule, ok):
    problem = judge.compare(_roundtrip(got), _roundtrip(want), rule)
    assert (problem is None) == ok, problem


def test_messages_never_state_the_expected_value():
    problem = judge.compare(_roundtrip(41), _roundtrip(424242), {})
    assert "424242" not in problem and "41" in problem


def test_lying_and_exotic_objects_become_unsendable_or_plain():
    class Liar(int):
        def __eq__(self, other):
            return True

    class NoArray:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("no")

    assert _roundtrip(Liar(3)) == 3 and type(_roundtrip(Liar(3))) is int
    assert isinstance(_roundtrip(NoArray()), judge.Unsendable)
    assert isinstance(_roundtrip(object()), judge.Unsendable)
    assert judge.compare(_roundtrip(object()), 3, {}).startswith("the answer is")


@pytest.mark.parametrize("line", [
    "[" * 5000 + "]" * 5000,                                    # deeper than json can follow
    '{"value": {"$": "array", "dtype": "O", "shape": [1], "data": ""}}',   # objects would need pickle
    '{"value": {"$": "array", "dtype": "<f8", "shape": [1000000], "data": "AAAA"}}',  # size lies
    '{"value": {"$": "nope"}}',
    '{"value": 1, "rule": {"within": [1]}}',
    '{"value": 1, "rule": {"check": "os.system"}}',
])
def test_malformed_answer_data_is_refused(line):
    with pytest.raises(judge.Malformed):
        judge.parse(line)


def test_answer_records_only_while_grading(tmp_path, monkeypatch):
    assert answer(5, about="x") == 5  # outside the grader: nothing written
    target = tmp_path / "answers.jsonl"
    monkeypatch.setenv("COURSE_GRADE_ANSWERS", str(target))
    answer(np.arange(3), about="three", atol=0.5)
    (parsed,) = judge.parse(target.read_text())
    assert parsed.about == "three" and parsed.rule == {"atol": 0.5} and list(parsed.value) == [0, 1, 2]


def test_verdict_counts_cases_and_names_the_first_wrong_one():
    reference = [judge.Answer(value, about=f"case {value}") for value in (1, 2, 3)]
    assert judge.verdict([judge.Answer(v) for v in (1, 2, 3)], reference) is None
    wrong = judge.verdict([judge.Answer(v) for v in (1, 5, 6)], reference)
    assert "2 of 3" in wrong and "case 2" in wrong
    assert "only 1 of 3" in judge.verdict([judge.Answer(1)], reference)
    assert "outside the test" in judge.verdict([judge.Answer(v) for v in (1, 2, 3, 4)], reference)
