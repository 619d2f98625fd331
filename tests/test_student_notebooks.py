"""What students open in JupyterLab (book/student_notebooks.py, `make lab`, Binder's postBuild):
the plain notebooks of a built book, else of the published one, never over a student's own.

Fast: a stand-in build and a local web server play the built and the published book;
tests/test_student_lab.py opens the notebooks of a real build in JupyterLab."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "book"))
import student_notebooks  # noqa: E402  (a script beside the book's extension, loaded by path)

NAMES = student_notebooks.wanted()


def _notebook(text: str) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": text}]}).encode()


def _publish(folder, names=NAMES, text="from {name}"):
    for name in names:
        target = folder / "notebooks" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_notebook(text.format(name=name)))


def test_students_get_every_chapter_and_every_assignment():
    chapters = sorted(p.stem for p in (REPO / "chapters").glob("*.md"))
    masters = sorted(p.stem for p in (REPO / "assignments" / "masters").glob("*.md"))
    assert NAMES == [f"{c}.ipynb" for c in chapters] + [f"assignments/{a}/{a}.ipynb" for a in masters]
    assert len(chapters) >= 6 and len(masters) >= 3


def test_from_a_built_book_and_a_student_s_work_is_kept(tmp_path):
    build, into = tmp_path / "html", tmp_path / "notebooks"
    _publish(build)
    mine = into / NAMES[0]
    mine.parent.mkdir(parents=True)
    mine.write_text("my answers")
    assert student_notebooks.main(["--build", str(build), "--offline", "--into", str(into)]) == 0
    assert mine.read_text() == "my answers"
    for name in NAMES[1:]:
        assert json.loads((into / name).read_text())["cells"][0]["source"] == f"from {name}"
    assert not list(into.rglob("*.partial"))


def test_from_the_published_book_when_nothing_is_built(tmp_path, web_server):
    site_folder, site = web_server
    _publish(site_folder, text="published {name}")
    into = tmp_path / "notebooks"
    assert student_notebooks.main(["--build", str(tmp_path / "no-build"), "--site", site, "--into", str(into)]) == 0
    assert json.loads((into / NAMES[-1]).read_text())["cells"][0]["source"] == f"published {NAMES[-1]}"


def test_an_incomplete_build_is_passed_over_for_the_published_book(tmp_path, web_server):
    site_folder, site = web_server
    _publish(site_folder, text="published {name}")
    build = tmp_path / "html"
    _publish(build, NAMES[:2], text="built {name}")  # a build of two chapters only
    notebooks, source = student_notebooks.gather(build, site, NAMES)
    assert source.startswith("the published book") and notebooks[NAMES[0]] == _notebook(f"published {NAMES[0]}")


def test_a_site_that_answers_with_something_else_is_refused(web_server):
    site_folder, site = web_server
    _publish(site_folder)
    (site_folder / "notebooks" / NAMES[1]).write_text("<html>a captive portal's login page</html>")
    with pytest.raises(student_notebooks.Unavailable, match=f"{NAMES[1]} is not a notebook"):
        student_notebooks.from_site(site, NAMES)


def test_offline_without_a_build_says_what_to_do(tmp_path, closed_url):
    into = tmp_path / "notebooks"
    result = subprocess.run([sys.executable, str(REPO / "book" / "student_notebooks.py"), "--build", str(tmp_path),
                             "--site", closed_url.rsplit("/", 1)[0] + "/", "--into", str(into)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "make book" in result.stderr and "connect to the internet" in result.stderr, result.stderr
    assert "no built book" in result.stderr and "cannot be reached" in result.stderr
    assert not into.exists()


def test_the_published_address_is_the_pages_site_of_the_repository():
    import yaml

    url = yaml.safe_load((REPO / "_config.yml").read_text())["repository"]["url"]
    owner, name = url.rstrip("/").split("/")[-2:]
    assert student_notebooks.site_url() == f"https://{owner.lower()}.github.io/{name}/"


def test_make_lab_and_binder_open_these_notebooks():
    makefile = (REPO / "Makefile").read_text()
    assert "notebooks: $(STAMP)\n\t$(BIN)/python book/student_notebooks.py\n" in makefile
    assert "lab: notebooks" in makefile and "--ServerApp.root_dir=notebooks" in makefile
    assert "python book/student_notebooks.py --no-build" in (REPO / "binder" / "postBuild").read_text()
    assert "/notebooks/" in (REPO / ".gitignore").read_text().split()
