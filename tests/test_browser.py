"""The published book, read by a real browser: headless Chromium driven by Playwright.

The quick-mode build that tests/test_book.py checks (conftest's `quick_build`, built once per
session) is served over HTTP on 127.0.0.1 and every page is opened in Chromium, as a reader would.
The tests check that pages load without console errors, broken internal links or images; that the
Colab and download links of each chapter point at notebooks present in the build; that search,
maths, copy buttons and dark mode work; and that no page shows a solution or a hidden test. A
screenshot of every page (and of every chapter in dark mode) is saved to $BOOK_SCREENSHOTS, by
default _build/screenshots/, for CI to keep as an artifact.

Chromium is Debian's package (`make setup` installs it as root, CI with apt); Playwright's own
browser download needs internet. Without a browser these tests fail and say why: a book that was
never opened in a browser must not pass for a checked one. The book serves its own MathJax
(sphinx-mathjax-offline), so every request off this machine is blocked and counted: a page must
work offline, maths included. Readers on phones, on paper and with assistive technology are
checked too: no page scrolls sideways at a phone's width, printing keeps every line of code, and
axe-core (the npm package, fetched once with `npm pack`) finds no serious accessibility problem
on any page in light or dark mode.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from autograder.masters import secret_lines
from autograder.release import contained
from conftest import REPO, toc_chapters

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(os.environ.get("BOOK_SCREENSHOTS") or REPO / "_build" / "screenshots")
ASSIGNMENTS = sorted(p.stem for p in (REPO / "assignments" / "masters").glob("*.md"))
AXE_VERSION = "4.14.1"


def _npm_package(name: str, version: str, needed: str) -> Path | None:
    """An npm package unpacked under ~/.cache/cnn-course/<name>-<version> (`npm pack`, once), or
    None where it is not there and npm cannot fetch it; ``needed`` is a file it must hold."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cnn-course" / f"{name}-{version}"
    if not (folder / needed).is_file() and shutil.which("npm"):
        folder.parent.mkdir(parents=True, exist_ok=True)
        packed = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=folder.parent,
                                capture_output=True, text=True, timeout=300, check=False)
        archive = folder.parent / packed.stdout.strip()
        if packed.returncode == 0 and archive.is_file():
            with tarfile.open(archive) as tar:
                # The "data" filter (no links out, no absolute paths) exists from Python 3.11.4 and
                # in security releases before it; Debian 12's Python 3.11.2 lacks it.
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                members = [m for m in tar.getmembers() if m.isfile() or m.isdir()] if not safe else None
                if members is not None and any(Path(m.name).is_absolute() or ".." in Path(m.name).parts
                                               for m in members):
                    return None
                tar.extractall(folder.parent / "unpacked", members=members, **safe)
            shutil.rmtree(folder, ignore_errors=True)
            (folder.parent / "unpacked" / "package").rename(folder)
            shutil.rmtree(folder.parent / "unpacked")
            archive.unlink()
    return folder if (folder / needed).is_file() else None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def site(quick_build: Path):
    """The built HTML served on 127.0.0.1, as GitHub Pages would; yields (folder, base URL)."""
    root = quick_build / "html"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _pages(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.html")
                  if not p.relative_to(root).parts[0].startswith("_"))


