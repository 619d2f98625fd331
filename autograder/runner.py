"""``python -m autograder.runner INPUTS``: execute a prepared submission, cell by cell.

This runs inside the sandbox, with the submission. After every cell it sends what happened on
file descriptor 3, so that a submission which hangs, exhausts memory or kills its kernel keeps
everything it earned before that. What it sends is evidence, not a verdict: the grader reads it
as hostile data once every process is dead, and hidden tests are decided by the judge from the
answers alone (``autograder.judge``). For test cells in nbgrader's assert style, which hand no
answers to the judge, a cell counts as passed only if the kernel's own reply says it raised
nothing: a custom exception handler that hides the traceback does not change that reply.

Before each graded cell a guard restores what student code may have tampered with: the
builtins, IPython's exception handling, and the assertion modules named in ``--protect``.
The guard is a function stored in the kernel under a name drawn at random for this run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
from pathlib import Path

# This process starts once per submission, so its start-up counts. jsonschema (under nbformat)
# imports the optional IRI checker rfc3987_syntax when it is installed, which compiles a grammar
# for most of a second; notebooks never use that format, so it is kept out.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # after the line above, on purpose
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from autograder.cells import split_hidden
from autograder.wire import ANSWERS_VARIABLE
from autograder.sandbox import CHANNEL_FD


PROLOGUE = """
def {name}_make():
    import builtins, importlib, sys
    ip = get_ipython()
    saved_builtins = dict(builtins.__dict__)
    saved_modules = {{}}
    for module_name in {protect!r}:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        saved_modules[module_name] = (module, dict(module.__dict__))
    excepthook = sys.__excepthook__
    def restore():
        builtins.__dict__.clear()
        builtins.__dict__.update(saved_builtins)
        for module, attributes in saved_modules.values():
            module.__dict__.clear()
            module.__dict__.update(attributes)
        sys.excepthook = excepthook
        ip.set_custom_exc((), None)
        for attribute in ("showtraceback", "showsyntaxerror", "run_cell", "run_code", "run_ast_nodes", "_showtraceback"):
            ip.__dict__.pop(attribute, None)
    return restore
{name} = {name}_make()
del {name}_make
"""


def run(notebook_path: Path, cell_timeout: int, protect: list[str], channel) -> None:
    """Execute the notebook cell by cell; after each code cell, send one line of JSON on
    ``channel``: the cell's index, status, reason, outputs and (for graded cells) the lines its
    ``answer()`` calls wrote. The grader trusts none of it beyond what the judge checks."""
    notebook = nbformat.read(notebook_path, as_version=4)
    answers_path = Path(os.environ[ANSWERS_VARIABLE])
    guard = "_guard_" + secrets.token_hex(8)
    client = NotebookClient(
        notebook, timeout=cell_timeout, kernel_name="python3", allow_errors=False,
        interrupt_on_timeout=False, record_timing=False, resources={"metadata": {"path": str(notebook_path.parent)}},
        # Everything is sent after each cell, so the kernel is killed at the end rather than asked
        # to exit: a graceful exit of a kernel that loaded TensorFlow takes most of a second.
        shutdown_kernel="immediate",
    )

    def send(**record) -> None:
        channel.write(json.dumps(record).encode() + b"\n")
        channel.flush()

    cells = list(notebook.cells)  # nbclient puts every cell it runs, transient ones too, at its index
    with client.setup_kernel():
        # Transient cells: run in the kernel, never added to the notebook.
        client.execute_cell(nbformat.v4.new_code_cell(PROLOGUE.format(name=guard, protect=protect)), 0)
        for index, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            graded = bool(cell.metadata.get("nbgrader", {}).get("grade"))
            if graded and not _guard_ran(client, guard, index):
                send(index=index, status="error", reason="the kernel no longer answers", outputs=[], answers="")
                send(stopped=f"the kernel stopped responding before test cell {index + 1} "
                             "(an earlier cell hung it or tampered with Python itself)")
                return
            answers_path.write_text("")
            visible, hidden = split_hidden(cell.source) if graded else (cell.source, "")
            shown = nbformat.v4.new_code_cell(visible, metadata=cell.metadata)
            status, reason, stopped = _execute(client, shown, index, cell_timeout)
            visible_status, visible_reason, visible_outputs = status, reason, len(shown.outputs)
            outputs = list(shown.outputs)
            if hidden and status == "ok" and not stopped:
                secret = nbformat.v4.new_code_cell(hidden, metadata=cell.metadata)
                status, reason, stopped = _execute(client, secret, index, cell_timeout)
                outputs += secret.outputs
            cell.outputs = outputs
            _limit_outputs(cell)
            send(index=index, status=status, reason=reason, outputs=cell.outputs,
                 visible={"status": visible_status, "reason": visible_reason, "outputs": visible_outputs},
                 answers=_read_bounded(answers_path) if graded else "")
            if stopped:
                send(stopped=stopped)
                return
    send(stopped=None)


def _execute(client: NotebookClient, cell, index: int, cell_timeout: int) -> tuple[str, str, str | None]:
    """Run one cell: (status, reason, why the run must stop or None)."""
    try:
        client.execute_cell(cell, index)
    except CellTimeoutError:
        stopped = None if _responds_after_interrupt(client) else f"the kernel stopped responding during cell {index + 1}"
        return "error", f"took longer than {cell_timeout} s, and was interrupted", stopped
    except DeadKernelError:
        return "error", "the kernel died", f"the kernel died while running cell {index + 1} (os._exit, a crash or too much memory)"
    except CellExecutionError as error:
        return "error", f"{error.ename}: {error.evalue}"[:300], None
    return "ok", "", None


def _read_bounded(path: Path, limit: int = 32 * 2**20) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def _guard_ran(client: NotebookClient, guard: str, index: int) -> bool:
    try:
        client.execute_cell(nbformat.v4.new_code_cell(f"{guard}()"), index)
        return True
    except (CellTimeoutError, CellExecutionError, DeadKernelError):
        return False


def _responds_after_interrupt(client: NotebookClient, grace_seconds: int = 10) -> bool:
    """Interrupt a cell that ran too long; True if the kernel then answers a trivial request."""
    run_sync(client.km.interrupt_kernel)()
    probe = nbformat.v4.new_code_cell("pass")
    saved_timeout, client.timeout = client.timeout, grace_seconds
    try:
        client.execute_cell(probe, 0)
        return True
    except (CellTimeoutError, DeadKernelError):
        return False
    except CellExecutionError:
        return True  # it answered, with the KeyboardInterrupt of the interrupted cell
    finally:
        client.timeout = saved_timeout


def _limit_outputs(cell, max_chars: int = 20_000) -> None:
    """Keep outputs readable and the notebook small, whatever a cell printed."""
    for output in cell.get("outputs", []):
        if "text" in output and len(output["text"]) > max_chars:
            output["text"] = output["text"][:max_chars] + f"\n... [output cut at {max_chars:,} characters]"
        for mime, value in list(output.get("data", {}).items()):
            if isinstance(value, str) and len(value) > 20 * max_chars:
                output["data"][mime] = f"[{mime} output of {len(value):,} characters left out]"


def _copy_into(folder: Path, home: Path) -> None:
    """Copy what ``folder`` holds into ``home`` (whose own mode is not ours to change)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir():
            shutil.copytree(entry, home / entry.name, dirs_exist_ok=True)
        else:
            shutil.copy(entry, home)


