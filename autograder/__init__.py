"""A grading pipeline for any nbgrader course: text masters in, isolated grading, grades out.

It knows nothing of the course's subject: it reads an nbgrader course directory and the
assignment masters kept beside it.
"""