def _new_context(browser, base: str, blocked: list[str], **options):
    """A browser context that blocks every request off this machine, and lists it in ``blocked``."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**options)

    def route(route):
        url = route.request.url
        if url.startswith(base) or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", route)
    return context


def _screenshot_name(page: str, mode: str = "") -> str:
    return f"{mode}{page.removesuffix('.html').replace('/', '__')}.png"


@pytest.fixture(scope="session")
def visits(browser, site) -> dict[str, dict]:
    """Every page opened once in Chromium: what the browser reported, what the page holds, and a
    full-page screenshot."""
    root, base = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = _new_context(browser, base, blocked)
    page = context.new_page()
    record: dict = {}
    page.on("console", lambda message: message.type == "error" and record["console"].append(message.text))
    page.on("pageerror", lambda error: record["console"].append(f"uncaught: {error}"))
    page.on("response", lambda response: response.status >= 400 and record["failed"].append(f"{response.status} {response.url}"))
    page.on("requestfailed", lambda request: request.url.startswith(base) and record["failed"].append(f"{request.failure} {request.url}"))
    results = {}
    for name in _pages(root):
        record = {"console": [], "failed": []}
        page.goto(base + name, wait_until="load")
        page.wait_for_load_state("networkidle")
        if page.locator("span.math, div.math").count():
            try:
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
                page.evaluate("() => MathJax.startup.promise")
            except PlaywrightTimeout:
                record["console"].append("MathJax did not load from the book's own _static/mathjax")
        page.screenshot(path=SCREENSHOTS / _screenshot_name(name), full_page=True)
        record.update(page.evaluate("""() => ({
            url: location.href,
            text: document.body.innerText,
            links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            images: [...document.querySelectorAll('img')].map(i => ({src: i.currentSrc || i.src, width: i.naturalWidth, alt: i.alt})),
            maths: document.querySelectorAll('span.math, div.math').length,
            rendered_maths: document.querySelectorAll('mjx-container').length,
            maths_errors: document.querySelectorAll('mjx-merror, merror').length,
            code_blocks: document.querySelectorAll('.cell_input div.highlight').length,
            copy_buttons: document.querySelectorAll('.cell_input div.highlight button.copybtn').length,
            colab: [...document.querySelectorAll('a.launch-colab')].map(a => a.href),
            download: [...document.querySelectorAll('a.launch-download')].map(a => a.href),
        })"""))
        results[name] = dict(record)
    context.close()
    # Off-site requests are blocked here (offline, and deterministic); the page must not need them.
    results["(blocked off-site requests)"] = sorted(set(blocked))
    return results


def _page_records(visits: dict) -> dict[str, dict]:
    return {name: record for name, record in visits.items() if not name.startswith("(")}


def test_the_browser_opened_every_page(visits, site):
    root, _ = site
    pages = _page_records(visits)
    assert set(pages) == set(_pages(root))
    assert {f"chapters/{chapter}.html" for chapter in toc_chapters()} <= set(pages)
    assert all((SCREENSHOTS / _screenshot_name(name)).stat().st_size > 10_000 for name in pages)


def test_no_page_logs_a_console_error_or_fails_a_request(visits):
    problems = {name: record["console"] + record["failed"]
                for name, record in _page_records(visits).items() if record["console"] or record["failed"]}
    assert not problems, json.dumps(problems, indent=1)[:4000]


def test_no_page_needs_anything_from_the_internet(visits):
    """Pages that need no third-party server, MathJax included, work offline and leak no reader's visit."""
    assert visits["(blocked off-site requests)"] == []


