"""Sphinx extension: a runnable notebook for every chapter and assignment, and links to open or
download it.

Jupyter Book 1's own Colab button points Colab at the chapter's ``.md`` source, which Colab cannot
open (jupyter-book#752). This extension instead, once the build has executed the chapters,

- converts each chapter (``chapters/*.md``, a MyST notebook) with jupytext into an ``.ipynb``
  without outputs, written to ``<html output>/notebooks/<chapter>.ipynb`` so that it is published
  with the site (the ``gh-pages`` branch holds it, which is where Colab opens it from);
- rewrites the chapter's Markdown as plain Jupyter Markdown, since JupyterLab and Colab know no
  MyST: glued numbers become the values the build glued, citations, glossary terms and
  cross-references become text linked to the published book, admonitions and exercises become
  blockquotes, and solutions are collapsed (``<details>``) until a student opens them;
- puts a set-up cell first that, only where the course library is missing (Colab, a bare
  Jupyter), pip-installs the course from its repository (``repository.url`` in ``_config.yml``,
  the one place that names it);
- publishes each released assignment (``assignments/release/<a>/``, made by ``make release``)
  as it is, under ``notebooks/assignments/<a>/``: the notebook a student hands in is the one
  released, so nothing is added to it;
- adds "Open in Colab", "Open on Binder" and "Download notebook" links to the top of each
  chapter and assignment page; the same plain notebooks are what students open in JupyterLab
  (``book/student_notebooks.py``, ``make lab``) and on Binder.

Binder launches from the repository, where ``binder/postBuild`` releases the assignments and
downloads these notebooks into ``notebooks/``; the Binder links open them there.
"""

from __future__ import annotations

import copy
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import jupytext
import nbformat
from docutils import nodes
from sphinx.application import Sphinx

CHAPTER_FOLDER = "chapters"
ASSIGNMENT_PAGE = re.compile(r"assignments/release/(?P<name>[^/]+)/(?P=name)")
NOTEBOOK_FOLDER = "notebooks"
# Colab opens notebooks from GitHub by branch; the Pages workflow publishes the site, generated
# notebooks included, to this branch.
PAGES_BRANCH = "gh-pages"
SETUP_CELL_TAG = "course-setup"
BINDER = "https://mybinder.org"

SETUP_SOURCE = '''\
# Set-up: only where the course library is missing (Colab, a fresh Jupyter), install it from
# the course repository. With `make setup` or on Binder this cell does nothing.
import importlib
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("cnncourse") is None:
    COURSE = "cnn-course @ git+{repository_url}"
    if "google.colab" in sys.modules:
        # Colab already has TensorFlow, Keras 3, NumPy and Matplotlib: reinstalling the course's
        # pinned versions would force a runtime restart, so add only the course and myst-nb (glue).
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", COURSE], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "{myst_nb}"], check=True)
    else:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", COURSE], check=True)
    importlib.invalidate_caches()
'''


# --- Which pages get a notebook, and where it is published ---------------------------------------


def is_chapter(docname: str) -> bool:
    """True for the book's chapters (``chapters/<name>``), the pages that get launch notebooks."""
    return docname.startswith(f"{CHAPTER_FOLDER}/") and docname.count("/") == 1


def is_assignment(docname: str) -> bool:
    """True for the released assignments' pages (``assignments/release/<a>/<a>``)."""
    return ASSIGNMENT_PAGE.fullmatch(docname) is not None


def published_notebook(docname: str) -> str:
    """Where a page's notebook lies under ``notebooks/``, without ``.ipynb``: ``01_convolution``
    for a chapter, ``assignments/<a>/<a>`` for an assignment."""
    if is_chapter(docname):
        return docname.split("/", 1)[1]
    assignment = ASSIGNMENT_PAGE.fullmatch(docname)
    if assignment:
        return f"assignments/{assignment['name']}/{assignment['name']}"
    raise ValueError(f"{docname!r} is neither a chapter nor a released assignment: it has no notebook")


