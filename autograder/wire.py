"""The answers' wire format: what ``answer()`` writes inside the sandbox and the judge reads
outside it. Both ends import this module and nothing else of each other, so the judge never
imports code written to run next to student code.

One answer is one line of JSON: ``{"about": str, "rule": {...}, "value": data, "case": data}``.
Plain JSON values stand for themselves; everything JSON lacks is an object with a tag under
``"$"`` (``TAGS``). Limits bound what a line may hold, at both ends.
"""

ANSWERS_VARIABLE = "COURSE_GRADE_ANSWERS"  # the file the answers of a graded run go to
TAG = "$"
TAGS = ("list", "set", "dict", "float", "scalar", "array", "unsendable")
NON_FINITE = ("nan", "inf", "-inf")
MAX_DEPTH = 20
MAX_ARRAY_BYTES = 16 * 2**20
MAX_ARRAY_DIMENSIONS = 32
ARRAY_KINDS = "biuf"  # bool, signed and unsigned integers, floats: dtypes that need no pickle
MAX_ABOUT_CHARS = 300
MAX_WHY_CHARS = 200
