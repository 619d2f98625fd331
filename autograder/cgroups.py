"""One control group per submission: a limit on memory, processes and CPU time for everything the
submission starts, and a way to kill all of it.

Linux offers two layouts. cgroup v1 mounts one hierarchy per controller
(``/sys/fs/cgroup/memory``, ``/pids``, ``/cpuacct``); cgroup v2 one unified tree whose
controllers a parent enables for its children. Both are used where this process may create groups
(as root, or in a delegated subtree). Elsewhere ``Cgroup.create`` returns None and the sandbox
falls back to per-process resource limits (RLIMIT_AS, RLIMIT_NPROC, RLIMIT_CPU).
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PARENT = "course-grade"


class Cgroup:
    """A submission's group; ``procs_files`` are the files a process writes its pid into to join."""

    def __init__(self, folders: dict[str, Path], version: int):
        self.folders, self.version = folders, version

    @classmethod
    def create(cls, memory_bytes: int, processes: int) -> "Cgroup | None":
        name = "submission-" + secrets.token_hex(6)
        try:
            if (ROOT / "cgroup.controllers").is_file():
                return cls._create_v2(name, memory_bytes, processes)
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
    def _create_v2(cls, name: str, memory_bytes: int, processes: int) -> "Cgroup":
        parent = ROOT / PARENT
        parent.mkdir(exist_ok=True)
        (parent / "cgroup.subtree_control").write_text("+memory +pids +cpu")
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
