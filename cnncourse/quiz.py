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

**Shuffled options.** A reader who always picks the same position must not pass, so each
question's options are shown in an order drawn from a seed. In the book (and wherever no seed is
given) the seed is the reader's own: drawn once and kept in the browser's local storage, so a
reload shows the same order and two readers see different ones. In a notebook,
``quiz.show(chapter, seed=N)`` (or ``COURSE_QUIZ_SEED=N``) fixes the order; the quiz prints the
seed it used either way. The shuffle runs in the page's script (the book has no kernel);
``option_order`` is the same computation in Python, for the tests. Without JavaScript the
options keep their authored order, which the tests check no fixed strategy passes either.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml

QUIZZES = Path(__file__).with_name("quizzes")
PASS_MARK = 0.7
MINIMUM_QUESTIONS = 8
SEED_VARIABLE = "COURSE_QUIZ_SEED"
SEEDS = 1_000_000  # seeds run from 0 to 999,999: short enough to read out and type


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

    def __init__(self, chapter: str, questions: list[Question], seed: int | None = None):
        self.chapter, self.questions, self.seed = chapter, questions, seed

    def __repr__(self) -> str:
        order = (f"options shuffled with seed {self.seed}" if self.seed is not None
                 else "options shuffled with the reader's own seed")
        return (f"Quick test for {self.chapter}: {len(self.questions)} questions, pass mark "
                f"{PASS_MARK:.0%}, {order}. Run this cell in Jupyter or Colab, or read the book, to answer them.")

    def _repr_html_(self) -> str:
        return render(self.questions, self.chapter, self.seed)


def show(chapter: str, seed: int | None = None) -> Quiz:
    """The quick test of ``chapter``, to be the last value of a cell. ``seed`` (else the
    ``COURSE_QUIZ_SEED`` environment variable) fixes the order of the options; without either,
    each reader's browser keeps a seed of its own."""
    if seed is None and os.environ.get(SEED_VARIABLE, "").strip():
        seed = os.environ[SEED_VARIABLE].strip()
    return Quiz(chapter, load(chapter), None if seed is None else checked_seed(seed))


def checked_seed(seed) -> int:
    """``seed`` as an int from 0 to 999,999, or a ValueError that says what is accepted."""
    if isinstance(seed, str) and seed.strip().isdigit():
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEEDS:
        raise ValueError(f"a quiz seed is a whole number from 0 to {SEEDS - 1:,}, got {seed!r}")
    return seed


# The shuffle, written twice: here, and in _SCRIPT's optionOrder, which must agree (the browser
# tests compare them). 32-bit arithmetic throughout, as JavaScript's Math.imul and >>> 0 give.
_MASK = 0xFFFFFFFF


def _hash(text: str) -> int:
    """A 32-bit hash of ``text`` (ASCII, as the quizzes' chapter names are): FNV-1a, then
    MurmurHash3's finaliser, so that seeds one apart give unrelated orders."""
    value = 0x811C9DC5
    for character in text:
        value = ((value ^ ord(character)) * 0x01000193) & _MASK
    value = ((value ^ (value >> 16)) * 0x85EBCA6B) & _MASK
    value = ((value ^ (value >> 13)) * 0xC2B2AE35) & _MASK
    return value ^ (value >> 16)


def option_order(seed: int, chapter: str, question: int, count: int) -> list[int]:
    """The authored indices of question ``question``'s ``count`` options, in the order a reader
    with ``seed`` sees them: a Fisher-Yates shuffle driven by a 32-bit linear congruential
    generator (Numerical Recipes' constants) started from a hash of the chapter, question and seed."""
    state = _hash(f"{chapter}:{question}:{checked_seed(seed)}")
    order = list(range(count))
    for last in range(count - 1, 0, -1):
        state = (state * 1664525 + 1013904223) & _MASK
        pick = (state * (last + 1)) >> 32  # the high bits: an LCG's low bits cycle quickly
        order[last], order[pick] = order[pick], order[last]
    return order


