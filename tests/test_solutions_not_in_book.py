"""No line of an assignment's solutions or hidden tests (the lines the release check treats as
secret) stands verbatim in the chapters or the course library: a student who reads the book or
the library's source must still write the answer."""

from __future__ import annotations

import pytest

from autograder.masters import secret_lines
from autograder.release import contained
from conftest import REPO

ASSIGNMENTS = sorted(p.stem for p in (REPO / "assignments" / "masters").glob("*.md"))
PUBLIC = sorted([*(REPO / "chapters").glob("*.md"), *(REPO / "cnncourse").rglob("*.py")])


def test_the_check_finds_a_line_inside_other_text_but_not_the_tail_of_a_name():
    secrets = ["return (images.astype(\"float32\") / 255.0)[..., None]", "base.trainable = True"]
    assert contained("    x = 1\n    return (images.astype(\"float32\") / 255.0)[..., None], y\n", secrets) == secrets[:1]
    assert contained("_base.trainable = True", secrets) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_line_is_in_the_chapters_or_the_library(assignment):
    secrets = secret_lines(REPO / "assignments", assignment)
    assert secrets, f"{assignment} has no solution lines to look for"
    found = {str(path.relative_to(REPO)): lines for path in PUBLIC
             if (lines := contained(path.read_text(encoding="utf-8"), secrets))}
    assert not found, found
