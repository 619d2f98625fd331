"""Build the whole book as `make book` does, timed: first from nothing, then again with nothing changed.

Records the total seconds of the executed build, each chapter's execution seconds (as myst-nb's
jupyter-cache recorded them while building), the values every chapter glues into its prose, and
the seconds of the cached rebuild. Targets (issue #8, on this 2-core machine): the full build in
at most 45 minutes, every chapter in at most 10, and the cached rebuild in at most 2.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat

from autograder.release import release
from bench.chapters import TIME_TARGETS, glued_values

REPO = Path(__file__).resolve().parent.parent
TOTAL_TARGET_SECONDS = 45 * 60
CHAPTER_TARGET_SECONDS = 10 * 60  # each chapter's, unless bench.chapters allows it longer
CACHED_TARGET_SECONDS = 2 * 60


def execution_seconds(build: Path) -> dict[str, float]:
    """Execution seconds per executed page, keyed by its name (``01_convolution``), as recorded in
    ``<build>/.jupyter_cache`` (jupyter-cache's record of each notebook myst-nb executed)."""
    from jupyter_cache import get_cache

    cache_folder = build / ".jupyter_cache"
    if not cache_folder.is_dir():
        raise FileNotFoundError(f"no jupyter cache in {build}: was the book built with execute_notebooks: cache?")
    records = get_cache(cache_folder).list_cache_records()
    return {Path(record.uri).stem: round(record.data["execution_seconds"], 1)
            for record in records if "execution_seconds" in record.data}


def built_glue(executed: Path) -> dict[str, str]:
    """The values an executed chapter glued, as a reader sees them. myst-nb 1.x moves glue outputs
    out of ``jupyter_execute/<chapter>.ipynb`` into ``<chapter>.glue.json`` beside it; read both."""
    values = glued_values(nbformat.read(executed, as_version=4))
    side_file = executed.with_suffix(".glue.json")
    if side_file.is_file():
        for name, output in json.loads(side_file.read_text()).items():
            text = output.get("data", {}).get("text/plain")
            if text is not None:
                values[name] = text.strip("'\"")
    return values


class _LoadedFiles(HTMLParser):
    """The images, scripts and stylesheets an HTML page names, by kind."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {"images": [], "scripts": [], "styles": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "img" and attributes.get("src"):
            self.found["images"].append(attributes["src"])
        elif tag == "script" and attributes.get("src"):
            self.found["scripts"].append(attributes["src"])
        elif tag == "link" and "stylesheet" in (attributes.get("rel") or "").split() and attributes.get("href"):
            self.found["styles"].append(attributes["href"])


def page_weights(html: Path) -> dict[str, dict[str, int]]:
    """Bytes each page of a built book costs a reader who opens it: the HTML, and the images,
    scripts and stylesheets it names (each file once), keyed by page (``chapters/01_convolution.html``).

    ``html`` is a build's ``_build/html``. Only files the page names are counted, not what its
    scripts fetch later (MathJax's fonts and extensions). ``"missing"`` counts the names of files
    that are not in the build or lie off-site; they weigh nothing here."""
    weights = {}
    for page in sorted(html.rglob("*.html")):
        name = page.relative_to(html).as_posix()
        if name.startswith("_"):  # Sphinx's own folders (_sources, _static) hold no pages
            continue
        parser = _LoadedFiles()
        parser.feed(page.read_text(errors="replace"))
        weight = {"html": page.stat().st_size, "images": 0, "scripts": 0, "styles": 0, "missing": 0}
        counted: set[Path] = set()
        for kind, addresses in parser.found.items():
            for address in addresses:
                if address.startswith("data:"):  # inside the HTML, already counted
                    continue
                parts = urlsplit(address)
                target = (page.parent / unquote(parts.path)).resolve()
                if parts.scheme or parts.netloc or not target.is_file():
                    weight["missing"] += 1
                elif target not in counted:
                    counted.add(target)
                    weight[kind] += target.stat().st_size
        weight["total"] = weight["html"] + weight["images"] + weight["scripts"] + weight["styles"]
        weights[name] = weight
    return weights


def chapter_target_seconds(chapter: str) -> float:
    """A chapter's run-time limit in the build: 10 minutes, or its own longer one (chapter 6)."""
    return max(CHAPTER_TARGET_SECONDS, TIME_TARGETS.get(chapter, 0))


def judge(total_seconds: float, chapter_seconds: dict[str, float], cached_seconds: float) -> dict:
    """Which of the three targets a build met."""
    slow = sorted(name for name, seconds in chapter_seconds.items() if seconds > chapter_target_seconds(name))
    return {
        "total_target_met": total_seconds <= TOTAL_TARGET_SECONDS,
        "chapter_target_met": not slow,
        "chapters_over_target": slow,
        "cached_target_met": cached_seconds <= CACHED_TARGET_SECONDS,
    }


def _build(output: Path, quick: bool, toc: Path | None) -> float:
    env = dict(os.environ, COURSE_QUICK="1" if quick else "")
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(REPO), "--path-output", str(output),
               "-W", "-n", "--keep-going"]
    if toc is not None:
        command += ["--toc", str(toc)]
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    log = result.stdout + result.stderr
    (output / "build.log").write_text(log)
    if result.returncode != 0:
        # The build folder is deleted on the way out: keep the log where it can be read, and
        # name the warnings, which Sphinx writes to stderr, long before the end of stdout.
        kept = REPO / "_build" / "book-build-bench.log"
        kept.parent.mkdir(exist_ok=True)
        kept.write_text(log)
        warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
        raise RuntimeError(f"the book does not build (log in {kept}):\n" + "\n".join(warnings[-20:] or [log[-3000:]]))
    return seconds


def run(quick: bool, toc: Path | None = None) -> dict:
    """Build the book twice into a fresh temporary folder; ``toc`` replaces _toc.yml (for tests)."""
    for master in sorted((REPO / "assignments" / "masters").glob("*.md")):  # what `make release` does
        release(REPO / "assignments", master.stem)
    output = Path(tempfile.mkdtemp(prefix="book-build-bench-"))
    try:
        total = _build(output, quick, toc)
        build = output / "_build"
        chapter_seconds = {name: seconds for name, seconds in execution_seconds(build).items()
                           if (REPO / "chapters" / f"{name}.md").is_file()}
        glued = {path.stem: built_glue(path) for path in sorted((build / "jupyter_execute" / "chapters").glob("*.ipynb"))}
        page_bytes = page_weights(build / "html")
        executed_before = execution_seconds(build)
        cached = _build(output, quick, toc)
        re_executed = sorted(name for name, seconds in execution_seconds(build).items()
                             if executed_before.get(name) != seconds)
    finally:
        shutil.rmtree(output, ignore_errors=True)
    figures = {
        "total_seconds": round(total, 1),
        "total_target_seconds": TOTAL_TARGET_SECONDS,
        "chapter_execution_seconds": chapter_seconds,
        "chapter_target_seconds": {name: chapter_target_seconds(name) for name in chapter_seconds},
        "cached_rebuild_seconds": round(cached, 1),
        "cached_rebuild_target_seconds": CACHED_TARGET_SECONDS,
        "cached_rebuild_re_executed": re_executed,
        "cores": os.cpu_count(),
        "glued": glued,
        "page_bytes": page_bytes,
    }
    verdict = judge(total, chapter_seconds, cached)
    if quick:  # a quick build proves nothing about the published book's times
        verdict = {key: (False if key.endswith("_met") else value) for key, value in verdict.items()}
    figures.update(verdict)
    return figures
