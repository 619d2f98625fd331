"""``course-grade validate NOTEBOOK``: a student's check before submitting, run as the grader runs.

The notebook is rebuilt on the skeleton the grader uses (the released notebook's nbgrader cells,
which ``course-grade release`` records in the release's metadata, so no course directory is
needed), with the student's own cells kept where they stand, and executed from a fresh kernel in
the same sandbox and limits where the machine has them. The report says, per question, whether
the answer cell was recognised, which locked cells were edited or deleted (the grader restores
them), which cells of the student's own run, which visible tests pass and what they are worth,
and which cells fail or time out. Hidden tests are not in a student's notebook, so they are
never run here, and their results never shown: a visible verdict here is the grader's visible
verdict on the same notebook.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder import cells, imports_rule, sandbox
from autograder.assemble import RejectedSubmission, assemble, read_submission
from autograder.execute import Limits, execute
from autograder.sandbox.confinement import probe

METADATA_KEY = imports_rule.METADATA_KEY  # the release's record sits beside the master's own settings
MAX_FILES_BYTES = 200 * 2**20  # supporting files taken from beside the notebook, at most


@dataclass
class Validation:
    notebook: str
    tests: dict[str, dict] = field(default_factory=dict)    # grade_id -> passed, message, points
    answers: dict[str, str] = field(default_factory=dict)   # grade_id -> "present" | "missing"
    edited_locked_cells: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejected: str | None = None
    sandboxed: bool = True
    unconfined_because: str | None = None   # why it ran without the sandbox, where it did

    @property
    def visible_points(self) -> tuple[float, float]:
        earned = sum(test["points"] for test in self.tests.values() if test["passed"])
        return earned, sum(test["points"] for test in self.tests.values())


def describe(released: nbformat.NotebookNode, source: nbformat.NotebookNode) -> dict:
    """What a released notebook records about itself for ``validate``: its nbgrader cells as
    released (nothing hidden is in them), and which tests the judge decides."""
    judged = [cells.meta(cell)["grade_id"] for cell in source.cells
              if cells.is_test(cell) and "answer(" in cell.source.split("### BEGIN HIDDEN TESTS", 1)[-1]
              and "### BEGIN HIDDEN TESTS" in cell.source]
    skeleton = [{"cell_type": cell.cell_type, "source": cell.source, "nbgrader": dict(cells.meta(cell))}
                for cell in released.cells if "grade_id" in cells.meta(cell)]
    record = {"version": 1, "skeleton": skeleton, "judged": judged}
    allowed = imports_rule.allowed_modules(source)
    if allowed is not None:
        record[imports_rule.RULE_KEY] = sorted(allowed)
    return record


def skeleton_of(notebook: nbformat.NotebookNode, release: nbformat.NotebookNode | None) -> tuple[nbformat.NotebookNode, set[str]]:
    """The skeleton to grade ``notebook`` against, and the tests the judge decides: from the
    release's record (``release`` first, then the notebook's own metadata), which also carries
    the assignment's allowed-imports rule, if it has one."""
    for carrier in (release, notebook):
        record = (carrier.metadata.get(METADATA_KEY) if carrier is not None else None) or {}
        if isinstance(record, dict) and isinstance(record.get("skeleton"), list):
            built = nbformat.v4.new_notebook(metadata={"kernelspec": notebook.metadata.get("kernelspec", {})})
            if imports_rule.RULE_KEY in record:
                built.metadata[METADATA_KEY] = {imports_rule.RULE_KEY: record[imports_rule.RULE_KEY]}
            for entry in record["skeleton"]:
                make = nbformat.v4.new_code_cell if entry.get("cell_type") == "code" else nbformat.v4.new_markdown_cell
                built.cells.append(make(str(entry.get("source", "")), metadata={"nbgrader": dict(entry.get("nbgrader", {}))}))
            return built, {str(gid) for gid in record.get("judged", [])}
    own = copy.deepcopy(notebook)  # no record: the notebook's own nbgrader cells, as they are now
    own.cells = [cell for cell in own.cells if "grade_id" in cells.meta(cell)]
    return own, set()