def github_repository(repository_url: str) -> tuple[str, str]:
    """``(owner, repository)`` of ``https://github.com/<owner>/<repository>``."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repository_url)
    if match is None:
        raise ValueError(f"repository.url must be https://github.com/<owner>/<repo>, got {repository_url!r}")
    return match[1], match[2]


def colab_url(repository_url: str, notebook: str) -> str:
    """Colab's address for the published notebook ``notebook`` (a ``published_notebook`` path,
    e.g. ``01_convolution``)."""
    owner, repo = github_repository(repository_url)
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{PAGES_BRANCH}/{NOTEBOOK_FOLDER}/{notebook}.ipynb"


def binder_url(repository_url: str, branch: str, notebook: str) -> str:
    """mybinder.org's address that opens JupyterLab on ``notebooks/<notebook>.ipynb``, the plain
    notebook that Binder's postBuild downloads (book/student_notebooks.py). Jupyter Book's own
    Binder button would open the page's MyST source instead, raw markup and all, so the book
    has none (``launch_buttons`` in _config.yml names no BinderHub)."""
    owner, repo = github_repository(repository_url)
    return f"{BINDER}/v2/gh/{owner}/{repo}/{branch}?urlpath=lab/tree/{NOTEBOOK_FOLDER}/{notebook}.ipynb"


def pages_url(repository_url: str) -> str:
    """The GitHub Pages address where the repository's site is published, ending in ``/``."""
    owner, repo = github_repository(repository_url)
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if repo.lower() == host else f"https://{host}/{repo}/"


def pinned(requirement_name: str, pins: Path) -> str:
    """The exact pin of ``requirement_name`` in pins.txt, e.g. ``myst-nb==1.4.0``."""
    for line in pins.read_text().splitlines():
        if re.match(rf"{re.escape(requirement_name)}\s*==", line):
            return line.split(";")[0].split("#")[0].strip()
    raise ValueError(f"{pins} pins no {requirement_name}")


