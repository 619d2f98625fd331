"""The judge: the one place that decides whether a hidden test's answers are right.

It runs in the grader's own process, which never executes student code, and reads what a
sandboxed run handed out as hostile data: bounded in size and depth, decoded without pickle,
every type checked. It compares the student's answers, case by case, with the answers the
instructor's solution gave on the same cases (``reference``), by the rule the instructor's run
recorded. Its messages say what is wrong and on which case, never what the right answer is.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass

import numpy as np

from autograder.wire import ARRAY_KINDS, MAX_ARRAY_BYTES, MAX_ARRAY_DIMENSIONS, MAX_DEPTH

MAX_ANSWERS_PER_TEST = 100_000
DEFAULT_RTOL, DEFAULT_ATOL = 1e-5, 1e-8


class Malformed(ValueError):
    """Answer data that no honest ``answer()`` call writes."""


@dataclass(frozen=True)
class Unsendable:
    why: str


@dataclass
class Answer:
    value: object
    about: str = ""
    rule: dict | None = None
    case: object = None


def parse(text: str) -> list[Answer]:
    """The answers of one test cell, one JSON line each; raises Malformed."""
    answers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(answers) >= MAX_ANSWERS_PER_TEST:
            raise Malformed(f"more than {MAX_ANSWERS_PER_TEST:,} answers")
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as error:
            raise Malformed(f"answer {number} is not valid data ({type(error).__name__})") from None
        if not isinstance(record, dict) or "value" not in record:
            raise Malformed(f"answer {number} has no value")
        about, rule = record.get("about", ""), record.get("rule", {})
        if not isinstance(about, str) or not isinstance(rule, dict):
            raise Malformed(f"answer {number} has a malformed label or rule")
        case = decode(record["case"]) if "case" in record else None
        answers.append(Answer(decode(record["value"]), about[:300], _checked_rule(rule), case))
    return answers


def _checked_rule(rule: dict) -> dict:
    checked = {}
    for key in ("rtol", "atol"):
        if key in rule:
            if not _is_real(rule[key]) or rule[key] < 0:
                raise Malformed(f"rule {key} must be a number >= 0")
            checked[key] = float(rule[key])
    if "within" in rule:
        pair = rule["within"]
        if not (isinstance(pair, list) and len(pair) == 2 and all(_is_real(v) for v in pair)):
            raise Malformed("rule within must be a pair of numbers")
        checked["within"] = (float(pair[0]), float(pair[1]))
    if "check" in rule:
        if not (isinstance(rule["check"], str) and rule["check"].isidentifier()):
            raise Malformed("rule check must name a function")
        checked["check"] = rule["check"]
    for flag in ("unordered", "same_dtype", "exact_types"):
        if rule.get(flag):
            checked[flag] = True
    return checked


def decode(data, depth: int = 0):
    """The inverse of ``autograder.answers.encode``, for untrusted input."""
    if depth > MAX_DEPTH:
        raise Malformed("nested too deeply")
    if data is None or isinstance(data, (bool, str, int)):
        return data
    if isinstance(data, float):
        return data
    if not isinstance(data, dict) or not isinstance(data.get("$"), str):
        raise Malformed(f"unexpected {type(data).__name__} in answer data")
    tag = data["$"]
    if tag in ("list", "set", "dict"):
        items = data.get("items")
        if not isinstance(items, list):
            raise Malformed(f"{tag} without items")
        if tag == "list":
            return [decode(item, depth + 1) for item in items]
        if tag == "set":
            return {_hashable(decode(item, depth + 1)) for item in items}
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in items):
            raise Malformed("dict items must be pairs")
        return {_hashable(decode(key, depth + 1)): decode(value, depth + 1) for key, value in items}
    if tag == "float":
        if data.get("value") not in ("nan", "inf", "-inf"):
            raise Malformed("a non-finite float must be nan, inf or -inf")
        return float(data["value"])
    if tag == "scalar":
        dtype = _dtype(data.get("dtype"))
        value = data.get("value")
        if isinstance(value, dict):
            value = decode(value, depth + 1)
        if not isinstance(value, (bool, int, float)):
            raise Malformed("a NumPy scalar must hold a number")
        try:
            return dtype.type(value)
        except (OverflowError, ValueError):
            raise Malformed(f"{value!r} does not fit {dtype}") from None
    if tag == "array":
        dtype, shape, text = _dtype(data.get("dtype")), data.get("shape"), data.get("data")
        if not (isinstance(shape, list) and len(shape) <= MAX_ARRAY_DIMENSIONS and all(isinstance(n, int) and 0 <= n for n in shape)):
            raise Malformed("an array needs a shape of whole numbers")
        if not isinstance(text, str) or len(text) > MAX_ARRAY_BYTES * 4 // 3 + 4:
            raise Malformed("array data missing or too large")
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            raise Malformed("array data is not base64") from None
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise Malformed("array data does not match its shape and dtype")
        return np.frombuffer(raw, dtype=dtype).reshape(shape)
    if tag == "unsendable":
        return Unsendable(str(data.get("why", ""))[:200])
    raise Malformed(f"unknown tag {tag[:20]!r}")


def _dtype(name) -> np.dtype:
    if not isinstance(name, str) or len(name) > 8:
        raise Malformed("bad dtype")
    try:
        dtype = np.dtype(name)
    except TypeError:
        raise Malformed(f"unknown dtype {name!r}") from None
    if dtype.kind not in ARRAY_KINDS:
        raise Malformed(f"dtype {dtype} is not allowed")
    return dtype


def _hashable(value):
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, np.ndarray):
        return tuple(value.tolist()) if value.ndim else value.item()
    if isinstance(value, (set, dict)):
        raise Malformed("a set or dict cannot be a set member or key")
    return value


# --- comparison --------------------------------------------------------------------------------

def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _is_integer(value, exact_types: bool) -> bool:
    if exact_types:
        return type(value) is int
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _kind(value) -> str:
    if isinstance(value, Unsendable):
        return f"something that is not plain data ({value.why})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.generic):
        return f"a NumPy {value.dtype} number"
    return {bool: "a bool", int: "an int", float: "a float", str: "a string", list: "a list", set: "a set",
            dict: "a dict", type(None): "None"}.get(type(value), type(value).__name__)


def compare(got, want, rule: dict | None = None, where: str = "") -> str | None:
    """None if ``got`` is right by ``rule``; otherwise what is wrong, without the expected value."""
    rule = rule or {}
    at = f"{where}: " if where else ""
    if isinstance(got, Unsendable):
        return f"{at}the answer is {_kind(got)}"
    if "within" in rule:
        low, high = rule["within"]
        if not _is_real(got):
            return f"{at}expected a number, got {_kind(got)}"
        return None if low <= float(got) <= high else f"{at}{float(got):g} is outside the accepted range"
    exact_types = rule.get("exact_types", False)
    if (not exact_types and isinstance(got, np.ndarray) and got.size == 1
            and isinstance(want, (bool, int, float, np.generic)) and not isinstance(want, np.ndarray)):
        got = got.reshape(()).item() if got.dtype.kind == "b" else got.reshape(())[()]  # a number held in an array
    if isinstance(want, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)) or (exact_types and type(got) is not bool):
            return f"{at}expected True or False, got {_kind(got)}"
        return None if bool(got) == bool(want) else f"{at}wrong truth value"
    if isinstance(want, (int, np.integer)):
        if not _is_integer(got, exact_types):
            return f"{at}expected a whole number ({'a plain int' if exact_types else 'an int'}), got {_kind(got)}"
        return None if int(got) == int(want) else f"{at}wrong value ({int(got)})"
    if isinstance(want, (float, np.floating)):
        if not _is_real(got) or (exact_types and type(got) is not float):
            return f"{at}expected a {'plain ' if exact_types else ''}float, got {_kind(got)}"
        return None if _close(np.float64(got), np.float64(want), rule) else f"{at}wrong value ({float(got):.6g})"
    if isinstance(want, str) or want is None:
        if type(got) is not type(want):
            return f"{at}expected {_kind(want)}, got {_kind(got)}"
        return None if got == want else f"{at}wrong value ({got[:60]!r})"
    if isinstance(want, np.ndarray):
        return _compare_arrays(got, want, rule, at)
    if isinstance(want, list):
        if isinstance(got, np.ndarray) and got.ndim >= 1:
            got = list(got)  # an array where a list is asked: its items, judged one by one
        if not isinstance(got, list):
            return f"{at}expected a list or tuple, got {_kind(got)}"
        if len(got) != len(want):
            return f"{at}{len(got)} items where {len(want)} are expected"
        if rule.get("unordered"):
            try:
                got, want = sorted(got, key=_order), sorted(want, key=_order)
            except TypeError:
                return f"{at}items that cannot be put in order"
        for index, (item, wanted) in enumerate(zip(got, want)):
            problem = compare(item, wanted, {k: v for k, v in rule.items() if k != "unordered"}, f"{where}[{index}]")
            if problem:
                return problem
        return None
    if isinstance(want, set):
        if not isinstance(got, (set, list)):
            return f"{at}expected a set, got {_kind(got)}"
        got_set = {_plain(item) for item in got}
        want_set = {_plain(item) for item in want}
        if got_set == want_set:
            return None
        missing, extra = len(want_set - got_set), len(got_set - want_set)
        return f"{at}{missing} item(s) missing and {extra} item(s) that do not belong"
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{at}expected a dict, got {_kind(got)}"
        missing = sorted(map(str, set(want) - set(got)))
        extra = sorted(map(str, set(got) - set(want)))
        if missing or extra:
            return f"{at}keys missing: {missing[:5]}; keys not asked for: {extra[:5]}"
        for key in want:
            problem = compare(got[key], want[key], rule, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    return f"{at}cannot be judged against a reference of {_kind(want)}"


def _plain(item):
    if isinstance(item, (np.generic,)):
        return item.item()
    return item


def _order(item):
    return (type(_plain(item)).__name__ if not _is_real(item) else "number", _plain(item))


def _close(got, want, rule: dict) -> bool:
    rtol, atol = rule.get("rtol", DEFAULT_RTOL), rule.get("atol", DEFAULT_ATOL)
    return bool(np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True))


def _compare_arrays(got, want: np.ndarray, rule: dict, at: str) -> str | None:
    if isinstance(got, (list, int, float, np.generic)) and not isinstance(got, bool):
        try:
            got = np.asarray(got)
        except ValueError:
            return f"{at}expected an array, got a ragged list"
    if not isinstance(got, np.ndarray) or got.dtype.kind not in ARRAY_KINDS:
        return f"{at}expected an array, got {_kind(got)}"
    if got.shape != want.shape:
        return f"{at}an array of shape {got.shape}, where the shape should be {want.shape}"
    if rule.get("same_dtype") and got.dtype != want.dtype:
        return f"{at}an array of dtype {got.dtype}, where the dtype should be {want.dtype}"
    if want.dtype.kind in "biu" and got.dtype.kind == "f" and not rule.get("rtol") and not rule.get("atol"):
        return f"{at}expected whole numbers, got an array of dtype {got.dtype}"
    if want.dtype.kind in "biu" and not ("rtol" in rule or "atol" in rule):
        wrong = int(np.count_nonzero(got.astype(np.int64) != want.astype(np.int64)))
    else:
        rtol, atol = rule.get("rtol", DEFAULT_RTOL), rule.get("atol", DEFAULT_ATOL)
        wrong = int(np.count_nonzero(~np.isclose(got.astype(np.float64), want.astype(np.float64),
                                                  rtol=rtol, atol=atol, equal_nan=True)))
    if wrong:
        return f"{at}{wrong:,} of {want.size:,} values are wrong"
    return None


def checked(got: Answer, reference: Answer, checks: dict) -> str | None:
    """What is wrong with one answer: by the reference's check function where it names one,
    otherwise by comparison with the reference's value."""
    name = (reference.rule or {}).get("check")
    if name is None:
        return compare(got.value, reference.value, reference.rule)
    if isinstance(got.value, Unsendable):
        return f"the answer is {_kind(got.value)}"
    function = checks.get(name)
    if function is None:
        return f"the judge has no check named {name!r} (a fault of the assignment, not of the answer)"
    try:
        problem = function(got.value, reference.value, reference.case)
    except Exception as error:  # a check meeting an answer of a shape it did not expect
        return f"the answer could not be checked ({type(error).__name__}: {str(error)[:150]})"
    return None if problem is None else str(problem)[:300]


def load_checks(code: str) -> dict:
    """The functions of a master's judge cells, defined in a namespace of their own."""
    namespace: dict = {"np": np, "numpy": np}
    exec(compile(code, "<judge cells>", "exec"), namespace)  # the instructor's code, never a student's
    return {name: value for name, value in namespace.items() if callable(value) and not name.startswith("_")}


def verdict(student: list[Answer], reference: list[Answer], checks: dict | None = None) -> str | None:
    """None if every case of a test is answered right; otherwise the reason it fails."""
    checks = checks or {}
    wrong = [(ref, problem) for got, ref in zip(student, reference) if (problem := checked(got, ref, checks))]
    if wrong:
        first, problem = wrong[0]
        case = f"{first.about}: " if first.about else ""
        return f"wrong in {len(wrong)} of {len(reference)} hidden case(s); for example, {case}{problem}"
    if len(student) < len(reference):
        return f"only {len(student)} of {len(reference)} hidden case(s) were answered before the test stopped"
    if len(student) > len(reference):
        return f"{len(student)} answers where the test asks {len(reference)}: answers were recorded outside the test"
    return None
