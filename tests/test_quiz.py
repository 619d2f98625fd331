"""Each chapter's quick test and learning objectives, checked without building the book: the
chapter ends in a cell that shows its own quiz, the quiz loads and is well formed, its HTML
cannot be broken out of, ``quiz.load`` refuses malformed quizzes with a clear message, and no
fixed strategy (a position, the longest or the shortest option) passes, in the authored order
or, but for a chance under 1% computed exactly, in a shuffled one."""

from __future__ import annotations

import re
from fractions import Fraction
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


# --- No fixed strategy passes -----------------------------------------------------------------

QUIZ_NAMES = [path.stem for path in CHAPTERS]


def _needed(questions) -> int:
    """Right answers needed to pass, as the page's script decides (share >= the pass mark)."""
    return next(k for k in range(len(questions) + 1) if k / len(questions) >= quiz.PASS_MARK)


def _extreme(question, pick) -> bool:
    """Whether the right option is the longest (``pick=max``) or shortest (``min``); a tie counts
    as a hit, as for a reader who breaks ties in their favour."""
    lengths = [len(option) for option in question.options]
    return lengths[question.answer] == pick(lengths)


@pytest.mark.parametrize("chapter", QUIZ_NAMES)
def test_no_fixed_strategy_passes_in_the_authored_order(chapter: str):
    """The order a reader without JavaScript sees: always the same position, always the longest
    option and always the shortest each stay below the pass mark."""
    questions = quiz.load(chapter)
    needed = _needed(questions)
    for position in range(max(len(q.options) for q in questions)):
        right = sum(q.answer == position for q in questions)
        assert right < needed, f"{chapter}: always option {position + 1} scores {right} of {len(questions)}"
    longest = sum(_extreme(q, max) for q in questions)
    shortest = sum(_extreme(q, min) for q in questions)
    assert longest < needed and shortest < needed, (longest, shortest)
    assert longest <= 0.4 * len(questions), \
        f"{chapter}: the right answer is the longest option in {longest} of {len(questions)} questions (40% at most)"


def passing_chance(option_counts: list[int], needed: int, position: int) -> Fraction:
    """The exact chance that always answering ``position`` scores at least ``needed``, when each
    question's options are put in a uniformly random order: the score is a sum of independent
    Bernoulli variables, 1/k for a question of k options (0 where it has no such position)."""
    chances = [Fraction(1)]  # chances[s]: probability of s right so far
    for count in option_counts:
        hit = Fraction(1, count) if position < count else Fraction(0)
        chances = [(chances[s] if s < len(chances) else 0) * (1 - hit) + (chances[s - 1] * hit if s else 0)
                   for s in range(len(chances) + 1)]
    return sum(chances[needed:], Fraction(0))


def test_passing_chance_is_exact_on_small_cases():
    assert passing_chance([2], 1, 0) == Fraction(1, 2)
    assert passing_chance([2, 2], 2, 1) == Fraction(1, 4)
    assert passing_chance([3, 3, 3], 2, 0) == 3 * Fraction(1, 9) * Fraction(2, 3) + Fraction(1, 27)
    assert passing_chance([2, 4], 1, 3) == Fraction(1, 4)  # position 4 exists in one question only


@pytest.mark.parametrize("chapter", QUIZ_NAMES)
def test_a_fixed_position_passes_under_one_percent_of_shuffles(chapter: str):
    questions = quiz.load(chapter)
    counts = [len(q.options) for q in questions]
    worst = max(passing_chance(counts, _needed(questions), position) for position in range(max(counts)))
    assert worst < Fraction(1, 100), f"{chapter}: a fixed position passes {float(worst):.2%} of shuffles"


def test_option_order_is_a_fixed_permutation_per_seed_and_uniform_over_seeds():
    from collections import Counter

    from scipy.stats import chisquare

    assert sorted(quiz.option_order(5, "01_convolution", 2, 4)) == [0, 1, 2, 3]
    assert quiz.option_order(5, "01_convolution", 2, 4) == quiz.option_order("5", "01_convolution", 2, 4)
    orders = Counter(tuple(quiz.option_order(seed, "03_training_well", 4, 4)) for seed in range(12_000))
    assert len(orders) == 24
    assert chisquare(list(orders.values())).pvalue > 1e-3, orders  # seeds one apart give unrelated orders
    # Questions and chapters are shuffled independently of each other under one seed.
    pairs = Counter((quiz.option_order(seed, "03_training_well", 0, 3)[0], quiz.option_order(seed, "04_architectures", 0, 3)[0])
                    for seed in range(9_000))
    assert chisquare(list(pairs.values())).pvalue > 1e-3, pairs


def test_a_seed_is_printed_and_can_be_set(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(quiz.SEED_VARIABLE, raising=False)
    assert quiz.show("01_convolution").seed is None and "reader's own seed" in repr(quiz.show("01_convolution"))
    assert quiz.show("01_convolution", seed=1234).seed == 1234
    assert '"seed": 1234' in quiz.show("01_convolution", seed=1234)._repr_html_()
    monkeypatch.setenv(quiz.SEED_VARIABLE, "77")
    assert quiz.show("01_convolution").seed == 77 and "seed 77" in repr(quiz.show("01_convolution"))
    for bad in (-1, quiz.SEEDS, 2.5, True, "abc"):
        with pytest.raises(ValueError, match="a quiz seed is a whole number"):
            quiz.show("01_convolution", seed=bad)