def _anchors(file: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', file.read_text(errors="replace")))


def test_internal_links_and_images_resolve(visits, site):
    root, base = site
    broken, anchors = [], {}
    for name, record in _page_records(visits).items():
        for link in record["links"]:
            if not link.startswith(base):
                continue
            parts = urlsplit(link)
            target = root / unquote(parts.path[len(urlsplit(base).path):])
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{name}: link to missing {link}")
            elif parts.fragment and target.suffix == ".html":
                known = anchors.setdefault(target, _anchors(target))
                if unquote(parts.fragment) not in known:
                    broken.append(f"{name}: link to missing anchor {link}")
        for image in record["images"]:
            if image["width"] == 0:
                broken.append(f"{name}: image did not load: {image['src']}")
    assert not broken, "\n".join(broken[:40])


@pytest.mark.parametrize("chapter", toc_chapters())
def test_colab_and_download_links_point_at_published_notebooks(visits, site, chapter):
    root, base = site
    record = visits[f"chapters/{chapter}.html"]
    assert len(record["colab"]) == 1 and len(record["download"]) == 1, "the chapter has no launch links"
    colab = record["colab"][0]
    published = re.fullmatch(r"https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/gh-pages/(.+)", colab)
    assert published, colab
    # Colab opens <path> from the gh-pages branch, which holds this very HTML folder.
    notebook_file = root / published.group(1)
    assert notebook_file.is_file(), f"Colab link {colab} names a file the build does not publish"
    download = record["download"][0]
    assert download.startswith(base) and root / unquote(urlsplit(download).path).lstrip("/") == notebook_file
    notebook = json.loads(notebook_file.read_text())
    assert notebook["nbformat"] == 4 and "course-setup" in notebook["cells"][0]["metadata"]["tags"]


def test_search_finds_chapter_one(browser, site):
    _, base = site
    context = _new_context(browser, base, [])
    page = context.new_page()
    page.goto(base + "search.html?q=receptive+field", wait_until="load")
    page.wait_for_selector("ul.search li a", timeout=60_000)
    found = page.eval_on_selector_all("ul.search li a", "links => links.map(a => a.href)")
    page.screenshot(path=SCREENSHOTS / "search-receptive-field.png", full_page=True)
    context.close()
    assert any("chapters/01_convolution.html" in link for link in found), found


def test_maths_renders(visits):
    pages = {name: record for name, record in _page_records(visits).items() if record["maths"]}
    assert "chapters/01_convolution.html" in pages
    for name, record in pages.items():
        assert record["rendered_maths"] >= record["maths"] and record["maths_errors"] == 0, name


@pytest.mark.parametrize("chapter", toc_chapters())
def test_every_code_cell_has_a_copy_button(visits, chapter):
    record = visits[f"chapters/{chapter}.html"]
    assert record["code_blocks"] > 0 and record["copy_buttons"] == record["code_blocks"]


def test_no_page_shows_solutions_or_hidden_tests(visits):
    """What a reader sees (the rendered text) holds no instructor-only line. Chapters may teach
    what a solution uses, so on them only hidden-test lines count; assignment pages show neither."""
    hidden = sorted({line for assignment in ASSIGNMENTS
                     for line in secret_lines(REPO / "assignments", assignment, kinds=("hidden",))})
    everything = sorted({line for assignment in ASSIGNMENTS for line in secret_lines(REPO / "assignments", assignment)})
    assert hidden and everything
    leaks = {}
    for name, record in _page_records(visits).items():
        secrets = everything if name.startswith("assignments/") else hidden
        text = html.unescape(record["text"])
        found = contained(text, secrets)  # the release check's own rule
        if found:
            leaks[name] = found[:3]
    assert not leaks, leaks


@pytest.mark.parametrize("chapter", toc_chapters())
def test_dark_mode_keeps_figures_readable(browser, site, chapter):
    """In the theme's dark mode the page turns dark while every figure keeps its opaque white
    background (a transparent PNG would put black axes on a black page)."""
    _, base = site
    context = _new_context(browser, base, [], color_scheme="dark")
    page = context.new_page()
    page.goto(base + f"chapters/{chapter}.html", wait_until="load")
    page.wait_for_load_state("networkidle")
    theme = page.evaluate("() => document.documentElement.dataset.theme")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    corners = page.evaluate("""() => [...document.querySelectorAll('figure img')].map(image => {
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(image, 0, 0);
        return Array.from(context.getImageData(1, 1, 1, 1).data);
    })""")
    page.screenshot(path=SCREENSHOTS / _screenshot_name(f"chapters/{chapter}.html", "dark-"), full_page=True)
    context.close()
    assert theme == "dark"
    red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
    assert red + green + blue < 3 * 80, f"the page did not turn dark: {background}"
    assert corners, f"{chapter} shows no figures"
    for red, green, blue, alpha in corners:
        assert alpha == 255 and min(red, green, blue) >= 240, f"figure background is not opaque white: {(red, green, blue, alpha)}"


def _take_quiz(page, questions, right: int) -> dict:
    """Answer the first ``right`` questions correctly and the rest wrongly, press the check
    button, and read back the score line and every question's feedback."""
    fieldsets = page.locator("form.course-quiz fieldset.quiz-question")
    assert fieldsets.count() == len(questions)
    for number, question in enumerate(questions):
        choice = question.answer if number < right else (question.answer + 1) % len(question.options)
        fieldsets.nth(number).locator(f"input[value='{choice}']").check()
    page.locator("form.course-quiz button.quiz-check").click()
    score = page.locator("form.course-quiz .quiz-score")
    return {"score": score.inner_text(), "passed": score.get_attribute("data-passed"),
            "feedback": page.locator("form.course-quiz .quiz-feedback").all_inner_texts()}


def _check_scoring(page, questions) -> None:
    from cnncourse.quiz import PASS_MARK

    count = len(questions)
    needed = next(k for k in range(count + 1) if k / count >= PASS_MARK)
    full = _take_quiz(page, questions, count)
    assert f"{count} of {count} (100%)" in full["score"] and full["passed"] == "true", full["score"]
    assert all(text.startswith("\u2714 Right.") for text in full["feedback"])
    page.locator("form.course-quiz button.quiz-reset").click()
    assert page.locator("form.course-quiz .quiz-score").inner_text() == ""
    assert not page.locator("form.course-quiz .quiz-feedback").first.is_visible()
    below = _take_quiz(page, questions, needed - 1)
    assert f"{needed - 1} of {count}" in below["score"] and "Not passed yet" in below["score"], below["score"]
    assert below["passed"] == "false"
    wrong = below["feedback"][count - 1]
    assert wrong.startswith("\u2718 Not quite.") and "The answer is:" in wrong, wrong
    at_mark = _take_quiz(page, questions, needed)
    assert at_mark["passed"] == "true" and "Passed" in at_mark["score"], at_mark["score"]


@pytest.mark.parametrize("chapter", toc_chapters())
def test_each_chapter_s_quick_test_scores_and_explains(browser, site, chapter):
    """In the published page, with no kernel: answers are scored against the 70% pass mark, and
    each question says why once the reader has checked."""
    from cnncourse import quiz

    _, base = site
    context = _new_context(browser, base, [])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + f"chapters/{chapter}.html", wait_until="load")
    questions = quiz.load(chapter)
    assert not page.locator("form.course-quiz .quiz-feedback").first.is_visible()  # answers hidden at first
    _check_scoring(page, questions)
    context.close()
    assert not errors


