"""The glossary and the chapters' links to it agree: every entry is linked from a chapter (once
per chapter at most), and every {term} link in a chapter has an entry. Reads the Markdown
sources only; no build."""

from __future__ import annotations

import re

import pytest

from conftest import REPO

GLOSSARY = REPO / "appendices" / "glossary.md"
CHAPTERS = sorted((REPO / "chapters").glob("*.md"))
REQUIRED_TERMS = ["residual block", "depthwise-separable convolution", "weight decay", "MACs", "logit"]

FENCE = re.compile(r"^(`{3,}|~{3,})\s*(.*)$")
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
EXPLICIT_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)


def glossary_entries(text: str) -> list[list[str]]:
    """The entries of the ``{glossary}`` block, each as its list of names: the unindented lines
    before an indented definition (a main term, then any aliases)."""
    block = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```\s*$", text, re.MULTILINE | re.DOTALL)
    assert block, f"no ```{{glossary}} block in {GLOSSARY}"
    entries: list[list[str]] = []
    previous_was_term = False
    for line in block.group(1).splitlines():
        if not line.strip():
            previous_was_term = False
        elif line[0].isspace():
            previous_was_term = False
        elif line.startswith((".. ", ":")):  # a comment or a directive option
            continue
        else:
            name = re.split(r" +: +", line.strip())[0]  # drop a reST classifier, "term : classifier"
            if previous_was_term:
                entries[-1].append(name)
            else:
                entries.append([name])
            previous_was_term = True
    return entries


def prose(text: str) -> str:
    """The Markdown text that renders as prose: code cells and literal code blocks removed,
    directive blocks (exercises, solutions, admonitions) kept."""
    kept: list[str] = []
    open_fences: list[tuple[str, bool]] = []  # (fence, is code)
    for line in text.splitlines():
        match = FENCE.match(line.strip()) if len(line) - len(line.lstrip()) < 4 else None
        in_code = bool(open_fences) and open_fences[-1][1]
        if match:
            fence, info = match.groups()
            closes = (bool(open_fences) and not info.strip() and fence[0] == open_fences[-1][0][0]
                      and len(fence) >= len(open_fences[-1][0]))
            if closes:
                open_fences.pop()
                continue
            if not in_code:
                is_code = not info.startswith("{") or info.startswith("{code-cell}")
                open_fences.append((fence, is_code))
                continue
        if not in_code:
            kept.append(line)
    return "\n".join(kept)


def term_targets(text: str) -> list[str]:
    """The target of every {term} role: ``x`` in {term}`x` and in {term}`text <x>`, with runs
    of whitespace collapsed as Sphinx does."""
    targets = []
    for content in TERM_ROLE.findall(text):
        explicit = EXPLICIT_TARGET.match(content)
        target = explicit.group(2) if explicit else content
        targets.append(" ".join(target.split()))
    return targets


def normalized(term: str) -> str:
    """Sphinx resolves a term exactly, then falls back to a case-insensitive match."""
    return " ".join(term.split()).lower()


@pytest.fixture(scope="module")
def entries() -> list[list[str]]:
    return glossary_entries(GLOSSARY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def links() -> dict[str, list[str]]:
    """The {term} targets of each chapter, by file name."""
    return {path.name: term_targets(prose(path.read_text(encoding="utf-8"))) for path in CHAPTERS}


def test_glossary_parses(entries):
    names = [normalized(name) for entry in entries for name in entry]
    assert len(entries) >= 20, f"only {len(entries)} glossary entries found: {entries}"
    duplicated = sorted({name for name in names if names.count(name) > 1})
    assert not duplicated, f"glossary terms defined twice: {duplicated}"


def test_glossary_has_the_required_terms(entries):
    names = {normalized(name) for entry in entries for name in entry}
    missing = [term for term in REQUIRED_TERMS if normalized(term) not in names]
    assert not missing, f"glossary lacks {missing}"


def test_every_glossary_entry_is_linked_from_a_chapter(entries, links):
    linked = {normalized(target) for targets in links.values() for target in targets}
    unlinked = [entry for entry in entries if not any(normalized(name) in linked for name in entry)]
    assert not unlinked, f"glossary entries no chapter links to with {{term}}: {unlinked}"


def test_every_term_link_has_a_glossary_entry(entries, links):
    names = {normalized(name) for entry in entries for name in entry}
    dangling = {chapter: sorted({t for t in targets if normalized(t) not in names})
                for chapter, targets in links.items()}
    dangling = {chapter: targets for chapter, targets in dangling.items() if targets}
    assert not dangling, f"{{term}} links to terms the glossary does not define: {dangling}"


def test_a_chapter_links_each_entry_once_at_most(entries, links):
    entry_of = {normalized(name): entry[0] for entry in entries for name in entry}
    repeated = {}
    for chapter, targets in links.items():
        linked = [entry_of[normalized(t)] for t in targets if normalized(t) in entry_of]
        if twice := sorted({entry for entry in linked if linked.count(entry) > 1}):
            repeated[chapter] = twice
    assert not repeated, f"entries linked more than once in one chapter: {repeated}"


def test_the_parsers_read_both_role_forms_and_skip_code():
    text = ("A {term}`stride` and {term}`receptive fields <receptive field>`.\n\n"
            "```{code-cell} ipython3\nprint('{term}`kernel`')\n```\n\n"
            "````{solution} x\nSee {term}`Padding\n<padding>`.\n```python\n# {term}`pooling`\n```\n````\n")
    assert term_targets(prose(text)) == ["stride", "receptive field", "padding"]
    glossary = "```{glossary}\nDice coefficient\nDice\n  Overlap.\n\nstride\n  Step.\n```\n"
    assert glossary_entries(glossary) == [["Dice coefficient", "Dice"], ["stride"]]