def launch_notebook(source: Path, repository_url: str, myst_nb_pin: str) -> nbformat.NotebookNode:
    """The chapter at ``source`` (a MyST ``.md`` notebook) as an nbformat 4 notebook to run
    anywhere: no outputs, no jupytext metadata, and the set-up cell first. Its Markdown is still
    the chapter's MyST: ``plain_markdown_cells`` converts it."""
    notebook = jupytext.read(source)
    notebook.metadata.pop("jupytext", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    setup_cell = nbformat.v4.new_code_cell(
        SETUP_SOURCE.format(repository_url=repository_url, myst_nb=myst_nb_pin),
        metadata={"tags": [SETUP_CELL_TAG]},
    )
    notebook.cells.insert(0, setup_cell)
    # Cell ids as jupytext makes them may repeat across notebooks; fresh ones keep nbformat happy.
    notebook = nbformat.from_dict(copy.deepcopy(dict(notebook)))
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    nbformat.validate(notebook)
    return notebook


def plain_markdown_cells(notebook: nbformat.NotebookNode, to_markdown: PlainMarkdown) -> nbformat.NotebookNode:
    """``notebook`` with every Markdown cell converted by ``to_markdown``; code cells (the quiz
    among them, which keeps its answers until it is run and checked) are left as they are."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = to_markdown(cell.source)
    nbformat.validate(notebook)
    return notebook


# --- MyST to plain Jupyter Markdown ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Something a chapter links to on the published site."""

    text: str  # what a reader sees: a section's title, "Exercise 3", a page's title
    url: str  # its absolute address
    number: str = ""  # "3" for a numbered target (exercise, figure), else empty


@dataclass(frozen=True)
class Reference:
    """A bibliography entry as an author-year citation shows it."""

    authors: str  # "LeCun et al.", "Ioffe and Szegedy"
    year: str
    url: str  # the entry in the book's bibliography


@dataclass(frozen=True)
class PublishedBook:
    """What converting a page's MyST needs to know about the published book: every key is as the
    chapters write it (labels and glossary terms in lower case, as Sphinx matches them)."""

    labels: Mapping[str, Target]  # "ch3-seeds" -> Exercise 5 on chapter 3's page
    terms: Mapping[str, str]  # "receptive field" -> its glossary entry's address
    pages: Mapping[str, Target]  # "appendices/data" -> the page's title and address
    references: Mapping[str, Reference]  # "lecun1998gradient" -> LeCun et al., 1998


def author_label(entry) -> str:
    """How an author-year citation names a pybtex ``entry``'s authors (or editors): "Smith",
    "Smith and Topin", "LeCun et al."."""
    people = entry.persons.get("author") or entry.persons.get("editor")
    if not people:
        raise ValueError(f"bibliography entry {entry.key!r} has no author or editor")
    names = [" ".join(part.render_as("text") for part in person.rich_prelast_names + person.rich_last_names)
             for person in people]
    if len(names) == 1:
        return names[0]
    return f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."


def reference(entry, url: str) -> Reference:
    """The author-year citation of a pybtex ``entry`` whose bibliography item is at ``url``."""
    return Reference(author_label(entry), entry.fields.get("year", "n.d."), url)


# `{role}`content`` (content in any number of backticks, possibly across lines), or an inline
# code span, which is matched only to be left alone.
INLINE = re.compile(r"\{(?P<role>[a-z][\w:.+-]*)\}(?P<ticks>`+)(?P<content>.+?)(?<!`)(?P=ticks)(?!`)"
                    r"|(?P<code>`+).+?(?<!`)(?P=code)(?!`)", re.DOTALL)
TITLED = re.compile(r"(?P<text>.*?)\s*<(?P<target>[^<>]+)>", re.DOTALL)
FENCE = re.compile(r"(?P<fence>`{3,}|:{3,})\s*(?P<info>.*?)\s*")
DIRECTIVE = re.compile(r"\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)")
OPTION = re.compile(r"\s*:[\w-]+:.*")
TARGET_LINE = re.compile(r"\s*\([\w.:-]+\)=\s*")  # `(label)=` before a heading
COMMENT_LINE = re.compile(r"%.*")  # a MyST comment
ADMONITIONS = {"note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
               "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error",
               "seealso": "See also"}
SOLUTION_SUMMARY = "{title} (open when you have tried)"


class PlainMarkdown:
    """Turns one page's MyST Markdown into Markdown that JupyterLab and Colab render.

    ``glued`` holds what the executed page glued (key -> its ``text/plain``, as myst-nb stores
    it); ``docname`` places the page in the book (``chapters/01_convolution``) for relative
    ``{doc}`` links. Anything MyST that has no plain form here raises ``ValueError``, so that new
    syntax in a chapter stops the build rather than reaching students raw."""

    def __init__(self, book: PublishedBook, glued: Mapping[str, str], docname: str):
        self.book, self.glued, self.docname = book, glued, docname

    def __call__(self, source: str) -> str:
        return "\n".join(self._blocks(source.split("\n"))).strip("\n")

    # Blocks: fences are directives or code; everything else is text with inline roles.

    def _blocks(self, lines: list[str]) -> list[str]:
        converted, text, index = [], [], 0
        while index < len(lines):
            opener = FENCE.fullmatch(lines[index].lstrip(" "))
            if opener is None:
                if not (TARGET_LINE.fullmatch(lines[index]) or COMMENT_LINE.fullmatch(lines[index])):
                    text.append(lines[index])
                index += 1
                continue
            self._add_text(converted, text)
            text = []
            fence = opener["fence"]
            end = next((i for i in range(index + 1, len(lines))
                        if re.fullmatch(rf"\s*{re.escape(fence[0])}{{{len(fence)},}}\s*", lines[i])), None)
            if end is None:
                raise ValueError(f"{self.docname}: the fence {lines[index].strip()!r} is never closed")
            directive = DIRECTIVE.fullmatch(opener["info"])
            if directive is not None:
                # Set off by blank lines: a blockquote or HTML block must not run into the text.
                if converted and converted[-1].strip():
                    converted.append("")
                converted += [*self._directive(directive["name"], directive["argument"], lines[index + 1:end]), ""]
            elif fence[0] == "`":
                converted += lines[index:end + 1]  # a code block, verbatim
            else:
                raise ValueError(f"{self.docname}: a colon fence without a directive: {lines[index].strip()!r}")
            index = end + 1
        self._add_text(converted, text)
        return converted

    def _add_text(self, converted: list[str], text: list[str]) -> None:
        if converted and not converted[-1].strip():
            while text and not text[0].strip():  # one blank line between blocks is enough
                text = text[1:]
        if text:
            converted += self._inline("\n".join(text)).split("\n")

    def _directive(self, name: str, argument: str, body: list[str]) -> list[str]:
        options, content = self._options(body)
        if name == "admonition":
            return self._quote(f"**{self._inline(argument)}**", content)
        if name in ADMONITIONS:
            return self._quote(f"**{ADMONITIONS[name]}**", [argument, *content] if argument else content)
        if name == "exercise":
            title = self._numbered("Exercise", options.get("label", ""))
            return self._quote(f"**{title}{f' ({self._inline(argument)})' if argument else ''}**", content)
        if name == "solution":
            exercise = self._numbered("Exercise", argument)
            title = f"Solution to {exercise}" if exercise != "Exercise" else "Solution"
            return self._details(SOLUTION_SUMMARY.format(title=title), content)
        if name == "dropdown":
            return self._details(self._inline(argument) or "Details", content)
        if name == "math":
            return ["$$", *content, "$$"]
        raise ValueError(f"{self.docname}: no plain-Markdown form for the {{{name}}} directive "
                         "(book/launch_notebooks.py lists the ones it converts)")

    @staticmethod
    def _options(body: list[str]) -> tuple[dict[str, str], list[str]]:
        """A directive's ``:key: value`` options (or ``---`` YAML block) and its content."""
        options, start = {}, 0
        if body and body[0].strip() == "---":
            start = body.index("---", 1) + 1
            for line in body[1:start - 1]:
                key, _, value = line.partition(":")
                options[key.strip()] = value.strip()
        while start < len(body) and OPTION.fullmatch(body[start]):
            _, key, value = body[start].split(":", 2)
            options[key.strip()] = value.strip()
            start += 1
        content = body[start:]
        while content and not content[0].strip():
            content = content[1:]
        return options, content

    def _numbered(self, kind: str, label: str) -> str:
        """The title of a numbered label the book knows ("Exercise 3"), else just ``kind``."""
        target = self.book.labels.get(label.lower()) if label else None
        return target.text if target is not None else kind

    def _quote(self, title: str, content: list[str]) -> list[str]:
        inner = self._blocks(content)
        return [f"> {title}", ">", *(f"> {line}" if line.strip() else ">" for line in inner)]

    def _details(self, summary: str, content: list[str]) -> list[str]:
        # Blank lines around the content: Markdown inside an HTML block renders only so.
        return ["<details>", f"<summary>{summary}</summary>", "", *self._blocks(content), "", "</details>"]

    # Inline roles.

    def _inline(self, text: str) -> str:
        return INLINE.sub(lambda match: match[0] if match["code"] else self._role(match["role"], match["content"]), text)

    def _role(self, role: str, content: str) -> str:
        titled = TITLED.fullmatch(content)
        text, target = (titled["text"], titled["target"]) if titled else ("", content)
        if role in ("glue", "glue:", "glue:any", "glue:text"):
            return self._glued(content)
        if role in ("cite", "cite:p", "cite:ps", "cite:t", "cite:ts"):
            return self._cite(content, textual=role.startswith("cite:t"))
        if role == "term":
            url = self.book.terms.get(target.lower())
            if url is None:
                raise ValueError(f"{self.docname}: {{term}}`{content}`: the glossary has no {target!r}")
            return f"[{text or target}]({url})"
        if role == "doc":
            page = self._page(target)
            return f"[{text or page.text}]({page.url})"
        if role in ("ref", "numref"):
            label = self.book.labels.get(target.lower())
            if label is None:
                raise ValueError(f"{self.docname}: {{{role}}}`{content}`: the book has no label {target!r}")
            if text and role == "numref":
                text = text.replace("%s", label.number).replace("{number}", label.number)
            return f"[{text or label.text}]({label.url})"
        if role == "math":
            return f"${content}$"
        if role == "index":
            return text or content
        raise ValueError(f"{self.docname}: no plain-Markdown form for the {{{role}}} role "
                         "(book/launch_notebooks.py lists the ones it converts)")

    def _glued(self, content: str) -> str:
        from myst_nb.core.variables import format_plain_text  # the glue:text role's own formatting

        key, format_spec = content.rsplit(":", 1) if ":" in content else (content, "")  # as myst-nb splits
        if key not in self.glued:
            known = ", ".join(sorted(self.glued)[:8]) + (", ..." if len(self.glued) > 8 else "")
            raise ValueError(f"{self.docname}: {{glue:text}}`{content}`: the executed page glued no {key!r} "
                             f"(it glued {len(self.glued)} values{': ' + known if known else ''})")
        return format_plain_text(self.glued[key], format_spec)

    def _cite(self, content: str, textual: bool) -> str:
        cited = []
        for key in (key.strip() for key in content.split(",")):
            entry = self.book.references.get(key)
            if entry is None:
                raise ValueError(f"{self.docname}: {{cite}}`{content}`: the bibliography has no {key!r}")
            cited.append(f"[{entry.authors} ({entry.year})]({entry.url})" if textual
                         else f"[{entry.authors}, {entry.year}]({entry.url})")
        return "; ".join(cited) if textual else f"({'; '.join(cited)})"

    def _page(self, path: str) -> Target:
        docname = path.lstrip("/") if path.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(self.docname), path))
        docname = re.sub(r"\.(md|ipynb|rst)$", "", docname)
        if docname not in self.book.pages:
            raise ValueError(f"{self.docname}: {{doc}}`{path}`: the book has no page {docname!r}")
        return self.book.pages[docname]