def test_a_quick_test_works_as_a_notebook_output(browser):
    """The same HTML on its own in a bare page, as a notebook shows a cell's output: it needs
    nothing from the book around it (JupyterLab and Colab themselves are not driven here)."""
    from cnncourse import quiz

    chapter = toc_chapters()[0]
    context = browser.new_context()
    page = context.new_page()
    page.set_content(f"<html><body>{quiz.show(chapter)._repr_html_()}</body></html>")
    _check_scoring(page, quiz.load(chapter))
    context.close()


def _shown_order(page, question: int) -> list[int]:
    """The authored indices of a question's options, in the order the page shows them."""
    inputs = page.locator("form.course-quiz fieldset.quiz-question").nth(question).locator("input")
    return [int(value) for value in inputs.evaluate_all("inputs => inputs.map(input => input.value)")]


def test_a_notebook_seed_shuffles_the_options_as_python_computes(browser):
    """The page's script and ``quiz.option_order`` agree on every question, and the seed is
    printed with the call that shows the same order again."""
    from cnncourse import quiz

    chapter = toc_chapters()[1]
    context = browser.new_context()
    page = context.new_page()
    page.set_content(f"<html><body>{quiz.show(chapter, seed=271_828)._repr_html_()}</body></html>")
    questions = quiz.load(chapter)
    for number, question in enumerate(questions):
        assert _shown_order(page, number) == quiz.option_order(271_828, chapter, number, len(question.options))
    note = page.locator("form.course-quiz .quiz-order").inner_text()
    assert "seed 271828" in note and f'quiz.show("{chapter}", seed=271828)' in note, note
    assert sum(_shown_order(page, n) != list(range(len(q.options))) for n, q in enumerate(questions)) >= 3
    _check_scoring(page, questions)  # scoring follows the authored answers, whatever the order
    context.close()


