"""``python -m autograder.limits BYTES -- COMMAND...``: run COMMAND with its memory capped.

RLIMIT_AS bounds the address space of the command and of every process it starts (the kernel
that runs student code), so a submission that allocates without end fails with MemoryError or is
killed, instead of taking the machine down.
"""

import os
import resource
import sys


def main() -> None:
    memory_bytes, separator, *command = sys.argv[1:]
    if separator != "--" or not command:
        sys.exit("usage: python -m autograder.limits BYTES -- COMMAND...")
    resource.setrlimit(resource.RLIMIT_AS, (int(memory_bytes), int(memory_bytes)))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
