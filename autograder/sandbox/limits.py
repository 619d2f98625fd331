"""``python -m autograder.sandbox.limits [OPTIONS] -- COMMAND...``: confine this process, then become COMMAND.

The sandbox runs it twice. Outside bubblewrap (``--join``, ``--memory``, ``--cpu``): it joins the
submission's control groups and sets the per-process limits that every descendant inherits.
Inside bubblewrap, as the first process there (``--user``, ``--processes``, ``--seccomp``): when
started as root it sheds every group and capability and becomes an unprivileged user id that owns
nothing on the machine; the process limit is set there, inside the submission's own user
namespace, where Linux 5.14 and later count it for that namespace alone; in every case it sets
no_new_privs, so no set-user-id program can give any privilege back, and last the seccomp filter
(``autograder.sandbox.seccomp``), after which nothing inside may debug or read another process.
Doing this in a process of its own avoids ``preexec_fn``, which is unsafe in a threaded grader.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import sys

from autograder.sandbox import seccomp

PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
CLONE_NEWUSER = 0x10000000


def no_new_privileges() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def own_user_namespace(user: int) -> None:
    """Enter a new user namespace that maps ``user`` to itself and nothing else, and forbid
    namespaces inside it: code here can never create one of its own in which it would hold
    capabilities. Capabilities held in this namespace vanish at the next exec (``user`` is not 0)."""
    libc = ctypes.CDLL(None, use_errno=True)
    # Changing user ids made this process undumpable, which leaves its /proc files to root alone.
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    if libc.unshare(CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER) failed")
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{user} {user} 1"),
                       ("/proc/self/gid_map", f"{user} {user} 1"), ("/proc/sys/user/max_user_namespaces", "0")):
        with open(path, "w") as handle:
            handle.write(text)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder.sandbox.limits")
    parser.add_argument("--channel", type=int, help="a descriptor to hand on as descriptor 3")
    parser.add_argument("--join", action="append", default=[], help="a cgroup.procs file to join")
    parser.add_argument("--memory", type=int, help="RLIMIT_AS in bytes, for this process and its descendants")
    parser.add_argument("--cpu", type=int, help="RLIMIT_CPU in seconds, per process")
    parser.add_argument("--user", type=int, help="become this user and group id (needs root)")
    parser.add_argument("--processes", type=int, help="RLIMIT_NPROC for the sandbox's user id")
    parser.add_argument("--seccomp", action="store_true", help="refuse ptrace and cross-process memory calls")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    if args.channel is not None and args.channel != 3:
        os.dup2(args.channel, 3)
        os.close(args.channel)
    for procs in args.join:
        with open(procs, "w") as handle:
            handle.write(str(os.getpid()))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    if args.memory:
        resource.setrlimit(resource.RLIMIT_AS, (args.memory, args.memory))
    if args.cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (args.cpu, args.cpu))
    if args.processes:  # binds only a user id other than root, which is why it is set after bubblewrap
        resource.setrlimit(resource.RLIMIT_NPROC, (args.processes, args.processes))
    if args.user is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(args.user)
        os.setuid(args.user)  # from root to another id: every capability is cleared with it
        if os.getuid() != args.user or os.geteuid() != args.user:
            sys.exit("could not drop to the sandbox user")
        own_user_namespace(args.user)
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in range(64):  # the bounding set too, so no exec could ever regain one
            libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    no_new_privileges()
    if args.seccomp:
        seccomp.install()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
