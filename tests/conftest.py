"""Fixtures shared by the test suite: the offline course data, a local web server, and one
quick-mode build of the whole book that the book and browser tests share."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def toc_chapters() -> list[str]:
    """The chapters the book's _toc.yml lists (e.g. ``01_convolution``), in reading order."""
    import yaml

    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    return [file.split("/", 1)[1] for file in files if file.startswith("chapters/")]


def _offline_data_dir() -> Path | None:
    configured = os.environ.get("COURSE_DATA_DIR", "").strip()
    if configured:
        return Path(configured)
    sibling = REPO.parent / "shared" / "datasets"
    return sibling if sibling.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only offline copy of the course data (COURSE_DATA_DIR in CI)."""
    folder = _offline_data_dir()
    if folder is None:
        message = "No offline course data: set COURSE_DATA_DIR to run the data tests."
        if os.environ.get("CI"):
            pytest.fail(message)  # CI always has the data: a skip there would hide a broken set-up
        pytest.skip(message)
    return folder


@pytest.fixture
def data_dir(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """COURSE_DATA_DIR pointed at the offline copy, with an empty private cache."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(shared_data))
    return shared_data


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty Keras cache, so no test reads or writes the real one."""
    cache = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(cache))
    return cache


@pytest.fixture
def copy_of(shared_data: Path, tmp_path: Path):
    """Copy named folders of the offline data into a writable temporary data directory."""

    def make(*names: str) -> Path:
        root = tmp_path / "data-copy"
        for name in names:
            shutil.copytree(shared_data / name, root / name)
            for path in [root / name, *(root / name).rglob("*")]:  # the copy keeps the read-only modes
                path.chmod(0o755 if path.is_dir() else 0o644)
        return root

    return make


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def web_server(tmp_path: Path):
    """A web server on 127.0.0.1 serving a temporary folder; yields (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_url() -> str:
    """A URL on this machine where nothing listens: downloads from it fail as they do offline."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing-here"


@pytest.fixture(scope="session")
def quick_build(tmp_path_factory, request) -> Path:
    """The whole book built once, strictly, in quick mode into a temporary folder (the real
    _build/ is never touched); returns its ``_build`` folder, with ``build.log`` beside it.

    Building executes every chapter, exactly as `make book` does but with COURSE_QUICK=1.
    COURSE_TEST_BUILD=<a _build folder> checks an existing build instead: CI's browser tests check
    the published full build this way, and it saves time while developing the tests (the build
    must come from the current sources)."""
    from autograder.release import release

    existing = os.environ.get("COURSE_TEST_BUILD", "").strip()
    if existing:
        return Path(existing)
    shared_data = request.getfixturevalue("shared_data")

    out = tmp_path_factory.mktemp("book")
    for master in sorted((REPO / "assignments" / "masters").glob("*.md")):  # as `make book` does
        release(REPO / "assignments", master.stem)
    env = dict(os.environ, COURSE_QUICK="1", COURSE_DATA_DIR=str(shared_data))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(REPO), "--path-output", str(out), "-W", "-n", "--keep-going"],
        env=env, capture_output=True, text=True, timeout=3600, check=False,
    )
    (out / "build.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return out / "_build"


@pytest.fixture(scope="session")
def layouts():
    """The deployment layouts (tests/layouts.py), their environments built once per run."""
    from layouts import build_all, remove_all

    built, folders = build_all()
    yield built
    remove_all(built, folders)


def validate_batch(notebooks: list[Path], release: Path, limits: list[str] = ()) -> dict[str, dict]:
    """``course-grade validate --json`` on many notebooks at once, as a student would run it on
    each, with the grader's ``limits`` options."""
    command = [str(Path(sys.executable).with_name("course-grade")), "validate", "--json", "--release", str(release),
               "--workers", "2", *limits, *map(str, notebooks)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3000)
    assert result.stdout.strip(), result.stderr[-3000:]
    data = json.loads(result.stdout)
    return data if len(notebooks) > 1 else {str(notebooks[0]): data}


def disagreements(records: dict[str, dict], validations: dict[str, dict]) -> dict:
    """Where validate's visible verdicts differ from grade's on the same notebooks: grade's record
    by student, validate's result by that student's notebook path."""
    found = {}
    for student, record in records.items():
        checked = next((v for path, v in validations.items() if f"/submitted/{student}/" in path), None)
        if checked is None:
            found[student] = "not validated"
        elif bool(record.get("rejected")) != bool(checked.get("rejected")):
            found[student] = f"rejected by grade: {record.get('rejected')!r}, by validate: {checked.get('rejected')!r}"
        else:
            for grade_id, cell in record["cells"].items():
                if "visible_passed" in cell and checked["tests"].get(grade_id, {}).get("passed") != cell["visible_passed"]:
                    found[(student, grade_id)] = (cell["visible_reason"], checked["tests"].get(grade_id))
    return found


MASTER_HEADER = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
                 "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n")


def master_cell(source: str, *, id: str, grade=False, solution=False, points=0) -> str:
    """One nbgrader code cell of a text master, for the small assignments the tests write."""
    meta = (f"nbgrader: {{grade: {str(grade).lower()}, grade_id: {id}, locked: {str(not solution).lower()}, "
            f"{f'points: {points}, ' if points else ''}schema_version: 3, solution: {str(solution).lower()}, task: false}}")
    return f"```{{code-cell}} ipython3\n---\n{meta}\n---\n{source.strip()}\n```\n"


BROWSER_MISSING = """
**********************************************************************************************
*** NO BROWSER: the book's pages were NOT checked in a browser.
*** {reason}
*** Install Debian's Chromium (`sudo apt-get install chromium`, or `make setup` as root) or
*** point $CHROMIUM at a Chromium/Chrome executable, and `pip install -e .` for Playwright.
**********************************************************************************************"""


def _chromium_executable() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium: Debian's, else Playwright's own (downloaded here if the network allows)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.fail(BROWSER_MISSING.format(reason="Playwright is not installed."))
    executable = _chromium_executable()
    if executable is None:
        installed = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                                   capture_output=True, text=True, timeout=600, check=False)
        if installed.returncode != 0:
            pytest.fail(BROWSER_MISSING.format(
                reason=f"No chromium on PATH, and `playwright install chromium` failed: {installed.stderr[-300:]}"))
    with sync_playwright() as playwright:
        try:
            # --no-sandbox: Chromium's own sandbox cannot start as root, as in containers and CI.
            chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        except Error as error:
            pytest.fail(BROWSER_MISSING.format(reason=f"Chromium ({executable}) does not start: {error}"))
        yield chromium
        chromium.close()