def test_each_reader_keeps_a_seed_of_their_own(browser, site):
    """In the book, a reader's seed is drawn once and kept: a reload shows the same order; another
    browser (another reader) draws its own."""
    from cnncourse import quiz

    _, base = site
    chapter = toc_chapters()[2]
    questions = quiz.load(chapter)
    seeds = []
    for _ in range(3):  # three readers
        context = _new_context(browser, base, [])
        page = context.new_page()
        page.goto(base + f"chapters/{chapter}.html", wait_until="load")
        seed = int(page.locator("form.course-quiz").get_attribute("data-seed"))
        orders = [_shown_order(page, n) for n in range(len(questions))]
        assert orders == [quiz.option_order(seed, chapter, n, len(q.options)) for n, q in enumerate(questions)]
        assert "kept in this browser" in page.locator("form.course-quiz .quiz-order").inner_text()
        page.reload(wait_until="load")
        assert int(page.locator("form.course-quiz").get_attribute("data-seed")) == seed
        assert [_shown_order(page, n) for n in range(len(questions))] == orders
        context.close()
        seeds.append(seed)
    assert len(set(seeds)) > 1, f"three readers drew the same seed {seeds}"


def _open(page, url: str) -> None:
    """Load a page as a reader would see it: scripts run, nothing pending, maths typeset."""
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    if page.locator("span.math, div.math").count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")


