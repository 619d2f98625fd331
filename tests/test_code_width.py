"""Chapter code fits the book's column: no code line wider than 88 characters (issue: code
that scrolls sideways at 1280 px hides the end of its lines)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from conftest import REPO

MAX_WIDTH = 88
FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


def code_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for every line of a code cell (less its YAML header) or code block.

    Directives such as ```{exercise} or ````{solution} hold prose and may nest code blocks, so
    only their own fences are skipped; a fence with a language, or none, opens a code block.
    """
    lines = text.splitlines()
    directives: list[str] = []  # the fences of the directives that are open
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if not opening:
            continue
        fence, info = opening.group(1), opening.group(2).strip()
        if not info and directives and fence.startswith(directives[-1]):
            directives.pop()
            continue
        if info.startswith("{") and not info.startswith("{code-cell}"):
            directives.append(fence)
            continue
        if info.startswith("{code-cell}") and index < len(lines) and lines[index].strip() == "---":
            index = lines.index("---", index + 1) + 1  # the cell's YAML metadata may be long
        while index < len(lines):
            closing = FENCE.match(lines[index])
            if closing and not closing.group(2).strip() and closing.group(1).startswith(fence):
                break
            yield index + 1, lines[index]
            index += 1
        index += 1


def test_code_lines_reads_cells_blocks_and_skips_metadata_and_prose():
    text = "\n".join([
        "prose " + "x" * 100,
        "```{code-cell} ipython3",
        "---",
        "mystnb:",
        "  figure: {caption: " + "y" * 100 + "}",
        "---",
        "a = 1",
        "```",
        "````{solution} ex",
        "more prose",
        "```python",
        "b = 2",
        "```",
        "````",
        "```{code-cell} ipython3",
        "c = 3",
        "```",
    ])
    assert list(code_lines(text)) == [(7, "a = 1"), (12, "b = 2"), (16, "c = 3")]


@pytest.mark.parametrize("path", sorted((REPO / "chapters").glob("*.md")), ids=lambda p: p.stem)
def test_every_code_line_fits_the_column(path):
    too_wide = [
        f"{path.name}:{number}: {len(line)} characters"
        for number, line in code_lines(path.read_text())
        if len(line) > MAX_WIDTH
    ]
    assert not too_wide, f"code lines over {MAX_WIDTH} characters:\n" + "\n".join(too_wide)
