"""Running untrusted code: the one place for confinement.

Threat model. A submission is hostile and honest at once: its code may try anything a Python
process can (read the course's answers and the instructor's secrets, forge the report that the
grader reads, attach to the grader's processes, fork or allocate until the machine stops), and
its honest work must be graded exactly as nbgrader would grade it. What holds:

- **Files**: an allow-list, nothing else. The system's programs and libraries (``/usr`` and its
  links), a few files of ``/etc`` the dynamic loader needs, the Python environment the grader runs
  on and the package folders of its editable installs (read-only, at their own paths),
  ``/grading`` (read-only: what this run was given) and a private home folder with ``/tmp`` inside
  it, on one size-limited in-memory file system that vanishes with the sandbox. No course
  directory, no project root, no other home folder, no ``.git``, no ``/run`` (no server socket).
- **Who**: an unprivileged user id in a user namespace that maps that id alone and forbids creating
  further namespaces; no capabilities; ``no_new_privs``. Graded as root, bubblewrap builds the view
  and ``limits`` drops to an id that owns nothing on the machine; graded as an ordinary user (or as
  the root of a rootless container), bubblewrap's own user namespace maps to that user.
- **Other processes**: a seccomp filter refuses ``ptrace``, ``process_vm_readv``/``writev``,
  ``pidfd_getfd`` and ``kcmp``, and every call made through another architecture's entry
  (``seccomp``); the runner makes itself non-dumpable. Own PID namespace.
- **Environment**: cleared, then an allow-list (locale, numeric-library threading knobs) and the
  variables the grader sets. The instructor's secrets (``PGPASSWORD``, tokens) never enter.
- **Network**: none (a private network namespace with only loopback), no shared IPC.
- **Quota for the whole submission**: memory, processes (threads count) and CPU seconds through a
  control group where one can be created (``cgroups``: as root, or in a delegated cgroup v2
  subtree); elsewhere resource limits: RLIMIT_NPROC per submission (as root a fresh user id; as an
  ordinary user per user namespace, from Linux 5.14), RLIMIT_AS and RLIMIT_CPU per process. The
  disk is capped by the in-memory file system's size either way; wall time by the caller.

Layouts (the deployment matrix in ``tests/test_deployment.py`` grades in each):

=================================================  ===================================================
where the course, its environment and packages are  what is bound
=================================================  ===================================================
outside home folders (``/srv/course/.venv``)        the environment, ``autograder/``, editable packages
in a home folder (``~/cnn-course/.venv``)           the same, bound after the private home, so visible
under the temporary folder (``/tmp/x/.venv``)       the same, inside the private ``/tmp``
in a path with spaces, or behind symbolic links     the same, at the written and the resolved path
environment outside, editable course in a home      the environment and the editable packages' folders
=================================================  ===================================================

Confinements: ``grade`` says once which holds (``confinement.Confinement.describe``):

==============================  =========================================  ==============================
grader runs as                  quota                                      not covered
==============================  =========================================  ==============================
root (cgroup v1 or v2)          control group: memory, processes, CPU      -
ordinary user, delegated v2     control group in the delegated subtree     -
ordinary user, no delegation    RLIMIT_NPROC per submission (Linux 5.14+)  memory of all processes together
no namespaces allowed           refused, with the remedies                 (``--no-sandbox``: nothing)
==============================  =========================================  ==============================

The one way out is data: the command writes to file descriptor 3, which the caller reads into a
bounded buffer and may interpret only after ``run`` returns, when every process is dead.
"""

from autograder.sandbox.run import CHANNEL_FD, Finished, Quota, run, run_unconfined
from autograder.sandbox.view import HOME, HOME_REDIRECTS, INPUTS, SandboxUnavailable, bubblewrap

__all__ = ["CHANNEL_FD", "Finished", "HOME", "HOME_REDIRECTS", "INPUTS", "Quota", "SandboxUnavailable",
           "bubblewrap", "run", "run_unconfined"]
