"""One control group per submission: a limit on memory, processes and CPU time for everything the
submission starts, and a way to kill all of it.

Linux offers two layouts. cgroup v1 mounts one hierarchy per controller
(``/sys/fs/cgroup/memory``, ``/pids``, ``/cpuacct``); cgroup v2 one unified tree whose
controllers a parent enables for its children. Both are used where this process may create groups:

- as root, under ``course-grade/`` at the top of the tree (v1 or v2);
- as an ordinary user, in a cgroup v2 subtree delegated to it: the grader's own group, when it
  is writable by the grader and holds no process but the grader's (``systemd-run --user --scope
  -p Delegate=yes course-grade ...``, or a container runtime's delegated group). cgroup v2 lets a
  group with controllers enabled for its children hold no process of its own (the "no internal
  processes" rule), so the grader first moves itself into a leaf, ``grader/``, then enables the
  memory and pids controllers and creates the submissions' groups beside that leaf.

Elsewhere ``Cgroup.create`` returns None and the sandbox falls back to per-process resource
limits (RLIMIT_AS, RLIMIT_NPROC, RLIMIT_CPU).
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from pathlib import Path

from autograder.sandbox.view import real_root

ROOT = Path("/sys/fs/cgroup")
SELF = Path("/proc/self/cgroup")  # where this process's group is named
PARENT = "course-grade"
LEAF = "grader"
_delegation_lock = threading.Lock()
_delegated: dict[str, Path | None] = {}


class Cgroup:
    """A submission's group; ``procs_files`` are the files a process writes its pid into to join."""

    def __init__(self, folders: dict[str, Path], version: int):
        self.folders, self.version = folders, version

    @classmethod
    def create(cls, memory_bytes: int, processes: int) -> "Cgroup | None":
        name = "submission-" + secrets.token_hex(6)
        try:
            if (ROOT / "cgroup.controllers").is_file():
                parent = ROOT / PARENT if real_root() else delegated_parent()
                return cls._create_v2(parent, name, memory_bytes, processes) if parent else None
            if all((ROOT / c / "cgroup.procs").is_file() for c in ("memory", "pids", "cpuacct")):
                return cls._create_v1(name, memory_bytes, processes)
        except OSError:  # not ours to create (not root, nothing delegated): fall back to rlimits
            return None
        return None

    @classmethod
    def _create_v1(cls, name: str, memory_bytes: int, processes: int) -> "Cgroup":
        folders = {}
        try:
            for controller in ("memory", "pids", "cpuacct"):
                folder = ROOT / controller / PARENT / name
                folder.mkdir(parents=True)
                folders[controller] = folder
            (folders["memory"] / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = folders["memory"] / "memory.memsw.limit_in_bytes"
            if swap.exists():  # memory and swap together: no escape into swap
                swap.write_text(str(memory_bytes))
            (folders["pids"] / "pids.max").write_text(str(processes))
        except OSError:
            cls(folders, 1).remove()
            raise
        return cls(folders, 1)

    @classmethod
    def _create_v2(cls, parent: Path, name: str, memory_bytes: int, processes: int) -> "Cgroup":
        parent.mkdir(exist_ok=True)
        try:  # CPU time is read from cpu.stat, which needs the cpu controller; not every delegation has it
            (parent / "cgroup.subtree_control").write_text("+memory +pids +cpu")
        except OSError:
            (parent / "cgroup.subtree_control").write_text("+memory +pids")
        folder = parent / name
        folder.mkdir()
        group = cls({"unified": folder}, 2)
        try:
            (folder / "memory.max").write_text(str(memory_bytes))
            if (folder / "memory.swap.max").exists():
                (folder / "memory.swap.max").write_text("0")
            (folder / "pids.max").write_text(str(processes))
        except OSError:
            group.remove()
            raise
        return group

    @property
    def procs_files(self) -> list[Path]:
        return [folder / "cgroup.procs" for folder in self.folders.values()]

    def cpu_seconds(self) -> float:
        """CPU time used so far by every process that was ever in the group."""
        try:
            if self.version == 1:
                return int((self.folders["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
            stat = dict(line.split() for line in (self.folders["unified"] / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6
        except (OSError, KeyError, ValueError):
            return 0.0

    def out_of_memory(self) -> bool:
        try:
            if self.version == 1:
                return int((self.folders["memory"] / "memory.failcnt").read_text()) > 0
            events = dict(line.split() for line in (self.folders["unified"] / "memory.events").read_text().splitlines())
            return int(events.get("oom_kill", 0)) > 0
        except (OSError, ValueError):
            return False

    def pids(self) -> set[int]:
        found = set()
        for procs in self.procs_files:
            try:
                found |= {int(pid) for pid in procs.read_text().split()}
            except (OSError, ValueError):
                pass
        return found

    def kill_all(self, timeout: float = 10.0) -> bool:
        """SIGKILL every process in the group until none is left (forks racing the kill included,
        since pids.max bounds them); True once the group is empty."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = self.pids()
            if not remaining:
                return True
            if time.monotonic() > deadline:
                return False
            for pid in remaining:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        for folder in self.folders.values():
            try:
                folder.rmdir()
            except OSError:
                pass


def delegated_parent() -> Path | None:
    """The cgroup v2 group delegated to this (unprivileged) process, made ready for submission
    groups: this process moved into its leaf and the controllers enabled. None where nothing is
    delegated. Done once per process."""
    with _delegation_lock:
        if "parent" not in _delegated:
            try:
                _delegated["parent"] = _take_delegation()
            except OSError:
                _delegated["parent"] = None
        return _delegated["parent"]


def _take_delegation() -> Path | None:
    lines = [line for line in SELF.read_text().splitlines() if line.startswith("0::")]
    if not lines:
        return None
    own = ROOT / lines[0][3:].strip().lstrip("/")
    wanted = {"memory", "pids"}
    if not (os.access(own, os.W_OK) and os.access(own / "cgroup.subtree_control", os.W_OK)
            and os.access(own / "cgroup.procs", os.W_OK)
            and wanted <= set((own / "cgroup.controllers").read_text().split())):
        return None
    if own.name == LEAF:  # moved there by an earlier run of this process
        own = own.parent
    leaf = own / LEAF
    members = {int(pid) for pid in (own / "cgroup.procs").read_text().split()}
    if members - {os.getpid()}:
        return None  # others share the group (a login shell, say): not ours to rearrange
    leaf.mkdir(exist_ok=True)
    (leaf / "cgroup.procs").write_text(str(os.getpid()))
    return own
