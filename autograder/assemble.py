"""Rebuilding a submission on the instructor's skeleton.

Whatever a student did to the notebook (deleted, duplicated, reordered or retyped cells, edited
locked or test cells, enormous outputs, another nbformat version), the notebook that is graded is
the source notebook with the student's answers put into its answer cells, matched by grade_id.
Every other cell, the tests above all, comes from the source, and no output is kept.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import nbformat

MAX_ANSWER_CHARS = 200_000  # a hand-written answer cell is far shorter; larger is not an answer
MISSING_ANSWER = {"code": "raise NotImplementedError('this answer cell was missing from the submission')",
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
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")), list):
        raise RejectedSubmission("the file is JSON but not a notebook (no list of cells)")
    try:
        return nbformat.reads(json.dumps(data), as_version=4)
    except Exception as error:  # nbformat raises several types for malformed notebooks
        raise RejectedSubmission(f"the notebook cannot be read ({type(error).__name__}: {error})") from error


def assemble(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> Assembled:
    """The source notebook with the submission's answers in its answer cells."""
    answers: dict[str, nbformat.NotebookNode] = {}
    notes: list[str] = []
    for cell in submission.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(grade_id, str):
            continue
        if grade_id in answers:
            notes.append(f"cell {grade_id!r} appears more than once: the first copy was graded")
            continue
        answers[grade_id] = cell

    graded = copy.deepcopy(source)
    for cell in graded.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if not meta.get("solution"):
            continue  # tests, instructions and setup always come from the source
        answer = answers.get(meta["grade_id"])
        if answer is None or answer.get("cell_type") != cell.cell_type:
            reason = "missing" if answer is None else f"changed into a {answer.get('cell_type')} cell"
            notes.append(f"answer cell {meta['grade_id']!r} was {reason}: graded as unanswered")
            cell.source = MISSING_ANSWER[cell.cell_type]
            continue
        text = answer.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        if len(text) > MAX_ANSWER_CHARS:
            notes.append(f"answer cell {meta['grade_id']!r} is over {MAX_ANSWER_CHARS:,} characters: graded as unanswered")
            text = MISSING_ANSWER[cell.cell_type]
        cell.source = text
    return Assembled(graded, notes)