def render(questions: list[Question], chapter: str, seed: int | None = None) -> str:
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
                 '<p class="quiz-score" role="status" aria-live="polite" style="font-weight:bold"></p>'
                 f'<p class="quiz-order" style="{_STYLE_NOTE}"></p></form>')
    key = [{"answer": q.answer, "right": markup(q.options[q.answer]), "why": markup(q.why)} for q in questions]
    # The key is JSON inside a script element: "</" is escaped so no text can end the script.
    data = json.dumps({"key": key, "pass": PASS_MARK, "chapter": chapter, "seed": seed, "seeds": SEEDS,
                       "variable": SEED_VARIABLE}).replace("</", "<\\/")
    parts.append(f"<script>({_SCRIPT})({json.dumps(quiz_id)}, {data});</script>")
    return "".join(parts)


_STYLE_FORM = "border:1px solid #8884;border-radius:6px;padding:.8em 1em;margin:1em 0"
_STYLE_FIELDSET = "border:none;margin:0 0 1em;padding:0"
_STYLE_LEGEND = "font-weight:600;padding:0;margin-bottom:.3em"
_STYLE_BUTTON = "padding:.35em .9em;border-radius:4px;border:1px solid #888;cursor:pointer;margin-right:.5em"
_STYLE_NOTE = "font-size:.85em;opacity:.8;margin:.3em 0 0"

# Shuffles the options (the seed given, else the reader's kept in local storage), then marks each
# question, reveals why, and writes the score and the verdict against the pass mark.
_SCRIPT = """function (id, quiz) {
  var form = document.getElementById(id);
  if (!form) return;
  var questions = form.querySelectorAll(".quiz-question");
  var score = form.querySelector(".quiz-score");
  var STORE = "cnncourse-quiz-seed";
  function hash(text) {
    var value = 0x811C9DC5;
    for (var i = 0; i < text.length; i++) value = Math.imul(value ^ text.charCodeAt(i), 0x01000193) >>> 0;
    value = Math.imul(value ^ (value >>> 16), 0x85EBCA6B) >>> 0;
    value = Math.imul(value ^ (value >>> 13), 0xC2B2AE35) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  }
  function optionOrder(seed, chapter, question, count) {
    var state = hash(chapter + ":" + question + ":" + seed);
    var order = [];
    for (var i = 0; i < count; i++) order.push(i);
    for (var last = count - 1; last > 0; last--) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      var pick = Math.floor(state * (last + 1) / 4294967296);
      var swap = order[last]; order[last] = order[pick]; order[pick] = swap;
    }
    return order;
  }
  var seed = quiz.seed, kept = false;
  if (seed === null) {
    try {
      seed = window.localStorage.getItem(STORE);
      if (seed === null || !/^[0-9]+$/.test(seed) || Number(seed) >= quiz.seeds) {
        seed = String(window.crypto.getRandomValues(new Uint32Array(1))[0] % quiz.seeds);
        window.localStorage.setItem(STORE, seed);
      }
      kept = true;
    } catch (error) {  // storage refused (a sandboxed frame, private mode): a seed for this page only
      seed = String(Math.floor(Math.random() * quiz.seeds));
    }
    seed = Number(seed);
  }
  questions.forEach(function (question, number) {
    var labels = Array.prototype.slice.call(question.querySelectorAll("label"));
    var feedback = question.querySelector(".quiz-feedback");
    optionOrder(seed, quiz.chapter, number, labels.length).forEach(function (index) {
      question.insertBefore(labels[index], feedback);
    });
  });
  form.dataset.seed = seed;
  var call = "<code>quiz.show(\\"" + quiz.chapter + "\\", seed=" + seed + ")</code>";
  form.querySelector(".quiz-order").innerHTML = "The options are shuffled with seed " + seed + (quiz.seed !== null
    ? ", set in the notebook (" + quiz.variable + " or <code>seed=</code>)."
    : (kept ? ", kept in this browser so that a reload shows the same order." : ", for this page only."))
    + " In a notebook, " + call + " shows this order again.";
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