def validate(path: Path, limits: Limits, release: Path | None = None) -> Validation:
    result = Validation(path.name, sandboxed=limits.sandbox)
    try:
        notebook = read_submission(path.read_bytes())
    except (OSError, RejectedSubmission) as error:
        result.rejected = str(error)
        return result
    released = nbformat.read(release, as_version=4) if release else None
    skeleton, judged = skeleton_of(notebook, released)
    if not skeleton.cells:
        result.rejected = "no nbgrader cells: this is not an assignment notebook (or its metadata was removed)"
        return result
    if released is None and METADATA_KEY not in notebook.metadata:
        result.notes.append("this notebook does not record its release: edited locked cells cannot be detected")
    originals = {cells.meta(cell)["grade_id"]: cell for cell in skeleton.cells}
    present = {cells.meta(cell).get("grade_id"): cell for cell in notebook.cells if "grade_id" in cells.meta(cell)}
    for grade_id, original in originals.items():
        info = cells.meta(original)
        if info.get("solution"):
            result.answers[grade_id] = "present" if grade_id in present else "missing"
        elif grade_id not in present:
            result.edited_locked_cells.append(f"{grade_id} (deleted)")
        elif _text(present[grade_id]).strip() != original.source.strip():
            result.edited_locked_cells.append(grade_id)
    assembled = assemble(skeleton, notebook)
    result.notes += assembled.notes
    evidence = execute(assembled.notebook, path.name, limits, None, files=_supporting_files(path.parent, result.notes))
    result.notes += evidence.notes + ([evidence.stopped] if evidence.stopped else [])
    try:
        blocked = imports_rule.blocked_tests(assembled.notebook, imports_rule.allowed_modules(skeleton))
    except imports_rule.RuleError as error:  # a record edited by hand: say so, as the grader reads its own
        blocked = {}
        result.notes.append(f"the release's record of allowed imports cannot be read ({error})")
    for index, cell in enumerate(assembled.notebook.cells):
        report = evidence.cells.get(index)
        if cells.is_test(cell) and index in blocked:
            result.tests[cells.meta(cell)["grade_id"]] = {"passed": False, "message": blocked[index],
                                                          "points": cells.points(cell)}
        elif cells.is_test(cell):
            passed, message = cells.visible_verdict(cell, report, judged=cells.meta(cell)["grade_id"] in judged)
            result.tests[cells.meta(cell)["grade_id"]] = {"passed": passed, "message": message, "points": cells.points(cell)}
        elif report is not None and report.status != "ok":
            result.notes.append(f"cell {cells.meta(cell).get('grade_id', index + 1)!r}: {report.reason}")
    return result


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _supporting_files(folder: Path, notes: list[str]) -> dict[str, bytes]:
    """The files beside the notebook (data, images), as the grader has the assignment's own."""
    found = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"]
    if sum(p.stat().st_size for p in found) > MAX_FILES_BYTES:
        notes.append(f"the files beside the notebook are over {MAX_FILES_BYTES // 2**20} MiB, so none were used")
        return {}
    return {path.name: path.read_bytes() for path in found}


def render(result: Validation) -> str:
    """The report a student reads in a terminal or a notebook."""
    if result.rejected:
        return f"{result.notebook}: the grader would reject it: {result.rejected}\n"
    earned, total = result.visible_points
    lines = [f"{result.notebook}: visible tests {earned:g} of {total:g} points pass "
             f"(hidden tests, graded later, check more cases)"]
    if not result.sandboxed:
        why = result.unconfined_because or "bubblewrap exists only on Linux"
        lines.append(f"  note: run without the grader's sandbox ({why.split('. ')[0]}); the grader uses it")
    for grade_id, state in result.answers.items():
        if state == "missing":
            lines.append(f"  answer {grade_id}: MISSING (the grader will treat it as unanswered)")
    for grade_id in result.edited_locked_cells:
        lines.append(f"  locked cell {grade_id}: edited; the grader restores the original")
    for grade_id, test in result.tests.items():
        mark = "pass" if test["passed"] else "FAIL"
        worth = f"{test['points']:g} point{'' if test['points'] == 1 else 's'}"
        lines.append(f"  {mark}  {grade_id} ({worth}){': ' + test['message'] if test['message'] else ''}")
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def as_json(result: Validation) -> dict:
    data = asdict(result)
    data["tests"] = {gid: {"passed": t["passed"], "message": t["message"], "points": t["points"]}
                     for gid, t in result.tests.items()}
    data["visible_points"], data["max_visible_points"] = result.visible_points
    return data


def sandbox_problem() -> str | None:
    """Why the sandbox cannot run here (then a student's check runs unconfined and says so),
    or None where it can."""
    try:
        probe()
        return None
    except sandbox.SandboxUnavailable as error:
        return str(error)


def validate_all(paths: list[Path], limits: Limits, release: Path | None = None, workers: int = 2) -> list[Validation]:
    """Validate several notebooks at once, as ``grade`` grades them (in parallel)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda path: validate(path, limits, release), paths))
