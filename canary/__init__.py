"""The upgrade canary (issue #24): the course against the newest releases its ranges allow.

``python -m canary`` (``make canary``) builds a second virtual environment from pyproject.toml's
ranges without pins.txt, so pip picks the newest release of everything, then runs the quick test
suite, every chapter in quick mode and every assignment's reference solution through
``course-grade`` in it, and writes a report. ``canary.checks`` is what runs inside that
environment.
"""
