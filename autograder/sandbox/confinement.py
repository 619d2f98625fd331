"""Which confinement holds on this machine, said once before any work, and a refusal with the
cause and the remedies where the sandbox cannot start at all.

``probe`` starts Python once in the sandbox, as every submission will be started. Where that
fails because namespaces are forbidden (many containers and hub pods: no unprivileged user
namespaces, ``max_user_namespaces`` 0, Ubuntu's AppArmor restriction, a container's seccomp
profile), grading stops with one message instead of one failure per submission.
"""

from __future__ import annotations

import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import seccomp
from autograder.sandbox.cgroups import Cgroup
from autograder.sandbox.run import Quota, nproc_counted_per_namespace, run
from autograder.sandbox.view import SandboxUnavailable, bubblewrap, real_root

NAMESPACE_SIGNS = ("namespace", "uid map", "uid_map", "setting up uid", "unshare", "operation not permitted",
                   "no space left on device", "could not drop to the sandbox user")

NAMESPACES_FORBIDDEN = (
    "student code cannot be isolated here: bubblewrap is installed but may not create the "
    "namespaces it needs ({cause}). Containers and hub pods often forbid them. Remedies: allow "
    "unprivileged user namespaces on the host (`sysctl -w user.max_user_namespaces=15000`; on "
    "Debian 10 and older also `kernel.unprivileged_userns_clone=1`; on Ubuntu 23.10 and later "
    "`kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for bwrap); in a "
    "container, a seccomp profile that allows namespaces (Docker: `--security-opt "
    "seccomp=unconfined`; Kubernetes: a pod securityContext with an Unconfined seccomp profile); "
    "or pass --no-sandbox to run every submission with your own rights (only for code you trust: "
    "it can read and change everything you can)."
)


@dataclass(frozen=True)
class Confinement:
    sandbox: bool        # bubblewrap isolates files, users, network and processes
    quota: str           # "cgroup", "rlimits" or "none"
    seccomp: bool        # ptrace and cross-process memory calls refused

    def describe(self) -> str:
        """One paragraph: what holds, and what it does not cover."""
        if not self.sandbox:
            return ("confinement: none (--no-sandbox): student code runs with your rights and can read, "
                    "change and delete what you can; only per-process memory and CPU limits hold"
                    + (", and ptrace is refused" if self.seccomp else "") + ".")
        who = "as root, student code as an unused user id" if real_root() else "as an ordinary user"
        text = f"confinement: bubblewrap sandbox ({who}); "
        if self.quota == "cgroup":
            text += "quota per submission by a control group: memory (all its processes together), processes and CPU time"
        else:
            scope = ("per submission (RLIMIT_NPROC, counted per user namespace: Linux "
                     f"{platform.release().split('-')[0]} is 5.14 or later)") if real_root() or nproc_counted_per_namespace() \
                else (f"shared by every submission of this user (RLIMIT_NPROC: Linux {platform.release().split('-')[0]} "
                      "is older than 5.14 and counts per user id), set to the quota above what the user already runs")
            text += (f"no control group could be created here, so quota by resource limits: processes {scope}; "
                     "memory per process (RLIMIT_AS), not for all of a submission's processes together; CPU "
                     "time per process")
        text += "; ptrace and cross-process memory calls refused (seccomp)" if self.seccomp else \
            f"; no seccomp filter on {platform.machine()}: ptrace between the submission's own processes is possible"
        return text + "."


def assess(quota: Quota, sandbox: bool) -> Confinement:
    """What will confine each submission, found by trying (a control group is created and
    removed; the sandbox started once). Raises SandboxUnavailable where it cannot start."""
    if not sandbox:
        return Confinement(False, "none", seccomp.supported() and sys.platform == "linux")
    probe(quota)
    group = Cgroup.create(quota.memory_bytes, quota.processes)
    if group is not None:
        group.remove()
    return Confinement(True, "cgroup" if group else "rlimits", seccomp.supported())


def probe(quota: Quota = Quota()) -> None:
    """Start Python in the sandbox once; raise SandboxUnavailable with the cause if it fails."""
    bubblewrap()
    with tempfile.TemporaryDirectory(prefix="course-grade-probe-") as scratch:
        quick = Quota(quota.memory_bytes, quota.processes, quota.disk_bytes, quota.cpu_seconds, 60)
        finished = run([sys.executable, "-c", "pass"], Path(scratch), quick)
    if finished.returncode == 0:
        return
    lines = [line.strip() for line in finished.stderr_tail.splitlines() if line.strip()]
    cause = next((line for line in lines if line.startswith("bwrap:")), lines[-1] if lines else "no message")
    if any(sign in cause.lower() for sign in NAMESPACE_SIGNS):
        raise SandboxUnavailable(NAMESPACES_FORBIDDEN.format(cause=cause[:300]))
    raise SandboxUnavailable(f"the sandbox does not start here (status {finished.returncode}): {cause[:500]}. "
                             "Pass --no-sandbox to run every submission with your own rights (only for code you trust).")

