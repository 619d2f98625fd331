"""Running one notebook in the sandbox and reading back, as hostile data, what it reported.

``execute`` hands the runner (``autograder.runner``) the notebook and the warm caches, waits
until every process of the run is dead, then parses the runner's report: one JSON line per
executed code cell, each bounded in size and depth. Whatever does not parse is ignored, with a
note; nothing in the report can make the grader raise.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import sandbox

MAX_LINE = 40 * 2**20


@dataclass
class Limits:
    cell_seconds: int = 120
    notebook_seconds: int = 900
    memory_bytes: int = 6 * 2**30
    sandbox: bool = True
    processes: int = 256
    disk_bytes: int = 512 * 2**20
    cpu_seconds: int = 1800

    def quota(self) -> sandbox.Quota:
        return sandbox.Quota(self.memory_bytes, self.processes, self.disk_bytes, self.cpu_seconds, self.notebook_seconds)


@dataclass
class CellReport:
    status: str            # "ok" or "error", as the runner saw it (not to be trusted for hidden tests)
    reason: str
    outputs: list
    answers: str           # the raw lines the cell's answer() calls wrote, for the judge to parse
    visible_status: str = "ok"   # the same for a test cell's visible part alone
    visible_reason: str = ""
    visible_outputs: int = 0     # how many of ``outputs`` the visible part wrote


@dataclass
class Evidence:
    cells: dict[int, CellReport] = field(default_factory=dict)  # code cell index -> report
    stopped: str | None = None
    notes: list[str] = field(default_factory=list)
    ended: bool = False    # the runner reached its last report


def execute(notebook: nbformat.NotebookNode, name: str, limits: Limits, home: dict[str, bytes] | None = None,
            files: dict[str, bytes] | None = None) -> Evidence:
    """Run ``notebook`` (under the file name ``name``) in a fresh sandbox, its home folder
    started with ``home`` (warm caches) and ``files`` beside it (an assignment's data and
    images), both by relative path; return what it reported."""
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        inputs = Path(scratch) / "inputs"
        inputs.mkdir()
        nbformat.write(notebook, inputs / "notebook.ipynb")
        for folder, contents in (("home", home or {}), ("files", files or {})):
            for relative, data in contents.items():
                target = (inputs / folder / relative).resolve()
                if target.is_relative_to(inputs / folder):  # never outside its folder
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
        inside = [sys.executable, "-m", "autograder.runner", sandbox.INPUTS if limits.sandbox else str(inputs),
                  "--name", name, "--cell-timeout", str(limits.cell_seconds)]
        finished = sandbox.run(inside, inputs, limits.quota(), sandbox=limits.sandbox)
    evidence = parse_report(finished.channel)
    if finished.channel_cut:
        evidence.notes.append("the notebook's report was cut at its size limit (it printed too much)")
    if finished.stopped:
        evidence.stopped = finished.stopped
    elif not evidence.ended:
        tail = finished.stderr_tail.strip().splitlines()[-1:] or [""]
        evidence.stopped = f"the grading process ended early (status {finished.returncode}) {tail[0][:300]}".rstrip()
    return evidence


def folder_bytes(folder: Path | None, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """The files under ``folder`` by relative path (links and names matching ``skip`` left out)."""
    if folder is None or not folder.is_dir():
        return {}
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink() and not any(path.match(pattern) for pattern in skip)}


def parse_report(raw: bytes) -> Evidence:
    evidence = Evidence()
    for line in raw.split(b"\n"):
        if not line.strip() or evidence.ended:
            continue
        try:
            if len(line) > MAX_LINE:
                raise ValueError("line too long")
            record = json.loads(line)
        except (ValueError, RecursionError, UnicodeDecodeError):
            evidence.notes.append("part of the notebook's report could not be read and was ignored")
            continue
        if not isinstance(record, dict):
            continue
        if "stopped" in record:
            evidence.stopped = record["stopped"][:300] if isinstance(record["stopped"], str) else None
            evidence.ended = True
            continue
        index = record.get("index")
        fields = [record.get(key) for key in ("status", "reason", "outputs", "answers")]
        if not (isinstance(index, int) and isinstance(fields[0], str) and isinstance(fields[1], str)
                and isinstance(fields[2], list) and isinstance(fields[3], str)) or index in evidence.cells:
            evidence.notes.append("part of the notebook's report was malformed and was ignored")
            continue
        report = CellReport(fields[0], fields[1][:300], fields[2], fields[3], fields[0], fields[1][:300], len(fields[2]))
        visible = record.get("visible")
        if isinstance(visible, dict) and visible.get("status") in ("ok", "error") and isinstance(visible.get("reason"), str) \
                and isinstance(visible.get("outputs"), int):
            report.visible_status, report.visible_reason = visible["status"], visible["reason"][:300]
            report.visible_outputs = max(0, min(visible["outputs"], len(report.outputs)))
        evidence.cells[index] = report
    return evidence


def with_outputs(notebook: nbformat.NotebookNode, evidence: Evidence) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with the reported outputs; outputs that are not valid nbformat are
    left out, so that the saved notebook always opens."""
    executed = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for index, report in evidence.cells.items():
        if 0 <= index < len(executed.cells) and executed.cells[index].cell_type == "code":
            cell = executed.cells[index]
            try:
                cell.outputs = nbformat.from_dict(report.outputs)
                nbformat.validate(nbformat.v4.new_notebook(cells=[cell]))
                nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))
            except (Exception, RecursionError):  # whatever nbformat raises for a malformed output
                cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="[outputs left out: malformed]\n")]
    return executed
