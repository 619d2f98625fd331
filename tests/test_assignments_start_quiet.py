"""A released assignment opens quietly: running it as a student would shows no TensorFlow
start-up log (stderr, which JupyterLab shows in red) in any cell, least of all the first."""

from __future__ import annotations

import re
import shutil

import nbclient
import nbformat
import pytest

from autograder.release import release
from conftest import REPO

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.stem for p in (REPO / "assignments" / "masters").glob("*.md"))
STARTUP_NOISE = re.compile(r"oneDNN custom operations|absl::InitializeLog|cpu_feature_guard|This TensorFlow binary")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_released_assignment_starts_quiet(assignment, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course)
    shutil.copytree(REPO / "assignments" / "masters", course / "masters")
    released = release(course, assignment)
    notebook = nbformat.read(released, as_version=4)
    # Unanswered questions raise, as they do for a student who runs everything before starting.
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(released.parent)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs == [], f"the first cell of {assignment} prints: {code[0].outputs}"
    for cell in code:
        stderr = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stderr")
        assert not STARTUP_NOISE.search(stderr), f"{assignment}: {stderr[:300]}"
