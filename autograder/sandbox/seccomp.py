"""A seccomp filter that refuses the system calls one process uses to read, write or steer
another: ``ptrace``, ``process_vm_readv``/``process_vm_writev``, ``pidfd_getfd`` and ``kcmp``.

Inside the sandbox every process runs as the same user id, so without it student code could
attach to the runner that reports its results (graded as an ordinary user it could even attach
to the sandbox's first process). The filter checks the calling convention first: a system call
made through another architecture's entry (i386's ``int 0x80`` or x32 on x86-64, 32-bit Arm on
Arm64) would carry other numbers and slip past a list of numbers, so every such call is refused.

Installed by ``autograder.sandbox.limits`` as the last step before the command starts, after the
change of user, so that it binds everything that runs in the sandbox and is inherited by it.
Written as raw classic BPF (the kernel's ``struct sock_filter``), since libseccomp's Python
binding is not on PyPI. Numbers: the kernel's ``arch/x86/entry/syscalls/syscall_64.tbl`` and
``include/uapi/asm-generic/unistd.h`` (arm64); ``AUDIT_ARCH_*`` from ``include/uapi/linux/audit.h``.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
X32_SYSCALL_BIT = 0x40000000

# machine -> (AUDIT_ARCH value, {call: number}); pidfd_getfd has one number on every architecture.
ARCHITECTURES = {
    "x86_64": (0xC000003E, {"ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
                            "pidfd_getfd": 438}),
    "aarch64": (0xC00000B7, {"ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
                             "pidfd_getfd": 438}),
}
REFUSED = ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp")

# Classic BPF opcodes (include/uapi/linux/bpf_common.h).
LOAD_WORD = 0x20        # BPF_LD | BPF_W | BPF_ABS
JUMP_IF_EQUAL = 0x15    # BPF_JMP | BPF_JEQ | BPF_K
JUMP_IF_AT_LEAST = 0x35  # BPF_JMP | BPF_JGE | BPF_K
RETURN = 0x06           # BPF_RET | BPF_K
NR_OFFSET, ARCH_OFFSET = 0, 4  # struct seccomp_data


def supported(machine: str | None = None) -> bool:
    return (machine or platform.machine()) in ARCHITECTURES


def program(machine: str | None = None) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jump if true, jump if false, constant) instructions."""
    machine = machine or platform.machine()
    arch, numbers = ARCHITECTURES[machine]
    refuse = SECCOMP_RET_ERRNO | errno.EPERM
    checks = [numbers[name] for name in REFUSED]
    body = [(LOAD_WORD, 0, 0, NR_OFFSET)]
    if machine == "x86_64":
        body.append((JUMP_IF_AT_LEAST, len(checks) + 1, 0, X32_SYSCALL_BIT))  # x32: to the refusal
    for position, number in enumerate(checks):
        body.append((JUMP_IF_EQUAL, len(checks) - position, 0, number))
    body += [(RETURN, 0, 0, SECCOMP_RET_ALLOW), (RETURN, 0, 0, refuse)]
    # Another architecture's calling convention: refused before any number is read.
    return [(LOAD_WORD, 0, 0, ARCH_OFFSET), (JUMP_IF_EQUAL, 1, 0, arch), (RETURN, 0, 0, refuse), *body]


def install() -> None:
    """Install the filter on this thread (inherited by every child). Needs no_new_privs first."""
    instructions = program()
    raw = b"".join(struct.pack("HBBI", *instruction) for instruction in instructions)
    buffer = ctypes.create_string_buffer(raw, len(raw))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Program(len(instructions), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