# --- The build: what it published, and the notebooks and links it gets ---------------------------


def _repository_url(app: Sphinx) -> str:
    url = (app.config.html_theme_options or {}).get("repository_url", "")
    if not url:
        raise ValueError("launch_notebooks needs repository.url in _config.yml")
    return url


def site_url(app: Sphinx) -> str:
    """The published site's address, ending in ``/``: ``html.baseurl`` in _config.yml where it is
    set, else the GitHub Pages address of ``repository.url``."""
    base = app.config.html_baseurl
    return base.rstrip("/") + "/" if base else pages_url(_repository_url(app))


def published_book(app: Sphinx) -> PublishedBook:
    """Labels, glossary terms, pages and citations of the book just built, with their addresses
    on the published site."""
    env, site = app.env, site_url(app)

    def url(docname: str, anchor: str = "") -> str:
        return site + app.builder.get_target_uri(docname) + (f"#{anchor}" if anchor else "")

    numbered = {(docname, target): (kind, ".".join(map(str, number)))
                for docname, kinds in env.toc_fignumbers.items()
                for kind, targets in kinds.items() for target, number in targets.items()}
    std = env.get_domain("std")
    labels = {}
    for label, (docname, target) in std.anonlabels.items():
        kind, number = numbered.get((docname, target), ("", ""))
        if kind in app.config.numfig_format:  # an exercise or figure: "Exercise 3"
            labels[label] = Target(app.config.numfig_format[kind] % number, url(docname, target), number)
        elif label in std.labels:  # a section: its title
            labels[label] = Target(std.labels[label][2], url(docname, target))
    terms = {name.lower(): url(docname, target)
             for (kind, name), (docname, target) in std.objects.items() if kind == "term"}
    pages = {docname: Target(title.astext(), url(docname)) for docname, title in env.titles.items()}
    references = {citation.key: reference(citation.entry, url(citation.bibliography_key.docname, citation.citation_id))
                  for citation in env.get_domain("cite").citations}
    return PublishedBook(labels, terms, pages, references)


