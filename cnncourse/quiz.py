"""Each chapter's quick test: multiple-choice questions, scored, with a pass mark.

A chapter ends with a cell ``quiz.show("01_convolution")``. Its output is one self-contained piece
of HTML and JavaScript, so the same quiz works in three places: in JupyterLab and Colab (the output
of a cell you ran), and in the published book without any kernel (the output the build executed).
The reader picks answers, presses *Check my answers*, and sees the score, whether it reaches the
pass mark, and why each answer is right or wrong. The answers stay out of sight until then.

Questions live in ``cnncourse/quizzes/<chapter>.yml``::

    questions:
      - ask: Which layer has no trainable parameters?
        options: ["`Conv2D`", "`Dense`", "`MaxPooling2D`"]
        answer: 2            # index of the right option, from 0
        why: Pooling applies a fixed function (the maximum) to each window.

Text is plain: backticks mark code, ``*stars*`` emphasis, and maths is written in Unicode
(``3 × 3``, ``K − 1``) so that it reads the same without MathJax.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml

QUIZZES = Path(__file__).with_name("quizzes")
PASS_MARK = 0.7
MINIMUM_QUESTIONS = 8


@dataclass(frozen=True)
class Question:
    ask: str
    options: tuple[str, ...]
    answer: int
    why: str


def load(chapter: str) -> list[Question]:
    """The questions of ``chapter`` (e.g. ``"01_convolution"``), checked for shape."""
    path = QUIZZES / f"{chapter}.yml"
    if not path.is_file():
        raise FileNotFoundError(f"no quiz for {chapter!r}: expected {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with a list of questions, got {type(data).__name__}")
    questions = []
    for number, entry in enumerate(data.get("questions") or [], start=1):
        try:
            question = Question(str(entry["ask"]), tuple(str(o) for o in entry["options"]), int(entry["answer"]), str(entry["why"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}, question {number}: needs ask, options, answer and why ({error})") from None
        if len(question.options) < 2 or not 0 <= question.answer < len(question.options):
            raise ValueError(f"{path}, question {number}: answer {question.answer} is not one of its "
                             f"{len(question.options)} options")
        if len(set(question.options)) != len(question.options):
            raise ValueError(f"{path}, question {number}: two options are the same")
        questions.append(question)
    if len(questions) < MINIMUM_QUESTIONS:
        raise ValueError(f"{path}: {len(questions)} questions; a quick test has at least {MINIMUM_QUESTIONS}")
    return questions


def markup(text: str) -> str:
    """Plain text to HTML: everything escaped, then `code` and *emphasis*."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"<em>\1</em>", escaped)


class Quiz:
    """What ``show`` returns: rich HTML in a notebook or the book, a plain summary elsewhere."""

    def __init__(self, chapter: str, questions: list[Question]):
        self.chapter, self.questions = chapter, questions

    def __repr__(self) -> str:
        return (f"Quick test for {self.chapter}: {len(self.questions)} questions, pass mark "
                f"{PASS_MARK:.0%}. Run this cell in Jupyter or Colab, or read the book, to answer them.")

    def _repr_html_(self) -> str:
        return render(self.questions)


def show(chapter: str) -> Quiz:
    """The quick test of ``chapter``, to be the last value of a cell."""
    return Quiz(chapter, load(chapter))


def render(questions: list[Question]) -> str:
    """The quiz as one self-contained block of HTML and JavaScript (ids unique per render)."""
    quiz_id = f"quiz-{secrets.token_hex(4)}"
    parts = [f'<form class="course-quiz" id="{quiz_id}" style="{_STYLE_FORM}" novalidate>']
    for number, question in enumerate(questions):
        name = f"{quiz_id}-q{number}"
        parts.append(f'<fieldset class="quiz-question" style="{_STYLE_FIELDSET}"><legend style="{_STYLE_LEGEND}">'
                     f"{number + 1}. {markup(question.ask)}</legend>")
        for index, option in enumerate(question.options):
            parts.append(f'<label style="display:block;margin:.2em 0;cursor:pointer"><input type="radio" name="{name}" '
                         f'value="{index}"> {markup(option)}</label>')
        parts.append(f'<p class="quiz-feedback" hidden style="margin:.4em 0 0"></p></fieldset>')
    parts.append(f'<p><button type="submit" class="quiz-check" style="{_STYLE_BUTTON}">Check my answers</button> '
                 f'<button type="button" class="quiz-reset" style="{_STYLE_BUTTON}">Start again</button></p>'
                 '<p class="quiz-score" role="status" aria-live="polite" style="font-weight:bold"></p></form>')
    key = [{"answer": q.answer, "right": markup(q.options[q.answer]), "why": markup(q.why)} for q in questions]
    # The key is JSON inside a script element: "</" is escaped so no text can end the script.
    data = json.dumps({"key": key, "pass": PASS_MARK}).replace("</", "<\\/")
    parts.append(f"<script>({_SCRIPT})({json.dumps(quiz_id)}, {data});</script>")
    return "".join(parts)


_STYLE_FORM = "border:1px solid #8884;border-radius:6px;padding:.8em 1em;margin:1em 0"
_STYLE_FIELDSET = "border:none;margin:0 0 1em;padding:0"
_STYLE_LEGEND = "font-weight:600;padding:0;margin-bottom:.3em"
_STYLE_BUTTON = "padding:.35em .9em;border-radius:4px;border:1px solid #888;cursor:pointer;margin-right:.5em"

# Marks each question, reveals why, and writes the score and the verdict against the pass mark.
_SCRIPT = """function (id, quiz) {
  var form = document.getElementById(id);
  if (!form) return;
  var questions = form.querySelectorAll(".quiz-question");
  var score = form.querySelector(".quiz-score");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var right = 0;
    questions.forEach(function (question, number) {
      var chosen = question.querySelector("input:checked");
      var item = quiz.key[number];
      var correct = chosen !== null && Number(chosen.value) === item.answer;
      if (correct) right += 1;
      var feedback = question.querySelector(".quiz-feedback");
      feedback.innerHTML = (correct ? "\\u2714 Right. " : (chosen === null ? "\\u2718 Not answered. " : "\\u2718 Not quite. ")
        + "The answer is: " + item.right + ". ") + item.why;
      feedback.hidden = false;
    });
    var share = right / questions.length;
    score.textContent = "Your score: " + right + " of " + questions.length + " (" + Math.round(100 * share) + "%). "
      + (share >= quiz.pass ? "Passed" : "Not passed yet") + ": the pass mark is " + Math.round(100 * quiz.pass) + "%.";
    score.dataset.right = right;
    score.dataset.passed = share >= quiz.pass;
  });
  form.querySelector(".quiz-reset").addEventListener("click", function () {
    form.reset();
    form.querySelectorAll(".quiz-feedback").forEach(function (feedback) { feedback.hidden = true; });
    score.textContent = "";
    delete score.dataset.right;
    delete score.dataset.passed;
  });
}"""
