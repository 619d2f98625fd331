"""The CNN course's shared library: data loading, plotting, model builders and metrics.

Chapters and assignments import from here, so that no notebook copies another's code.
"""

import os

QUICK_ENV = "COURSE_QUICK"


def quick_mode() -> bool:
    """True when ``COURSE_QUICK=1``: the test suite's mode, with fewer epochs and smaller subsets.

    Quick mode exists to check that chapters run; its numbers are meaningless and it is never
    used for the published book (``make book`` clears the variable).
    """
    return os.environ.get(QUICK_ENV, "").strip() == "1"