def executed_glue(app: Sphinx, docname: str) -> dict[str, str]:
    """What the page ``docname`` glued when the build executed it: key -> its ``text/plain``.
    myst-nb keeps these in ``jupyter_execute/<docname>.glue.json`` beside the executed notebook
    (not in the notebook itself); its own reader is the one the book's cross-page glue uses."""
    from myst_nb.ext.glue.crossref import read_glue_cache

    glued = read_glue_cache(app.env.mystnb_config.output_folder, docname)
    return {key: output["data"]["text/plain"] for key, output in glued.items() if "text/plain" in output.get("data", {})}


def _launch_links(app: Sphinx, docname: str) -> str:
    notebook = published_notebook(docname)
    to_root = "../" * docname.count("/")
    repository_url = _repository_url(app)
    branch = (app.config.html_theme_options or {}).get("repository_branch") or "main"
    links = (
        f'<a class="reference external launch-colab" href="{colab_url(repository_url, notebook)}">Open in Colab</a> · '
        f'<a class="reference external launch-binder" href="{binder_url(repository_url, branch, notebook)}">'
        "Open on Binder</a> · "
        f'<a class="reference internal launch-download" href="{to_root}{NOTEBOOK_FOLDER}/{notebook}.ipynb" download>'
        "Download notebook</a> (for JupyterLab: <code>make lab</code> in the course's folder does it for every chapter)."
    )
    if is_chapter(docname):
        title, note = "Run this chapter", ("Its first cell installs the course where it is missing; the data are "
                                           "downloaded on first use.")
    else:
        title, note = "Work on this assignment", ("On Colab, save a copy to your Drive before you start, and "
                                                  "download the notebook to hand it in.")
    return (f'<div class="admonition launch-notebook">\n<p class="admonition-title">{title}</p>\n'
            f"<p>{links} {note}</p>\n</div>\n")


