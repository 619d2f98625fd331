"""Each chapter's quick test and learning objectives, checked without building the book: the
chapter ends in a cell that shows its own quiz, the quiz loads and is well formed, its HTML
cannot be broken out of, and ``quiz.load`` refuses malformed quizzes with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cnncourse import quiz
from conftest import REPO

CHAPTERS = sorted((REPO / "chapters").glob("*.md"))
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
OBJECTIVES = re.compile(r"^:::\{admonition\} What you will learn\n(.*?)^:::$", re.MULTILINE | re.DOTALL)


def section(text: str, heading: str) -> str | None:
    """The body of the ``## heading`` section, up to the next ``## `` heading or the end."""
    match = re.search(rf"^## {re.escape(heading)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else None


def test_there_are_chapters():
    assert len(CHAPTERS) >= 6, f"expected the course's chapters in {REPO / 'chapters'}, found {CHAPTERS}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_quick_test_cell_shows_its_own_quiz(chapter: Path):
    body = section(chapter.read_text(encoding="utf-8"), "Quick test")
    assert body is not None, f"{chapter.name} has no '## Quick test' section"
    cells = CODE_CELL.findall(body)
    call = f'quiz.show("{chapter.stem}")'
    showing = [cell for cell in cells if call in cell]
    assert showing, f"no code cell of {chapter.name}'s quick test calls {call}; its cells: {cells}"
    assert "remove-input" in showing[0], f"the quiz cell of {chapter.name} should be tagged remove-input"
    others = set(re.findall(r'quiz\.show\("([^"]*)"\)', body)) - {chapter.stem}
    assert not others, f"{chapter.name}'s quick test shows another chapter's quiz: {sorted(others)}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_quiz_loads_and_is_well_formed(chapter: Path):
    import yaml

    # YAML reads an unquoted `No` as False and `Term: text` as a mapping; quiz.load would turn
    # either into a string silently, so the raw file is checked first.
    raw = yaml.safe_load((quiz.QUIZZES / f"{chapter.stem}.yml").read_text(encoding="utf-8"))["questions"]
    for number, entry in enumerate(raw, start=1):
        texts = [entry["ask"], entry["why"], *entry["options"]]
        assert all(isinstance(text, str) for text in texts), \
            f"{chapter.stem}, question {number}: quote the text that YAML did not read as a string: {texts}"
        assert type(entry["answer"]) is int, f"{chapter.stem}, question {number}: answer {entry['answer']!r}"
    questions = quiz.load(chapter.stem)
    assert len(questions) >= quiz.MINIMUM_QUESTIONS
    for number, question in enumerate(questions, start=1):
        where = f"{chapter.stem}, question {number}"
        assert question.ask.strip(), f"{where}: empty question"
        assert 0 <= question.answer < len(question.options), f"{where}: answer {question.answer} out of range"
        assert all(option.strip() for option in question.options), f"{where}: an empty option"
        assert question.why.strip(), f"{where}: no explanation"
    html = quiz.show(chapter.stem)._repr_html_()
    assert html.count('class="quiz-question"') == len(questions)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_states_what_you_will_learn(chapter: Path):
    text = chapter.read_text(encoding="utf-8")
    match = OBJECTIVES.search(text)
    assert match, f"{chapter.name} has no ':::{{admonition}} What you will learn' block"
    body = match.group(1)
    objectives = re.findall(r"^- ", body, re.MULTILINE)
    assert len(objectives) >= 3, f"{chapter.name}: only {len(objectives)} learning objectives"
    assert re.search(r"^\*\*Before you start:\*\* \S", body, re.MULTILINE), \
        f"{chapter.name}: the objectives block has no '**Before you start:**' line"
    first_cell = text.find("```{code-cell}")
    assert first_cell == -1 or match.start() < first_cell, f"{chapter.name}: objectives come after the first code cell"


def write_quiz(folder: Path, name: str, questions: list[dict]) -> None:
    import yaml

    (folder / f"{name}.yml").write_text(yaml.safe_dump({"questions": questions}, allow_unicode=True), encoding="utf-8")


def question(ask: str = "Which one?", options=("a", "b", "c"), answer: int = 0, why: str = "Because.") -> dict:
    return {"ask": ask, "options": list(options), "answer": answer, "why": why}


@pytest.fixture
def quiz_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "quizzes"
    folder.mkdir()
    monkeypatch.setattr(quiz, "QUIZZES", folder)
    return folder


def test_rendered_html_escapes_text(quiz_folder: Path):
    hostile = [question(ask="<script>alert('ask')</script> and `</script>`",
                        options=["</script><script>alert('option')</script>", "<b>bold</b>", "plain"],
                        answer=0, why="</script><img src=x onerror=alert('why')>")]
    write_quiz(quiz_folder, "hostile", hostile + [question(ask=f"Question {n}?") for n in range(7)])
    html = quiz.show("hostile")._repr_html_()
    assert html.count("<script") == 1 and html.count("</script>") == 1 and html.endswith("</script>"), \
        "question text opened or closed a script element"
    assert "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;ask&#x27;)&lt;/script&gt;" in html
    assert "<code>&lt;/script&gt;</code>" in html


def test_load_refuses_too_few_questions(quiz_folder: Path):
    write_quiz(quiz_folder, "short", [question(ask=f"Question {n}?") for n in range(quiz.MINIMUM_QUESTIONS - 1)])
    with pytest.raises(ValueError, match=rf"{quiz.MINIMUM_QUESTIONS - 1} questions; a quick test has at least "
                                         rf"{quiz.MINIMUM_QUESTIONS}"):
        quiz.load("short")


@pytest.mark.parametrize("answer", [3, -1])
def test_load_refuses_an_answer_out_of_range(quiz_folder: Path, answer: int):
    questions = [question(ask=f"Question {n}?") for n in range(quiz.MINIMUM_QUESTIONS)]
    questions[4]["answer"] = answer
    write_quiz(quiz_folder, "out_of_range", questions)
    with pytest.raises(ValueError, match=rf"question 5: answer {answer} is not one of its 3 options"):
        quiz.load("out_of_range")


def test_load_refuses_duplicate_options(quiz_folder: Path):
    questions = [question(ask=f"Question {n}?") for n in range(quiz.MINIMUM_QUESTIONS)]
    questions[2]["options"] = ["same", "other", "same"]
    write_quiz(quiz_folder, "duplicates", questions)
    with pytest.raises(ValueError, match="question 3: two options are the same"):
        quiz.load("duplicates")


def test_load_names_the_missing_quiz(quiz_folder: Path):
    with pytest.raises(FileNotFoundError, match="no quiz for 'nowhere'"):
        quiz.load("nowhere")