def test_the_book_serves_its_own_mathjax(site):
    """Every page with maths loads MathJax from the book (sphinx-mathjax-offline), not a CDN."""
    root, _ = site
    assert (root / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for name in _pages(root):
        text = (root / name).read_text()
        if 'class="math' in text:
            sources = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', text)
            assert sources and all(source.endswith("_static/mathjax/tex-chtml.js") for source in sources), (name, sources)


# Wider than any phone page may be: an iPhone 12 to 15's viewport.
PHONE = {"width": 390, "height": 844}

_STICKING_OUT = """width => [...document.querySelectorAll('body *')].filter(element => {
    if (element.getBoundingClientRect().right <= width) return false;
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
        const style = getComputedStyle(box);
        if (style.overflowX !== 'visible' || style.position === 'fixed') return false;
    }
    return getComputedStyle(element).position !== 'fixed';
}).slice(0, 5).map(element => `${element.tagName.toLowerCase()}.${element.className}: ${element.textContent.slice(0, 60)}`)"""


def test_no_page_scrolls_sideways_on_a_phone(browser, site):
    """At a phone's width only boxes that hold wide content (code, tables, display maths) scroll
    sideways, inside themselves; the page never does."""
    root, base = site
    context = _new_context(browser, base, [], viewport=PHONE)
    page = context.new_page()
    too_wide = {}
    for name in _pages(root):
        _open(page, base + name)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = {"width": width, "sticking out": page.evaluate(_STICKING_OUT, PHONE["width"])}
    context.close()
    assert not too_wide, json.dumps(too_wide, indent=1)[:4000]


# A4's 210 mm less Chromium's default print margins (10 mm a side), in CSS pixels (96 per inch).
PRINTED_WIDTH = 718


@pytest.mark.parametrize("chapter", toc_chapters())
def test_printing_a_chapter_keeps_every_line_of_code(browser, site, chapter):
    """Printed or saved as PDF, every code block and output is on paper whole: long lines wrap
    instead of being cut at the edge, solutions hidden behind a toggle print open, and the
    sidebars and buttons stay off the page."""
    _, base = site
    context = _new_context(browser, base, [], viewport={"width": PRINTED_WIDTH, "height": 1000})
    page = context.new_page()
    _open(page, base + f"chapters/{chapter}.html")
    page.emulate_media(media="print")
    code = page.evaluate("""() => [...document.querySelectorAll('.bd-article pre')].map(pre => ({
        start: pre.textContent.trim().slice(0, 60),
        clipped: pre.scrollWidth > pre.clientWidth,
        shown: pre.getClientRects().length > 0 && getComputedStyle(pre).visibility === 'visible',
    }))""")
    controls = page.evaluate("""() => [...document.querySelectorAll(
        '.bd-sidebar-primary, .bd-sidebar-secondary, .bd-header, button')].filter(e => e.getClientRects().length).length""")
    context.close()
    assert code, f"{chapter} shows no code"
    assert not [block["start"] for block in code if block["clipped"]], "code cut off at the right edge"
    assert not [block["start"] for block in code if not block["shown"]], "code left off the printed page"
    assert controls == 0


@pytest.fixture(scope="session")
def axe() -> Path:
    """axe-core's browser script (the npm package, fetched once into ~/.cache/cnn-course)."""
    folder = _npm_package("axe-core", AXE_VERSION, "axe.min.js")
    if folder is None:
        message = f"No axe-core {AXE_VERSION}: npm is missing or could not fetch it, so accessibility was NOT checked."
        if os.environ.get("CI"):
            pytest.fail(message)  # CI has npm and a network: a skip there would hide a broken set-up
        pytest.skip(message)
    return folder / "axe.min.js"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_page_has_a_serious_accessibility_problem(browser, site, axe, mode):
    """axe-core's checks (WCAG 2 A and AA, and best practices) on every page, in the theme's light
    and dark mode: no violation that axe rates critical or serious."""
    root, base = site
    context = _new_context(browser, base, [], color_scheme=mode)
    page = context.new_page()
    found = {}
    for name in _pages(root):
        _open(page, base + name)
        assert page.evaluate("() => document.documentElement.dataset.theme") == mode, name
        page.add_script_tag(path=str(axe))
        violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(violation => ['critical', 'serious'].includes(violation.impact))
            .map(violation => `${violation.impact} ${violation.id} on ${violation.nodes.length} element(s), `
                 + `first ${violation.nodes[0].target.join(' ')}: ${violation.help}`)""")
        if violations:
            found[name] = violations
    context.close()
    assert not found, json.dumps(found, indent=1)[:6000]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900},
                                      {"width": 375, "height": 740}],
                         ids=["computer", "phone"])
def test_a_figure_enlarges_and_closes_again(browser, site, viewport):
    """_static/figures.js: a click (or a tap, or Enter) on a figure opens it in an
    overlay, at least as wide as on the page; Escape closes it and gives the focus back
    to the figure."""
    _, base = site
    context = _new_context(browser, base, [], viewport=viewport,
                           has_touch=viewport["width"] < 500)
    page = context.new_page()
    _open(page, base + "chapters/06_unet_segmentation.html")
    links = page.locator("article figure a.figure-zoom")
    assert links.count() == page.locator("article figure img").count() > 0
    inline_width = links.first.locator("img").bounding_box()["width"]
    links.first.click()
    overlay = page.locator("dialog.figure-zoom-dialog")
    overlay.wait_for(state="visible")
    assert overlay.locator(".figure-zoom-caption").inner_text().strip()
    assert overlay.locator("img").bounding_box()["width"] >= inline_width - 1
    page.keyboard.press("Escape")
    overlay.wait_for(state="hidden")
    focused = "() => document.activeElement.classList.contains('figure-zoom')"
    assert page.evaluate(focused)
    page.keyboard.press("Enter")
    overlay.wait_for(state="visible")
    page.keyboard.press("Escape")
    context.close()