def add_launch_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put the page's Colab and download links just under its title."""
    if app.builder.format != "html" or not (is_chapter(docname) or is_assignment(docname)):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    title_index = next((i for i, child in enumerate(section.children) if isinstance(child, nodes.title)), -1)
    section.insert(title_index + 1, nodes.raw("", _launch_links(app, docname), format="html"))


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Write ``notebooks/<chapter>.ipynb`` for every chapter built, its Markdown made plain with
    the values this build glued, and copy every released assignment to ``notebooks/assignments/``.
    Runs when the build has finished, so every chapter has been executed."""
    if exception is not None or app.builder.format != "html":
        return
    repository_url = _repository_url(app)
    myst_nb_pin = pinned("myst-nb", Path(app.srcdir) / "pins.txt")
    book = published_book(app)
    folder = Path(app.outdir) / NOTEBOOK_FOLDER
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if is_chapter(docname) and source.suffix == ".md":
            notebook = launch_notebook(source, repository_url, myst_nb_pin)
            notebook = plain_markdown_cells(notebook, PlainMarkdown(book, executed_glue(app, docname), docname))
            target = folder / f"{published_notebook(docname)}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)
        elif is_assignment(docname):
            # The released folder as it is: the notebook and any supporting files it reads.
            published = folder / published_notebook(docname)
            shutil.copytree(source.parent, published.parent, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".*", "__pycache__"))


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep one copy of each inline script. sphinx-thebe (behind the launch buttons) adds its
    inline configuration, ``const THEBE_JS_URL = ...``, twice under Sphinx 7.4, and the second
    ``const`` is a JavaScript error on every page."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        body = getattr(script, "attributes", {}).get("body")
        if body:
            if body in seen:
                continue
            seen.add(body)
        unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_duplicate_scripts)
    app.connect("doctree-resolved", add_launch_links)
    app.connect("build-finished", write_notebooks)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
