"""``answer()``: how a hidden test hands the student's results to the judge, as plain data.

A hidden test never compares anything itself. It computes the student's answer on a case and
passes it to ``answer``; the judge (``autograder.judge``), a process that never runs student
code, compares it with what the instructor's solution answered on the same case::

    ### BEGIN HIDDEN TESTS
    from autograder.answers import answer
    for size in (7, 28, 300):
        answer(conv_output_size(size, 3), about=f"size {size}, kernel 3")
    ### END HIDDEN TESTS

The rule for a case is given where it is answered: ``rtol``/``atol`` for numbers and arrays
(float32 work needs about 1e-5), ``within=(low, high)`` when any value in a range is right (the
reference is then not used), ``unordered=True`` for a list whose order does not matter,
``same_dtype=True`` when an array's dtype is part of the task, and ``exact_types=True`` when
NumPy scalars must not stand in for Python numbers. When no comparison with the reference
fits (many answers are right), ``check="name"`` names a function of the master's judge cell
(a code cell tagged ``judge``, which only the judge ever runs), called as
``name(answer, reference, case)`` and returning None or what is wrong; ``case`` is data about
the case from the instructor's run (the inputs, say). Only the rules, labels and cases of the
instructor's run count; the student's run supplies values only.

This module runs inside the student's process. While ``course-grade`` grades, it appends one line
of JSON per answer to the file named by ``COURSE_GRADE_ANSWERS``; anywhere else (the instructor
running the source notebook, plain nbgrader) it only checks that the value can be sent.
NumPy arrays travel as raw bytes with their dtype and shape: nothing is ever pickled. The format
itself, and its limits, are ``autograder.wire``.
"""

from __future__ import annotations

import base64
import json
import math
import os

from autograder.wire import ANSWERS_VARIABLE, ARRAY_KINDS, MAX_ABOUT_CHARS, MAX_ARRAY_BYTES, MAX_DEPTH, MAX_WHY_CHARS


class Unsendable(TypeError):
    """The value is not plain data (numbers, strings, lists, dicts, sets, NumPy arrays)."""


def answer(value, *, about: str = "", rtol: float | None = None, atol: float | None = None,
           within: tuple[float, float] | None = None, unordered: bool = False, same_dtype: bool = False,
           exact_types: bool = False, check: str | None = None, case=None):
    """Hand ``value`` to the judge; return it unchanged."""
    rule = {key: rule_value for key, rule_value in (
        ("rtol", rtol), ("atol", atol), ("within", list(within) if within else None), ("unordered", unordered),
        ("same_dtype", same_dtype), ("exact_types", exact_types), ("check", check)) if rule_value not in (None, False)}
    record = {"about": str(about)[:MAX_ABOUT_CHARS], "rule": rule, "value": to_data(value)}
    if case is not None:
        record["case"] = encode(case)  # an instructor's value: refused loudly if it cannot be sent
    line = json.dumps(record, allow_nan=False)
    path = os.environ.get(ANSWERS_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as answers:
            answers.write(line + "\n")
    return value


def to_data(value):
    """``value`` encoded, or a note of why it cannot be (which the judge counts as wrong)."""
    try:
        return encode(value)
    except Unsendable as error:
        return {"$": "unsendable", "why": str(error)[:MAX_WHY_CHARS]}


def encode(value, depth: int = 0):
    """``value`` as JSON-ready data with tags for what JSON lacks (see ``autograder.judge.decode``)."""
    if depth > MAX_DEPTH:
        raise Unsendable(f"nested deeper than {MAX_DEPTH} levels")
    if value is None or type(value) in (bool, str, int):
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"$": "float", "value": repr(value)}
    if isinstance(value, (list, tuple)):
        return {"$": "list", "items": [encode(item, depth + 1) for item in value]}
    if isinstance(value, (set, frozenset)):
        return {"$": "set", "items": [encode(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"$": "dict", "items": [[encode(key, depth + 1), encode(item, depth + 1)] for key, item in value.items()]}
    return _encode_array_like(value)


def _encode_array_like(value):
    import numpy as np  # only answers that need it pay for the import

    if isinstance(value, np.generic) and value.dtype.kind in ARRAY_KINDS:
        scalar = value.item()
        if isinstance(scalar, float) and not math.isfinite(scalar):
            scalar = {"$": "float", "value": repr(scalar)}
        return {"$": "scalar", "dtype": value.dtype.str, "value": scalar}
    for plain in (bool, int, float, str):  # subclasses: what they convert to is the answer
        if isinstance(value, plain):
            return encode(plain(value), MAX_DEPTH)
    if not (isinstance(value, np.ndarray) or hasattr(value, "__array__")):
        raise Unsendable(f"an object of type {type(value).__name__}")
    try:
        array = np.asarray(value)
    except Exception as error:  # a tensor or array-like that cannot become an array
        raise Unsendable(f"{type(value).__name__} could not be turned into an array ({error})") from None
    if array.dtype.kind not in ARRAY_KINDS:
        raise Unsendable(f"an array of dtype {array.dtype}")
    if array.nbytes > MAX_ARRAY_BYTES:
        raise Unsendable(f"an array of {array.nbytes:,} bytes (at most {MAX_ARRAY_BYTES:,})")
    array = np.ascontiguousarray(array)
    return {"$": "array", "dtype": array.dtype.str, "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode("ascii")}
