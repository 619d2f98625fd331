"""The upgrade canary (`make canary`): its report names what it installed and, for each failure,
the test, chapter or assignment and the first line of the error."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from canary import __main__ as canary
from canary import checks
from conftest import REPO

from test_environment import pins


def test_it_reads_every_pin():
    read = canary.pins()
    assert {name: version for name, version in read.items()} == {
        canary._canonical(p.name): next(iter(p.specifier)).version for p in pins()}
    assert read["keras"] and read["jupyter-book"].startswith("1.")


def test_pip_s_error_or_a_crash_s_exception_is_the_line_reported():
    pip = "Collecting x\nERROR: ResolutionImpossible: keras>=4 conflicts\nmore"
    assert canary._first_line(pip) == "ERROR: ResolutionImpossible: keras>=4 conflicts"
    crash = "Traceback (most recent call last):\n  File 'x'\nImportError: cannot import name 'Foo'"
    assert canary._first_line(crash) == "ImportError: cannot import name 'Foo'"


def test_a_traceback_is_summed_up_by_its_exception():
    trace = 'Traceback (most recent call last):\n  File "x.py", line 1\n    f()\nAttributeError: module keras has no attribute Foo\n'
    assert checks.first_line(trace) == "AttributeError: module keras has no attribute Foo"
    assert checks.first_line("\n  one\ntwo\n") == "one"
    assert checks.first_line("") == ""


def test_failed_tests_come_from_pytest_s_own_report(tmp_path):
    (tmp_path / "test_sample.py").write_text(
        "def test_good():\n    pass\n\n"
        "def test_bad():\n    assert 1 + 1 == 3, 'arithmetic moved'\n\n"
        "import pytest\n@pytest.fixture\ndef broken():\n    raise RuntimeError('fixture exploded')\n\n"
        "def test_errors(broken):\n    pass\n\n"
        "class TestGroup:\n    def test_in_a_class(self):\n        raise ValueError('in a class')\n")
    junit = tmp_path / "out.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
                    "--rootdir", str(tmp_path), str(tmp_path / "test_sample.py")], cwd=tmp_path, capture_output=True)
    failures = {f["name"].split("::", 1)[1]: f["error"] for f in canary.failed_tests(junit)}
    assert set(failures) == {"test_bad", "test_errors", "TestGroup::test_in_a_class"}
    assert "in a class" in failures["TestGroup::test_in_a_class"]
    assert "arithmetic moved" in failures["test_bad"]
    assert "fixture exploded" in failures["test_errors"]


def test_the_report_says_what_broke_and_what_was_newer():
    result = {"when": "2026-12-01T00:00:00+00:00", "python": "3.11.9", "passed": False,
              "pins": {"keras": "3.15.1", "numpy": "2.4.6"}, "versions": {"keras": "3.16.0", "numpy": "2.4.6"},
              "newest": {"keras": "4.0.0", "numpy": "2.4.6"},
              "tests": {"passed": False, "counts": {"tests": 3, "failures": 1, "errors": 0, "skipped": 0},
                        "failures": [{"name": "tests/test_x.py::test_y", "error": "AssertionError: no"}]},
              "chapters": [{"name": "01_convolution", "passed": True, "seconds": 9.0, "error": ""},
                           {"name": "02_mnist", "passed": False, "seconds": 3.0, "error": "TypeError: fit() got x"}],
              "assignments": []}
    text = canary.report(result)
    assert "Something broke" in text
    assert "| keras | 3.15.1 | 3.16.0 (newer) | 4.0.0 |" in text and "| numpy | 2.4.6 | 2.4.6 | 2.4.6 |" in text
    assert "Held back" in text and "keras 4.0.0" in text and "numpy 2.4.6" not in text.split("Held back")[1]
    assert "FAILED `tests/test_x.py::test_y`: AssertionError: no" in text
    assert "FAILED `02_mnist` (3.0 s): TypeError: fit() got x" in text
    assert "passed `01_convolution`" in text


@pytest.mark.slow
def test_an_assignment_is_graded_through_course_grade(tmp_path):
    """The real master passes with full marks; one whose solution is wrong is reported with the
    test that fails and its message."""
    good = checks.assignment("conv_arithmetic")
    assert good["passed"] and good["error"] == "", good
    masters = tmp_path / "masters"
    shutil.copytree(REPO / "assignments" / "masters", masters)
    master = masters / "conv_arithmetic.md"
    text = master.read_text()
    assert "        return -(-size // stride)\n" in text
    master.write_text(text.replace("        return -(-size // stride)\n", "        return size\n", 1))
    bad = checks.assignment("conv_arithmetic", masters)
    assert not bad["passed"]
    assert "fails its own tests" in bad["error"] and "the right answer is 5" in bad["error"], bad