def _not_dumpable() -> None:
    """Nothing else in the sandbox may open this process's /proc files (its report channel,
    descriptor 3, among them) or attach to it: it runs as the same user id as student code."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0


def main() -> None:
    _not_dumpable()
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs", type=Path, help="a folder with notebook.ipynb and, optionally, home/")
    parser.add_argument("--name", default="notebook.ipynb", help="the file name the notebook runs under")
    parser.add_argument("--cell-timeout", type=int, default=120)
    parser.add_argument("--protect", nargs="*", default=["numpy.testing", "unittest"])
    parser.add_argument("--channel-file", type=Path, help="write the report here (no sandbox) instead of descriptor 3")
    args = parser.parse_args()
    channel = open(args.channel_file, "wb") if args.channel_file else os.fdopen(CHANNEL_FD, "wb")
    home = Path(os.environ["HOME"])
    _copy_into(args.inputs / "home", home)   # caches built once per run by the grader
    _copy_into(args.inputs / "files", home)  # the assignment's supporting files, beside the notebook
    notebook_path = home / Path(args.name).name
    shutil.copy(args.inputs / "notebook.ipynb", notebook_path)
    os.environ[ANSWERS_VARIABLE] = str(home / ".answers.jsonl")
    run(notebook_path, args.cell_timeout, args.protect, channel)


if __name__ == "__main__":
    main()
