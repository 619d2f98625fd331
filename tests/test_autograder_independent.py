"""The autograder grades any nbgrader course: it must not depend on this course's subject."""

from __future__ import annotations

import ast

from conftest import REPO

FORBIDDEN = {"cnncourse", "keras", "tensorflow", "bench"}


def test_autograder_imports_nothing_of_the_course():
    for module in sorted((REPO / "autograder").glob("*.py")):
        tree = ast.parse(module.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & FORBIDDEN, f"{module.name} imports {imported & FORBIDDEN}"
