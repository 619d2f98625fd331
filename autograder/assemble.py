"""Rebuilding a submission on the instructor's skeleton.

The graded notebook has every nbgrader cell of the source notebook, in the source's order: the
locked ones (tests, instructions, set-up) as the source has them, whatever the student did to
them (deleted, duplicated, reordered, retyped, edited), and the answer cells as the student wrote
them, matched by grade_id. Every cell the student added (a helper, an import, a note) is kept
too, in the place it had: right after the nbgrader cell that precedes it in the submission, as
nbgrader itself would keep it. No output is kept.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field

import nbformat

MAX_ANSWER_CHARS = 200_000  # a hand-written answer cell is far shorter; larger is not an answer
MAX_CELLS = 2_000
MISSING_ANSWER = {"code": "# (this answer cell was missing from the submission)",
                  "markdown": "(this answer cell was missing from the submission)"}


class RejectedSubmission(ValueError):
    """The file cannot be read as a notebook at all; the message says why."""


@dataclass
class Assembled:
    notebook: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)


def read_submission(raw: bytes) -> nbformat.NotebookNode:
    """Parse a submitted file into an nbformat 4 notebook, or raise RejectedSubmission."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RejectedSubmission(f"the file is not valid notebook JSON ({error})") from error
    except RecursionError:
        raise RejectedSubmission("the file is JSON nested too deeply to be a notebook") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")), list):
        raise RejectedSubmission("the file is JSON but not a notebook (no list of cells)")
    try:
        notebook = nbformat.reads(json.dumps(data), as_version=4)
    except (Exception, RecursionError) as error:  # nbformat raises several types for malformed notebooks
        raise RejectedSubmission(f"the notebook cannot be read ({type(error).__name__}: {str(error)[:200]})") from error
    if not isinstance(notebook.get("cells"), list) or len(notebook.cells) > MAX_CELLS:
        raise RejectedSubmission(f"the notebook has more than {MAX_CELLS:,} cells")
    for cell in notebook.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise RejectedSubmission("the notebook has a cell that is not a code, markdown or raw cell")
    return notebook


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _text(cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def assemble(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> Assembled:
    """The source notebook's nbgrader cells, the submission's answers in its answer cells, and
    the student's own cells where the student put them."""
    source_ids = [gid for cell in source.cells if (gid := _grade_id(cell))]
    answers: dict[str, nbformat.NotebookNode] = {}
    added_before: dict[str | None, list] = {}  # grade_id the cells precede (None: the end) -> cells
    notes: list[str] = []
    pending: list = []
    for cell in submission.cells:
        grade_id = _grade_id(cell)
        if grade_id in source_ids:
            if grade_id in answers:
                notes.append(f"cell {grade_id!r} appears more than once: the first copy was graded")
                continue
            answers[grade_id] = cell
            added_before.setdefault(grade_id, []).extend(pending)
            pending = []
        elif cell.get("cell_type") in ("code", "markdown"):
            pending.append(cell)
    added_before.setdefault(None, []).extend(pending)

    graded = copy.deepcopy(source)
    graded.cells = []
    used_ids = {cell.get("id") for cell in source.cells}
    for cell in source.cells:
        grade_id = _grade_id(cell)
        if grade_id is None:
            continue  # the source's plain cells: the student's copies of them are among their own cells
        graded.cells += [_own_cell(c, used_ids) for c in added_before.get(grade_id, [])]
        graded.cells.append(_filled(copy.deepcopy(cell), answers.get(grade_id), notes))
    graded.cells += [_own_cell(c, used_ids) for c in added_before.get(None, [])]
    released = {_text(cell).strip() for cell in source.cells if _grade_id(cell) is None}
    added = sum(1 for cells in added_before.values() for c in cells
                if c.get("cell_type") == "code" and _text(c).strip() not in released)
    if added:
        notes.append(f"{added} code cell(s) of your own were run where they stand in your notebook")
    return Assembled(graded, notes)


def _filled(cell, answer, notes: list[str]):
    """A source cell as it is graded: locked cells unchanged, answer cells with the student's answer."""
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    if not meta.get("solution"):
        return cell  # tests, instructions and set-up always come from the source
    if answer is None or answer.get("cell_type") != cell.cell_type:
        reason = "missing" if answer is None else f"changed into a {answer.get('cell_type')} cell"
        notes.append(f"answer cell {meta['grade_id']!r} was {reason}: graded as unanswered")
        cell.source = MISSING_ANSWER[cell.cell_type]
        return cell
    text = _text(answer)
    if len(text) > MAX_ANSWER_CHARS:
        notes.append(f"answer cell {meta['grade_id']!r} is over {MAX_ANSWER_CHARS:,} characters: graded as unanswered")
        text = MISSING_ANSWER[cell.cell_type]
    cell.source = text
    return cell


def _own_cell(cell, used_ids: set):
    """A cell the student added, reduced to its type and text (no outputs, no metadata)."""
    text = _text(cell)[:MAX_ANSWER_CHARS]
    made = nbformat.v4.new_code_cell(text) if cell.get("cell_type") == "code" else nbformat.v4.new_markdown_cell(text)
    if made.id in used_ids:
        made.id = uuid.uuid4().hex[:8]
    used_ids.add(made.id)
    return made
